//! The account's username form (`U`): one line, shown over everything while open. An
//! account whose `/me` says `username: null` has none, and generation needs one
//! (docs/api.md, "Usernames"); `Enter` asks the worker to check the name and set it, a
//! taken one comes back with a checked suggestion that `Ctrl-T` takes.

use crossterm::event::{KeyCode, KeyEvent};

use super::line_edit::{LineEdit, LineKey};
use super::update::{ctrl, toast, toast_error};
use super::{App, Cmd, Modal, one_line};
use crate::worker::{Request, UsernameEvent};

/// The username form's state, inside `Modal::Username`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UsernameForm {
    /// The name as typed (lowercased as it is typed).
    pub name: LineEdit,
    /// Why the last attempt did not set it (taken, invalid, a failed call).
    pub error: Option<String>,
    /// A free name the worker found when the one typed was taken; `Ctrl-T` takes it.
    pub suggestion: Option<String>,
    /// Sent: waiting for the check and the set.
    pub sending: bool,
}

/// Whether the account is known and has no username (what the status bar and `U` are for).
pub fn lacks_username(app: &App) -> bool {
    app.account
        .as_ref()
        .is_some_and(|me| me.username.as_deref().is_none_or(|u| u.trim().is_empty()))
}

/// `U`: opens the form; an account that has a username is only told its name.
pub fn open(app: &mut App) -> Vec<Cmd> {
    if let Some(name) = app
        .account
        .as_ref()
        .and_then(|me| me.username.clone())
        .filter(|u| !u.trim().is_empty())
    {
        toast(
            app,
            format!("this account's username is @{}", one_line(&name, 40)),
        );
        return Vec::new();
    }
    app.modal = Some(Modal::Username(UsernameForm::default()));
    Vec::new()
}

/// A key while the form is open (the modal was taken out of `app`; it is put back unless
/// the key closes it).
pub fn on_key(app: &mut App, mut form: UsernameForm, key: KeyEvent) -> Vec<Cmd> {
    if key.code == KeyCode::Esc {
        return Vec::new();
    }
    let mut cmds = Vec::new();
    if form.sending {
        // The answer is on its way; only `Esc` closes.
    } else if ctrl(&key, 't') {
        if let Some(s) = form.suggestion.take() {
            form.name.set(s);
            form.error = None;
        }
    } else if key.code == KeyCode::Enter {
        let name = form.name.text().trim().to_string();
        match crate::app::cameos::check_username(&name) {
            Err(e) => form.error = Some(e),
            Ok(()) => {
                form.name.set(name.clone());
                form.sending = true;
                form.error = None;
                form.suggestion = None;
                cmds.push(Cmd::Worker(Request::SetUsername { username: name }));
            }
        }
    } else if form.name.key_with(&key, |c| Some(c.to_ascii_lowercase())) == LineKey::Edited {
        form.error = None;
    }
    app.modal = Some(Modal::Username(form));
    cmds
}

/// Text pasted while the form is open goes into the name (lowercased, one line).
pub fn on_paste(form: &mut UsernameForm, text: &str) {
    if !form.sending {
        form.name.paste(&text.to_ascii_lowercase());
        form.error = None;
    }
}

