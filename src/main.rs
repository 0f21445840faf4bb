//! The `sora-tui` binary: parses the command line and runs it on a tokio runtime.

#![forbid(unsafe_code)]

use std::io::Write;

use sora_tui::cli::{self, Cli, ExitStatus};

fn main() {
    let cli = Cli::parse_noting_flags();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sora-tui: cannot start the async runtime: {e}");
            end(ExitStatus::Failure);
        }
    };
    let status = runtime.block_on(cli::run(cli));
    // Not a plain drop: that would wait for a blocking task stuck for good.
    cli::shut_down(runtime);
    end(status);
}

/// Flushes the output and ends the process with `status`, whatever threads are still blocked.
fn end(status: ExitStatus) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(status as i32)
}
