//! embymedia_core: everything the embymedia Home Assistant integration does on the network.
//!
//! The crate is plain Rust (tested by `cargo test` with no Python); the `python` feature adds the
//! PyO3 binding layer in [`python`], which only converts.

pub mod admin;
pub mod api;
pub mod arguments;
pub mod body;
pub mod browse;
pub mod cache;
pub mod client;
pub mod coalesce;
pub mod collections;
pub mod config;
pub mod discovery;
pub mod endpoint;
pub mod error;
pub mod graveyard;
pub mod lifecycle;
pub mod livetv;
pub mod metadata;
pub mod metrics;
pub mod models;
pub mod playback;
mod redirect;
pub mod session_changes;
pub mod session_parts;
pub mod shared_sessions;
pub mod tls;
pub mod urls;
pub mod websocket;

#[cfg(feature = "python")]
pub mod python;

pub use client::EmbyClient;
pub use config::{ApiKey, ClientConfig, ServerAddress};
pub use error::{Error, Result};
