use super::*;

fn origin() -> Origin {
    Origin {
        name: "grid.batch.toml".into(),
        dir: PathBuf::from("/b"),
    }
}

/// Parses with no storyboard files at all.
fn parse_text(text: &str) -> Result<Batch, BatchError> {
    parse(text, &origin(), &mut |p| {
        Err(format!("{} does not exist: check the path", p.display()))
    })
}

fn prompts(b: &Batch) -> Vec<&str> {
    b.jobs.iter().map(|j| j.prompt.as_str()).collect()
}

const GRID: &str = r#"[[grid]]
prompt = "a {animal} in {style} style"
[grid.vars]
style = ["ukiyo-e", "claymation"]
animal = ["fox", "owl"]
"#;

#[test]
fn a_grid_expands_in_template_order_the_first_variable_outermost() {
    let b = parse_text(GRID).unwrap();
    assert_eq!(
        prompts(&b),
        [
            "a fox in ukiyo-e style",
            "a fox in claymation style",
            "a owl in ukiyo-e style",
            "a owl in claymation style",
        ]
    );
    assert_eq!(b.jobs[0].label, "line 2: animal=fox, style=ukiyo-e");
    assert_eq!(b.jobs[3].label, "line 2: animal=owl, style=claymation");
    assert_eq!(b.video_count(), 4);
    assert_eq!(b.name, "grid.batch.toml");
}

#[test]
fn the_shipped_example_parses_to_its_four_jobs() {
    let text = include_str!("../../examples/grid.batch.toml");
    let b = parse_text(text).unwrap();
    assert_eq!(
        prompts(&b),
        [
            "a fox in ukiyo-e style",
            "a fox in claymation style",
            "a owl in ukiyo-e style",
            "a owl in claymation style",
        ]
    );
}

#[test]
fn jobs_and_grids_keep_the_order_they_are_written_in() {
    let text = "[[job]]\nprompt = \"first\"\n\n[[grid]]\nprompt = \"{n}\"\nvars = { n = [\"second\", \"third\"] }\n\n[[job]]\nprompt = \"fourth\"\n";
    let b = parse_text(text).unwrap();
    assert_eq!(prompts(&b), ["first", "second", "third", "fourth"]);
    assert_eq!(b.jobs[3].label, "line 9");
}

#[test]
fn braces_are_escaped_by_doubling_them() {
    let text = "[[grid]]\nprompt = \"{{literal}} {x}}}\"\nvars.x = [\"a\"]\n";
    assert_eq!(prompts(&parse_text(text).unwrap()), ["{literal} a}"]);
}

#[test]
fn jobs_override_the_defaults_key_by_key() {
    let text = r#"[defaults]
kind = "video"
orientation = "portrait"
length = 15
shape = "landscape"
variants = 2

[[job]]
prompt = "a"

[[job]]
prompt = "b"
length = 25
model = "sy_ore"

[[job]]
prompt = "c"
kind = "image"

[[grid]]
prompt = "d {x}"
vars.x = ["1"]
size = "large"
"#;
    let b = parse_text(text).unwrap();
    let video = |orientation, length, model, size| SubmissionKind::Video {
        settings: VideoSettings {
            orientation,
            length,
            model,
            size,
            style: None,
        },
        remix: None,
    };
    assert_eq!(
        b.jobs[0].kind,
        video(Orientation::Portrait, Length::S15, Model::Sy8, Size::Small)
    );
    assert_eq!(
        b.jobs[1].kind,
        video(
            Orientation::Portrait,
            Length::S25,
            Model::SyOre,
            Size::Small
        )
    );
    assert_eq!(
        b.jobs[2].kind,
        SubmissionKind::Image {
            shape: ImageShape::Landscape,
            variants: 2
        }
    );
    assert_eq!(
        b.jobs[3].kind,
        video(Orientation::Portrait, Length::S15, Model::Sy8, Size::Large)
    );
    assert_eq!(b.video_count(), 3);
    assert_eq!(
        b.jobs[1].settings(),
        "video · portrait · 25 s · Sora 2 Pro · standard"
    );
    assert_eq!(b.jobs[2].settings(), "image · landscape · 2 variants");
}

#[test]
fn remix_targets_and_images_are_resolved() {
    let text = r#"[[job]]
prompt = "make it rain"
remix = "https://sora.chatgpt.com/p/s_0123456789abcdef0123456789abcdef"

[[job]]
prompt = "from a photo"
image = "pics/cat.png"
"#;
    let b = parse_text(text).unwrap();
    assert_eq!(
        b.jobs[0].kind,
        SubmissionKind::Video {
            settings: VideoSettings::default(),
            remix: Some("s_0123456789abcdef0123456789abcdef".into())
        }
    );
    assert_eq!(b.jobs[1].image, Some(PathBuf::from("/b/pics/cat.png")));
    let s = b.submissions(7);
    assert_eq!(s[1].local_id, 8);
    assert_eq!(s[1].prompt, "from a photo");
}

