//! Everything the core hands from tokio threads to Python, and the interpreter-exit rule that
//! keeps it safe: the results of every async method and log records. (WebSocket event batches
//! are taken by Python on its own thread: `super::events`.)
//!
//! [`spawn`] turns a Rust future into an asyncio future of the running loop (what every async
//! method of the binding returns); [`complete`] finishes such a future from a tokio thread. The
//! completion is scheduled on the loop with `call_soon_threadsafe` from a blocking thread (a
//! tokio worker never waits for the interpreter); the Python objects are built on the loop
//! thread.
//!
//! Interpreter exit: a thread that attaches to Python while the interpreter finalizes can crash
//! it (REST calls ended by the atexit hook crashed about one exit in five when their
//! completions attached during finalization). Whatever attaches from a tokio thread first
//! [`enter`]s: it takes a token of one process-wide tracker, then checks the exit flag. The
//! atexit hook (`shutdown_all`) calls [`begin_exit`] (sets the flag, closes the tracker) before
//! it stops the clients, then [`wait_for_handovers`]. So every attach either started before the
//! hook and is waited for, or sees the flag and does not happen: from then on Python futures of
//! the core simply stay pending while the process ends.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_util::FutureExt;
use pyo3::exceptions::PyRuntimeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use tokio::sync::oneshot;
use tokio_util::task::TaskTracker;
use tokio_util::task::task_tracker::TaskTrackerToken;

use super::convert::{IntoPython, Reply};
use super::errors::to_pyerr;

/// Set once at interpreter exit: from then on nothing of ours attaches to Python.
static EXITING: AtomicBool = AtomicBool::new(false);

/// Attaches under way (from "about to attach" to "done with Python").
fn tracker() -> &'static TaskTracker {
    static TRACKER: OnceLock<TaskTracker> = OnceLock::new();
    TRACKER.get_or_init(TaskTracker::new)
}

/// Permission to attach to Python from a non-Python thread: `None` once the interpreter is
/// exiting. Hold the token until done with Python.
pub(crate) fn enter() -> Option<TaskTrackerToken> {
    // Token first, flag second: begin_exit() sets the flag before the hook waits for the
    // tracker, so an attach either sees the flag or is waited for.
    let token = tracker().token();
    if EXITING.load(Ordering::SeqCst) {
        return None;
    }
    Some(token)
}

/// True once the atexit hook has begun.
pub(crate) fn exiting() -> bool {
    EXITING.load(Ordering::SeqCst)
}

/// First step of interpreter exit: nothing attaches to Python after those under way are done.
pub(crate) fn begin_exit() {
    EXITING.store(true, Ordering::SeqCst);
    tracker().close();
    // Saves formatting records that would be dropped anyway.
    log::set_max_level(log::LevelFilter::Off);
}

/// Waits (bounded) for the attaches that started before [`begin_exit`]. Call without holding
/// the interpreter: they need it to finish.
pub(crate) fn wait_for_handovers(runtime: &tokio::runtime::Handle, timeout: Duration) {
    runtime.block_on(async {
        let _ = tokio::time::timeout(timeout, tracker().wait()).await;
    });
}

/// What a hand-over delivers, turned into Python on the loop thread.
pub(crate) trait Outcome: Send + 'static {
    /// The future's result (`Err`: its exception).
    fn resolve(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>>;
    /// Nobody takes it: the future is done already, its loop closed, or the interpreter exits.
    /// May run without the interpreter: touch no Python object.
    fn abandon(self: Box<Self>) {}
}

/// `asyncio.get_running_loop()` (raises outside a running loop, as asyncio does).
pub(crate) fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    GET_RUNNING_LOOP
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
        })?
        .bind(py)
        .call0()
}

/// A future of the running loop, completed at once on this thread (`Err`: with that exception).
pub(crate) fn ready_future<'py>(
    py: Python<'py>,
    outcome: PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let future = running_loop(py)?.call_method0(intern!(py, "create_future"))?;
    match outcome {
        Ok(value) => future.call_method1(intern!(py, "set_result"), (value,))?,
        Err(e) => future.call_method1(intern!(py, "set_exception"), (e.into_value(py),))?,
    };
    Ok(future)
}

/// A new future of the running loop, and a receiver that fires once that future is done for any
/// reason (cancelled by its task, completed, garbage collected), so the Rust side can stop.
pub(crate) fn new_future(
    py: Python<'_>,
) -> PyResult<(Bound<'_, PyAny>, Bound<'_, PyAny>, oneshot::Receiver<()>)> {
    let event_loop = running_loop(py)?;
    let future = event_loop.call_method0(intern!(py, "create_future"))?;
    let (cancel, cancelled) = oneshot::channel::<()>();
    future.call_method1(
        intern!(py, "add_done_callback"),
        (OnDone {
            cancel: Mutex::new(Some(cancel)),
        },),
    )?;
    Ok((event_loop, future, cancelled))
}

