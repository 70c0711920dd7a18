//! `EmbyClient` for Python: a frozen handle around the Rust [`crate::EmbyClient`]; every async
//! method runs on the shared tokio runtime through `pyo3_async_runtimes::tokio::future_into_py`
//! (cancelling the Python task drops the Rust future).

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::convert::{IntoPython, Json, Reply, to_py};
use super::errors::to_pyerr;
use crate::config::{ApiKey, ClientConfig, ServerAddress};

/// Runs `fut` on the tokio runtime and returns the Python awaitable of its result.
pub(crate) fn spawn<'py, T, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    T: IntoPython,
    F: Future<Output = crate::Result<T>> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move { Ok(Reply(fut.await)) })
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
        port: u16,
        api_key: String,
        ssl: bool,
        verify_ssl: bool,
        device_id: String,
        device_name: String,
        client_name: String,
        client_version: String,
        timeout: f64,
    ) -> PyResult<Self> {
        if !(timeout.is_finite() && timeout > 0.0) {
            return Err(PyValueError::new_err(
                "timeout must be a positive number of seconds",
            ));
        }
        let address = ServerAddress::parse(host, port, ssl).map_err(|e| to_pyerr(py, e))?;
        let config = ClientConfig {
            address,
            api_key: ApiKey::new(api_key),
            verify_ssl,
            device_id,
            device_name,
            client_name,
            client_version,
            timeout: Duration::from_secs_f64(timeout),
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

    // System
    fn get_public_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_public_info().await.map(Json) })
    }

    fn get_system_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_system_info().await.map(Json) })
    }

    /// True when the server answers; False when it cannot be reached or answers with an error.
    fn ping<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            match c.ping(None).await {
                Err(crate::Error::Closed) => Err(crate::Error::Closed),
                r => Ok(Json(r.unwrap_or(false))),
            }
        })
    }

    fn restart_server<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.restart_server().await.map(Json) })
    }

    fn shutdown_server<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.shutdown_server().await.map(Json) })
    }

    // Users and sessions
    fn get_users<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_users().await })
    }

    fn get_sessions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_sessions().await })
    }

    // Remote control
    #[pyo3(signature = (session_id, item_ids, command = "PlayNow".to_owned(), *, start_position_ticks = None))]
    fn play<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        item_ids: Vec<String>,
        command: String,
        start_position_ticks: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.play(&session_id, &item_ids, &command, start_position_ticks)
                .await
                .map(Json)
        })
    }

    #[pyo3(signature = (session_id, command, *, seek_position_ticks = None))]
    fn playstate<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        command: String,
        seek_position_ticks: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.playstate(&session_id, &command, seek_position_ticks)
                .await
                .map(Json)
        })
    }

    #[pyo3(signature = (session_id, name, arguments = None))]
    fn general_command<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        name: String,
        arguments: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        let arguments = arguments.unwrap_or_default();
        spawn(py, async move {
            c.general_command(&session_id, &name, &arguments)
                .await
                .map(Json)
        })
    }

    #[pyo3(signature = (session_id, text, header = String::new(), timeout_ms = None))]
    fn send_message<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        text: String,
        header: String,
        timeout_ms: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.send_message(&session_id, &text, &header, timeout_ms)
                .await
                .map(Json)
        })
    }

    // Cache control
    fn invalidate_all(&self) {
        self.core.invalidate_all();
    }

    fn invalidate_user(&self, user_id: &str) {
        self.core.invalidate_user(user_id);
    }

    fn invalidate_item(&self, item_id: &str) {
        self.core.invalidate_item(item_id);
    }

    // Metrics
    fn record_coordinator_update(&self, name: &str, duration_s: f64, success: bool) {
        let d = if duration_s.is_finite() && duration_s > 0.0 {
            Duration::from_secs_f64(duration_s)
        } else {
            Duration::ZERO
        };
        self.core
            .metrics()
            .record_coordinator_update(name, d, success);
    }

    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.core.metrics_snapshot())
    }

    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.close().await;
            Ok(Json(()))
        })
    }
}
