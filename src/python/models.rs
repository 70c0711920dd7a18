//! The per-update models as frozen pyclasses: `Session`, `PlayState`, `TranscodingInfo`,
//! `NowPlayingItem`, `NowPlayingUserData`.
//!
//! The pyclasses are the Rust model structs themselves (`#[pyclass(get_all)]` in
//! `crate::models`, so each field is declared once): one object per model, each attribute
//! converted when read: cheaper to build and to compare than the equivalent dict, dearer to read
//! (a list attribute is a new list at every read); per update a little cheaper overall
//! (measured: docs/ARCHITECTURE.md, "Models across the boundary"). `==` compares the Rust structs (the
//! session coordinator runs with `always_update=False`), `to_dict()` gives the dict shape of
//! the serde form (diagnostics), `repr()` names the model without anything sensitive (no
//! remote address), and `copy.replace(obj, field=value, ...)` (`__replace__`) gives a changed
//! copy (a stopped session, tests).

use std::fmt::Write as _;
use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::convert::{IntoPython, to_py};
use crate::models::{Item, PlayState, Session, TranscodingInfo, UserData};
use crate::session_changes::SessionChanges;
use crate::session_parts;

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

impl TranscodingInfo {
    fn repr(&self) -> String {
        format!(
            "TranscodingInfo(video_codec={}, audio_codec={}, transcode_reasons=[{}])",
            opt_lit(self.video_codec.as_deref()),
            opt_lit(self.audio_codec.as_deref()),
            self.transcode_reasons
                .iter()
                .map(|r| lit(r))
                .collect::<Vec<_>>()
                .join(", ")
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

/// `__replace__` of a model: a copy with the named fields set, each value converted to the
/// field's type (a wrong type or an unknown name is a `TypeError`). `FIELDS` names every
/// field; a test checks it against the serde form, so it cannot fall behind the struct.
macro_rules! replace_fields {
    ($ty:ty, $pyname:literal: $($field:ident),* $(,)?) => {
        impl $ty {
            #[cfg(test)]
            const FIELDS: &[&str] = &[$(stringify!($field)),*];

            fn replaced(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
                let mut copy = self.clone();
                for (name, value) in changes.into_iter().flat_map(|c| c.iter()) {
                    let name: String = name.extract()?;
                    match name.as_str() {
                        $(n if n == stringify!($field).trim_start_matches("r#") => {
                            copy.$field = value.extract().map_err(|e| {
                                PyTypeError::new_err(format!(
                                    concat!($pyname, ".{}: {}"), n, e
                                ))
                            })?;
                        })*
                        other => {
                            return Err(PyTypeError::new_err(format!(
                                concat!($pyname, " has no field '{}'"), other
                            )));
                        }
                    }
                }
                Ok(copy)
            }
        }
    };
}

replace_fields!(UserData, "NowPlayingUserData":
    played, is_favorite, play_count, playback_position_ticks, unplayed_item_count,
    last_played_date,
);
replace_fields!(Item, "NowPlayingItem":
    id, name, r#type, media_type, collection_type, is_folder, parent_id, series_id,
    series_name, season_id, season_name, index_number, parent_index_number, album, album_id,
    album_artist, artists, channel_name, run_time_ticks, production_year, premiere_date,
    date_created, overview, official_rating, community_rating, genres, child_count,
    recursive_item_count, image_tags, backdrop_image_tags, series_primary_image_tag,
    parent_thumb_item_id, parent_thumb_image_tag, parent_backdrop_item_id,
    album_primary_image_tag, is_theme_media, user_data,
);
replace_fields!(PlayState, "PlayState":
    position_ticks, can_seek, is_paused, is_muted, volume_level, repeat_mode, shuffle,
    play_method, media_source_id,
);
replace_fields!(TranscodingInfo, "TranscodingInfo":
    is_video_direct, is_audio_direct, video_codec, audio_codec, container, bitrate, width,
    height, audio_channels, completion_percentage, transcode_reasons,
);
replace_fields!(Session, "Session":
    id, device_id, device_name, client, application_version, user_id, user_name,
    supports_remote_control, playable_media_types, supported_commands, last_activity_date,
    remote_end_point, now_playing_item, play_state, transcoding_info, playlist_index,
    playlist_length,
);

#[pymethods]
impl UserData {
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        self.replaced(changes)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_of(py, self)
    }

    fn __repr__(&self) -> String {
        self.repr()
    }
}

#[pymethods]
impl Item {
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        self.replaced(changes)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_of(py, self)
    }

    fn __repr__(&self) -> String {
        self.repr()
    }
}

#[pymethods]
impl PlayState {
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        self.replaced(changes)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_of(py, self)
    }

