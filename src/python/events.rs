//! `EventStream`: the async iterator over WebSocket event batches (`async for batch in
//! client.events()`).
//!
//! `__anext__` hands Python an asyncio future of the loop it runs on. When events are already
//! queued the future is completed at once, on the loop thread. Otherwise the future waits in the
//! stream and the loop watches a socket pair: the tokio thread that queues an event writes one
//! byte to it (no interpreter needed, at most one byte outstanding), the loop wakes as it would
//! for network data, and on its own thread takes what accumulated as one batch, converts it
//! (each event a dict, the sessions it carries `Session` pyclasses, [`super::models`]) and
//! completes the future: one wake-up per batch, no thread hop in between, nothing attached to the
//! interpreter from a tokio thread (so nothing to guard at interpreter exit).
//!
//! Nothing is lost when the reader goes away: a future cancelled while waiting took nothing; the
//! events stay queued for the next read.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::client::PyEmbyClient;
use super::convert::to_py;
use super::errors::to_pyerr;
use super::handover;
use super::models::session_list;
use crate::websocket::WebSocketSettings;
use crate::websocket::events::{Event, EventQueue, Listener, TryBatch};

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
        EventStream::new(queue)
    }
}

#[pyclass(frozen, name = "EventStream", module = "embymedia_core._core")]
pub struct EventStream {
    shared: Arc<Shared>,
}

impl EventStream {
    fn new(queue: Arc<EventQueue>) -> PyResult<Self> {
        let waker = Arc::new(LoopWaker::new()?);
        queue.listen(Arc::downgrade(&waker) as Weak<dyn Listener>);
        Ok(Self {
            shared: Arc::new(Shared {
                queue,
                waker,
                reader: Mutex::new(Reader::default()),
            }),
        })
    }
}

#[pymethods]
impl EventStream {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let shared = &self.shared;
        match shared.queue.try_batch(BATCH) {
            TryBatch::Ready(batch) => return handover::ready_future(py, events_to_py(py, batch)),
            TryBatch::Closed => {
                shared.unregister(py, &mut shared.lock());
                return Err(PyStopAsyncIteration::new_err(()));
            }
            // Nothing would serve this reader any more (see `handover`).
            TryBatch::Empty if handover::exiting() => {
                return Err(PyStopAsyncIteration::new_err(()));
            }
            TryBatch::Empty => {}
        }
        let event_loop = handover::running_loop(py)?;
        let future = event_loop.call_method0(intern!(py, "create_future"))?;
        let mut reader = shared.lock();
        shared.register(py, &event_loop, &mut reader)?;
        // Futures cancelled while waiting (a timeout around `anext`) took nothing; they go.
        reader.waiting.retain(|f| !is_done(f.bind(py)));
        reader.waiting.push_back(future.clone().unbind());
        // An event queued since the `try_batch` above has written its wake-up byte already (the
        // loop sees it once it watches), so this future is served.
        Ok(future)
    }

    /// Events waiting to be read (never more than `capacity`).
    #[getter]
    fn pending(&self) -> usize {
        self.shared.queue.len()
    }

    /// Bound of the queue.
    #[getter]
    fn capacity(&self) -> usize {
        self.shared.queue.capacity()
    }

    fn __repr__(&self) -> String {
        format!(
            "<EventStream pending={} capacity={}>",
            self.shared.queue.len(),
            self.shared.queue.capacity()
        )
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        // The loop holds the callback (and so the socket) until told otherwise.
        let shared = self.shared.clone();
        let _ = Python::try_attach(|py| shared.unregister(py, &mut shared.lock()));
    }
}

/// Wakes Python's event loop from a tokio thread without touching the interpreter: a byte on a
/// socket pair the loop watches (`add_reader`), at most one outstanding, so a burst costs one
/// wake-up and the loop takes what accumulated as one batch.
struct LoopWaker {
    tx: UnixStream,
    rx: UnixStream,
    armed: AtomicBool,
}

impl LoopWaker {
    fn new() -> PyResult<Self> {
        let (tx, rx) = UnixStream::pair()?;
        tx.set_nonblocking(true)?;
        rx.set_nonblocking(true)?;
        Ok(Self {
            tx,
            rx,
            armed: AtomicBool::new(false),
        })
    }

    /// Empties the socket and re-arms: the next event queued from now on writes again.
    fn drain(&self) {
        let mut buf = [0_u8; 64];
        while matches!((&self.rx).read(&mut buf), Ok(n) if n > 0) {}
        self.armed.store(false, Ordering::SeqCst);
    }
}

