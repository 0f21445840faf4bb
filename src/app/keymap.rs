//! Key bindings: the defaults (listed in the README), overridable from the config, and the source of
//! both dispatch and the help overlay (so help can never disagree with the keys).

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The key that followed an `Esc`, when the two arrived as one Alt key.
///
/// A terminal sends Alt+key as ESC followed by the key's bytes, so an `Esc` and a key that
/// reach the program in one read (a fast typist, an SSH session, a paste) are parsed as that
/// key with Alt: the two cannot be told apart. `Some(the key without Alt)` when `key` has
/// Alt; a mode with no use for that Alt key reads it as `Esc`, then the returned key.
pub fn after_esc(key: &KeyEvent) -> Option<KeyEvent> {
    if !key.modifiers.contains(KeyModifiers::ALT) {
        return None;
    }
    let mut plain = *key;
    plain.modifiers.remove(KeyModifiers::ALT);
    Some(plain)
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    /// Everywhere when not typing.
    Global,
    /// The Prompt pane, not typing.
    Prompt,
    /// The Tasks pane.
    Tasks,
    /// The Drafts pane.
    Drafts,
    /// Any list pane (Tasks, Drafts).
    List,
    /// The Storyboard pane (bindings in `app::storyboard`).
    Storyboard,
    /// The Cameos pane (bindings in `app::cameos`).
    Cameos,
}

impl Context {
    /// Heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Prompt => "Prompt",
            Context::Tasks => "Tasks",
            Context::Drafts => "Drafts",
            Context::List => "Lists",
            Context::Storyboard => "Storyboard",
            Context::Cameos => "Cameos",
        }
    }
}

/// Everything a key can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Quit (asks when work is in flight).
    Quit,
    /// Toggle the help overlay.
    Help,
    /// Next pane.
    NextPane,
    /// Previous pane.
    PrevPane,
    /// Jump to pane 1-5.
    GoPrompt,
    /// Jump to pane 2.
    GoStoryboard,
    /// Jump to pane 3.
    GoTasks,
    /// Jump to pane 4.
    GoDrafts,
    /// Jump to pane 5.
    GoCameos,
    /// Move the selection down.
    Down,
    /// Move the selection up.
    Up,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Page down.
    PageDown,
    /// Page up.
    PageUp,
    /// Open details / act on the row.
    Details,
    /// Start typing in the editor.
    Type,
    /// Submit the prompt.
    Submit,
    /// Edit the text in `$VISUAL`/`$EDITOR`.
    ExternalEditor,
    /// Video ⇄ image.
    ToggleKind,
    /// Cycle orientation (and square for images).
    CycleOrientation,
    /// Cycle 10/15/25 s.
    CycleLength,
    /// Sora 2 ⇄ Sora 2 Pro.
    ToggleModel,
    /// Standard ⇄ HD.
    ToggleSize,
    /// Cycle image variants 1-4.
    CycleVariants,
    /// Edit the input image path.
    EditImage,
    /// Edit the remix target.
    EditRemix,
    /// Clear the input image and remix target.
    ClearInputs,
    /// Previous prompt from history.
    HistoryPrev,
    /// Next prompt from history.
    HistoryNext,
    /// Download the selected draft.
    Download,
    /// Download the selected draft without the watermark (publish, read, delete the post).
    DownloadClean,
    /// Publish the selected draft.
    Publish,
    /// Unpublish the selected draft (confirm).
    Unpublish,
    /// Copy the share link (OSC 52).
    CopyLink,
    /// Open in the system player.
    Open,
    /// Use the selected draft as the remix target.
    Remix,
    /// Reload the list.
    Refresh,
    /// Remove a finished task from the list (confirm).
    Dismiss,
    /// A Storyboard pane action.
    Storyboard(crate::app::storyboard::StoryboardAction),
    /// A Cameos pane action.
    Cameo(crate::app::cameos::CameoAction),
}

