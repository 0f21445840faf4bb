//! The interactive session: terminal set-up and restore, the event loop, and the effects
//! `update` asks for (worker requests, clipboard, player, external editor, notifications).

mod clipboard;
mod effects;
mod player;
#[cfg(feature = "previews")]
mod preview;

use std::io::Write;
use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::api::Client;
use crate::app::{self, App, AppInfo, Cmd, Keymap, Msg};
use crate::config::{Config, Paths};
use crate::store::Store;
use crate::text::unix_now;
use crate::ui::Theme;
use crate::worker::{self, Request, WorkerConfig};

/// How often the screen refreshes while something animates (progress, elapsed time, toasts).
const TICK: Duration = Duration::from_millis(500);

/// What the loop needs besides the client.
pub struct TuiSetup {
    /// Paths for help and storage.
    pub paths: Paths,
    /// The config file's settings.
    pub config: Config,
    /// A config problem to show on the first screen.
    pub config_warning: Option<String>,
    /// Backend base URL, for help.
    pub base_url: String,
    /// Masked token, for help.
    pub token_masked: String,
    /// Poll interval floor for the worker.
    pub poll_min: Duration,
    /// How often the worker polls a processing cameo.
    pub cameo_poll: Duration,
    /// A storyboard file to open at start.
    pub open_storyboard: Option<std::path::PathBuf>,
    /// Running `--demo`: the status bar says "demo".
    pub demo: bool,
}

/// Builds the initial state (keymap with config overrides applied) and the theme (colour
/// overrides applied). Every bad `[keys]` or `[theme]` entry is skipped alone and reported in
/// `config_problems` with the file's path and the entry's line; the valid ones apply.
pub fn initial_app(setup: &TuiSetup) -> (App, Theme) {
    let mut keymap = Keymap::default();
    let mut problems: Vec<String> = setup.config_warning.iter().cloned().collect();
    let path = &setup.paths.config_file;
    let overrides = setup
        .config
        .keys
        .iter()
        .map(|(k, v)| (k.clone(), v.to_vec()))
        .collect();
    for (name, message) in keymap.apply_overrides(&overrides) {
        let problem = setup.config.problem(path, "keys", &name, message);
        problems.push(problem.to_string());
    }
    // One colour at a time, so one bad colour costs only its own role.
    let mut theme = Theme::default();
    for (role, colour) in &setup.config.theme {
        let one = std::collections::BTreeMap::from([(role.clone(), colour.clone())]);
        match theme.with_overrides(&one) {
            Ok(t) => theme = t,
            Err(e) => {
                let message = format!("{e}; the default colour stays");
                problems.push(
                    setup
                        .config
                        .problem(path, "theme", role, message)
                        .to_string(),
                );
            }
        }
    }
    let info = AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        config_path: setup.paths.config_file.clone(),
        data_path: setup.paths.data_dir.clone(),
        log_path: setup.paths.log_file(),
        download_dir: setup
            .config
            .download_dir
            .clone()
            .unwrap_or_else(|| setup.paths.download_dir.clone()),
        base_url: setup.base_url.clone(),
        token_masked: setup.token_masked.clone(),
        open_on_start: setup.open_storyboard.clone(),
        zone: crate::text::Zone::system(),
        // The client has already refused a base URL that is not a URL, so the default is
        // never used in practice.
        share_origin: crate::api::ShareOrigin::from_base_url(&setup.base_url).unwrap_or_default(),
        home: directories::BaseDirs::new()
            .map(|b| b.home_dir().to_path_buf())
            .unwrap_or_default(),
    };
    let mut app = App::new(info, keymap, unix_now());
    app.mouse = mouse_capture(&setup.config);
    app.config_problems = problems;
    app.demo = setup.demo;
    (app, theme)
}

