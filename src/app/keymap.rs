//! Key bindings: the defaults (listed in the README), overridable from the config, and the source of
//! dispatch, the help overlay and the status-bar hints (so neither can disagree with the keys):
//! each default binding row declares its hint. The help overlay's state and keys are in
//! `app::help`.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use strum::IntoEnumIterator;

use crate::app::{App, Pane, TasksRow};
use crate::worker::QueuedState;

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

/// Everything a key can do. The `message` is what help says; the `[keys]` name is the
/// snake_case of the variant (derived, see `config_name`), and the list of all actions is
/// derived too (`EnumIter`), so adding an action is a variant here and a binding row.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumMessage,
)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    /// Quit (asks when work is in flight).
    #[strum(message = "quit")]
    Quit,
    /// Toggle the help overlay.
    #[strum(message = "help")]
    Help,
    /// Open the message log: every toast again, and the config problems, newest first.
    #[strum(message = "messages")]
    MessageLog,
    /// Next pane.
    #[strum(message = "next pane")]
    NextPane,
    /// Previous pane.
    #[strum(message = "previous pane")]
    PrevPane,
    /// Jump to pane 1.
    #[strum(message = "Prompt")]
    GoPrompt,
    /// Jump to pane 2.
    #[strum(message = "Storyboard")]
    GoStoryboard,
    /// Jump to pane 3.
    #[strum(message = "Tasks")]
    GoTasks,
    /// Jump to pane 4.
    #[strum(message = "Drafts")]
    GoDrafts,
    /// Jump to pane 5.
    #[strum(message = "Cameos")]
    GoCameos,
    /// Move the selection down.
    #[strum(message = "down")]
    Down,
    /// Move the selection up.
    #[strum(message = "up")]
    Up,
    /// First row.
    #[strum(message = "first")]
    Top,
    /// Last row.
    #[strum(message = "last")]
    Bottom,
    /// Page down.
    #[strum(message = "page down")]
    PageDown,
    /// Page up.
    #[strum(message = "page up")]
    PageUp,
    /// Open details / act on the row.
    #[strum(message = "details")]
    Details,
    /// Type a filter that narrows the list (`app::filter`): `Enter` keeps it, `Esc` clears it.
    #[strum(message = "filter the list")]
    Filter,
    /// Start typing in the editor.
    #[strum(message = "type")]
    Type,
    /// Submit the prompt.
    #[strum(message = "submit")]
    Submit,
    /// Edit the text in `$VISUAL`/`$EDITOR`.
    #[strum(message = "edit in $EDITOR")]
    ExternalEditor,
    /// Video ⇄ image.
    #[strum(message = "video/image")]
    ToggleKind,
    /// Cycle orientation (and square for images).
    #[strum(message = "orientation")]
    CycleOrientation,
    /// Cycle 10/15/25 s.
    #[strum(message = "length")]
    CycleLength,
    /// Sora 2 ⇄ Sora 2 Pro.
    #[strum(message = "model")]
    ToggleModel,
    /// Standard ⇄ HD.
    #[strum(message = "size")]
    ToggleSize,
    /// Cycle image variants 1-4.
    #[strum(message = "variants")]
    CycleVariants,
    /// Edit the input image path.
    #[strum(message = "input image")]
    EditImage,
    /// Edit the remix target.
    #[strum(message = "remix target")]
    EditRemix,
    /// Clear the input image and remix target.
    #[strum(message = "clear image/remix")]
    ClearInputs,
    /// Open a batch file (`*.batch.toml`): its jobs are shown, then queued on `y`.
    #[strum(message = "open a batch file")]
    OpenBatch,
    /// Previous prompt from history.
    #[strum(message = "older prompt")]
    HistoryPrev,
    /// Next prompt from history.
    #[strum(message = "newer prompt")]
    HistoryNext,
    /// A Drafts pane action (its `[keys]` name has no pane prefix: `download`, `publish`).
    Drafts(crate::app::drafts::DraftsAction),
    /// Remove a finished task from the list, or a queued item from the queue (confirm).
    #[strum(message = "remove task / queued item")]
    Dismiss,
    /// Send the selected queued item one place later.
    #[strum(message = "queued item later")]
    QueueMoveDown,
    /// Send the selected queued item one place sooner.
    #[strum(message = "queued item sooner")]
    QueueMoveUp,
    /// Take the selected queued item out of the queue, back into the pane it came from.
    #[strum(message = "edit queued item")]
    QueueEdit,
    /// Load the selected task's prompt and exact settings back into its pane to run again.
    #[strum(message = "re-run / branch task")]
    RerunTask,
    /// Pause the whole queue, or resume it (also after a service-wide failure).
    #[strum(message = "pause/resume queue")]
    QueuePause,
    /// Put the prompt in the local queue instead of sending it, even with a slot free.
    #[strum(message = "queue this")]
    QueueThis,
    /// Cycle the video's style preset: none, then each known style, then none.
    #[strum(message = "style")]
    CycleStyle,
    /// A Storyboard pane action.
    Storyboard(crate::app::storyboard::StoryboardAction),
    /// A Cameos pane action.
    Cameo(crate::app::cameos::CameoAction),
    /// Send the prompt for enhancement and show the suggestion beside it (`app::enhance`).
    #[strum(message = "enhance the prompt")]
    EnhancePrompt,
    /// Choose the account's username (for an account whose `/me` has none): a one-line
    /// form, checked then set (`app::username`).
    #[strum(message = "set your username")]
    SetUsername,
}

