//! What every command needs before it can talk to the backend: paths, config, token, client,
//! and, with `--demo`, the in-process simulator.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::Cli;
use crate::api::{AccessToken, ApiError, Client, ClientConfig, DEFAULT_BASE_URL, SentinelProvider};
use crate::config::{Config, ConfigError, Paths};
use crate::sim::{Sim, SimConfig};
use crate::token_store;

/// The folder inside the data dir that `--demo` uses as its data dir, so that nothing a demo
/// does lands among the real account's records.
pub const DEMO_FOLDER: &str = "demo";

/// The record files of the data dir (tasks, cameos, temporary posts): what `--demo` clears at
/// start. The simulator forgets everything when the program exits, so records of an earlier
/// demo name tasks, cameos and posts no server knows any more; kept, they would be polled
/// ("finishing" until they fail) or cleaned up in vain. The prompt autosave and the
/// storyboards are the user's own writing and stay.
const DEMO_RECORD_FILES: [&str; 3] = ["tasks.json", "cameos.json", "cleanup.json"];

/// The storyboard the demo starts with, in the demo folder's `storyboards/`.
const DEMO_STORYBOARD: (&str, &str) = (
    "demo-fox-adventure.storyboard.toml",
    r#"version = 1
instructions = "A red fox's day in the snowy forest, warm golden light, handheld camera"
orientation = "landscape"
length = 15
model = "sy_8"
size = "small"

[[shot]]
duration = 5.0
scene = "The fox wakes in its den as snow falls softly outside"

[[shot]]
duration = 5.0
scene = "It trots across a frozen stream, ice creaking under its paws"

[[shot]]
duration = 5.0
scene = "At sunset it sits on a ridge, watching the valley glow"
"#,
);

