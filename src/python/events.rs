//! `EventStream`: the async iterator over WebSocket event batches (`async for batch in
//! client.events()`).
//!
//! `__anext__` hands Python an asyncio future of the loop it runs on. When events are already
//! queued the future is completed at once, on the loop thread (no thread hop during a burst).
//! Otherwise a tokio task waits for the next batch and schedules its hand-over on the loop with
//! `call_soon_threadsafe`; the conversion to dicts happens there, on the loop thread.
//!
//! Interpreter exit: a tokio thread that attaches to Python while the interpreter finalizes can
//! crash the process. Every hand-over therefore holds a token of one process-wide tracker and
//! checks an exit flag before it attaches; `shutdown_all()` (the atexit hook) sets the flag and
//! waits for the hand-overs already under way, so none can start afterwards.
//!
//! Nothing is lost when the reader goes away: a batch whose future was cancelled (or whose loop
//! closed) goes back to the front of the queue for the next reader.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use tokio::sync::oneshot;
use tokio_util::task::TaskTracker;

use super::convert::to_py;
use crate::websocket::events::{Event, EventQueue, TryBatch};

/// Most events handed to Python per wake-up.
const BATCH: usize = 256;

/// Set once at interpreter exit: from then on no hand-over attaches to Python.
static EXITING: AtomicBool = AtomicBool::new(false);

/// Hand-overs under way (between "a batch was taken" and "its callback is scheduled").
fn handovers() -> &'static TaskTracker {
    static TRACKER: OnceLock<TaskTracker> = OnceLock::new();
    TRACKER.get_or_init(TaskTracker::new)
}

/// First step of interpreter exit: no event hand-over starts after this returns.
pub(crate) fn begin_exit() {
    EXITING.store(true, Ordering::SeqCst);
    handovers().close();
}

/// Waits (bounded) for the hand-overs that started before [`begin_exit`]. Call without holding
/// the interpreter: they need it to finish.
pub(crate) fn wait_for_handovers(runtime: &tokio::runtime::Handle, timeout: Duration) {
    runtime.block_on(async {
        let _ = tokio::time::timeout(timeout, handovers().wait()).await;
    });
}

fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    GET_RUNNING_LOOP
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
        })?
        .bind(py)
        .call0()
}

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
        let event_loop = running_loop(py)?;
        let future = event_loop.call_method0(intern!(py, "create_future"))?;
        match self.queue.try_batch(BATCH) {
            TryBatch::Ready(batch) => {
                future.call_method1(intern!(py, "set_result"), (to_py(py, &batch)?,))?;
                return Ok(future);
            }
            TryBatch::Closed => return Err(PyStopAsyncIteration::new_err(())),
            TryBatch::Empty => {}
        }
        // The waiting task ends as soon as the future is done for any reason (cancelled by
        // Home Assistant on unload, or garbage collected).
        let (cancel, cancelled) = oneshot::channel::<()>();
        future.call_method1(
            intern!(py, "add_done_callback"),
            (OnDone {
                cancel: Mutex::new(Some(cancel)),
            },),
        )?;
        let queue = self.queue.clone();
        let (future_ref, loop_ref) = (future.clone().unbind(), event_loop.unbind());
        pyo3_async_runtimes::tokio::get_runtime().spawn(async move {
            let batch = tokio::select! {
                biased;
                _ = cancelled => return,
                batch = queue.next_batch(BATCH) => batch,
            };
            hand_over(queue, loop_ref, future_ref, batch);
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

/// Schedules the completion of `future` with `batch` on its loop (an empty batch ends the
/// iteration). Runs the attach on a blocking thread: a tokio worker must not wait for the GIL.
fn hand_over(queue: Arc<EventQueue>, event_loop: Py<PyAny>, future: Py<PyAny>, batch: Vec<Event>) {
    let deliver = Deliver {
        future,
        queue,
        batch: Mutex::new(Some(batch)),
    };
    // Token first, flag second: begin_exit() closes the tracker after setting the flag, so a
    // hand-over either sees the flag or is waited for.
    let token = handovers().token();
    if EXITING.load(Ordering::SeqCst) {
        return; // `deliver` drops: the batch goes back to the queue, nothing touches Python.
    }
    tokio::task::spawn_blocking(move || {
        let _token = token;
        if EXITING.load(Ordering::SeqCst) {
            return;
        }
        let _ = Python::try_attach(move |py| -> PyResult<()> {
            let deliver = Bound::new(py, deliver)?;
            // Fails when the loop is closed; `deliver` is then freed here and requeues.
            event_loop
                .bind(py)
                .call_method1(intern!(py, "call_soon_threadsafe"), (deliver,))?;
            Ok(())
        });
    });
}

/// The loop-thread half of a hand-over: completes the future, or puts the batch back when
/// nobody waits for it any more.
#[pyclass(frozen)]
struct Deliver {
    future: Py<PyAny>,
    queue: Arc<EventQueue>,
    batch: Mutex<Option<Vec<Event>>>,
}

impl Deliver {
    fn take(&self) -> Option<Vec<Event>> {
        self.batch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

#[pymethods]
impl Deliver {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        let Some(batch) = self.take() else {
            return Ok(());
        };
        let future = self.future.bind(py);
        if future.call_method0(intern!(py, "done"))?.is_truthy()? {
            self.queue.requeue_front(batch);
            return Ok(());
        }
        if batch.is_empty() {
            let end = PyStopAsyncIteration::new_err(()).into_value(py);
            future.call_method1(intern!(py, "set_exception"), (end,))?;
            return Ok(());
        }
        match to_py(py, &batch) {
            Ok(value) => future.call_method1(intern!(py, "set_result"), (value,))?,
            Err(e) => future.call_method1(intern!(py, "set_exception"), (e.into_value(py),))?,
        };
        Ok(())
    }
}

impl Drop for Deliver {
    fn drop(&mut self) {
        if let Some(batch) = self.take() {
            self.queue.requeue_front(batch);
        }
    }
}

/// Done-callback of an `__anext__` future: stops the task that waits for its batch.
#[pyclass(frozen)]
struct OnDone {
    cancel: Mutex<Option<oneshot::Sender<()>>>,
}

#[pymethods]
impl OnDone {
    fn __call__(&self, _future: &Bound<'_, PyAny>) {
        let sender = self
            .cancel
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(sender) = sender {
            let _ = sender.send(());
        }
    }
}