impl Action {
    /// What the help overlay says.
    pub fn describe(self) -> &'static str {
        use strum::EnumMessage;
        match self {
            Action::Drafts(a) => a.get_message().unwrap_or_default(),
            Action::Storyboard(a) => a.get_message().unwrap_or_default(),
            Action::Cameo(a) => a.get_message().unwrap_or_default(),
            other => other.get_message().unwrap_or_default(),
        }
    }

    /// The name used in the config's `[keys]` table (snake_case of the variant, the pane's
    /// actions prefixed with the pane: `storyboard_add_shot`, `cameo_new`; the Drafts pane's
    /// without a prefix, as they were named before they moved into it: `download`).
    pub fn config_name(self) -> String {
        match self {
            Action::Drafts(a) => <&'static str>::from(a).to_string(),
            Action::Storyboard(a) => format!("storyboard_{}", <&'static str>::from(a)),
            Action::Cameo(a) => format!("cameo_{}", <&'static str>::from(a)),
            other => <&'static str>::from(other).to_string(),
        }
    }
}

/// Whether, and with what short text, a binding shows as a key hint in the status bar.
/// Declared next to the binding in the default tables, so the hints and help come from one
/// table; the keys shown are the live ones (config overrides included).
#[derive(Clone, Copy)]
pub enum Hint {
    /// Always shown (while its pane has the keyboard), with this text.
    Text(&'static str),
    /// Shown with this text only while the predicate holds (the state the key is useful in).
    When(fn(&App) -> bool, &'static str),
    /// A text that depends on the state (`details` / `close details`), or not shown.
    Label(fn(&App) -> Option<&'static str>),
}

impl Hint {
    /// The text to show now, or `None` when the hint is not shown in this state.
    pub fn label(&self, app: &App) -> Option<&'static str> {
        match *self {
            Hint::Text(t) => Some(t),
            Hint::When(show, t) => show(app).then_some(t),
            Hint::Label(f) => f(app),
        }
    }
}

impl fmt::Debug for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hint::Text(t) => write!(f, "Text({t:?})"),
            Hint::When(_, t) => write!(f, "When(_, {t:?})"),
            Hint::Label(_) => f.write_str("Label(_)"),
        }
    }
}

/// A hint always shown, for a binding table row.
pub fn hint(text: &'static str) -> Option<Hint> {
    Some(Hint::Text(text))
}

/// A hint shown while `show` holds, for a binding table row.
pub fn hint_when(show: fn(&App) -> bool, text: &'static str) -> Option<Hint> {
    Some(Hint::When(show, text))
}