/// Runs the interactive UI until the user quits. Returns a message when it had to stop
/// because of a failure (the terminal is restored first).
pub async fn run(client: Client, setup: TuiSetup) -> Result<(), String> {
    let store = Store::new(setup.paths.data_dir.clone());
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
    let worker_config = WorkerConfig {
        poll_min: setup.poll_min,
        cameo_poll: setup.cameo_poll,
        naming: worker::Naming::new(
            setup.config.file_name.as_deref(),
            crate::text::Zone::system(),
        ),
        picture_cache: Some(setup.paths.cache_dir.join("thumbnails")),
        ..WorkerConfig::default()
    };
    let (req_tx, worker_handle) = worker::spawn(client, store, worker_config, ev_tx);
    let (mut app, theme) = initial_app(&setup);
    let mut effects = effects::Effects::new(&setup.config, req_tx.clone());

    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        let _ = req_tx.send(Request::Shutdown).await;
        return Err("the interactive UI needs a terminal: run it in one, or use the headless commands (sora-tui --help)".into());
    }
    let mut terminal =
        ratatui::try_init().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    // In raw mode, before any key is read: the probe's answers are not keys.
    #[cfg(feature = "previews")]
    let renderer = preview::pictures(setup.config.preview.unwrap_or_default());
    // A build without the `previews` feature draws no pictures and asks for none.
    #[cfg(not(feature = "previews"))]
    let renderer: Option<crate::ui::Pictures> = None;
    let mut pictures = match renderer {
        Some(p) => {
            app.thumbs.enabled = true;
            p
        }
        None => crate::ui::Pictures::none(),
    };
    if app.mouse {
        capture_mouse(true);
        // A panic must give the terminal its mouse back too (ratatui's hook restores the rest).
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            capture_mouse(false);
            previous(info);
        }));
    }
    let result = event_loop(
        &mut terminal,
        &mut app,
        &mut ev_rx,
        &mut effects,
        &theme,
        &mut pictures,
    )
    .await;
    if app.mouse {
        capture_mouse(false);
    }
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();

    // Let the worker flush its writes (the prompt autosave) before the process ends.
    let _ = req_tx.send(Request::Shutdown).await;
    let _ = tokio::time::timeout(Duration::from_secs(2), worker_handle).await;
    result?;
    match app.fatal {
        // A worker's panic wrote a report while the UI still owned the screen: say so again.
        Some(msg) => Err(match crate::crash::last_report() {
            Some(path) => format!(
                "{msg}\na crash report is in {}: please attach it to a bug report; it holds no token",
                path.display()
            ),
            None => msg,
        }),
        None => Ok(()),
    }
}

/// Whether to ask the terminal for mouse events: unless the config says `mouse = false`.
fn mouse_capture(config: &Config) -> bool {
    config.mouse.unwrap_or(true)
}

/// Turns the terminal's mouse reporting on or off.
fn capture_mouse(on: bool) {
    let mut out = std::io::stdout();
    let _ = if on {
        crossterm::execute!(out, crossterm::event::EnableMouseCapture)
    } else {
        crossterm::execute!(out, crossterm::event::DisableMouseCapture)
    };
}

/// A mouse event as a message, with what the last frame drew under it; `None` for what
/// the UI does not use (moves, drags, other buttons, Shift held: the terminal selects).
fn mouse_msg(hits: &crate::ui::HitMap, m: crossterm::event::MouseEvent) -> Option<Msg> {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEventKind};
    if m.modifiers.contains(KeyModifiers::SHIFT) {
        return None;
    }
    let kind = match m.kind {
        MouseEventKind::Down(MouseButton::Left) => app::mouse::MouseKind::Click,
        MouseEventKind::ScrollUp => app::mouse::MouseKind::WheelUp,
        MouseEventKind::ScrollDown => app::mouse::MouseKind::WheelDown,
        _ => return None,
    };
    Some(Msg::Mouse {
        target: hits.lookup(m.column, m.row),
        kind,
        at: (m.column, m.row),
    })
}

