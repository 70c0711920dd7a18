//! Cached answers are converted to Python once.
//!
//! A listing the core answers from its caches is the same `Arc` at every hit; converting its
//! items again each time was most of a hit's cost (seven views of 37 fields: ~10 µs of ~12,
//! measured by bench/cache_bench.py). The Python object of the last [`CAPACITY`] small answers
//! (at most [`MAX_ITEMS`] items: views, discovery rows, seasons, single items) is kept beside
//! a weak reference to the value it was made from and handed out again while the value lives.
//! Answers are therefore shared between calls, like a coordinator's data: read-only (the `.pyi`
//! says so). A value the caches let go of is forgotten at the next conversion. Larger pages
//! are converted at every hit: a browse step asks for each once, and keeping them would free
//! an old page (cold memory) at every new one (measured: a hit of 40 pages asked in turn cost
//! twice the conversion).

use std::any::Any;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// Answers kept: the views and rows a dashboard or a browse session goes back to. Bounded so
/// that the Python objects never rival the caches (500 entries) in size.
const CAPACITY: usize = 32;

/// The largest answer kept, in items (a list's length, or that of a result's `items`).
const MAX_ITEMS: usize = 32;

/// One converted answer: the value (weak: the caches decide how long it lives; the weak
/// reference keeps its allocation, so no other value can take its address meanwhile), which
/// conversion of it this is, and the Python object.
struct Entry {
    value: Weak<dyn Any + Send + Sync>,
    shape: Shape,
    object: Py<PyAny>,
}

/// Which Python form of a value: the same cached value can be handed out whole or as its
/// items alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Whole,
    Items,
}

/// Most recently handed out first.
static MEMO: Mutex<VecDeque<Entry>> = Mutex::new(VecDeque::new());

fn memo() -> std::sync::MutexGuard<'static, VecDeque<Entry>> {
    MEMO.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The Python object of `value` in `shape`: the one made before while `value` lives, else
/// `convert(value)`, kept for the next time.
pub fn converted<'py, T, F>(
    py: Python<'py>,
    value: &Arc<T>,
    shape: Shape,
    convert: F,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + Sync + 'static,
    F: FnOnce(&T) -> PyResult<Bound<'py, PyAny>>,
{
    let address = Arc::as_ptr(value).cast::<()>();
    {
        let mut memo = memo();
        let found = memo
            .iter()
            .position(|e| e.shape == shape && e.value.as_ptr().cast::<()>() == address);
        if let Some(entry) = found.and_then(|i| memo.remove(i)) {
            let object = entry.object.clone_ref(py).into_bound(py);
            memo.push_front(entry);
            return Ok(object);
        }
    }
    let object = convert(value)?;
    if items_in(&object) > MAX_ITEMS {
        return Ok(object);
    }
    let weak = Arc::downgrade(value) as Weak<dyn Any + Send + Sync>;
    let dropped: Vec<Entry> = {
        let mut memo = memo();
        memo.push_front(Entry {
            value: weak,
            shape,
            object: object.clone().unbind(),
        });
        // Answers of values the caches let go of, and the oldest beyond the bound.
        let (live, dead): (VecDeque<Entry>, VecDeque<Entry>) =
            memo.drain(..).partition(|e| e.value.strong_count() > 0);
        *memo = live;
        let mut dropped: Vec<Entry> = dead.into();
        while memo.len() > CAPACITY {
            dropped.extend(memo.pop_back());
        }
        dropped
    };
    // The Python objects are released after the lock (freeing a large one takes a while).
    drop(dropped);
    Ok(object)
}

/// How many items an answer holds: a list's length, a result's `items`, else one.
fn items_in(object: &Bound<'_, PyAny>) -> usize {
    if let Ok(list) = object.cast::<PyList>() {
        return list.len();
    }
    object
        .cast::<PyDict>()
        .ok()
        .and_then(|dict| dict.get_item(intern!(object.py(), "items")).ok().flatten())
        .and_then(|items| items.len().ok())
        .unwrap_or(1)
}