impl Action {
    /// What the help overlay and hints say.
    pub fn describe(self) -> &'static str {
        use Action::*;
        match self {
            Quit => "quit",
            Help => "help",
            NextPane => "next pane",
            PrevPane => "previous pane",
            GoPrompt => "Prompt",
            GoStoryboard => "Storyboard",
            GoTasks => "Tasks",
            GoDrafts => "Drafts",
            GoCameos => "Cameos",
            Down => "down",
            Up => "up",
            Top => "first",
            Bottom => "last",
            PageDown => "page down",
            PageUp => "page up",
            Details => "details",
            Type => "type",
            Submit => "submit",
            ExternalEditor => "edit in $EDITOR",
            ToggleKind => "video/image",
            CycleOrientation => "orientation",
            CycleLength => "length",
            ToggleModel => "model",
            ToggleSize => "size",
            CycleVariants => "variants",
            EditImage => "input image",
            EditRemix => "remix target",
            ClearInputs => "clear image/remix",
            HistoryPrev => "older prompt",
            HistoryNext => "newer prompt",
            Download => "download",
            DownloadClean => "no-watermark copy",
            Publish => "publish",
            Unpublish => "unpublish",
            CopyLink => "copy link",
            Open => "open in player",
            Remix => "remix",
            Refresh => "refresh",
            Dismiss => "remove task",
            Storyboard(a) => a.describe(),
            Cameo(a) => a.describe(),
        }
    }

    /// The name used in the config's `[keys]` table (snake_case of the variant).
    pub fn config_name(self) -> String {
        let debug = match self {
            Action::Storyboard(a) => format!("Storyboard{a:?}"),
            Action::Cameo(a) => format!("Cameo{a:?}"),
            other => format!("{other:?}"),
        };
        let mut out = String::new();
        for (i, c) in debug.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// A key with modifiers, comparable with crossterm's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeySpec {
    /// The key.
    pub code: KeyCodeOrd,
    /// Ctrl/Alt (Shift is folded into the character).
    pub ctrl: bool,
    /// Alt.
    pub alt: bool,
}

/// The subset of key codes bindings use, orderable for the help listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyCodeOrd {
    /// A character (case matters: `J` is Shift-j).
    Char(char),
    /// Function-like keys.
    Named(NamedKey),
}

/// Non-character keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NamedKey {
    /// Enter.
    Enter,
    /// Esc.
    Esc,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Up arrow.
    Up,
    /// Down arrow.
    Down,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// Home.
    Home,
    /// End.
    End,
}

impl KeySpec {
    /// A plain character.
    pub const fn ch(c: char) -> KeySpec {
        KeySpec {
            code: KeyCodeOrd::Char(c),
            ctrl: false,
            alt: false,
        }
    }

