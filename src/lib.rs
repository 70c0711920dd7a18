//! embymedia_core: everything the embymedia Home Assistant integration does on the network.
//!
//! The crate is plain Rust (tested by `cargo test` with no Python); the `python` feature adds the
//! PyO3 binding layer in [`python`], which only converts.

pub mod config;
pub mod error;
pub mod tls;

pub use config::{ApiKey, ClientConfig, ServerAddress};
pub use error::{Error, Result};

#[cfg(feature = "python")]
mod python;
