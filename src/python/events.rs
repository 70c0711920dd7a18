//! `EventStream`: the async iterator over WebSocket event batches (`async for batch in
//! client.events()`). Each `__anext__` waits in Rust and wakes Python once per batch.

use std::sync::Arc;

use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;

use super::convert::{Json, Reply};
use crate::websocket::events::EventQueue;

/// Most events handed to Python per wake-up.
const BATCH: usize = 256;

#[pyclass(frozen, name = "EventStream", module = "embymedia_core._core")]
pub struct EventStream {
    pub(crate) queue: Arc<EventQueue>,
}

#[pymethods]
impl EventStream {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let queue = self.queue.clone();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let batch = queue.next_batch(BATCH).await;
            if batch.is_empty() {
                // Closed by `client.close()`.
                return Err(PyStopAsyncIteration::new_err(()));
            }
            Ok(Reply(Ok(Json(batch))))
        })
    }

    fn __repr__(&self) -> String {
        format!("<EventStream queued={}>", self.queue.len())
    }
}
