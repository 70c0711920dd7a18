//! Argument checks and the per-call timeout of the REST methods of the binding: bad input is a
//! `ValueError` before anything is sent.

use std::future::Future;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::client::spawn;
use super::convert::IntoPython;
use crate::metadata::NamesQuery;

/// A `timeout` keyword: positive seconds, at most a day.
pub(crate) fn timeout_arg(timeout: Option<f64>) -> PyResult<Option<Duration>> {
    match timeout {
        None => Ok(None),
        Some(t) if t.is_finite() && t > 0.0 && t <= 86_400.0 => {
            Ok(Some(Duration::from_secs_f64(t)))
        }
        Some(_) => Err(PyValueError::new_err(
            "timeout must be a positive number of seconds (at most 86400)",
        )),
    }
}

/// [`spawn`] with every request of `fut` on `timeout` instead of the client's default.
pub(crate) fn spawn_timed<'py, T, F>(
    py: Python<'py>,
    timeout: Option<f64>,
    fut: F,
) -> PyResult<Bound<'py, PyAny>>
where
    T: IntoPython,
    F: Future<Output = crate::Result<T>> + Send + 'static,
{
    let timeout = timeout_arg(timeout)?;
    spawn(py, crate::client::with_timeout(timeout, fut))
}

pub(crate) fn bad_id(name: &str, value: &str) -> PyErr {
    PyValueError::new_err(format!("{name} {value:?} is not an Emby id"))
}

/// Ids joined with `,` for Emby: none may be empty or hold a comma.
pub(crate) fn list_arg(name: &str, ids: Vec<String>) -> PyResult<Vec<String>> {
    if let Some(bad) = ids.iter().find(|i| i.trim().is_empty() || i.contains(',')) {
        return Err(bad_id(name, bad));
    }
    Ok(ids)
}

/// As [`list_arg`], and at least one.
pub(crate) fn ids_arg(name: &str, ids: Vec<String>) -> PyResult<Vec<String>> {
    if ids.is_empty() {
        return Err(PyValueError::new_err(format!("{name} must not be empty")));
    }
    list_arg(name, ids)
}

pub(crate) fn name_arg(name: String) -> PyResult<String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(PyValueError::new_err("name must not be empty"));
    }
    Ok(trimmed.to_owned())
}

pub(crate) fn sort_order_arg(sort_order: Option<&str>) -> PyResult<()> {
    match sort_order {
        None | Some("Ascending" | "Descending") => Ok(()),
        Some(_) => Err(PyValueError::new_err(
            "sort_order must be \"Ascending\" or \"Descending\"",
        )),
    }
}

pub(crate) fn names_query(
    parent_id: Option<String>,
    include_item_types: Option<Vec<String>>,
    start_index: Option<u32>,
    limit: Option<u32>,
    search_term: Option<String>,
    sort_order: Option<String>,
) -> PyResult<NamesQuery> {
    sort_order_arg(sort_order.as_deref())?;
    Ok(NamesQuery {
        parent_id,
        include_item_types: list_arg("include_item_types", include_item_types.unwrap_or_default())?,
        start_index,
        limit,
        search_term,
        sort_order,
    })
}