/// The worker's answer: a set name updates the account (the status bar stops asking) and
/// closes the form; a taken one shows the suggestion in the form, or a toast when the form
/// was closed meanwhile.
pub fn on_event(app: &mut App, event: UsernameEvent) -> Vec<Cmd> {
    let form = match &mut app.modal {
        Some(Modal::Username(f)) => Some(f),
        _ => None,
    };
    match event {
        UsernameEvent::Set(me) => {
            let name = me.username.clone().unwrap_or_default();
            match app.account.as_mut() {
                Some(account) => account.username = me.username,
                None => app.account = Some(me),
            }
            if form.is_some() {
                app.modal = None;
            }
            toast(app, format!("username set: @{}", one_line(&name, 40)));
        }
        UsernameEvent::Taken {
            username,
            suggestion,
        } => {
            let text = match &suggestion {
                Some(s) => format!(
                    "@{} is taken — try @{} (Ctrl-T takes it)",
                    one_line(&username, 40),
                    one_line(s, 40)
                ),
                None => format!("@{} is taken: choose another", one_line(&username, 40)),
            };
            match form {
                Some(f) => {
                    f.sending = false;
                    f.error = Some(text);
                    f.suggestion = suggestion;
                }
                None => toast_error(app, text),
            }
        }
        UsernameEvent::Failed { error, .. } => match form {
            Some(f) => {
                f.sending = false;
                f.error = Some(error);
            }
            None => toast_error(app, error),
        },
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crossterm::event::KeyCode;

    use super::*;
    use crate::api::Me;
    use crate::app::cameos::{CameoForm, CameoHints, CameoRecord, CameoStage};
    use crate::app::test_support::*;
    use crate::app::{AppInfo, Keymap, Loading, Msg, Pane, update};
    use crate::worker::{CameoEvent, CameoRequest, Event};

    /// Signed in as an account without a username, on the Prompt pane, not typing.
    fn nameless() -> App {
        let mut app = App::new(AppInfo::default(), Keymap::default(), NOW);
        app.account = Some(Me {
            email: Some("new@example.com".into()),
            ..Me::default()
        });
        app.account_loading = Loading::Loaded;
        app
    }

    fn answer(app: &mut App, e: UsernameEvent) -> Vec<Cmd> {
        update(app, Msg::Worker(Event::Username(e)), NOW)
    }

    fn form(app: &App) -> &UsernameForm {
        match &app.modal {
            Some(Modal::Username(f)) => f,
            other => panic!("the username form, not {other:?}"),
        }
    }

    fn set_requests(cmds: &[Cmd]) -> Vec<String> {
        cmds.iter()
            .filter_map(|c| match c {
                Cmd::Worker(Request::SetUsername { username }) => Some(username.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn u_opens_the_form_enter_sends_a_taken_name_comes_back_with_its_suggestion() {
        let mut app = nameless();
        assert!(lacks_username(&app));
        ch(&mut app, 'U');
        typed(&mut app, "Plus.Demo");
        assert_eq!(form(&app).name.text(), "plus.demo", "lowercased as typed");
        let cmds = key(&mut app, KeyCode::Enter);
        assert_eq!(set_requests(&cmds), ["plus.demo"]);
        assert!(form(&app).sending);
        // Keys wait for the answer.
        assert!(set_requests(&key(&mut app, KeyCode::Enter)).is_empty());
        answer(
            &mut app,
            UsernameEvent::Taken {
                username: "plus.demo".into(),
                suggestion: Some("plus.demo417".into()),
            },
        );
        let f = form(&app);
        assert!(!f.sending);
        let error = f.error.clone().unwrap_or_default();
        assert!(error.contains("taken — try @plus.demo417"), "{error}");
        crate::app::test_support::ctrl(&mut app, 't');
        assert_eq!(form(&app).name.text(), "plus.demo417");
        assert_eq!(form(&app).error, None);
        let cmds = key(&mut app, KeyCode::Enter);
        assert_eq!(set_requests(&cmds), ["plus.demo417"]);
        answer(
            &mut app,
            UsernameEvent::Set(Me {
                username: Some("plus.demo417".into()),
                ..Me::default()
            }),
        );
        assert_eq!(app.modal, None, "closed");
        let me = app.account.clone().unwrap_or_default();
        assert_eq!(me.username.as_deref(), Some("plus.demo417"));
        assert_eq!(
            me.email.as_deref(),
            Some("new@example.com"),
            "the rest kept"
        );
        assert!(!lacks_username(&app));
    }

    #[test]
    fn a_name_the_form_refuses_is_not_sent_and_failures_stay_in_the_form() {
        let mut app = nameless();
        ch(&mut app, 'U');
        typed(&mut app, "ab");
        assert!(set_requests(&key(&mut app, KeyCode::Enter)).is_empty());
        assert!(
            form(&app)
                .error
                .as_deref()
                .unwrap_or("")
                .contains("3 to 30")
        );
        typed(&mut app, "c");
        assert_eq!(form(&app).error, None, "typing clears the error");
        key(&mut app, KeyCode::Enter);
        answer(
            &mut app,
            UsernameEvent::Failed {
                username: "abc".into(),
                error: "checking the username failed: offline".into(),
            },
        );
        assert!(!form(&app).sending);
        assert!(
            form(&app)
                .error
                .as_deref()
                .unwrap_or("")
                .contains("offline")
        );
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.modal, None);
    }

    #[test]
    fn u_on_an_account_with_a_username_only_names_it() {
        let mut app = nameless();
        if let Some(me) = app.account.as_mut() {
            me.username = Some("alice".into());
        }
        assert!(!lacks_username(&app));
        ch(&mut app, 'U');
        assert_eq!(app.modal, None);
        assert!(app.toasts.iter().any(|t| t.text.contains("@alice")));
    }

    fn ready(key: &str) -> CameoRecord {
        CameoRecord {
            stage: CameoStage::Ready,
            cameo_id: Some(format!("cameo_{key}")),
            hints: Some(CameoHints {
                username: Some("blackwill.meowliusma68".into()),
                display_name: Some("Meow".into()),
                profile_asset_url: None,
            }),
            ..CameoRecord::uploading(key.into(), NOW, PathBuf::from("/v.mp4"), None, (0.0, 3.0))
        }
    }

    fn finalizes(cmds: &[Cmd]) -> Vec<String> {
        cmds.iter()
            .filter_map(|c| match c {
                Cmd::Worker(Request::Cameo(CameoRequest::Finalize { username, .. })) => {
                    Some(username.clone())
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_cameo_form_shows_a_taken_name_and_ctrl_t_takes_the_suggestion() {
        let mut app = nameless();
        app.pane = Pane::Cameos;
        let restored = CameoEvent::Restored {
            records: vec![ready("c1")],
            warning: None,
        };
        update(&mut app, Msg::Worker(Event::Cameo(restored)), NOW);
        key(&mut app, KeyCode::Enter);
        let cmds = key(&mut app, KeyCode::Enter);
        assert_eq!(finalizes(&cmds), ["blackwill.meowliusma68"]);
        let taken = CameoEvent::UsernameTaken {
            key: "c1".into(),
            username: "blackwill.meowliusma68".into(),
            suggestion: Some("meowliusma68123".into()),
        };
        update(&mut app, Msg::Worker(Event::Cameo(taken)), NOW);
        let Some(CameoForm::Finalize(f)) = &app.cameos.form else {
            panic!("the finalize form stays open");
        };
        assert!(!f.sending);
        let error = f.error.clone().unwrap_or_default();
        assert!(error.contains("taken — try @meowliusma68123"), "{error}");
        crate::app::test_support::ctrl(&mut app, 't');
        let cmds = key(&mut app, KeyCode::Enter);
        assert_eq!(finalizes(&cmds), ["meowliusma68123"]);
    }
}