#[test]
fn storyboards_are_read_relative_to_the_batch_file_and_validated() {
    let board = "version = 1\ninstructions = \"rainy day\"\nlength = 10\n[[shot]]\nduration = 4.0\nscene = \"clouds\"\n[[shot]]\nduration = 6.0\nscene = \"rain\"\n";
    let text =
        "[[job]]\nprompt = \"first\"\n\n[[job]]\nstoryboard = \"scenes/one.storyboard.toml\"\n";
    let mut asked = Vec::new();
    let b = parse(text, &origin(), &mut |p| {
        asked.push(p.to_path_buf());
        Ok(board.to_string())
    })
    .unwrap();
    assert_eq!(asked, [PathBuf::from("/b/scenes/one.storyboard.toml")]);
    let expected = crate::storyboard::from_toml(board).unwrap();
    assert_eq!(b.jobs[1].prompt, expected.prompt_text());
    assert_eq!(
        b.jobs[1].kind,
        SubmissionKind::Storyboard {
            settings: expected.settings
        }
    );
    assert_eq!(b.jobs[1].label, "line 5: scenes/one.storyboard.toml");
    // A storyboard that does not fit its length is refused at the batch's line.
    let short = board.replace("duration = 6.0", "duration = 2.0");
    let e = parse(text, &origin(), &mut |_| Ok(short.clone())).unwrap_err();
    assert_eq!(e.line, Some(5), "{e}");
    assert!(
        e.message
            .starts_with("scenes/one.storyboard.toml: the shots add up to 6.0 s"),
        "{e}"
    );
    // A missing one names its path.
    let e = parse_text(text).unwrap_err();
    assert_eq!(
        e.to_string(),
        "grid.batch.toml line 5: /b/scenes/one.storyboard.toml does not exist: check the path"
    );
    // Its settings come from its file.
    let e = parse_text("[[job]]\nstoryboard = \"x.storyboard.toml\"\nlength = 15\n").unwrap_err();
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.message.contains("remove `length`"), "{e}");
}

#[test]
fn an_unknown_variable_is_named_with_its_line_and_the_defined_ones() {
    let text = "# colours\n\n[[job]]\nprompt = \"x\"\n\n[[grid]]\nprompt = \"a {colour} {animal} in {style}\"\n[grid.vars]\nanimal = [\"fox\"]\nstyle = [\"ukiyo-e\"]\n";
    let e = parse_text(text).unwrap_err();
    assert_eq!(
        e.to_string(),
        "grid.batch.toml line 7: unknown variable {colour} in the template; defined: animal, style"
    );
}

#[test]
fn unknown_keys_are_refused_at_their_line() {
    let e = parse_text("[defaults]\nlenght = 10\n[[job]]\nprompt = \"x\"\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("lenght"), "{e}");
    let e = parse_text("[[job]]\nprompt = \"x\"\n\n[[job]]\nprompt = \"y\"\nmodle = \"sy_8\"\n")
        .unwrap_err();
    assert_eq!(e.line, Some(6), "{e}");
    let e =
        parse_text("[[grid]]\nprompt = \"{a}\"\ntemplate = \"x\"\nvars.a = [\"1\"]\n").unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    let e = parse_text("jobs = []\n").unwrap_err();
    assert_eq!(e.line, Some(1), "{e}");
    // A bad value too.
    let e = parse_text("[[job]]\nprompt = \"x\"\nlength = 12\n").unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("10, 15 or 25"), "{e}");
}

#[test]
fn other_mistakes_name_their_line() {
    let cases: [(&str, usize, &str); 9] = [
        (
            "[[grid]]\nprompt = \"{a}\"\n[grid.vars]\na = [\"1\"]\nb = [\"2\"]\n",
            5,
            "the variable b is not used",
        ),
        (
            "[[grid]]\nprompt = \"{a}\"\n[grid.vars]\na = []\n",
            4,
            "has no values",
        ),
        (
            "[[grid]]\nprompt = \"plain\"\nvars = {}\n",
            2,
            "names no variable",
        ),
        (
            "[[grid]]\nprompt = \"{a\"\nvars.a = [\"1\"]\n",
            2,
            "opens a variable",
        ),
        ("[[job]]\nprompt = \"  \"\n", 2, "the prompt is empty"),
        (
            "[[job]]\nlength = 10\n",
            1,
            "neither a prompt nor a storyboard",
        ),
        (
            "[[job]]\nprompt = \"x\"\nkind = \"image\"\nvariants = 5\n",
            4,
            "variants must be 1 to 4",
        ),
        (
            "[[job]]\nprompt = \"x\"\nremix = \"not a link\"\n",
            3,
            "not a Sora share link",
        ),
        (
            "version = 2\n[[job]]\nprompt = \"x\"\n",
            1,
            "version 2 is not supported",
        ),
    ];
    for (text, line, needle) in cases {
        let e = parse_text(text).unwrap_err();
        assert_eq!(e.line, Some(line), "{text:?}: {e}");
        assert!(e.message.contains(needle), "{text:?}: {e}");
    }
    let e = parse_text("# nothing\n").unwrap_err();
    assert!(e.message.starts_with("there are no jobs"), "{e}");
}