/// Makes the demo's data dir ready: the records of earlier demos removed (see
/// [`DEMO_RECORD_FILES`]) and, for a `seeded` account, the demo storyboard written unless a file of its name is there, and
/// the record of the simulator's seeded cameo written, since the API cannot list cameos and
/// the Cameos pane shows only those this program has a record of.
fn prepare_demo_dir(dir: &std::path::Path, sim: &Sim, seeded: bool) -> Result<(), ApiError> {
    let problem = |e: std::io::Error| {
        ApiError::Io(format!(
            "cannot prepare the demo folder {}: {e}; check its permissions, or remove it",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(problem)?;
    // The records are removed only from a real folder: a `demo` that is a link (to the real
    // data dir, say) would take the real records with it.
    if std::fs::symlink_metadata(dir).is_ok_and(|m| !m.is_dir()) {
        return Err(ApiError::Io(format!(
            "the demo folder {} is not a folder (a link?): remove it and start the demo again",
            dir.display()
        )));
    }
    for name in DEMO_RECORD_FILES {
        match std::fs::remove_file(dir.join(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(problem(e)),
        }
    }
    if !seeded {
        return Ok(());
    }
    let boards = dir.join("storyboards");
    std::fs::create_dir_all(&boards).map_err(problem)?;
    let (name, text) = DEMO_STORYBOARD;
    let board = boards.join(name);
    if std::fs::symlink_metadata(&board).is_err() {
        crate::fsutil::write_atomic(&board, &[text.as_bytes()], crate::fsutil::Access::Default)
            .map_err(problem)?;
    }
    if let Some((cameo_id, character_id)) = sim.demo_cameo() {
        let store = crate::store::Store::new(dir).for_backend(&sim.base_url());
        let record = demo_cameo_record(dir, cameo_id, character_id);
        store
            .merge("cameos.json", &[crate::store::RecordOp::Put(record)], &[])
            .map_err(|e| ApiError::Io(format!("cannot prepare the demo folder: {e}")))?;
    }
    Ok(())
}

/// The local record of the simulator's seeded, finalized cameo.
fn demo_cameo_record(
    dir: &std::path::Path,
    cameo_id: String,
    character_id: String,
) -> crate::cameo_record::CameoRecord {
    use crate::cameo_record::{CameoRecord, CameoStage};
    let created_at = crate::text::unix_now() - 3600.0;
    let mut record = CameoRecord::uploading(
        "demo-cameo".into(),
        created_at,
        dir.join("demo-cameo.mp4"),
        None,
        (0.0, 5.0),
    );
    record.stage = CameoStage::Finalized;
    record.cameo_id = Some(cameo_id);
    record.character_id = Some(character_id);
    record.username = Some(crate::sim::DEMO_CAMEO_USERNAME.into());
    record.display_name = Some("Demo Cameo".into());
    record
}

/// The resolved environment of one run.
pub struct Session {
    /// Where files live.
    pub paths: Paths,
    /// The config file's settings (defaults when it was broken).
    pub config: Config,
    /// Why the config file was ignored, if it was.
    pub config_error: Option<ConfigError>,
    /// The in-process simulator of `--demo`, kept alive for the run.
    pub demo: Option<Sim>,
    /// How often `--wait` polls.
    pub poll_interval: Duration,
    /// How often the worker polls a processing cameo.
    pub cameo_poll: Duration,
}

impl Session {
    /// Resolves paths and config, and starts the simulator for `--demo`.
    pub async fn start(cli: &Cli) -> Result<Session, ApiError> {
        let mut paths = Paths::discover();
        super::init_logging(&paths, cli.log_file.as_deref());
        let (config, config_error) = Config::load(&paths.config_file);
        let demo = if cli.demo {
            let sim_config = SimConfig {
                speed: cli.demo_speed.clamp(0.01, 10_000.0),
                seed_drafts: cli.demo_seed_drafts.min(100_000),
                seed_demo: !cli.demo_empty,
                ..SimConfig::default()
            };
            let sim = Sim::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), sim_config)
                .await
                .map_err(|e| ApiError::Io(format!("cannot start the demo simulator: {e}")))?;
            paths.data_dir = paths.data_dir.join(DEMO_FOLDER);
            // The demo's pictures are cached apart too: they are the simulator's, not the
            // account's, and the real cache's size bound is not theirs to use up.
            paths.cache_dir = paths.cache_dir.join(DEMO_FOLDER);
            prepare_demo_dir(&paths.data_dir, &sim, !cli.demo_empty)?;
            Some(sim)
        } else {
            None
        };
        let poll_ms = cli
            .poll_interval_ms
            .or(config.poll_interval_ms)
            .unwrap_or(2500)
            .clamp(10, 60_000);
        Ok(Session {
            paths,
            config,
            config_error,
            demo,
            poll_interval: Duration::from_millis(poll_ms),
            cameo_poll: Duration::from_millis(cli.cameo_poll_ms.unwrap_or(5000).clamp(10, 60_000)),
        })
    }

    /// The access token: `--token-file`, then `SORA_TOKEN`, then the config's `token_file`,
    /// then the token stored by `sora-tui login`, then the config's `token`. With `--demo`,
    /// the simulator's. A token file other users can read earns one warning line on stderr.
    pub fn token(&self, cli: &Cli) -> Result<AccessToken, ApiError> {
        let token = self.token_unremembered(cli)?;
        // Whatever happens later, a crash report must not carry it.
        crate::crash::remember_secret(token.expose());
        Ok(token)
    }

    /// [`Session::token`] before it is remembered for redaction.
    fn token_unremembered(&self, cli: &Cli) -> Result<AccessToken, ApiError> {
        if let Some(sim) = &self.demo {
            return AccessToken::new(&sim.token())
                .ok_or_else(|| ApiError::InvalidInput("bad demo token".into()));
        }
        let from_file = |path: &std::path::Path| -> Result<AccessToken, ApiError> {
            warn_if_exposed(path);
            token_store::read_file(path).map_err(ApiError::InvalidInput)
        };
        if let Some(path) = &cli.token_file {
            return from_file(path);
        }
        if let Err(std::env::VarError::NotUnicode(_)) = std::env::var("SORA_TOKEN") {
            return Err(ApiError::InvalidInput(
                "SORA_TOKEN contains a non-ASCII character: set it to the token alone".into(),
            ));
        }
        if let Ok(raw) = std::env::var("SORA_TOKEN")
            && !raw.trim().is_empty()
        {
            return AccessToken::parse(&raw).map_err(|problem| {
                ApiError::InvalidInput(format!("SORA_TOKEN {problem}: set it to the token alone"))
            });
        }
        if let Some(path) = &self.config.token_file {
            return from_file(path);
        }
        let stored = self.paths.token_file();
        match token_store::load(&stored) {
            Ok(Some(token)) => {
                warn_if_exposed(&stored);
                return Ok(token);
            }
            Ok(None) => {}
            Err(message) => return Err(ApiError::InvalidInput(message)),
        }
        if let Some(raw) = &self.config.token {
            return AccessToken::parse(raw.expose()).map_err(|problem| {
                ApiError::InvalidInput(format!(
                    "`token` in {} {problem}: paste the token again",
                    self.paths.config_file.display()
                ))
            });
        }
        Err(ApiError::MissingToken {
            // The message reads "put `token_file` in {config_hint}": name `login` there too.
            config_hint: format!(
                "{}, or run `sora-tui login`",
                self.paths.config_file.display()
            ),
        })
    }

    /// The backend base URL: the simulator's with `--demo`, else flag/env, config, default.
    pub fn base_url(&self, cli: &Cli) -> String {
        if let Some(sim) = &self.demo {
            return sim.base_url();
        }
        cli.base_url
            .clone()
            .or_else(|| self.config.base_url.clone())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
    }

    /// Builds the API client from everything resolved.
    pub fn client(&self, cli: &Cli) -> Result<Client, ApiError> {
        let token = self.token(cli)?;
        let mut config = ClientConfig::new(self.base_url(cli), token);
        if let Some(cmd) = self
            .config
            .sentinel_command
            .clone()
            .filter(|c| !c.trim().is_empty())
        {
            config.sentinel = SentinelProvider::Command(cmd);
        }
        if let Some(ua) = self
            .config
            .user_agent
            .clone()
            .filter(|u| !u.trim().is_empty())
        {
            config.user_agent = ua;
        }
        config.proxy = self.config.proxy.clone();
        Client::new(config)
    }
}

/// Prints one warning line when a token file can be read by other users: the token still
/// works, but anyone on the machine could use it too.
fn warn_if_exposed(path: &std::path::Path) {
    if let Some(line) = token_store::exposure_warning(path) {
        tracing::warn!(path = %path.display(), "token file readable by others");
        eprintln!("{line}");
    }
}
