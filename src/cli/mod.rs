//! The command line: clap definitions, the session set-up shared by every command, and the
//! dispatch to the simulator, the TUI and the headless commands.

mod completions;
mod config_cmd;
mod exit;
mod headless;
mod login;
mod progress;
mod session;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::api::{ImageShape, Length, Model, Orientation, Size};
pub use exit::ExitStatus;

/// A keyboard-driven terminal client for the Sora video backend.
///
/// Without a command it starts the interactive UI. `--demo` runs everything against the
/// built-in simulator, no account needed.
#[derive(Debug, Parser)]
#[command(name = "sora-tui", version, about, long_about = None)]
pub struct Cli {
    /// A storyboard file (*.storyboard.toml) to open in the Storyboard pane, or a batch file
    /// (*.batch.toml) to confirm into the queue.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Start the built-in simulator on a free loopback port and run against it (no account needed).
    #[arg(long, global = true)]
    pub demo: bool,
    /// Backend base URL (default https://sora.chatgpt.com/backend).
    #[arg(long, global = true, env = "SORA_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Read the access token from this file (else SORA_TOKEN, the config file, or `login`'s).
    #[arg(long, global = true, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Machine-readable output: one JSON object per line.
    #[arg(long, global = true)]
    pub json: bool,
    /// Write the log here instead of sora-tui.log in the state dir.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Poll interval for --wait, in milliseconds.
    #[arg(long, global = true, hide = true, env = "SORA_POLL_INTERVAL_MS")]
    pub poll_interval_ms: Option<u64>,
    /// Which of the settings that also read an environment variable (`base_url`,
    /// `poll_interval_ms`) were given as flags: clap merges the two, and `config show` says
    /// which it was. Filled by [`Cli::parse_noting_flags`].
    #[arg(skip)]
    pub given_as_flags: Vec<&'static str>,
    /// Poll interval for a processing cameo, in milliseconds (default 5000).
    #[arg(long, global = true, hide = true, env = "SORA_CAMEO_POLL_MS")]
    pub cameo_poll_ms: Option<u64>,
    /// Simulator speed for --demo: 12 (a 10 s video in about 15 s); 1 is the live service's
    /// pace (about 3 minutes).
    #[arg(
        long,
        global = true,
        hide = true,
        default_value_t = DEMO_SPEED,
        env = "SORA_DEMO_SPEED"
    )]
    pub demo_speed: f64,
    /// Drafts already in the demo account (for benchmarks with many drafts).
    #[arg(
        long,
        global = true,
        hide = true,
        default_value_t = 0,
        env = "SORA_DEMO_SEED_DRAFTS"
    )]
    pub demo_seed_drafts: usize,
    /// Start the demo account empty, without the seeded drafts, images, cameo and storyboard
    /// (for tests of a first run).
    #[arg(long, global = true, hide = true, env = "SORA_DEMO_EMPTY")]
    pub demo_empty: bool,
    /// How pictures are drawn: auto, kitty, sixel, iterm2, halfblocks or off (overrides the
    /// config's `preview`).
    #[arg(long, global = true, value_name = "MODE")]
    pub preview: Option<crate::config::Preview>,
    /// What to do; the interactive UI when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How much faster than the live service `--demo`'s simulator runs: a 10 s video reaches its
