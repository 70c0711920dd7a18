//! `EmbyClient` for Python: a frozen handle around the Rust [`crate::EmbyClient`]. Its methods
//! are split by concern like the core's own `impl EmbyClient` files (`api`, `browse`, `metadata`,
//! `collections`, `livetv`, `admin`, `urls`, and `events()` in `events`); here are the handle's
//! construction, timeout, metrics and close. Every async method runs on the shared tokio runtime
//! and hands its result back through [`super::handover::spawn`] (cancelling the Python task
//! drops the Rust future; nothing reaches Python once the interpreter exits). Arguments are
//! checked by the core (`InvalidArgumentError`); this layer only converts.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;

use super::convert::{IntoPython, Json, to_py};
use super::errors::to_pyerr;
use crate::config::{ApiKey, ClientConfig, ServerAddress};

/// Runs `fut` on the tokio runtime and returns the Python awaitable of its result.
pub(crate) fn spawn<'py, T, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    T: IntoPython,
    F: Future<Output = crate::Result<T>> + Send + 'static,
{
    super::handover::spawn(py, fut)
}

/// A `timeout` keyword (seconds) as the core takes it.
pub(crate) fn timeout_arg(py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Duration>> {
    crate::arguments::timeout(timeout).map_err(|e| to_pyerr(py, e))
}

/// [`spawn`] with every request of `fut` on `timeout` instead of the client's default.
pub(crate) fn spawn_timed<'py, T, F>(
    py: Python<'py>,
    timeout: Option<f64>,
    fut: F,
) -> PyResult<Bound<'py, PyAny>>
where
    T: IntoPython,
    F: Future<Output = crate::Result<T>> + Send + 'static,
{
    let timeout = timeout_arg(py, timeout)?;
    spawn(py, crate::client::with_timeout(timeout, fut))
}

/// A port from Python: any int (an out-of-range or huge one, or no int at all, is the core's
/// `InvalidHost`, like a port typed in the host; never an `OverflowError` or a `TypeError`).
pub fn port_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<u16> {
    let number = match value.extract::<i64>() {
        Ok(number) => number,
        // Beyond i64: out of range all the same.
        Err(_) if value.is_instance_of::<pyo3::types::PyInt>() => i64::MAX,
        Err(_) => {
            return Err(to_pyerr(
                py,
                crate::Error::InvalidHost("the port must be a whole number".to_owned()),
            ));
        }
    };
    crate::config::port(number).map_err(|e| to_pyerr(py, e))
}

#[pyclass(frozen, name = "EmbyClient", module = "embymedia_core._core")]
pub struct PyEmbyClient {
    pub(crate) core: crate::EmbyClient,
}

#[pymethods]
impl PyEmbyClient {
    #[new]
    #[pyo3(signature = (
        host, port, api_key, *, ssl = false, verify_ssl = true, device_id,
        device_name = "Home Assistant".to_owned(), client_name = "Home Assistant".to_owned(),
        client_version = "0.0.0".to_owned(), timeout = 10.0
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: &str,
        port: &Bound<'_, PyAny>,
        api_key: &str,
        ssl: bool,
        verify_ssl: bool,
        device_id: String,
        device_name: String,
        client_name: String,
        client_version: String,
        timeout: f64,
    ) -> PyResult<Self> {
        let timeout = crate::arguments::seconds("timeout", timeout).map_err(|e| to_pyerr(py, e))?;
        let port = port_arg(py, port)?;
        let address = ServerAddress::parse(host, port, ssl).map_err(|e| to_pyerr(py, e))?;
        let api_key = ApiKey::parse(api_key).map_err(|e| to_pyerr(py, e))?;
        let config = ClientConfig {
            address,
            api_key,
            verify_ssl,
            device_id,
            device_name,
            client_name,
            client_version,
            timeout,
        };
        // Building the HTTP client loads the system trust store (once per process): blocking
        // work, done without holding the interpreter.
        let core = py
            .detach(|| crate::EmbyClient::new(config))
            .map_err(|e| to_pyerr(py, e))?;
        log::debug!(target: "embymedia_core::client", "client for {} created", core.server_url());
        Ok(Self { core })
    }

    #[getter]
    fn server_url(&self) -> String {
        self.core.server_url().to_owned()
    }

    fn __repr__(&self) -> String {
        format!("<EmbyClient {}>", self.core.server_url())
    }

    /// This client with another timeout for every call made through it (shares everything else,
    /// `close()` included).
    fn with_timeout(&self, py: Python<'_>, timeout: f64) -> PyResult<Self> {
        let timeout = crate::arguments::seconds("timeout", timeout).map_err(|e| to_pyerr(py, e))?;
        Ok(Self {
            core: self.core.with_default_timeout(timeout),
        })
    }

    /// The timeout of calls made through this client, in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        self.core.timeout().as_secs_f64()
    }

    fn record_coordinator_update(&self, name: &str, duration_s: f64, success: bool) {
        // Python's clock may go backwards: a duration that is none counts as zero.
        let d = Duration::try_from_secs_f64(duration_s).unwrap_or_default();
        self.core
            .metrics()
            .record_coordinator_update(name, d, success);
    }

    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.core.metrics_snapshot())
    }

    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if super::handover::exiting() {
            // After the atexit hook: no completion may come from tokio any more; stopping is
            // all that is left to do (the hook already waited for the tasks of live clients).
            self.core.lifecycle().cancel();
            return super::handover::ready_future(py, Ok(py.None().into_bound(py)));
        }
        let c = self.core.clone();
        spawn(py, async move {
            c.close().await;
            Ok(Json(()))
        })
    }
}