    fn __repr__(&self) -> String {
        self.repr()
    }
}

#[pymethods]
impl TranscodingInfo {
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        self.replaced(changes)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_of(py, self)
    }

    fn __repr__(&self) -> String {
        self.repr()
    }
}

#[pymethods]
impl Session {
    #[classattr]
    const PART_DEVICE: u32 = session_parts::DEVICE;
    #[classattr]
    const PART_CAPABILITIES: u32 = session_parts::CAPABILITIES;
    #[classattr]
    const PART_PLAY_STATE: u32 = session_parts::PLAY_STATE;
    #[classattr]
    const PART_ITEM: u32 = session_parts::ITEM;
    #[classattr]
    const PART_USER: u32 = session_parts::USER;
    #[classattr]
    const PART_TRANSCODING: u32 = session_parts::TRANSCODING;
    #[classattr]
    const PART_OTHER: u32 = session_parts::OTHER;
    #[classattr]
    const PART_ALL: u32 = session_parts::ALL;

    /// The parts (`PART_*` bits) in which this session differs from `other`, compared here
    /// without reading a field into Python (0: the same).
    fn changed_parts(&self, other: &Bound<'_, Session>) -> u32 {
        session_parts::changed_parts(self, other.get())
    }

    /// Whether the client plays something: a now-playing item that is not theme media (played
    /// while browsing). Answered without building the item, which `now_playing_item` does at
    /// every read (the sensors ask it of every session at every change of what plays).
    #[getter]
    fn is_playing(&self) -> bool {
        self.now_playing_item
            .as_ref()
            .is_some_and(|item| !item.is_theme_media)
    }

    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        self.replaced(changes)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_of(py, self)
    }

    fn __repr__(&self) -> String {
        self.repr()
    }
}

/// The sessions of `get_sessions()`, copied out of the shared snapshot on a tokio thread, as a
/// list of `Session` objects.
pub struct Sessions(pub Vec<Session>);

impl IntoPython for Sessions {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        session_list(py, self.0).map(Bound::into_any)
    }
}

/// `GET /Sessions` to be turned into changes when Python takes it (on the loop thread, so the
/// tracker learns them in the order the reader receives them, pushes included).
pub struct SessionChangesReply {
    pub client: crate::EmbyClient,
    pub sessions: Arc<Vec<Arc<Session>>>,
}

impl IntoPython for SessionChangesReply {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let changes = self.client.session_tracker().snapshot(&self.sessions);
        crate::graveyard::bury(self.sessions);
        session_changes(py, changes).map(Bound::into_any)
    }
}

/// Changes as the `SessionsEvent` dict: `{"type": "sessions", "sessions": [changed],
/// "removed": [device ids]}`.
pub fn session_changes(py: Python<'_>, changes: SessionChanges) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item(intern!(py, "type"), intern!(py, "sessions"))?;
    dict.set_item(intern!(py, "sessions"), session_list(py, changes.changed)?)?;
    dict.set_item(intern!(py, "removed"), PyList::new(py, changes.removed)?)?;
    Ok(dict)
}

/// A list of `Session` objects.
pub fn session_list(py: Python<'_>, sessions: Vec<Session>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for s in sessions {
        list.append(Bound::new(py, s)?)?;
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<T: serde::Serialize + Default>() -> Vec<String> {
        match serde_json::to_value(T::default()).expect("serialize") {
            serde_json::Value::Object(o) => o.keys().cloned().collect(),
            other => panic!("not an object: {other}"),
        }
    }

    fn fields(list: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = list
            .iter()
            .map(|f| f.trim_start_matches("r#").to_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replace_knows_every_field() {
        assert_eq!(fields(UserData::FIELDS), keys::<UserData>());
        assert_eq!(fields(Item::FIELDS), keys::<Item>());
        assert_eq!(fields(PlayState::FIELDS), keys::<PlayState>());
        assert_eq!(fields(TranscodingInfo::FIELDS), keys::<TranscodingInfo>());
        assert_eq!(fields(Session::FIELDS), keys::<Session>());
    }
}