/// Schedules the completion of `future` with `outcome` on `event_loop`, from a tokio thread.
/// Once the interpreter is exiting it only abandons `outcome`.
pub(crate) fn complete(event_loop: Py<PyAny>, future: Py<PyAny>, outcome: Box<dyn Outcome>) {
    let completion = Completion {
        future,
        outcome: Mutex::new(Some(outcome)),
    };
    let Some(token) = enter() else {
        return; // `completion` drops here: abandoned, nothing touches Python.
    };
    pyo3_async_runtimes::tokio::get_runtime().spawn_blocking(move || {
        let _token = token;
        // Before the reply goes to the loop: what the loop left of earlier replies is freed here.
        crate::graveyard::empty();
        let _ = Python::try_attach(move |py| -> PyResult<()> {
            let completion = Bound::new(py, completion)?;
            // Fails when the loop is closed; `completion` is then freed here and abandons.
            event_loop
                .bind(py)
                .call_method1(intern!(py, "call_soon_threadsafe"), (completion,))?;
            Ok(())
        });
    });
}

/// Runs `fut` and returns the asyncio future of its result (every async method of the binding).
///
/// Its first step runs here, on the event loop's thread, inside the runtime's context: an answer
/// that needs no I/O (a cache hit, a refused argument, a closed client) comes back as a future
/// that is already done, with no tokio round trip and no wake-up of the loop. Whatever has to
/// wait goes on to the runtime (the core yields before a request's work, `client.rs`), and its
/// result comes back through [`complete`]. Cancelling the Python future drops the Rust future;
/// a panic becomes a `RuntimeError`.
pub(crate) fn spawn<'py, T, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    T: IntoPython,
    F: Future<Output = crate::Result<T>> + Send + 'static,
{
    if exiting() {
        // Nothing could complete it from tokio any more (a later atexit hook awaiting it would
        // hang): the clients are closed, and this thread may touch Python.
        return ready_future(py, Err(to_pyerr(py, crate::Error::Closed)));
    }
    let runtime = pyo3_async_runtimes::tokio::get_runtime();
    let mut fut = Box::pin(AssertUnwindSafe(fut).catch_unwind());
    let first = {
        let _context = runtime.enter();
        fut.as_mut().poll(&mut Context::from_waker(Waker::noop()))
    };
    if let Poll::Ready(result) = first {
        let value = outcome_of(result)
            .resolve(py)
            .map(|value| value.into_bound(py));
        return ready_future(py, value);
    }
    let (event_loop, future, cancelled) = new_future(py)?;
    let (loop_ref, future_ref) = (event_loop.unbind(), future.clone().unbind());
    runtime.spawn(async move {
        let result = tokio::select! {
            biased;
            _ = cancelled => return,
            r = fut => r,
        };
        complete(loop_ref, future_ref, outcome_of(result));
    });
    Ok(future)
}

/// What a finished call hands over: its reply, or the panic that ended it.
fn outcome_of<T: IntoPython>(result: std::thread::Result<crate::Result<T>>) -> Box<dyn Outcome> {
    match result {
        Ok(reply) => Box::new(ReplyOutcome(reply)),
        Err(panic) => Box::new(Panicked(panic_message(panic.as_ref()))),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

struct ReplyOutcome<T>(crate::Result<T>);

impl<T: IntoPython> Outcome for ReplyOutcome<T> {
    fn resolve(self: Box<Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(Reply(self.0).into_pyobject(py)?.unbind())
    }
}

struct Panicked(String);

impl Outcome for Panicked {
    fn resolve(self: Box<Self>, _py: Python<'_>) -> PyResult<Py<PyAny>> {
        Err(PyRuntimeError::new_err(format!(
            "embymedia_core panicked: {}",
            self.0
        )))
    }
}

/// The loop-thread half of a hand-over: completes the future, or abandons the outcome when
/// nobody waits for it any more.
#[pyclass(frozen)]
struct Completion {
    future: Py<PyAny>,
    outcome: Mutex<Option<Box<dyn Outcome>>>,
}

impl Completion {
    fn take(&self) -> Option<Box<dyn Outcome>> {
        self.outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

#[pymethods]
impl Completion {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        let Some(outcome) = self.take() else {
            return Ok(());
        };
        let future = self.future.bind(py);
        if future.call_method0(intern!(py, "done"))?.is_truthy()? {
            outcome.abandon();
            return Ok(());
        }
        match outcome.resolve(py) {
            Ok(value) => future.call_method1(intern!(py, "set_result"), (value,))?,
            Err(e) => future.call_method1(intern!(py, "set_exception"), (e.into_value(py),))?,
        };
        Ok(())
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        if let Some(outcome) = self.take() {
            outcome.abandon();
        }
    }
}

/// Done-callback of a future made by [`new_future`]: stops the Rust side waiting for it.
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
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(sender) = sender {
            let _ = sender.send(());
        }
    }
}

/// The `log` backend: pyo3-log's logger (records go to Python's `logging`), behind the exit
/// rule. A record is an attach too, often from a tokio thread (a request ended by the atexit
/// hook logs its failure after the hook stopped waiting for the request).
pub(crate) struct ExitSafeLogger(pub(crate) pyo3_log::Logger);

impl log::Log for ExitSafeLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        !exiting() && self.0.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if let Some(_token) = enter() {
            self.0.log(record);
        }
    }

    fn flush(&self) {}
}
