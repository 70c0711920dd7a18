//! Experiment: one Emby item page as dicts (the core's conversion, and the former one through
//! `serde_json::Value`) or as frozen pyclasses (one object wrapping the Rust struct; fields
//! converted on each read).
use embymedia_core::models::Item;
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

fn value_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_bound_py_any(py)?,
            None => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?,
        },
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

#[pyclass(frozen)]
struct PyItem(Item);

#[pymethods]
impl PyItem {
    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }
    #[getter]
    fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    #[getter]
    fn r#type(&self) -> Option<&str> {
        self.0.r#type.as_deref()
    }
    #[getter]
    fn run_time_ticks(&self) -> Option<i64> {
        self.0.run_time_ticks
    }
    #[getter]
    fn production_year(&self) -> Option<i64> {
        self.0.production_year
    }
    #[getter]
    fn overview(&self) -> Option<&str> {
        self.0.overview.as_deref()
    }
    #[getter]
    fn genres(&self) -> Vec<String> {
        self.0.genres.clone()
    }
    #[getter]
    fn date_created(&self) -> Option<&str> {
        self.0.date_created.as_deref()
    }
}

#[pyclass(frozen)]
struct Page(Vec<Item>);

#[pymethods]
impl Page {
    #[new]
    fn new(text: &str) -> PyResult<Self> {
        let v: Vec<Item> = serde_json::from_str(text)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        Ok(Self(v))
    }
    /// The core's conversion (straight from serde to Python objects).
    fn core_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        embymedia_core::python::convert::to_py(py, &self.0)
    }
    /// The former conversion, through `serde_json::Value`.
    fn dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = serde_json::to_value(&self.0).expect("value");
        value_to_py(py, &v)
    }
    /// Only the intermediate `serde_json::Value` of the dict path (no Python objects).
    fn values(&self) -> usize {
        serde_json::to_value(&self.0)
            .map(|v| v.as_array().map_or(0, Vec::len))
            .unwrap_or(0)
    }
    fn objects<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for item in &self.0 {
            list.append(Bound::new(py, PyItem(item.clone()))?)?;
        }
        Ok(list)
    }
}

#[pymodule]
fn pyclass_exp(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Page>()?;
    m.add_class::<PyItem>()?;
    Ok(())
}
