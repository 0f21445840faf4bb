//! sora-tui: a keyboard-driven terminal client for the Sora video-generation web backend,
//! with a built-in simulator of that backend.

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod fsutil;
pub mod sim;
pub mod store;
pub mod storyboard;
pub mod text;
pub mod token_store;
pub mod track;
pub mod tui;
pub mod ui;
pub mod worker;