    /// Ctrl + character.
    pub const fn ctrl(c: char) -> KeySpec {
        KeySpec {
            code: KeyCodeOrd::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// A named key.
    pub const fn named(k: NamedKey) -> KeySpec {
        KeySpec {
            code: KeyCodeOrd::Named(k),
            ctrl: false,
            alt: false,
        }
    }

    /// From a terminal key event; `None` for keys bindings never use.
    pub fn from_event(e: &KeyEvent) -> Option<KeySpec> {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let alt = e.modifiers.contains(KeyModifiers::ALT);
        let code = match e.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::Enter => KeyCodeOrd::Named(NamedKey::Enter),
            KeyCode::Esc => KeyCodeOrd::Named(NamedKey::Esc),
            KeyCode::Tab => KeyCodeOrd::Named(NamedKey::Tab),
            KeyCode::BackTab => KeyCodeOrd::Named(NamedKey::BackTab),
            KeyCode::Up => KeyCodeOrd::Named(NamedKey::Up),
            KeyCode::Down => KeyCodeOrd::Named(NamedKey::Down),
            KeyCode::PageUp => KeyCodeOrd::Named(NamedKey::PageUp),
            KeyCode::PageDown => KeyCodeOrd::Named(NamedKey::PageDown),
            KeyCode::Home => KeyCodeOrd::Named(NamedKey::Home),
            KeyCode::End => KeyCodeOrd::Named(NamedKey::End),
            _ => return None,
        };
        Some(KeySpec { code, ctrl, alt })
    }

    /// Parses `q`, `J`, `ctrl-s`, `alt-x`, `enter`, `tab`, `shift-tab`, `up`, `pagedown`…
    pub fn parse(s: &str) -> Result<KeySpec, String> {
        let lower = s.trim().to_ascii_lowercase();
        let (mut ctrl, mut alt) = (false, false);
        let mut rest = s.trim();
        loop {
            let l = rest.to_ascii_lowercase();
            if let Some(r) = l.strip_prefix("ctrl-").or_else(|| l.strip_prefix("c-")) {
                ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = l.strip_prefix("alt-").or_else(|| l.strip_prefix("m-")) {
                alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let named = |k| {
            Ok(KeySpec {
                code: KeyCodeOrd::Named(k),
                ctrl,
                alt,
            })
        };
        match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => named(NamedKey::Enter),
            "esc" | "escape" => named(NamedKey::Esc),
            "tab" => named(NamedKey::Tab),
            "shift-tab" | "backtab" => named(NamedKey::BackTab),
            "up" => named(NamedKey::Up),
            "down" => named(NamedKey::Down),
            "pageup" | "pgup" => named(NamedKey::PageUp),
            "pagedown" | "pgdn" => named(NamedKey::PageDown),
            "home" => named(NamedKey::Home),
            "end" => named(NamedKey::End),
            "space" => Ok(KeySpec {
                code: KeyCodeOrd::Char(' '),
                ctrl,
                alt,
            }),
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Ok(KeySpec {
                        code: KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
                        ctrl,
                        alt,
                    }),
                    _ => Err(format!(
                        "{lower:?} is not a key: use a character (q, J), ctrl-x, alt-x, or enter, esc, tab, shift-tab, up, down, pageup, pagedown, home, end, space"
                    )),
                }
            }
        }
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("Space"),
            KeyCodeOrd::Char(c) if self.ctrl => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::Named(k) => f.write_str(match k {
                NamedKey::Enter => "Enter",
                NamedKey::Esc => "Esc",
                NamedKey::Tab => "Tab",
                NamedKey::BackTab => "Shift-Tab",
                NamedKey::Up => "↑",
                NamedKey::Down => "↓",
                NamedKey::PageUp => "PgUp",
                NamedKey::PageDown => "PgDn",
                NamedKey::Home => "Home",
                NamedKey::End => "End",
            }),
        }
    }
}

/// One binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The key.
    pub key: KeySpec,
    /// What it does.
    pub action: Action,
}