/// One row of a default binding table: where, which key, what it does, and its status hint
/// (`None`: help only). An action's hint is declared on its first row in a context.
pub type DefaultBinding = (Context, KeySpec, Action, Option<Hint>);

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
    /// Delete.
    Delete,
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
            KeyCode::Delete => KeyCodeOrd::Named(NamedKey::Delete),
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
            "delete" | "del" => named(NamedKey::Delete),
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
                        "{lower:?} is not a key: use a character (q, J), ctrl-x, alt-x, or enter, esc, tab, shift-tab, up, down, pageup, pagedown, home, end, delete, space"
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
                NamedKey::Delete => "Del",
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

/// Whether the focused list pane has rows (its move and row keys do something).
fn list_has_rows(app: &App) -> bool {
    match app.pane {
        Pane::Tasks => !app.tasks.is_empty(),
        Pane::Drafts => !app.drafts.rows.is_empty(),
        _ => false,
    }
}

fn drafts_have_rows(app: &App) -> bool {
    app.pane == Pane::Drafts && !app.drafts.rows.is_empty()
}

/// What `d` removes in Tasks: a queued item or a (finished) task.
fn remove_label(app: &App) -> Option<&'static str> {
    match app.tasks.selected_row()? {
        TasksRow::Queued(..) => Some("remove"),
        TasksRow::Task(_) => Some("remove task"),
    }
}

/// Whether the selection is on a queued item that is still waiting (it can be moved).
fn waiting_selected(app: &App) -> bool {
    matches!(
        app.tasks.selected_row(),
        Some(TasksRow::Queued(_, item)) if item.state == QueuedState::Waiting
    )
}

/// Whether the selection is on a queued item that can be taken back (not being sent).
fn editable_selected(app: &App) -> bool {
    matches!(
        app.tasks.selected_row(),
        Some(TasksRow::Queued(_, item)) if !matches!(item.state, QueuedState::Submitting { .. })
    )
}

/// What `p` does to the queue now, shown while there is a queue or a pause.
fn pause_label(app: &App) -> Option<&'static str> {
    let q = &app.tasks.queue;
    match (&q.pause, q.items.is_empty()) {
        (Some(_), _) => Some("resume queue"),
        (None, false) => Some("pause queue"),
        (None, true) => None,
    }
}

fn video_mode(app: &App) -> bool {
    !app.prompt.image_mode
}

fn image_mode(app: &App) -> bool {
    app.prompt.image_mode
}

