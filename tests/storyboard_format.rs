//! The storyboard's exact prompt text (docs/api.md#storyboard-prompt-text), the inline form, and
//! the `*.storyboard.toml` format: round trips, hand-edited files with their errors' line numbers,
//! and a property test that any storyboard survives being saved and read back.

use sora_tui::api::{Length, Model, Orientation, Size, VideoSettings};
use sora_tui::storyboard::{Shot, Storyboard, StoryboardProblem, from_toml, to_toml};

fn board(instructions: &str, shots: &[(f64, &str)]) -> Storyboard {
    Storyboard {
        instructions: instructions.into(),
        shots: shots
            .iter()
            .map(|(duration, scene)| Shot {
                duration: *duration,
                scene: scene.to_string(),
            })
            .collect(),
        settings: VideoSettings::default(),
    }
}

// ------------------------------------------------------------------------------------------
// Prompt text

/// The example of docs/api.md#storyboard-prompt-text, byte for byte.
const CONTRACT_EXAMPLE: &str = "current timeline:
Shot 1:
duration: 5.0sec
Scene: cat skydives from a plane

Shot 2:
duration: 5.0sec
Scene: cat lands

instructions:
A cat's adventure";

#[test]
fn prompt_text_is_the_contract_example() {
    let b = board(
        "A cat's adventure",
        &[(5.0, "cat skydives from a plane"), (5.0, "cat lands")],
    );
    assert_eq!(b.prompt_text(), CONTRACT_EXAMPLE);
    assert!(b.validate().is_ok());
}

#[test]
fn prompt_text_without_instructions_ends_after_the_last_scene() {
    let b = board(
        "",
        &[(5.0, "cat skydives from a plane"), (5.0, "cat lands")],
    );
    assert_eq!(
        b.prompt_text(),
        "current timeline:\nShot 1:\nduration: 5.0sec\nScene: cat skydives from a plane\n\nShot 2:\nduration: 5.0sec\nScene: cat lands"
    );
    // Whitespace-only instructions count as none.
    assert_eq!(
        board(" \n\t", &[(10.0, "x")]).prompt_text(),
        board("", &[(10.0, "x")]).prompt_text()
    );
}

#[test]
fn fractional_durations_print_with_one_decimal() {
    let b = board("", &[(3.3, "a"), (3.3, "b"), (3.4, "c")]);
    assert_eq!(
        b.prompt_text(),
        "current timeline:\nShot 1:\nduration: 3.3sec\nScene: a\n\nShot 2:\nduration: 3.3sec\nScene: b\n\nShot 3:\nduration: 3.4sec\nScene: c"
    );
    assert!(b.validate().is_ok(), "3.3 + 3.3 + 3.4 is 10 s exactly");
    let b = board("moody", &[(2.5, "a"), (12.5, "b")]);
    let b = Storyboard {
        settings: VideoSettings {
            length: Length::S15,
            ..VideoSettings::default()
        },
        ..b
    };
    assert!(
        b.prompt_text()
            .contains("duration: 2.5sec\nScene: a\n\nShot 2:\nduration: 12.5sec")
    );
    assert!(b.validate().is_ok());
    // Whole seconds keep their ".0".
    assert!(
        board("", &[(10.0, "x")])
            .prompt_text()
            .contains("duration: 10.0sec")
    );
}

#[test]
fn multi_line_scenes_and_instructions_are_kept_as_typed() {
    let b = board("line one\nline two", &[(10.0, "first\nsecond")]);
    assert_eq!(
        b.prompt_text(),
        "current timeline:\nShot 1:\nduration: 10.0sec\nScene: first\nsecond\n\ninstructions:\nline one\nline two"
    );
}

#[test]
fn what_is_checked_is_what_is_sent() {
    // 3.33 is sent as 3.3: three of them are 9.9 s, not 10.
    let e = board("", &[(3.33, "a"), (3.33, "b"), (3.33, "c")])
        .validate()
        .unwrap_err();
    assert_eq!(
        e,
        StoryboardProblem::LengthMismatch {
            sum: 9.9,
            length: 10
        }
    );
    // 0.96 is sent as 1.0: long enough; 0.94 is sent as 0.9: too short.
    assert!(board("", &[(0.96, "a"), (9.04, "b")]).validate().is_ok());
    assert_eq!(
        board("", &[(0.94, "a"), (9.06, "b")]).validate(),
        Err(StoryboardProblem::TooShort(1))
    );
}

#[test]
fn the_inline_form_of_the_contract_imports() {
    let b = Storyboard::from_inline(
        "A cat's adventure [5.0s]cat skydives from a plane [5.0s]cat lands",
        VideoSettings::default(),
    )
    .unwrap();
    assert_eq!(b.prompt_text(), CONTRACT_EXAMPLE);
}

// ------------------------------------------------------------------------------------------
// Files

/// A file as a person would write it by hand, comments and all.
const HAND_WRITTEN: &str = r#"# My cat storyboard
version = 1
instructions = """
A cat's adventure,
shot like a nature documentary"""
orientation = "portrait"
length = 15
model = "sy_ore"
size = "large"

[[shot]]
duration = 7.5
scene = "cat skydives from a plane"

[[shot]]
scene = 'cat lands in a "haystack"'
duration = 7.5
"#;