/// All bindings, in the order help lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    /// Bindings; for the same key and context the first wins.
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        use Action::*;
        use Context::*;
        use NamedKey as N;
        let k = KeySpec::ch;
        let table: &[(Context, KeySpec, Action)] = &[
            (Global, k('q'), Quit),
            (Global, k('?'), Help),
            (Global, KeySpec::named(N::Tab), NextPane),
            (Global, KeySpec::named(N::BackTab), PrevPane),
            (Global, k('1'), GoPrompt),
            (Global, k('2'), GoStoryboard),
            (Global, k('3'), GoTasks),
            (Global, k('4'), GoDrafts),
            (Global, k('5'), GoCameos),
            (Prompt, k('i'), Type),
            (Prompt, KeySpec::named(N::Enter), Type),
            (Prompt, KeySpec::ctrl('s'), Submit),
            (Prompt, KeySpec::ctrl('e'), ExternalEditor),
            (Prompt, k('v'), ToggleKind),
            (Prompt, k('o'), CycleOrientation),
            (Prompt, k('l'), CycleLength),
            (Prompt, k('m'), ToggleModel),
            (Prompt, k('s'), ToggleSize),
            (Prompt, k('n'), CycleVariants),
            (Prompt, k('f'), EditImage),
            (Prompt, k('r'), EditRemix),
            (Prompt, k('x'), ClearInputs),
            (Prompt, KeySpec::ctrl('p'), HistoryPrev),
            (Prompt, KeySpec::ctrl('n'), HistoryNext),
            (List, k('j'), Down),
            (List, KeySpec::named(N::Down), Down),
            (List, k('k'), Up),
            (List, KeySpec::named(N::Up), Up),
            (List, k('g'), Top),
            (List, KeySpec::named(N::Home), Top),
            (List, k('G'), Bottom),
            (List, KeySpec::named(N::End), Bottom),
            (List, KeySpec::named(N::PageDown), PageDown),
            (List, KeySpec::named(N::PageUp), PageUp),
            (List, KeySpec::named(N::Enter), Details),
            (Tasks, k('d'), Dismiss),
            (Drafts, k('w'), Download),
            (Drafts, k('W'), DownloadClean),
            (Drafts, k('p'), Publish),
            (Drafts, k('u'), Unpublish),
            (Drafts, k('d'), Unpublish),
            (Drafts, k('y'), CopyLink),
            (Drafts, k('o'), Open),
            (Drafts, k('x'), Remix),
            (Drafts, k('r'), Refresh),
        ];
        let mut bindings: Vec<Binding> = table
            .iter()
            .map(|&(context, key, action)| Binding {
                context,
                key,
                action,
            })
            .collect();
        bindings.extend(crate::app::storyboard::default_bindings());
        bindings.extend(crate::app::cameos::default_bindings());
        Keymap { bindings }
    }
}

impl Keymap {
    /// The action of a key in the given contexts, tried in order.
    pub fn lookup(&self, contexts: &[Context], key: &KeyEvent) -> Option<Action> {
        let spec = KeySpec::from_event(key)?;
        contexts.iter().find_map(|ctx| {
            self.bindings
                .iter()
                .find(|b| b.context == *ctx && b.key == spec)
                .map(|b| b.action)
        })
    }

    /// The keys bound to an action, for hints (`j/↓`).
    pub fn keys_for(&self, action: Action) -> String {
        let keys: Vec<String> = self
            .bindings
            .iter()
            .filter(|b| b.action == action)
            .map(|b| b.key.to_string())
            .collect();
        keys.join("/")
    }