#[test]
fn a_grid_past_the_bound_is_refused_naming_the_product() {
    let values: Vec<String> = (0..10).map(|i| format!("\"v{i}\"")).collect();
    let list = format!("[{}]", values.join(", "));
    let text = format!(
        "[[grid]]\nprompt = \"{{a}} {{b}} {{c}}\"\n[grid.vars]\na = {list}\nb = {list}\nc = {list}\n"
    );
    let e = parse_text(&text).unwrap_err();
    assert_eq!(e.line, Some(1), "{e}");
    assert!(
        e.message
            .starts_with("this grid makes 10 × 10 × 10 = 1000 jobs; a batch holds at most 500"),
        "{e}"
    );
    // 10 × 10 × 5 = 500 fits exactly; one job more does not.
    let five = format!("[{}]", values[..5].join(", "));
    let fits = format!(
        "[[grid]]\nprompt = \"{{a}} {{b}} {{c}}\"\n[grid.vars]\na = {list}\nb = {list}\nc = {five}\n"
    );
    assert_eq!(parse_text(&fits).unwrap().jobs.len(), MAX_JOBS);
    let over = format!("[[job]]\nprompt = \"x\"\n{fits}");
    let e = parse_text(&over).unwrap_err();
    assert!(
        e.message.contains("= 500 jobs (after 1 jobs before it)"),
        "{e}"
    );
    // Plain jobs are bounded too.
    let many: String = (0..=MAX_JOBS)
        .map(|i| format!("[[job]]\nprompt = \"p{i}\"\n"))
        .collect();
    let e = parse_text(&many).unwrap_err();
    assert_eq!(e.line, Some(2 * MAX_JOBS + 1), "{e}");
    assert!(e.message.contains("past 500 jobs"), "{e}");
}

#[test]
fn a_filled_in_prompt_is_bounded() {
    let long = "x".repeat(MAX_PROMPT_CHARS + 1);
    let text = format!("[[grid]]\nprompt = \"{{a}}\"\nvars.a = [\"ok\", \"{long}\"]\n");
    let e = parse_text(&text).unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.starts_with("with a=xxx"), "{e}");
    assert!(
        e.message.len() < 300,
        "the value is cut in the message: {e}"
    );
    assert!(e.message.contains("at most 20000"), "{e}");
}

#[test]
fn coverage_compares_video_jobs_with_the_quota() {
    let q = |n: Option<f64>, reset: Option<f64>| Quota {
        estimated_num_videos_remaining: n,
        rate_limit_reached: None,
        access_resets_in_seconds: reset,
    };
    assert_eq!(
        Coverage::of(4, Some(&q(Some(10.0), None))),
        Coverage::Covered { remaining: 10 }
    );
    assert_eq!(
        Coverage::of(4, Some(&q(Some(4.0), None))),
        Coverage::Covered { remaining: 4 }
    );
    let short = Coverage::of(5, Some(&q(Some(2.0), Some(3600.0))));
    assert_eq!(
        short,
        Coverage::Short {
            remaining: 2,
            needed: 5,
            resets_in: Some(3600)
        }
    );
    assert!(
        short.message().contains("5 videos, 2 remaining"),
        "{}",
        short.message()
    );
    assert_eq!(Coverage::of(1, Some(&q(None, None))), Coverage::Unknown);
    assert_eq!(Coverage::of(1, None), Coverage::Unknown);
    assert_eq!(
        Coverage::of(1, Some(&q(Some(-3.0), None))),
        Coverage::Unknown
    );
    assert!(Coverage::Unknown.message().contains("unknown"));
}

#[test]
fn load_checks_input_images_by_content() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fake.png"), b"not an image").unwrap();
    let path = dir.path().join("b.batch.toml");
    std::fs::write(&path, "[[job]]\nprompt = \"x\"\nimage = \"fake.png\"\n").unwrap();
    let e = load(&path).unwrap_err();
    assert!(e.to_string().starts_with("b.batch.toml: line 2: "), "{e}");
    std::fs::write(&path, "[[job]]\nprompt = \"x\"\n").unwrap();
    assert_eq!(load(&path).unwrap().jobs.len(), 1);
    let e = load(&dir.path().join("missing.batch.toml")).unwrap_err();
    assert!(e.message.contains("does not exist"), "{e}");
}
