//! sora-tui: a keyboard-driven terminal client for the Sora video-generation web backend,
//! with a built-in simulator of that backend.

// No `unsafe` in the program; the unit tests' hostile-file helpers need it (a named pipe).
#![cfg_attr(not(test), forbid(unsafe_code))]

pub mod api;
pub mod app;
pub mod archive;
pub mod batch;
pub mod cameo_record;
pub mod cli;
pub mod config;
pub mod crash;
pub mod fsutil;
pub mod history;
pub mod logging;
pub mod sim;
pub mod store;
pub mod storyboard;
pub mod text;
pub mod token_store;
pub mod track;
pub mod tui;
pub mod ui;
pub mod worker;