impl Listener for LoopWaker {
    fn ready(&self) {
        if !self.armed.swap(true, Ordering::SeqCst) {
            // WouldBlock means the socket is full of wake-ups already.
            let _ = (&self.tx).write(&[1]);
        }
    }
}

/// The loop a stream is watched by and the futures waiting for a batch, in order.
#[derive(Default)]
struct Reader {
    event_loop: Option<Py<PyAny>>,
    waiting: VecDeque<Py<PyAny>>,
}

/// What a stream and its loop callback share (the callback holds no reference to the stream
/// object, so dropping the stream unregisters it).
struct Shared {
    queue: Arc<EventQueue>,
    waker: Arc<LoopWaker>,
    reader: Mutex<Reader>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Reader> {
        self.reader.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Has `event_loop` watch the wake-up socket (once; a stream moved to another loop leaves
    /// the old one, and the futures of the old one with it).
    fn register(
        self: &Arc<Self>,
        py: Python<'_>,
        event_loop: &Bound<'_, PyAny>,
        reader: &mut Reader,
    ) -> PyResult<()> {
        if reader
            .event_loop
            .as_ref()
            .is_some_and(|l| l.bind(py).is(event_loop))
        {
            return Ok(());
        }
        self.unregister(py, reader);
        let callback = Readable {
            shared: self.clone(),
        };
        event_loop.call_method1(
            intern!(py, "add_reader"),
            (self.waker.rx.as_raw_fd(), callback),
        )?;
        reader.event_loop = Some(event_loop.clone().unbind());
        Ok(())
    }

    fn unregister(&self, py: Python<'_>, reader: &mut Reader) {
        reader.waiting.clear();
        if let Some(event_loop) = reader.event_loop.take() {
            // Fails only on a closed loop, which watches nothing any more.
            let _ = event_loop
                .bind(py)
                .call_method1(intern!(py, "remove_reader"), (self.waker.rx.as_raw_fd(),));
        }
    }

    /// On the loop thread, when the wake-up socket is readable: serves the waiting futures in
    /// order, one batch each, while events are queued.
    fn serve(&self, py: Python<'_>) -> PyResult<()> {
        self.waker.drain();
        let mut reader = self.lock();
        while let Some(front) = reader.waiting.front() {
            let future = front.bind(py).clone();
            if is_done(&future) {
                reader.waiting.pop_front();
                continue;
            }
            match self.queue.try_batch(BATCH) {
                TryBatch::Ready(batch) => {
                    reader.waiting.pop_front();
                    // A conversion error reaches the reader (the batch would fail again).
                    match events_to_py(py, batch) {
                        Ok(value) => future.call_method1(intern!(py, "set_result"), (value,))?,
                        Err(e) => future
                            .call_method1(intern!(py, "set_exception"), (e.into_value(py),))?,
                    };
                }
                TryBatch::Closed => {
                    for waiting in reader.waiting.drain(..) {
                        let waiting = waiting.bind(py);
                        if !is_done(waiting) {
                            let end = PyStopAsyncIteration::new_err(()).into_value(py);
                            waiting.call_method1(intern!(py, "set_exception"), (end,))?;
                        }
                    }
                    self.unregister(py, &mut reader);
                    break;
                }
                TryBatch::Empty => break,
            }
        }
        Ok(())
    }
}

fn is_done(future: &Bound<'_, PyAny>) -> bool {
    future
        .call_method0(intern!(future.py(), "done"))
        .and_then(|d| d.is_truthy())
        .unwrap_or(true)
}

/// The loop's reader callback of a stream.
#[pyclass(frozen)]
struct Readable {
    shared: Arc<Shared>,
}

#[pymethods]
impl Readable {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        self.shared.serve(py)
    }
}

/// A batch as a list of event dicts (the `Event` TypedDicts of `_core.pyi`): the events that
/// carry sessions hold `Session` objects under their serde `type`, the rest are their serde form.
fn events_to_py(py: Python<'_>, batch: Vec<Event>) -> PyResult<Bound<'_, PyAny>> {
    let list = PyList::empty(py);
    for event in batch {
        let tag = event.tag();
        let (key, value) = match event {
            Event::Sessions { sessions } => ("sessions", session_list(py, sessions)?.into_any()),
            Event::PlaybackStart { session }
            | Event::PlaybackStopped { session }
            | Event::PlaybackProgress { session }
            | Event::SessionEnded { session } => ("session", Bound::new(py, session)?.into_any()),
            other => {
                list.append(to_py(py, &other)?)?;
                continue;
            }
        };
        let dict = PyDict::new(py);
        dict.set_item(intern!(py, "type"), tag)?;
        dict.set_item(key, value)?;
        list.append(dict)?;
    }
    Ok(list.into_any())
}