/// draft after about 14 s (170 s at the live pace), on screen within a poll or two more.
pub const DEMO_SPEED: f64 = 12.0;

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the built-in simulator of the backend alone and print its base URL and token.
    Sim(SimArgs),
    /// Show the account behind the token and the videos remaining.
    Me,
    /// Generate a video from text, from an image, or as a remix of a published video.
    Video(VideoArgs),
    /// Generate images from text or from an image.
    Image(ImageArgs),
    /// Generate a video from a storyboard file (*.storyboard.toml, or the inline text form).
    Storyboard(StoryboardArgs),
    /// Queue every job of a batch file (*.batch.toml) through the local queue; --dry-run
    /// lists them and sends nothing.
    Batch(BatchArgs),
    /// List the account's unfinished video tasks.
    Pending,
    /// List the account's drafts, newest first.
    Drafts(DraftsArgs),
    /// Mirror the account into DIR: every draft, the published posts, the image generations
    /// and the cameos recorded here, with `manifest.json` and `manifest.csv`; a second run
    /// downloads only what is new or incomplete.
    Archive(ArchiveArgs),
    /// Publish a draft (by generation id) and print its share link.
    Publish {
        /// The draft's generation id (gen_…).
        gen_id: String,
    },
    /// Delete a published post (unpublish).
    Unpublish {
        /// The post id (s_…) or its share link.
        post_id: String,
    },
    /// Store an access token read from stdin in a private file (0600) in the config dir.
    Login,
    /// Delete the token stored by `login`.
    Logout,
    /// Print a shell completion script: `sora-tui completions bash > …` (see README).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Where the files are, the effective settings, and a check of the config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the version; with --verbose also the platform, terminal and paths (for bug reports).
    Version {
        /// Also the OS, architecture, terminal, paths and build features.
        #[arg(long)]
        verbose: bool,
    },
    /// Cameos: `cameo from-draft GEN_ID` makes one from a draft and finalizes it.
    #[command(subcommand)]
    Cameo(headless::cameo_draft::CameoCommand),
    /// Print the service's enhanced (longer, more detailed) version of a prompt.
    Enhance(headless::enhance::EnhanceArgs),
    /// Continue a draft by 10 or 15 seconds with a prompt for what happens next; the new
    /// draft is a video task like any other (--wait, --download as for `video`).
    Extend(ExtendArgs),
    /// The account's Sora username: whether a name is free, or choose one (an account whose
    /// `me` says "no username" needs one to generate).
    #[command(subcommand)]
    Username(UsernameCommand),
}

/// `sora-tui extend`.
#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// The draft's generation id (gen_…).
    pub gen_id: String,
    /// What happens in the continuation.
    pub prompt: String,
    /// Seconds added: 10 or 15.
    #[arg(long, value_enum, default_value_t = crate::api::ExtensionLength::S10)]
    pub length: crate::api::ExtensionLength,
    /// Whether to wait for the result, and to download it.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `sora-tui username …`.
#[derive(Debug, Subcommand)]
pub enum UsernameCommand {
    /// Say whether NAME is free: exit 0 if it is, 2 with a suggestion if it is taken.
    Check {
        /// The username (3-30 lowercase letters, digits and dots).
        name: String,
    },
    /// Make NAME this account's username: checked first, a taken one is refused with a
    /// suggestion (exit 2); prints the name set.
    Set {
        /// The username (3-30 lowercase letters, digits and dots).
        name: String,
    },
}

/// `sora-tui config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print each place the program uses, `name: path` a line (--json: one object).
    Path,
    /// Open the config file in $VISUAL/$EDITOR (else vi), made from a commented template if
    /// missing, then check it.
    Edit,
    /// Print each effective setting with its source: default, file, environment, flag.
    Show,
    /// List every problem of the config file with its line; exit code 2 if any.
    Check,
}

/// `sora-tui archive`.
#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The archive folder (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// `sora-tui sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on (loopback only).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,
    /// Time multiplier: 1 = the live service's pace (a 10 s video takes about 3 minutes),
    /// 100 = a couple of seconds.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Simulate a Plus account: 25 s videos, Sora 2 Pro and HD are refused.
    #[arg(long)]
    pub plus: bool,
    /// Drafts already in the account at start, varied as a long-used account's are: some
    /// content violations, some without media, some published, and image generations beside.
    #[arg(long, default_value_t = 0)]
    pub seed_drafts: usize,
    /// Start with the demo account's data, as `--demo` does: a few dozen varied drafts
    /// (published, remixed, one content violation), finished images and a finalized cameo.
    #[arg(long)]
    pub seed_demo: bool,
}

/// Waiting and downloading, shared by the generation commands.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Wait until the generation finishes, showing progress on stderr.
    #[arg(long)]
    pub wait: bool,
    /// Download the result into DIR (implies --wait).
    #[arg(long, value_name = "DIR")]
    pub download: Option<PathBuf>,
    /// Give up waiting after this many seconds (the task itself goes on). The default, 30
    /// minutes, is ten times what a 10 s video takes on the live service.
    #[arg(long, default_value_t = 1800, value_name = "SECS")]
    pub timeout: u64,
}

