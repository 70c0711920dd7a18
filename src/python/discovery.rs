//! Binding of [`crate::discovery`]: `discover_servers`, Emby's UDP discovery.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::client::spawn;
use super::convert::Json;
use crate::discovery::{DISCOVERY_PORT, MAX_WAIT, discover};

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
    let ip: IpAddr = target
        .trim()
        .parse()
        .map_err(|_| PyValueError::new_err(format!("target {target:?} is not an IP address")))?;
    if port == 0 {
        return Err(PyValueError::new_err("port must be 1 to 65535"));
    }
    if !(wait.is_finite() && wait > 0.0 && wait <= MAX_WAIT.as_secs_f64()) {
        return Err(PyValueError::new_err(format!(
            "wait must be a positive number of seconds (at most {})",
            MAX_WAIT.as_secs()
        )));
    }
    let target = SocketAddr::new(ip, port);
    spawn(py, async move {
        discover(target, Duration::from_secs_f64(wait))
            .await
            .map(Json)
    })
}
