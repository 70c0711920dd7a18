//! The per-update models as frozen pyclasses: `Session`, `PlayState`, `NowPlayingItem`,
//! `NowPlayingUserData`.
//!
//! The pyclasses are the Rust model structs themselves (`#[pyclass(get_all)]` in
//! `crate::models`, so each field is declared once): one object per model, each attribute
//! converted when read. That costs about half of building the equivalent dict (measured:
//! docs/ARCHITECTURE.md, "Models across the boundary"). `==` compares the Rust structs (the
//! session coordinator runs with `always_update=False`), `to_dict()` gives the dict shape of
//! the serde form (diagnostics), and `repr()` names the model without anything sensitive (no
//! remote address).

use std::fmt::Write as _;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::convert::{IntoPython, to_py};
use crate::models::{Item, PlayState, Session, UserData};

/// A Python-style literal of a string, for `repr()`.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn opt_lit(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_owned(), lit)
}

fn opt_num<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "None".to_owned(), |v| v.to_string())
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// `to_dict()`: the serde form, the shape the TypedDicts used to describe.
fn dict_of<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyDict>> {
    Ok(to_py(py, v)?.cast_into::<PyDict>()?)
}

impl UserData {
    fn repr(&self) -> String {
        format!(
            "NowPlayingUserData(played={}, is_favorite={}, playback_position_ticks={})",
            py_bool(self.played),
            py_bool(self.is_favorite),
            opt_num(self.playback_position_ticks)
        )
    }
}

impl Item {
    fn repr(&self) -> String {
        format!(
            "NowPlayingItem(id={}, type={}, name={})",
            lit(&self.id),
            opt_lit(self.r#type.as_deref()),
            opt_lit(self.name.as_deref())
        )
    }
}

impl PlayState {
    fn repr(&self) -> String {
        format!(
            "PlayState(position_ticks={}, is_paused={}, is_muted={}, volume_level={})",
            opt_num(self.position_ticks),
            py_bool(self.is_paused),
            py_bool(self.is_muted),
            opt_num(self.volume_level)
        )
    }
}

impl Session {
    fn repr(&self) -> String {
        let mut s = format!(
            "Session(id={}, device_id={}, device_name={}, client={}, user_name={}",
            lit(&self.id),
            lit(&self.device_id),
            lit(&self.device_name),
            lit(&self.client),
            opt_lit(self.user_name.as_deref())
        );
        let playing = self
            .now_playing_item
            .as_ref()
            .map_or_else(|| "None".to_owned(), Item::repr);
        let _ = write!(
            s,
            ", now_playing_item={playing}, play_state={})",
            self.play_state.repr()
        );
        s
    }
}

#[pymethods]
impl UserData {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_of(py, self)
    }

    fn __repr__(&self) -> String {
        self.repr()
    }
}

#[pymethods]
impl Item {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_of(py, self)
    }

    fn __repr__(&self) -> String {
        self.repr()
    }
}

#[pymethods]
impl PlayState {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_of(py, self)
    }

    fn __repr__(&self) -> String {
        self.repr()
    }
}

#[pymethods]
impl Session {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_of(py, self)
    }

    fn __repr__(&self) -> String {
        self.repr()
    }
}

/// The sessions of `get_sessions()` (shared with coalesced callers, hence the `Arc`), as a list
/// of `Session` objects.
pub struct Sessions(pub Arc<Vec<Session>>);

impl IntoPython for Sessions {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let sessions = Arc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone());
        session_list(py, sessions).map(Bound::into_any)
    }
}

/// A list of `Session` objects.
pub fn session_list(py: Python<'_>, sessions: Vec<Session>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for s in sessions {
        list.append(Bound::new(py, s)?)?;
    }
    Ok(list)
}