/// The resize message for a terminal of this size, with the list height the ui's layout
/// gives it (app never asks the ui how the screen is laid out).
fn resize(width: u16, height: u16) -> Msg {
    Msg::Resize {
        width,
        height,
        list_rows: crate::ui::list_rows(height),
    }
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    ev_rx: &mut mpsc::UnboundedReceiver<worker::Event>,
    effects: &mut effects::Effects,
    theme: &Theme,
    pictures: &mut crate::ui::Pictures,
) -> Result<(), String> {
    // Before the first frame: from then on a SIGTERM must find the handler that restores the
    // terminal, not the default action that leaves it in raw mode.
    let mut sigterm = signal_terminate();
    let size = terminal
        .size()
        .map_err(|e| format!("cannot read the terminal size: {e}"))?;
    let mut cmds = app::update(app, resize(size.width, size.height), unix_now());
    cmds.extend(app::startup(app));
    // Where the last frame drew what the mouse acts on.
    let mut hits = crate::ui::HitMap::default();
    // The first frame is drawn before any network answer.
    draw(terminal, app, theme, &mut hits, pictures)?;
    crash_ui_if_asked();
    let mut pending = cmds;
    let mut term_events = Some(EventStream::new());
    loop {
        // An effect may answer with a message whose update asks for more (the edited prompt
        // is autosaved, a refused link becomes a toast): run them all now, then draw what they
        // changed, so nothing waits for the next key or tick to be carried out or shown (after
        // the editor the screen is blank until drawn).
        let mut changed = false;
        while !pending.is_empty() {
            for cmd in std::mem::take(&mut pending) {
                match cmd {
                    Cmd::Quit => app.quit = true,
                    Cmd::EditExternally { text, target } => {
                        // The editor owns the terminal meanwhile: stop reading keys, leave the UI.
                        drop(term_events.take());
                        // The editor gets a terminal without mouse reporting.
                        if app.mouse {
                            capture_mouse(false);
                        }
                        let result = effects::edit_externally(terminal, &text);
                        if app.mouse {
                            capture_mouse(true);
                        }
                        term_events = Some(EventStream::new());
                        pending.extend(app::update(
                            app,
                            Msg::EditorClosed { target, result },
                            unix_now(),
                        ));
                        changed = true;
                    }
                    other => {
                        if let Some(msg) = effects.run(other) {
                            pending.extend(app::update(app, msg, unix_now()));
                            changed = true;
                        }
                    }
                }
            }
        }
        if app.quit {
            return Ok(());
        }
        if changed {
            draw(terminal, app, theme, &mut hits, pictures)?;
        }
        let tick = app.needs_tick();
        let msg = tokio::select! {
            biased;
            Some(ev) = ev_rx.recv() => Msg::Worker(ev),
            ev = next_term_event(&mut term_events) => match ev {
                Some(Ok(TermEvent::Key(k))) => Msg::Key(k),
                Some(Ok(TermEvent::Paste(text))) => Msg::Paste(text),
                Some(Ok(TermEvent::Resize(width, height))) => resize(width, height),
                Some(Ok(TermEvent::Mouse(m))) => match mouse_msg(&hits, m) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("cannot read the terminal: {e}")),
                None => return Ok(()),
            },
            _ = sigterm.recv() => {
                app.quit = true;
                continue;
            }
            _ = tokio::time::sleep(TICK), if tick => Msg::Tick,
        };
        pending.extend(app::update(app, msg, unix_now()));
        // Drain what else the worker sent before drawing once.
        while let Ok(ev) = ev_rx.try_recv() {
            pending.extend(app::update(app, Msg::Worker(ev), unix_now()));
        }
        draw(terminal, app, theme, &mut hits, pictures)?;
    }
}

async fn next_term_event(stream: &mut Option<EventStream>) -> Option<std::io::Result<TermEvent>> {
    match stream {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

fn draw(
    terminal: &mut ratatui::DefaultTerminal,
    app: &App,
    theme: &Theme,
    hits: &mut crate::ui::HitMap,
    pictures: &mut crate::ui::Pictures,
) -> Result<(), String> {
    terminal
        .draw(|frame| crate::ui::draw_recording_pictures(frame, app, theme, hits, pictures))
        .map(drop)
        .map_err(|e| format!("cannot draw: {e}"))
}

/// SIGTERM as a stream; on platforms or sandboxes without it, a stream that never fires.
fn signal_terminate() -> Signal {
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => Signal(Some(s)),
            Err(_) => Signal(None),
        }
    }
    #[cfg(not(unix))]
    {
        Signal(None)
    }
}

struct Signal(
    #[cfg(unix)] Option<tokio::signal::unix::Signal>,
    #[cfg(not(unix))] Option<()>,
);

impl Signal {
    async fn recv(&mut self) {
        #[cfg(unix)]
        if let Some(s) = &mut self.0 {
            s.recv().await;
            return;
        }
        std::future::pending::<()>().await
    }
}

