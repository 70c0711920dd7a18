//! System, users and sessions, remote control, playback information, images and cache control
//! (the core's `api.rs`).

use std::collections::BTreeMap;

use pyo3::prelude::*;

use super::client::{PyEmbyClient, spawn, spawn_timed, timeout_arg};
use super::convert::{BytesAndType, Json};
use super::models::{SessionChangesReply, Sessions};

#[pymethods]
impl PyEmbyClient {
    #[pyo3(signature = (*, timeout = None))]
    fn get_public_info<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn_timed(
            py,
            timeout,
            async move { c.get_public_info().await.map(Json) },
        )
    }

    #[pyo3(signature = (*, timeout = None))]
    fn get_system_info<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn_timed(
            py,
            timeout,
            async move { c.get_system_info().await.map(Json) },
        )
    }

    /// True when the server answers; False when it cannot be reached or answers with an error.
    #[pyo3(signature = (*, timeout = None))]
    fn ping<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        let timeout = timeout_arg(py, timeout)?;
        spawn(py, async move {
            match c.ping(timeout).await {
                Err(crate::Error::Closed) => Err(crate::Error::Closed),
                r => Ok(Json(r.unwrap_or(false))),
            }
        })
    }

    fn restart_server<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.restart_server().await.map(Json) })
    }

    fn shutdown_server<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.shutdown_server().await.map(Json) })
    }

    fn get_users<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_users().await })
    }

    fn get_sessions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        // Copied out of the shared snapshot here, on a tokio thread: the loop's thread only
        // moves each into its Python object.
        spawn(py, async move {
            let shared = c.get_sessions().await?;
            Ok(Sessions(shared.iter().map(|s| (**s).clone()).collect()))
        })
    }

    /// `GET /Sessions` as what changed since the last sessions handed over (poll or push).
    fn get_session_changes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            let sessions = c.get_sessions().await?;
            Ok(SessionChangesReply {
                client: c,
                sessions,
            })
        })
    }

    #[pyo3(signature = (session_id, item_ids, command = "PlayNow".to_owned(), *, start_position_ticks = None))]
    fn play<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        item_ids: Vec<String>,
        command: String,
        start_position_ticks: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.play(&session_id, &item_ids, &command, start_position_ticks)
                .await
                .map(Json)
        })
    }

    #[pyo3(signature = (session_id, command, *, seek_position_ticks = None))]
    fn playstate<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        command: String,
        seek_position_ticks: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.playstate(&session_id, &command, seek_position_ticks)
                .await
                .map(Json)
        })
    }

    #[pyo3(signature = (session_id, name, arguments = None))]
    fn general_command<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        name: String,
        arguments: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        let arguments = arguments.unwrap_or_default();
        spawn(py, async move {
            c.general_command(&session_id, &name, &arguments)
                .await
                .map(Json)
        })
    }

    #[pyo3(signature = (session_id, text, header = String::new(), timeout_ms = None))]
    fn send_message<'py>(
        &self,
        py: Python<'py>,
        session_id: String,
        text: String,
        header: String,
        timeout_ms: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.send_message(&session_id, &text, &header, timeout_ms)
                .await
                .map(Json)
        })
    }

    #[pyo3(signature = (item_id, *, user_id = None, max_streaming_bitrate = None, timeout = None))]
    fn get_playback_info<'py>(
        &self,
        py: Python<'py>,
        item_id: String,
        user_id: Option<String>,
        max_streaming_bitrate: Option<i64>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn_timed(py, timeout, async move {
            c.get_playback_info(&item_id, user_id.as_deref(), max_streaming_bitrate)
                .await
                .map(Json)
        })
    }

    #[pyo3(signature = (item_id, image_type = "Primary".to_owned(), *, max_width = None, tag = None, timeout = None))]
    fn get_image<'py>(
        &self,
        py: Python<'py>,
        item_id: String,
        image_type: String,
        max_width: Option<u32>,
        tag: Option<String>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn_timed(py, timeout, async move {
            c.get_image(&item_id, &image_type, tag.as_deref(), max_width)
                .await
                .map(BytesAndType)
        })
    }

    fn invalidate_all(&self) {
        self.core.invalidate_all();
    }

    fn invalidate_user(&self, user_id: &str) {
        self.core.invalidate_user(user_id);
    }

    fn invalidate_item(&self, item_id: &str) {
        self.core.invalidate_item(item_id);
    }
}