/// The default bindings of the Prompt and Tasks panes, the lists and the global keys, in the
/// order help lists them and the status bar shows their hints.
fn base_table() -> Vec<DefaultBinding> {
    use Action::*;
    use Context::*;
    use NamedKey as N;
    let k = KeySpec::ch;
    let n = KeySpec::named;
    vec![
        (Global, n(N::Tab), NextPane, None),
        (Global, n(N::BackTab), PrevPane, None),
        (
            Global,
            k('1'),
            GoPrompt,
            hint_when(
                |a| a.pane == Pane::Tasks && a.tasks.is_empty(),
                "write a prompt",
            ),
        ),
        (Global, k('2'), GoStoryboard, None),
        (Global, k('3'), GoTasks, None),
        (Global, k('4'), GoDrafts, None),
        (Global, k('5'), GoCameos, None),
        (Global, k('?'), Help, hint("help")),
        (Global, k('!'), MessageLog, None),
        (Global, k('L'), MessageLog, None),
        (Global, k('q'), Quit, hint("quit")),
        (Prompt, k('i'), Type, hint("type")),
        (Prompt, n(N::Enter), Type, None),
        (Prompt, KeySpec::ctrl('s'), Submit, hint("submit")),
        (Prompt, KeySpec::ctrl('q'), QueueThis, hint("queue")),
        (Prompt, k('v'), ToggleKind, hint("video/image")),
        (Prompt, k('o'), CycleOrientation, hint("orientation")),
        (Prompt, k('l'), CycleLength, hint_when(video_mode, "length")),
        (Prompt, k('m'), ToggleModel, hint_when(video_mode, "model")),
        (Prompt, k('s'), ToggleSize, hint_when(video_mode, "size")),
        (
            Prompt,
            k('n'),
            CycleVariants,
            hint_when(image_mode, "variants"),
        ),
        (Prompt, k('f'), EditImage, hint("image")),
        (Prompt, k('r'), EditRemix, hint("remix")),
        (Prompt, k('x'), ClearInputs, hint("clear")),
        (Prompt, k('B'), OpenBatch, None),
        (Prompt, k('t'), CycleStyle, None),
        (Prompt, KeySpec::ctrl('p'), HistoryPrev, hint("history")),
        (Prompt, KeySpec::ctrl('n'), HistoryNext, hint("history")),
        (Prompt, KeySpec::ctrl('e'), ExternalEditor, hint("$EDITOR")),
        (Prompt, k('E'), EnhancePrompt, None),
        (List, k('j'), Down, hint_when(list_has_rows, "move")),
        (List, n(N::Down), Down, None),
        (List, k('k'), Up, hint_when(list_has_rows, "move")),
        (List, n(N::Up), Up, None),
        (List, k('g'), Top, None),
        (List, n(N::Home), Top, None),
        (List, k('G'), Bottom, None),
        (List, n(N::End), Bottom, None),
        (List, n(N::PageDown), PageDown, None),
        (List, n(N::PageUp), PageUp, None),
        (
            Context::Drafts,
            k('/'),
            Filter,
            hint_when(drafts_have_rows, "filter"),
        ),
        // No status hint in Tasks and Cameos: their bars are full; help and README list it.
        (Context::Tasks, k('/'), Filter, None),
        (Context::Cameos, k('/'), Filter, None),
        (
            List,
            n(N::Enter),
            Details,
            Some(Hint::Label(|a| {
                drafts_have_rows(a).then_some(if a.drafts.details {
                    "close details"
                } else {
                    "details"
                })
            })),
        ),
        (Tasks, k('d'), Dismiss, Some(Hint::Label(remove_label))),
        (Tasks, n(N::Delete), Dismiss, None),
        (
            Tasks,
            k('J'),
            QueueMoveDown,
            hint_when(waiting_selected, "reorder"),
        ),
        (
            Tasks,
            k('K'),
            QueueMoveUp,
            hint_when(waiting_selected, "reorder"),
        ),
        (
            Tasks,
            k('e'),
            QueueEdit,
            hint_when(editable_selected, "edit"),
        ),
        (Tasks, k('p'), QueuePause, Some(Hint::Label(pause_label))),
        (Tasks, k('R'), RerunTask, None),
        (
            Global,
            k('U'),
            SetUsername,
            hint_when(crate::app::username::lacks_username, "set username"),
        ),
    ]
}

/// Every default binding with its declared hint: the base panes', then the Drafts', the
/// Storyboard's and the Cameos' (declared in their modules).
fn default_table() -> &'static [DefaultBinding] {
    static TABLE: std::sync::LazyLock<Vec<DefaultBinding>> = std::sync::LazyLock::new(|| {
        let mut table = base_table();
        table.extend(crate::app::drafts::default_bindings());
        table.extend(crate::app::storyboard::default_bindings());
        table.extend(crate::app::cameos::default_bindings());
        table
    });
    &TABLE
}

/// The status hint declared for `action` in `context`, if any.
pub fn declared_hint(context: Context, action: Action) -> Option<Hint> {
    default_table()
        .iter()
        .find(|(c, _, a, h)| *c == context && *a == action && h.is_some())
        .and_then(|(_, _, _, h)| *h)
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = default_table()
            .iter()
            .map(|&(context, key, action, _)| Binding {
                context,
                key,
                action,
            })
            .collect();
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
    /// The new keys replace the action's defaults in the contexts where it is bound. An entry
    /// with an unknown action or a key that does not parse is skipped, the others still apply;
    /// each skipped entry comes back as its name and what is wrong with it.
    pub fn apply_overrides(
        &mut self,
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        for (name, keys) in overrides {
            let Some(action) = all_actions().find(|a| a.config_name() == *name) else {
                problems.push((
                    name.clone(),
                    format!(
                        "[keys] {name:?} is not an action, so it is skipped; known: {}",
                        action_names()
                    ),
                ));
                continue;
            };
            let specs = match keys
                .iter()
                .map(|k| KeySpec::parse(k))
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(specs) => specs,
                Err(e) => {
                    problems.push((
                        name.clone(),
                        format!("[keys] {name}: {e}; its default keys stay"),
                    ));
                    continue;
                }
            };
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
        problems
    }
}

