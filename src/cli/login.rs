//! `sora-tui login` and `sora-tui logout`: keep the access token in the 0600 file of
//! [`crate::token_store`], so it lives neither in the shell history nor in the config file.

use std::io::{BufRead, IsTerminal, Read};

use super::exit::ExitStatus;
use crate::api::AccessToken;
use crate::config::Paths;
use crate::token_store;

/// The most a paste may hold: a JWT is a few kilobytes; anything far larger is not a token.
const MAX_INPUT: u64 = 64 * 1024;

/// Reads a token from stdin and stores it; the log goes to `log_file` when given
/// (`--log-file`), as every other command's does.
pub fn login(log_file: Option<&std::path::Path>) -> ExitStatus {
    let paths = Paths::discover();
    super::init_logging(&paths, log_file);
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    if interactive {
        eprintln!("Paste the access token and press Enter:");
    }
    let raw = match read_input(stdin.lock(), interactive) {
        Ok(raw) => raw,
        Err(e) => {
            eprintln!("sora-tui: cannot read the token from stdin: {e}");
            return ExitStatus::Failure;
        }
    };
    let token = match AccessToken::parse(&raw) {
        Ok(token) => token,
        Err(problem) => {
            eprintln!("sora-tui: the pasted token {problem}: paste only the access token again");
            return ExitStatus::Usage;
        }
    };
    let path = paths.token_file();
    match token_store::save(&path, &token) {
        Ok(saved) => {
            if let Some(mode) = saved.narrowed_dir {
                eprintln!(
                    "sora-tui: {} was open to other users (mode {mode:04o}); it is now 0700",
                    paths.config_dir().display()
                );
            }
            if let Some(mode) = saved.replaced_wide {
                eprintln!(
                    "sora-tui: the old token file was readable by others (mode {mode:04o}); it was replaced by a 0600 one"
                );
            }
            tracing::info!(path = %saved.path.display(), "token stored");
            println!(
                "Stored the token {token} in {} (mode 0600). Check it with `sora-tui me`.",
                saved.path.display()
            );
            ExitStatus::Ok
        }
        Err(e) => {
            eprintln!(
                "sora-tui: cannot store the token in {}: {e}",
                path.display()
            );
            ExitStatus::Failure
        }
    }
}

/// Deletes the stored token (the log as for [`login`]).
pub fn logout(log_file: Option<&std::path::Path>) -> ExitStatus {
    let paths = Paths::discover();
    super::init_logging(&paths, log_file);
    let path = paths.token_file();
    match token_store::remove(&path) {
        Ok(true) => {
            tracing::info!(path = %path.display(), "stored token removed");
            println!("Removed the stored token {}.", path.display());
            ExitStatus::Ok
        }
        Ok(false) => {
            println!("No stored token at {}: nothing to remove.", path.display());
            ExitStatus::Ok
        }
        Err(e) => {
            eprintln!("sora-tui: cannot remove {}: {e}", path.display());
            ExitStatus::Failure
        }
    }
}

/// One line from a terminal (Enter ends the paste); everything from a pipe, within a limit.
fn read_input(input: impl BufRead, interactive: bool) -> std::io::Result<String> {
    let mut limited = input.take(MAX_INPUT);
    let mut raw = String::new();
    if interactive {
        limited.read_line(&mut raw)?;
    } else {
        limited.read_to_string(&mut raw)?;
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terminal_paste_ends_at_enter_and_a_pipe_at_eof() {
        let text = "tok-one\nsecond line\n";
        assert_eq!(read_input(text.as_bytes(), true).unwrap(), "tok-one\n");
        assert_eq!(read_input(text.as_bytes(), false).unwrap(), text);
        // A pipe of two lines is not a token.
        assert!(AccessToken::new(text).is_none());
    }
}