#[test]
fn a_hand_written_file_reads_and_round_trips() {
    let b = from_toml(HAND_WRITTEN).unwrap();
    assert_eq!(
        b.instructions,
        "A cat's adventure,\nshot like a nature documentary"
    );
    assert_eq!(
        b.settings,
        VideoSettings {
            orientation: Orientation::Portrait,
            length: Length::S15,
            model: Model::SyOre,
            size: Size::Large,
            style: None,
        }
    );
    assert_eq!(b.shots[1].scene, "cat lands in a \"haystack\"");
    assert!(b.validate().is_ok());
    let written = to_toml(&b);
    assert!(written.starts_with("version = 1\n"), "{written}");
    assert_eq!(from_toml(&written).unwrap(), b);
}

#[test]
fn a_minimal_file_takes_the_defaults() {
    let b = from_toml("version = 1\n").unwrap();
    assert_eq!(b, Storyboard::default());
}

/// `(file, line, words the message must contain)`.
const BAD_FILES: &[(&str, usize, &str)] = &[
    ("version = 1\nlength = 12\n", 2, "10, 15 or 25"),
    ("version = 1\norientation = \"square\"\n", 2, "square"),
    ("version = 1\nmodel = \"sora3\"\n", 2, "sora3"),
    ("version = 2\n", 1, "version 2 is not supported"),
    ("instructions = \"x\"\n", 1, "version"),
    (
        "version = 1\n\n[[shot]]\nduration = 5.0\nscen = \"typo\"\n",
        5,
        "unknown field",
    ),
    (
        "version = 1\n\n[[shot]]\nduration = \"five\"\nscene = \"x\"\n",
        4,
        "invalid type",
    ),
    (
        "version = 1\n[[shot]]\nduration = 5.0\nscene = \"a\"\n[[shot]]\nscene = \"b\"\nduration = inf\n",
        7,
        "shot 2: duration must be a number of seconds",
    ),
    ("version = 1\ninstructions = \"unterminated\n", 2, ""),
    ("version = 1\n[[shot]]\nduration = 5.0\n", 2, "scene"),
    ("version = 1\ncolour = \"red\"\n", 2, "unknown field"),
];

#[test]
fn errors_in_hand_edited_files_name_the_line() {
    for (text, line, words) in BAD_FILES {
        let e = from_toml(text).expect_err(text);
        assert_eq!(e.line, Some(*line), "{text:?}: {e}");
        assert!(e.to_string().starts_with(&format!("line {line}: ")), "{e}");
        assert!(e.message.contains(words), "{text:?}: {e}");
    }
}

// ------------------------------------------------------------------------------------------
// Property: any storyboard survives save then load.

/// Characters that stress the format: TOML's quotes and escapes, newlines (also CRLF and a
/// lone CR), tabs, control characters, non-ASCII of every width, and the inline markers.
const NASTY: &[&str] = &[
    "\"",
    "'",
    "\\",
    "\"\"\"",
    "'''",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\u{0}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{9b}",
    "é",
    "日本",
    "🐱",
    "\u{202e}",
    "\u{feff}",
    "[5.0s]",
    "#",
    "=",
    "[[shot]]",
    " ",
    "  ",
    "${x}",
    "\\u0041",
];

fn random_text(rng: &mut fastrand::Rng, max_parts: usize) -> String {
    let parts = rng.usize(0..=max_parts);
    let mut s = String::new();
    for _ in 0..parts {
        match rng.u8(0..4) {
            0 => s.push_str(NASTY[rng.usize(0..NASTY.len())]),
            1 => s.push(rng.char('\u{20}'..='\u{7e}')),
            2 => s.push(rng.char('\u{a0}'..='\u{2fff}')),
            _ => s.push_str(["cat", "lands", "softly", " "][rng.usize(0..4)]),
        }
    }
    s
}

fn random_board(rng: &mut fastrand::Rng) -> Storyboard {
    let shots = (0..rng.usize(0..8))
        .map(|_| Shot {
            // Durations live on the 0.1 s grid, from 1.0 to 25.0 s.
            duration: f64::from(rng.u32(10..=250)) / 10.0,
            scene: random_text(rng, 30),
        })
        .collect();
    Storyboard {
        instructions: random_text(rng, 40),
        shots,
        settings: VideoSettings {
            orientation: [Orientation::Landscape, Orientation::Portrait][rng.usize(0..2)],
            length: Length::ALL[rng.usize(0..3)],
            model: [Model::Sy8, Model::SyOre][rng.usize(0..2)],
            size: [Size::Small, Size::Large][rng.usize(0..2)],
            style: [None, Some(sora_tui::api::StyleId::Anime)][rng.usize(0..2)],
        },
    }
}

#[test]
fn any_storyboard_survives_save_then_load() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    for case in 0..400 {
        let b = random_board(&mut rng);
        let text = to_toml(&b);
        let back = from_toml(&text).unwrap_or_else(|e| panic!("case {case}: {e}\n{text}\n{b:?}"));
        assert_eq!(back, b, "case {case}:\n{text}");
        assert_eq!(back.prompt_text(), b.prompt_text(), "case {case}");
        // Through the disk too, the way the pane saves (atomic write, then read).
        if case % 10 == 0 {
            let path = dir.path().join(format!("{case}.storyboard.toml"));
            sora_tui::store::write_atomic(&path, text.as_bytes()).unwrap();
            let read = std::fs::read_to_string(&path).unwrap();
            assert_eq!(from_toml(&read).unwrap(), b, "case {case} from disk");
        }
    }
}
