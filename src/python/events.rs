//! `EventStream`: the async iterator over WebSocket event batches (`async for batch in
//! client.events()`).
//!
//! `__anext__` hands Python an asyncio future of the loop it runs on. When events are already
//! queued the future is completed at once, on the loop thread (no thread hop during a burst).
//! Otherwise a tokio task waits for the next batch and schedules its hand-over on the loop with
//! `call_soon_threadsafe`; the conversion happens there, on the loop thread: each event a dict,
//! the sessions it carries `Session` pyclasses ([`super::models`]).
//!
//! The hand-over and its interpreter-exit rule are those of every async method
//! ([`super::handover`]).
//!
//! Nothing is lost when the reader goes away: a batch whose future was cancelled (or whose loop
//! closed, or that arrived as the interpreter exits) goes back to the front of the queue.

use std::sync::Arc;

use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::client::PyEmbyClient;
use super::convert::to_py;
use super::errors::to_pyerr;
use super::handover::{self, Outcome};
use super::models::{free_off_loop, session_changes};
use crate::session_changes::stopped;
use crate::websocket::WebSocketSettings;
use crate::websocket::events::{Event, EventQueue, TryBatch};

/// Most events handed to Python per wake-up.
const BATCH: usize = 256;

#[pymethods]
impl PyEmbyClient {
    /// Starts the WebSocket (once per client) and returns its event stream; the core checks the
    /// settings and supplies the defaults of those left out.
    #[pyo3(signature = (
        *, sessions_interval_ms = None, ping_interval_s = None, read_timeout_s = None,
        backoff_base_s = None, backoff_max_s = None, stable_after_s = None,
        scheduled_tasks_interval_ms = None, queue_capacity = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn events(
        &self,
        py: Python<'_>,
        sessions_interval_ms: Option<u32>,
        ping_interval_s: Option<f64>,
        read_timeout_s: Option<f64>,
        backoff_base_s: Option<f64>,
        backoff_max_s: Option<f64>,
        stable_after_s: Option<f64>,
        scheduled_tasks_interval_ms: Option<u32>,
        queue_capacity: Option<usize>,
    ) -> PyResult<EventStream> {
        let settings = WebSocketSettings {
            sessions_interval_ms,
            ping_interval_s,
            read_timeout_s,
            backoff_base_s,
            backoff_max_s,
            stable_after_s,
            scheduled_tasks_interval_ms,
            queue_capacity,
        };
        let options = settings.options().map_err(|e| to_pyerr(py, e))?;
        let queue = self
            .core
            .start_websocket(options, pyo3_async_runtimes::tokio::get_runtime().handle())
            .map_err(|e| to_pyerr(py, e))?;
        Ok(EventStream {
            queue,
            client: self.core.clone(),
        })
    }
}

#[pyclass(frozen, name = "EventStream", module = "embymedia_core._core")]
pub struct EventStream {
    pub(crate) queue: Arc<EventQueue>,
    /// Its session tracker turns each `Sessions` snapshot into what changed.
    client: crate::EmbyClient,
}

#[pymethods]
impl EventStream {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.queue.try_batch(BATCH) {
            TryBatch::Ready(batch) => {
                return handover::ready_future(py, events_to_py(py, &self.client, batch));
            }
            TryBatch::Closed => return Err(PyStopAsyncIteration::new_err(())),
            // Nothing would wake this reader any more (see `handover`).
            TryBatch::Empty if handover::exiting() => {
                return Err(PyStopAsyncIteration::new_err(()));
            }
            TryBatch::Empty => {}
        }
        // The waiting task ends as soon as the future is done for any reason (cancelled by
        // Home Assistant on unload, or garbage collected).
        let (event_loop, future, cancelled) = handover::new_future(py)?;
        let queue = self.queue.clone();
        let client = self.client.clone();
        let (loop_ref, future_ref) = (event_loop.unbind(), future.clone().unbind());
        pyo3_async_runtimes::tokio::get_runtime().spawn(async move {
            // Cancel-safe: a wait that ends here took nothing.
            let batch = tokio::select! {
                biased;
                _ = cancelled => return,
                batch = queue.next_batch(BATCH) => batch,
            };
            let batch = Batch {
                queue,
                client,
                batch,
            };
            handover::complete(loop_ref, future_ref, Box::new(batch));
        });
        Ok(future)
    }

    /// Events waiting to be read (never more than `capacity`).
    #[getter]
    fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Bound of the queue.
    #[getter]
    fn capacity(&self) -> usize {
        self.queue.capacity()
    }

    fn __repr__(&self) -> String {
        format!(
            "<EventStream pending={} capacity={}>",
            self.queue.len(),
            self.queue.capacity()
        )
    }
}

/// A batch as a list of event dicts (the `Event` TypedDicts of `_core.pyi`). A `Sessions`
/// snapshot becomes what changed since the last sessions handed over (`session_changes`); the
/// single-session events hold their `Session` (a stopped one as it is after the stop) and are
/// remembered for the next snapshot; the rest are their serde form. Runs as Python takes the
/// batch, so the tracker holds exactly what the reader was told.
fn events_to_py<'py>(
    py: Python<'py>,
    client: &crate::EmbyClient,
    batch: Vec<Event>,
) -> PyResult<Bound<'py, PyAny>> {
    let tracker = client.session_tracker();
    let list = PyList::empty(py);
    for event in batch {
        let tag = event.tag();
        let (session, ended) = match event {
            Event::Sessions { sessions } => {
                list.append(session_changes(py, tracker.snapshot(&sessions))?)?;
                free_off_loop(sessions, Vec::len);
                continue;
            }
            Event::PlaybackStopped { session } => (stopped(session), false),
            Event::PlaybackStart { session } | Event::PlaybackProgress { session } => {
                (session, false)
            }
            Event::SessionEnded { session } => (session, true),
            other => {
                list.append(to_py(py, &other)?)?;
                continue;
            }
        };
        tracker.apply(&session, ended);
        let dict = PyDict::new(py);
        dict.set_item(intern!(py, "type"), tag)?;
        dict.set_item(intern!(py, "session"), Bound::new(py, session)?)?;
        list.append(dict)?;
    }
    Ok(list.into_any())
}

/// A batch on its way to Python; an empty one ends the iteration (the client was closed).
struct Batch {
    queue: Arc<EventQueue>,
    client: crate::EmbyClient,
    batch: Vec<Event>,
}

impl Outcome for Batch {
    fn resolve(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if self.batch.is_empty() {
            return Err(PyStopAsyncIteration::new_err(()));
        }
        // A conversion error reaches the reader; the batch is not requeued (it would fail again).
        Ok(events_to_py(py, &self.client, self.batch)?.unbind())
    }

    fn abandon(self: Box<Self>) {
        self.queue.requeue_front(self.batch);
    }
}