/// Every action, including the panes' own, for `[keys]` names: derived from the enums.
/// Each pane's enum is expanded where its variant stands in `Action`, so the list keeps the
/// order it had before the Drafts actions moved into their pane.
pub fn all_actions() -> impl Iterator<Item = Action> {
    Action::iter().flat_map(|a| -> Vec<Action> {
        match a {
            Action::Drafts(_) => crate::app::drafts::DraftsAction::iter()
                .map(Action::Drafts)
                .collect(),
            Action::Storyboard(_) => crate::app::storyboard::StoryboardAction::iter()
                .map(Action::Storyboard)
                .collect(),
            Action::Cameo(_) => crate::app::cameos::CameoAction::iter()
                .map(Action::Cameo)
                .collect(),
            other => vec![other],
        }
    })
}

fn action_names() -> String {
    all_actions()
        .map(|a| a.config_name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::drafts::DraftsAction;

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
            Some(Action::Drafts(DraftsAction::Unpublish))
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
        assert!(km.apply_overrides(&o).is_empty());
        assert_eq!(km.lookup(&[Context::Drafts], &key('w')), None);
        assert_eq!(
            km.lookup(&[Context::Drafts], &key('D')),
            Some(Action::Drafts(DraftsAction::Download))
        );
        assert_eq!(
            km.keys_for(Action::Drafts(DraftsAction::Download)),
            "D/Ctrl-D"
        );
        o.insert("fly".into(), vec!["f".into()]);
        let problems = km.apply_overrides(&o);
        assert!(
            problems
                .iter()
                .any(|(n, m)| n == "fly" && m.contains("not an action")),
            "{problems:?}"
        );
        assert_eq!(
            km.lookup(&[Context::Drafts], &key('D')),
            Some(Action::Drafts(DraftsAction::Download))
        );
        assert!(KeySpec::parse("ctrl-").is_err() || KeySpec::parse("nope").is_err());
    }

    #[test]
    fn config_names_are_snake_case() {
        assert_eq!(
            Action::Drafts(DraftsAction::CopyLink).config_name(),
            "copy_link"
        );
        assert_eq!(Action::Quit.config_name(), "quit");
    }

    /// The `[keys]` naming the config has always used: the snake_case of the variant's
    /// name, the pane's actions prefixed with the pane.
    fn old_config_name(action: Action) -> String {
        let debug = match action {
            Action::Drafts(a) => format!("{a:?}"),
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

    #[test]
    fn derived_action_list_and_names_match_the_config_names() {
        let all: Vec<Action> = all_actions().collect();
        // Every action once, the panes' own expanded (none of the `Default` placeholders).
        let distinct: std::collections::HashSet<Action> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len());
        for a in [
            Action::Quit,
            Action::Dismiss,
            Action::Drafts(DraftsAction::DownloadClean),
            Action::Storyboard(crate::app::storyboard::StoryboardAction::InsertCameo),
            Action::Cameo(crate::app::cameos::CameoAction::Copy),
        ] {
            assert!(all.contains(&a), "{a:?} is listed");
        }
        for a in &all {
            assert_eq!(a.config_name(), old_config_name(*a), "{a:?}");
            assert!(!a.describe().is_empty(), "{a:?} has a help text");
        }
        assert!(action_names().contains("storyboard_fit_length"));
        assert!(action_names().contains("cameo_insert_prompt"));
        assert!(action_names().contains("download_clean"));
        // The Drafts actions keep their place in the list the config's problems show.
        assert!(action_names().contains(
            "history_next, download, download_clean, publish, unpublish, copy_link, open, remix, refresh,"
        ));
    }

    #[test]
    fn every_default_binding_acts_and_every_hint_belongs_to_a_binding() {
        let km = Keymap::default();
        for (ctx, key, action, hint) in default_table() {
            if hint.is_some() {
                // The hint is the first declared for its action in that context.
                assert_eq!(
                    declared_hint(*ctx, *action).map(|h| format!("{h:?}")),
                    hint.map(|h| format!("{h:?}"))
                );
            }
            assert!(
                km.bindings
                    .iter()
                    .any(|b| b.key == *key && b.action == *action)
            );
        }
    }
}
