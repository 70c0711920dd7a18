//! Binding of [`crate::discovery`]: `discover_servers`, Emby's UDP discovery.

use pyo3::prelude::*;

use super::client::spawn;
use super::convert::Json;
use super::errors::to_pyerr;
use crate::discovery::{DISCOVERY_PORT, discover, discovery_arguments};

/// Sends `who is EmbyServer?` to `target` (an IP address: the broadcast address in production,
/// 127.0.0.1 in tests) and returns the servers that answered within `wait` seconds.
#[pyfunction]
#[pyo3(signature = (target, *, port = DISCOVERY_PORT, wait = 2.0))]
pub fn discover_servers<'py>(
    py: Python<'py>,
    target: &str,
    port: u16,
    wait: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let (target, wait) = discovery_arguments(target, port, wait).map_err(|e| to_pyerr(py, e))?;
    spawn(py, async move { discover(target, wait).await.map(Json) })
}
