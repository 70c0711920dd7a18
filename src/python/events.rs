//! `EventStream`: the WebSocket event batches, read from the event loop's own thread.
//!
//! The queue has a wake-up descriptor (`crate::websocket::events::Wake`) that is readable while
//! events wait. Home Assistant watches it with `loop.add_reader(stream.fileno(), ...)` and takes
//! each batch with `take()` when the kernel says it is there: one turn of the loop per batch, no
//! thread of ours attaching to the interpreter, no future through tokio. `async for batch in
//! stream` (tests, benchmarks) waits on the same descriptor for one batch at a time. The
//! conversion happens on the loop thread: each event a dict, the sessions it carries `Session`
//! pyclasses ([`super::models`]).
//!
//! Nothing is lost when a reader goes away: a batch is taken only by a reader that is there to
//! receive it (a cancelled `__anext__` takes nothing).

use std::sync::Arc;

use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::client::PyEmbyClient;
use super::convert::to_py;
use super::errors::to_pyerr;
use super::handover;
use super::models::session_changes;
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

    /// One batch: at once when events wait, else when the wake-up descriptor becomes readable
    /// (a reader of the running loop that removes itself).
    fn __anext__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let stream = slf.get();
        match stream.take_batch(py)? {
            Some(Taken::Batch(batch)) => return handover::ready_future(py, Ok(batch)),
            Some(Taken::Ended) => {
                stream.release();
                return Err(PyStopAsyncIteration::new_err(()));
            }
            None if handover::exiting() => return Err(PyStopAsyncIteration::new_err(())),
            None => {}
        }
        let fd = stream.fileno()?;
        let event_loop = handover::running_loop(py)?;
        let future = event_loop.call_method0(intern!(py, "create_future"))?;
        let waiter = Waiter {
            stream: slf.clone().unbind(),
            event_loop: event_loop.clone().unbind(),
            future: future.clone().unbind(),
            fd,
        };
        event_loop.call_method1(intern!(py, "add_reader"), (fd, waiter))?;
        future.call_method1(
            intern!(py, "add_done_callback"),
            (StopWaiting {
                event_loop: event_loop.unbind(),
                fd,
            },),
        )?;
        Ok(future)
    }

    /// The descriptor to watch for reading (`loop.add_reader`): readable while events, or the
    /// end of the stream, wait to be taken.
    fn fileno(&self) -> PyResult<i32> {
        self.queue.wake().map(|wake| wake.fd()).map_err(PyErr::from)
    }

    /// Closes the descriptor `fileno()` gave (remove the loop's reader first): at once, not
    /// when the stream is garbage collected. The events stay queued; `fileno()` makes a new one.
    fn release(&self) {
        self.queue.release_wake();
    }

    /// The events waiting, without waiting: a batch (at most 256 events; the descriptor stays
    /// readable while more wait), `[]` when none wait, `None` once the stream has ended.
    fn take<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(match self.take_batch(py)? {
            Some(Taken::Batch(batch)) => Some(batch),
            Some(Taken::Ended) => None,
            None => Some(PyList::empty(py).into_any()),
        })
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

/// What a look at the queue found (`None`: nothing yet).
enum Taken<'py> {
    Batch(Bound<'py, PyAny>),
    Ended,
}

impl EventStream {
    fn take_batch<'py>(&self, py: Python<'py>) -> PyResult<Option<Taken<'py>>> {
        // Cleared before the look: an event queued after it signals again.
        if let Some(wake) = self.queue.current_wake() {
            wake.clear();
        }
        Ok(match self.queue.try_batch(BATCH) {
            TryBatch::Ready(batch) => Some(Taken::Batch(events_to_py(py, &self.client, batch)?)),
            TryBatch::Closed => Some(Taken::Ended),
            TryBatch::Empty => None,
        })
    }
}

/// The reader `__anext__` adds to the loop: takes the next batch into its future, then removes
/// itself.
#[pyclass(frozen)]
struct Waiter {
    stream: Py<EventStream>,
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    fd: i32,
}

#[pymethods]
impl Waiter {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        let future = self.future.bind(py);
        if future.call_method0(intern!(py, "done"))?.is_truthy()? {
            // Cancelled: its done callback removes this reader; take nothing.
            return Ok(());
        }
        let outcome = match self.stream.get().take_batch(py) {
            Ok(None) => return Ok(()), // woken for a batch another reader took
            Ok(Some(Taken::Batch(batch))) => Ok(batch),
            Ok(Some(Taken::Ended)) => Err(PyStopAsyncIteration::new_err(())),
            Err(e) => Err(e),
        };
        self.event_loop
            .bind(py)
            .call_method1(intern!(py, "remove_reader"), (self.fd,))?;
        if outcome.is_err() {
            self.stream.get().release(); // the end (or an error): nobody waits on it any more
        }
        match outcome {
            Ok(batch) => future.call_method1(intern!(py, "set_result"), (batch,))?,
            Err(e) => future.call_method1(intern!(py, "set_exception"), (e.into_value(py),))?,
        };
        Ok(())
    }
}

/// Done callback of an `__anext__` future: a wait that ended without a batch (cancelled)
/// removes its reader. One that got its batch has removed it already, and the next
/// `__anext__` may have added its own since, which must stay.
#[pyclass(frozen)]
struct StopWaiting {
    event_loop: Py<PyAny>,
    fd: i32,
}

#[pymethods]
impl StopWaiting {
    fn __call__(&self, py: Python<'_>, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0(intern!(py, "cancelled"))?.is_truthy()? {
            self.event_loop
                .bind(py)
                .call_method1(intern!(py, "remove_reader"), (self.fd,))?;
        }
        Ok(())
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
        let progress = matches!(event, Event::PlaybackProgress { .. });
        let (session, ended) = match event {
            Event::Sessions { sessions } => {
                list.append(session_changes(py, tracker.snapshot(&sessions))?)?;
                crate::graveyard::bury(sessions);
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
        // A progress report that only moved the position where it was expected tells the
        // reader nothing (`session_changes`); the other events are what they announce.
        if !tracker.apply(&session, ended) && progress {
            continue;
        }
        let dict = PyDict::new(py);
        dict.set_item(intern!(py, "type"), tag)?;
        dict.set_item(intern!(py, "session"), Bound::new(py, session)?)?;
        list.append(dict)?;
    }
    Ok(list.into_any())
}
