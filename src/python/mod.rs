//! The Python binding (`embymedia_core._core`): conversion only, no logic.

mod admin;
mod api;
mod browse;
pub mod client;
mod collections;
pub mod convert;
pub mod discovery;
pub mod errors;
pub mod events;
mod handover;
mod livetv;
mod memo;
mod metadata;
pub mod models;
mod playback;
mod urls;

use std::time::Duration;

use pyo3::prelude::*;

/// Normalise user input (host or pasted URL) to `(host, port, ssl, base_path)`.
#[pyfunction]
fn parse_host(
    py: Python<'_>,
    host: &str,
    port: &Bound<'_, PyAny>,
    ssl: bool,
) -> PyResult<(String, u16, bool, String)> {
    let port = client::port_arg(py, port)?;
    let a = crate::ServerAddress::parse(host, port, ssl).map_err(|e| errors::to_pyerr(py, e))?;
    Ok((a.host, a.port, a.ssl, a.base_path))
}

/// Emby ticks of a position in seconds (the core's rule: finite, not negative).
#[pyfunction]
fn position_ticks(py: Python<'_>, seconds: f64) -> PyResult<i64> {
    crate::arguments::position_ticks(seconds).map_err(|e| errors::to_pyerr(py, e))
}

/// An API key as typed: trimmed, checked by the core (`InvalidArgumentError` without the key).
#[pyfunction]
fn parse_api_key(py: Python<'_>, api_key: &str) -> PyResult<String> {
    crate::ApiKey::parse(api_key)
        .map(|key| key.expose().to_owned())
        .map_err(|e| errors::to_pyerr(py, e))
}

/// Synchronously stop every client's background tasks (the atexit hook). Waits at most 5 + 1 s.
/// For interpreter exit only: afterwards no awaitable of the module completes and nothing is
/// logged (see `handover`).
#[pyfunction]
fn shutdown_all(py: Python<'_>) {
    // Nothing may attach to the interpreter from now on (results, log records);
    // then stop the tasks, then let the attaches already under way finish (they need the
    // interpreter: detached).
    handover::begin_exit();
    py.detach(|| {
        let runtime = pyo3_async_runtimes::tokio::get_runtime().handle();
        crate::lifecycle::shutdown_all(runtime, Duration::from_secs(5));
        handover::wait_for_handovers(runtime, Duration::from_secs(1));
    });
}

/// Routes the crate's `log` records to Python's `logging` (loggers `embymedia_core.*`). Other
/// crates' records (reqwest, hyper, rustls) are dropped: their messages may carry URLs and the
/// core reports their failures itself. Records stop at interpreter exit (`handover`).
///
/// Levels are not cached: each record asks its Python logger, so a level changed at runtime
/// (Home Assistant's "enable debug logging") applies to the next record. The core logs per
/// failed request and per connection change, never per frame, so the lookup costs nothing.
fn init_logging(py: Python<'_>) {
    use log::LevelFilter;
    let Ok(logger) = pyo3_log::Logger::new(py, pyo3_log::Caching::Loggers) else {
        return;
    };
    let logger = logger
        .filter(LevelFilter::Off)
        .filter_target("embymedia_core".to_owned(), LevelFilter::Debug);
    // A logger may already be installed (module imported twice in one process): keep it.
    if log::set_boxed_logger(Box::new(handover::ExitSafeLogger(logger))).is_ok() {
        log::set_max_level(LevelFilter::Debug);
    }
}

#[pymodule(gil_used = false)]
mod _core {
    #[pymodule_export]
    use super::client::PyEmbyClient;
    #[pymodule_export]
    use super::discovery::discover_servers;
    #[pymodule_export]
    use super::errors::{
        EmbyAuthError, EmbyClosedError, EmbyConnectionError, EmbyError, EmbyHtmlError,
        EmbyInvalidJsonError, EmbyNotFoundError, EmbyResponseError, EmbyServerError, EmbySslError,
        EmbyTimeoutError, InvalidArgumentError, InvalidHostError,
    };
    #[pymodule_export]
    use super::events::EventStream;
    #[pymodule_export]
    use super::{parse_api_key, parse_host, position_ticks, shutdown_all};
    #[pymodule_export]
    use crate::models::{
        Item as NowPlayingItem, PlayState, Session, TranscodingInfo, UserData as NowPlayingUserData,
    };

    use pyo3::prelude::*;
    use pyo3::types::PyTuple;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        // The core's lists and ranges, so Python restates none of them.
        let py = m.py();
        m.add(
            "PLAY_COMMANDS",
            PyTuple::new(py, crate::api::PLAY_COMMANDS)?,
        )?;
        m.add(
            "PLAYSTATE_COMMANDS",
            PyTuple::new(py, crate::api::PLAYSTATE_COMMANDS)?,
        )?;
        let sessions = crate::websocket::options::SESSIONS_INTERVAL_MS;
        m.add(
            "POSITION_TOLERANCE_S",
            crate::session_changes::POSITION_TOLERANCE_S,
        )?;
        m.add("SESSIONS_INTERVAL_MS_MIN", *sessions.start())?;
        m.add("SESSIONS_INTERVAL_MS_MAX", *sessions.end())?;
        m.add(
            "DEFAULT_SESSIONS_INTERVAL_MS",
            crate::websocket::options::DEFAULT_SESSIONS_INTERVAL_MS,
        )?;
        // A small multi-thread runtime: HA on a Raspberry Pi needs no more than 2 workers. Must
        // be configured before the first `get_runtime()`.
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder
            .worker_threads(2)
            .thread_name("embymedia-core")
            .enable_all();
        pyo3_async_runtimes::tokio::init(builder);
        super::init_logging(m.py());
        Ok(())
    }
}