/// `sora-tui video`.
#[derive(Debug, Args)]
pub struct VideoArgs {
    /// What to generate (for a remix: what to change).
    pub prompt: String,
    /// Frame orientation.
    #[arg(long, value_enum, default_value_t = Orientation::Landscape)]
    pub orientation: Orientation,
    /// Length in seconds: 10, 15 or 25 (25 needs a Pro plan).
    #[arg(long, default_value = "10", value_parser = parse_length)]
    pub length: Length,
    /// sy_8 = Sora 2, sy_ore = Sora 2 Pro.
    #[arg(long, value_enum, default_value_t = Model::Sy8)]
    pub model: Model,
    /// small = standard, large = HD (Pro model only).
    #[arg(long, value_enum, default_value_t = Size::Small)]
    pub size: Size,
    /// Start from this image (PNG, JPEG or WebP, checked by content).
    #[arg(long, value_name = "FILE", conflicts_with = "remix")]
    pub image: Option<PathBuf>,
    /// Remix a published video: its share link or post id (s_…).
    #[arg(long, value_name = "ID_OR_SHARE_URL")]
    pub remix: Option<String>,
    /// A style preset (sent as `style_id`): festive, kakalaka, news, selfie, handheld,
    /// golden, anime, retro, nostalgic, comic, high_def, kpop, cartoon2, selfie3, animated,
    /// sitcom. None by default.
    #[arg(long, value_name = "ID", value_parser = parse_style)]
    pub style: Option<crate::api::StyleId>,
    /// With --download: try for the copy without the watermark (publishes the draft for a
    /// moment, downloads the post's source file, then deletes the post, even on failure).
    /// Only a Sora app token gets it: otherwise the watermarked file is saved under its
    /// normal name and a warning says so.
    #[arg(long, requires = "download")]
    pub clean: bool,
    /// Whether to wait for the result, and to download it.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `sora-tui image`.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// What to generate.
    pub prompt: String,
    /// square 360x360, landscape 540x360, portrait 360x540.
    #[arg(long, value_enum, default_value_t = ImageShape::Square)]
    pub shape: ImageShape,
    /// How many images (1-4).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=4))]
    pub variants: u32,
    /// Start from this image (PNG, JPEG or WebP, checked by content).
    #[arg(long, value_name = "FILE")]
    pub image: Option<PathBuf>,
    /// Whether to wait for the result, and to download it.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `sora-tui storyboard`.
#[derive(Debug, Args)]
pub struct StoryboardArgs {
    /// A *.storyboard.toml file, or a text file in the inline form `instructions [5.0s]scene [5.0s]scene`.
    pub file: PathBuf,
    /// Print the exact prompt text that would be sent, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// A style preset (sent as `style_id`), overriding the file's `style`: see `video
    /// --style` for the ids.
    #[arg(long, value_name = "ID", value_parser = parse_style)]
    pub style: Option<crate::api::StyleId>,
    /// With --download: try for the copy without the watermark (publishes the draft for a
    /// moment, downloads the post's source file, then deletes the post, even on failure).
    /// Only a Sora app token gets it: otherwise the watermarked file is saved under its
    /// normal name and a warning says so.
    #[arg(long, requires = "download")]
    pub clean: bool,
    /// Whether to wait for the result, and to download it.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `sora-tui batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// A *.batch.toml file: shared settings, prompts, templates with a grid of values,
    /// storyboard files (see README, "Batch files").
    pub file: PathBuf,
    /// Print every job (its exact prompt and settings), the count and whether the quota
    /// covers it, and send nothing.
    #[arg(long, conflicts_with_all = ["wait", "download"])]
    pub dry_run: bool,
    /// Wait until every job of the batch has ended, one progress line per job, then a
    /// summary; the exit code is 6 if any failed.
    #[arg(long)]
    pub wait: bool,
    /// Download each finished result into DIR (implies --wait).
    #[arg(long, value_name = "DIR")]
    pub download: Option<PathBuf>,
    /// With --download: try for the copies without the watermark (see `video --clean`).
    #[arg(long, requires = "download")]
    pub clean: bool,
    /// Give up waiting after this many seconds (the queue itself goes on). The default, a
    /// day, lets a batch wait out a spent quota.
    #[arg(long, default_value_t = 86_400, value_name = "SECS")]
    pub timeout: u64,
}

/// `sora-tui drafts`.
#[derive(Debug, Args)]
pub struct DraftsArgs {
    /// How many drafts to list.
    #[arg(long, default_value_t = 15)]
    pub limit: u32,
    /// Follow the cursor through every page.
    #[arg(long)]
    pub all: bool,
}

impl Cli {
    /// Parses the process's arguments as `Cli::parse` does (printing help or the error and
    /// exiting when they do not parse), noting in [`Cli::given_as_flags`] which settings came
    /// from the command line rather than from their environment variable.
    pub fn parse_noting_flags() -> Cli {
        Cli::try_parse_noting_flags(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// [`Cli::parse_noting_flags`] of the given arguments.
    pub fn try_parse_noting_flags<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        for id in ["base_url", "poll_interval_ms"] {
            // A global flag may be given before or after the subcommand: look at each level.
            let mut level = Some(&matches);
            while let Some(m) = level {
                if m.value_source(id) == Some(ValueSource::CommandLine) {
                    cli.given_as_flags.push(id);
                    break;
                }
                level = m.subcommand().map(|(_, sub)| sub);
            }
        }
        Ok(cli)
    }
}

fn parse_length(s: &str) -> Result<Length, String> {
    s.parse()
}

fn parse_style(s: &str) -> Result<crate::api::StyleId, String> {
    s.parse()
}

/// Runs the parsed command line to completion.
pub async fn run(cli: Cli) -> ExitStatus {
    let paths = crate::config::Paths::discover();
    crate::crash::install(
        paths.state_dir.clone(),
        crate::logging::log_path(&paths, cli.log_file.as_deref()),
    );
    // These need neither a session nor a token.
    match &cli.command {
        Some(Command::Login) => login::login(cli.log_file.as_deref()),
        Some(Command::Logout) => login::logout(cli.log_file.as_deref()),
        Some(Command::Completions { shell }) => completions::print(*shell),
        Some(Command::Config(c)) => match c {
            ConfigCommand::Path => config_cmd::run_path(&cli, &paths),
            ConfigCommand::Edit => config_cmd::run_edit(&paths),
            ConfigCommand::Show => config_cmd::run_show(&cli, &paths),
            ConfigCommand::Check => config_cmd::run_check(&paths),
        },
        Some(Command::Version { verbose }) => {
            println!("sora-tui {}", env!("CARGO_PKG_VERSION"));
            if *verbose {
                print!("{}", crate::crash::platform_lines());
                println!(
                    "rustc: {}",
                    option_env!("SORA_TUI_RUSTC_VERSION").unwrap_or("unknown (not set at build)")
                );
                let log = crate::logging::log_path(&paths, cli.log_file.as_deref());
                println!("config: {}", paths.config_file.display());
                println!("data: {}", paths.data_dir.display());
                println!("state: {}", paths.state_dir.display());
                println!("log: {}", log.display());
            }
            ExitStatus::Ok
        }
        _ => headless::run(cli).await,
    }
}

/// How long work still running after the command is done may take to finish (a store write
/// mid-way) before the process ends regardless.
pub const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// Stops the runtime once the command is done, waiting at most [`SHUTDOWN_WAIT`]. Dropping it
/// instead would wait for every blocking task, and one can be stuck for good (a read of a
/// named pipe nobody writes to): the process would outlive its UI, its signal handlers still
/// installed, so that not even SIGTERM would end it. The caller then exits the process.
pub fn shut_down(runtime: tokio::runtime::Runtime) {
    runtime.shutdown_timeout(SHUTDOWN_WAIT);
}

/// Sends `tracing` output to the log file (see [`crate::logging::init`]).
pub fn init_logging(paths: &crate::config::Paths, log_file: Option<&std::path::Path>) {
    crate::logging::init(paths, log_file);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutting_down_does_not_wait_for_a_stuck_blocking_task() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        // A blocking task that never ends, as a read of a named pipe would be.
        let (_keep, never) = std::sync::mpsc::channel::<()>();
        runtime.spawn_blocking(move || never.recv());
        crate::fsutil::hostile::within("shut_down with a stuck task", move || shut_down(runtime));
    }
}