/// Test-only hook: `SORA_TEST_PANIC_UI=1` makes the event loop panic right after the first
/// frame is drawn, while the UI owns the terminal (raw mode, alternate screen), so
/// `tests/promises.rs` can check on the real binary that a panic in the UI itself leaves the
/// terminal restored. It exists only in debug builds (the ones `cargo test` runs), like the
/// worker's hook in `worker/run.rs`: a release binary carries neither the switch nor its name.
#[cfg(debug_assertions)]
fn crash_ui_if_asked() {
    if std::env::var_os("SORA_TEST_PANIC_UI").is_some_and(|v| v == "1") {
        panic!("SORA_TEST_PANIC_UI=1 (a crash on purpose, for tests)");
    }
}

/// Release builds: no crash switch at all (see the debug version above).
#[cfg(not(debug_assertions))]
fn crash_ui_if_asked() {}

/// Writes raw bytes to the terminal (OSC sequences, the bell).
pub(crate) fn write_terminal(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::{Action, Context};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn setup(config_text: &str) -> TuiSetup {
        let dir = std::path::PathBuf::from("/home/user/.config/sora-tui");
        TuiSetup {
            paths: Paths {
                config_file: dir.join("config.toml"),
                data_dir: "/tmp/sora-tui-test-data".into(),
                state_dir: "/tmp/sora-tui-test-state".into(),
                download_dir: "/tmp/sora-tui-test-dl".into(),
                cache_dir: "/tmp/sora-tui-test-cache".into(),
            },
            config: Config::parse(config_text).unwrap(),
            config_warning: None,
            base_url: "http://127.0.0.1:1".into(),
            token_masked: String::new(),
            poll_min: Duration::from_secs(1),
            cameo_poll: Duration::from_secs(1),
            open_storyboard: None,
            demo: false,
        }
    }

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn mouse_capture_is_on_unless_the_config_turns_it_off() {
        assert!(mouse_capture(&Config::parse("").unwrap()));
        assert!(mouse_capture(&Config::parse("mouse = true\n").unwrap()));
        let off = setup("mouse = false\n");
        assert!(!mouse_capture(&off.config));
        // The app ignores mouse messages then too.
        assert!(!initial_app(&off).0.mouse);
        assert!(initial_app(&setup("")).0.mouse);
    }

    #[test]
    fn the_share_origin_comes_from_the_base_url() {
        let mut s = setup("");
        s.base_url = "http://127.0.0.1:43123/backend".into();
        let (app, _) = initial_app(&s);
        assert_eq!(app.info.share_origin.as_str(), "http://127.0.0.1:43123");
    }

    #[test]
    fn a_bad_key_name_and_a_bad_colour_are_both_reported_with_lines() {
        let (app, _) = initial_app(&setup(
            "[keys]\nquit = \"Q\"\nfly = \"f\"\n\n[theme]\nborder = \"blue\"\nerror = \"not-a-colour\"\n",
        ));
        let path = "/home/user/.config/sora-tui/config.toml";
        assert_eq!(app.config_problems.len(), 2, "{:?}", app.config_problems);
        assert!(
            app.config_problems[0]
                .starts_with(&format!("{path} line 3: [keys] \"fly\" is not an action")),
            "{:?}",
            app.config_problems
        );
        assert!(
            app.config_problems[1].starts_with(&format!("{path} line 7: [theme] error")),
            "{:?}",
            app.config_problems
        );
    }

    #[test]
    fn one_bad_key_entry_keeps_the_other_overrides() {
        let (app, theme) = initial_app(&setup(
            "[keys]\nquit = \"Q\"\nfly = \"f\"\nhelp = \"ctrl-\"\nrefresh = \"R\"\n[theme]\nborder = \"blue\"\nerror = \"nope\"\n",
        ));
        assert_eq!(app.config_problems.len(), 3, "{:?}", app.config_problems);
        assert!(
            app.config_problems[1].contains("line 4: [keys] help"),
            "{:?}",
            app.config_problems
        );
        let km = &app.keymap;
        assert_eq!(km.lookup(&[Context::Global], &key('Q')), Some(Action::Quit));
        assert_eq!(km.lookup(&[Context::Global], &key('q')), None);
        assert_eq!(
            km.lookup(&[Context::Drafts], &key('R')),
            Some(Action::Drafts(crate::app::DraftsAction::Refresh))
        );
        // The entry with a bad key keeps its defaults.
        assert_eq!(km.lookup(&[Context::Global], &key('?')), Some(Action::Help));
        // The good colour applies, the bad one keeps its default.
        assert_ne!(theme.border, Theme::default().border);
        assert_eq!(theme.error, Theme::default().error);
    }
}
