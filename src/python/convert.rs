//! Rust values to Python objects: `Serialize` → `serde_json::Value` → dict/list/str/int/float.
//!
//! Dicts, as the contract's TypedDicts promise. Measured (docs/ARCHITECTURE.md, "Models across
//! the boundary"): frozen pyclasses would cost less per item, and the `Value` step here is more
//! than half of the dict cost; both are open improvements, not done here.

use std::sync::Arc;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use serde::Serialize;
use serde_json::Value;

use crate::error::Error;

/// Converts a JSON value to the matching Python object.
pub fn value_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_bound_py_any(py)?
            } else if let Some(u) = n.as_u64() {
                u.into_bound_py_any(py)?
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?
            }
        }
        Value::String(s) => s.into_bound_py_any(py)?,
        Value::Array(a) => {
            let list = PyList::empty(py);
            for item in a {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(o) => {
            let dict = PyDict::new(py);
            for (k, item) in o {
                dict.set_item(k, value_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// Any serializable Rust value as a Python object.
pub fn to_py<'py, T: Serialize + ?Sized>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(v)
        .map_err(|e| super::errors::EmbyResponseError::new_err(format!("conversion: {e}")))?;
    value_to_py(py, &value)
}

/// What an async method hands back to Python (converted with the GIL held, after the Rust work).
pub trait IntoPython: Send + 'static {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>>;
}

/// A serializable value, converted with [`to_py`].
pub struct Json<T>(pub T);

impl<T: Serialize + Send + 'static> IntoPython for Json<T> {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        to_py(py, &self.0)
    }
}

impl<T: Serialize + Send + Sync + 'static> IntoPython for Arc<T> {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        to_py(py, &*self)
    }
}

/// `(bytes, content_type)` of an image.
pub struct BytesAndType(pub Arc<(bytes::Bytes, String)>);

impl IntoPython for BytesAndType {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let (body, ct) = &*self.0;
        (PyBytes::new(py, body), ct.as_str()).into_bound_py_any(py)
    }
}

/// The outcome of a core call; a core error becomes the matching Python exception here, where
/// the GIL is held (needed to set `EmbyServerError.status`).
pub struct Reply<T>(pub Result<T, Error>);

impl<'py, T: IntoPython> IntoPyObject<'py> for Reply<T> {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        match self.0 {
            Ok(v) => v.into_python(py),
            Err(e) => Err(super::errors::to_pyerr(py, e)),
        }
    }
}