    /// Bindings grouped by context, each action once with all its keys, for help.
    pub fn grouped(&self) -> BTreeMap<Context, Vec<(String, &'static str)>> {
        let mut out: BTreeMap<Context, Vec<(String, &'static str)>> = BTreeMap::new();
        let mut seen = std::collections::HashSet::new();
        for b in &self.bindings {
            if seen.insert((b.context, b.action)) {
                let keys: Vec<String> = self
                    .bindings
                    .iter()
                    .filter(|o| o.context == b.context && o.action == b.action)
                    .map(|o| o.key.to_string())
                    .collect();
                out.entry(b.context)
                    .or_default()
                    .push((keys.join("/"), b.action.describe()));
            }
        }
        out
    }

    /// Applies `[keys]` overrides from the config: `action_name = "key"` or a list of keys.
    /// The new keys replace the action's defaults in the contexts where it is bound.
    pub fn apply_overrides(
        &mut self,
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Result<(), String> {
        for (name, keys) in overrides {
            let action = all_actions()
                .find(|a| a.config_name() == *name)
                .ok_or_else(|| {
                    format!(
                        "[keys] {name:?} is not an action; known: {}",
                        action_names()
                    )
                })?;
            let specs = keys
                .iter()
                .map(|k| KeySpec::parse(k))
                .collect::<Result<Vec<_>, _>>()?;
            let contexts: Vec<Context> = {
                let mut c: Vec<Context> = self
                    .bindings
                    .iter()
                    .filter(|b| b.action == action)
                    .map(|b| b.context)
                    .collect();
                c.dedup();
                c
            };
            let pos = self
                .bindings
                .iter()
                .position(|b| b.action == action)
                .unwrap_or(self.bindings.len());
            self.bindings.retain(|b| b.action != action);
            let mut insert_at = pos.min(self.bindings.len());
            for ctx in contexts {
                for key in &specs {
                    // A rebound key no longer does what it did before in that context.
                    self.bindings
                        .retain(|b| !(b.context == ctx && b.key == *key));
                    insert_at = insert_at.min(self.bindings.len());
                    self.bindings.insert(
                        insert_at,
                        Binding {
                            context: ctx,
                            key: *key,
                            action,
                        },
                    );
                    insert_at += 1;
                }
            }
        }
        Ok(())
    }
}

/// Every action, including the panes' own, for `[keys]` names.
fn all_actions() -> impl Iterator<Item = Action> {
    BASE_ACTIONS
        .iter()
        .copied()
        .chain(
            crate::app::storyboard::StoryboardAction::ALL
                .iter()
                .map(|a| Action::Storyboard(*a)),
        )
        .chain(
            crate::app::cameos::CameoAction::ALL
                .iter()
                .map(|a| Action::Cameo(*a)),
        )
}

const BASE_ACTIONS: &[Action] = {
    use Action::*;
    &[
        Quit,
        Help,
        NextPane,
        PrevPane,
        GoPrompt,
        GoStoryboard,
        GoTasks,
        GoDrafts,
        GoCameos,
        Down,
        Up,
        Top,
        Bottom,
        PageDown,
        PageUp,
        Details,
        Type,
        Submit,
        ExternalEditor,
        ToggleKind,
        CycleOrientation,
        CycleLength,
        ToggleModel,
        ToggleSize,
        CycleVariants,
        EditImage,
        EditRemix,
        ClearInputs,
        HistoryPrev,
        HistoryNext,
        Download,
        DownloadClean,
        Publish,
        Unpublish,
        CopyLink,
        Open,
        Remix,
        Refresh,
        Dismiss,
    ]
};

fn action_names() -> String {
    all_actions()
        .map(|a| a.config_name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn lookup_by_context_order() {
        let km = Keymap::default();
        assert_eq!(
            km.lookup(
                &[Context::Drafts, Context::List, Context::Global],
                &key('d')
            ),
            Some(Action::Unpublish)
        );
        assert_eq!(
            km.lookup(&[Context::Tasks, Context::List, Context::Global], &key('d')),
            Some(Action::Dismiss)
        );
        assert_eq!(km.lookup(&[Context::Global], &key('q')), Some(Action::Quit));
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(km.lookup(&[Context::Prompt], &ctrl_s), Some(Action::Submit));
    }

    #[test]
    fn overrides_replace_defaults() {
        let mut km = Keymap::default();
        let mut o = BTreeMap::new();
        o.insert(
            "download".to_string(),
            vec!["D".to_string(), "ctrl-d".to_string()],
        );
        km.apply_overrides(&o).unwrap();
        assert_eq!(km.lookup(&[Context::Drafts], &key('w')), None);
        assert_eq!(
            km.lookup(&[Context::Drafts], &key('D')),
            Some(Action::Download)
        );
        assert_eq!(km.keys_for(Action::Download), "D/Ctrl-D");
        o.insert("fly".into(), vec!["f".into()]);
        assert!(
            km.apply_overrides(&o)
                .unwrap_err()
                .contains("not an action")
        );
        assert!(KeySpec::parse("ctrl-").is_err() || KeySpec::parse("nope").is_err());
    }

    #[test]
    fn config_names_are_snake_case() {
        assert_eq!(Action::CopyLink.config_name(), "copy_link");
        assert_eq!(Action::Quit.config_name(), "quit");
    }
}
