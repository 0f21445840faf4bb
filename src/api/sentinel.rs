//! Where the `openai-sentinel-token` header value comes from.

use super::ApiError;

/// Produces the sentinel token for the four generation and publishing POSTs.
///
/// By default a random alphanumeric string of 10-20 characters (docs/api.md#conventions).
/// The live service later demanded a proof-of-work token; `Command` keeps that door open
/// without this program knowing the scheme: whatever the command prints is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SentinelProvider {
    /// A fresh random 10-20 character alphanumeric string per request.
    #[default]
    Random,
    /// Run this shell command and send its trimmed stdout.
    Command(String),
}

impl SentinelProvider {
    /// A token for one request.
    pub async fn token(&self) -> Result<String, ApiError> {
        match self {
            SentinelProvider::Random => Ok(random_token()),
            SentinelProvider::Command(cmd) => {
                let out = tokio::process::Command::new("sh")
                    .arg("-c")
                    .arg(cmd)
                    .stdin(std::process::Stdio::null())
                    .kill_on_drop(true)
                    .output()
                    .await
                    .map_err(|e| {
                        ApiError::InvalidInput(format!(
                            "cannot run sentinel_command {cmd:?}: {e}; fix or remove it in the config"
                        ))
                    })?;
                let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if !out.status.success() || token.is_empty() || token.contains(['\r', '\n']) {
                    return Err(ApiError::InvalidInput(format!(
                        "sentinel_command {cmd:?} failed ({}) or printed no single-line token; fix or remove it in the config",
                        out.status
                    )));
                }
                Ok(token)
            }
        }
    }
}

/// 10-20 random ASCII letters and digits.
pub fn random_token() -> String {
    let len = fastrand::usize(10..=20);
    (0..len).map(|_| fastrand::alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_have_the_seed_shape() {
        for _ in 0..200 {
            let t = random_token();
            assert!((10..=20).contains(&t.len()), "{t}");
            assert!(t.chars().all(|c| c.is_ascii_alphanumeric()));
        }
    }

    #[tokio::test]
    async fn command_provider_uses_stdout() {
        let p = SentinelProvider::Command("printf 'pow-token-123\\n'".into());
        assert_eq!(p.token().await.unwrap(), "pow-token-123");
        let bad = SentinelProvider::Command("exit 3".into());
        assert!(bad.token().await.is_err());
    }
}
