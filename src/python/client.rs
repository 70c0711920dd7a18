//! `EmbyClient` for Python: a frozen handle around the Rust [`crate::EmbyClient`]; every async
//! method runs on the shared tokio runtime and hands its result back through
//! [`super::handover::spawn`] (cancelling the Python task drops the Rust future; nothing reaches
//! Python once the interpreter exits).

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::convert::{BytesAndType, IntoPython, Json, to_py};
use super::errors::to_pyerr;
use super::events::EventStream;
use super::models::Sessions;
use super::rest::{self, spawn_timed};
use crate::browse::ItemsQuery;
use crate::config::{ApiKey, ClientConfig, ServerAddress};
use crate::urls::{IMAGE_TYPES, StreamKind, StreamOptions, image_type as image_type_name};
use crate::websocket::WebSocketOptions;

/// Runs `fut` on the tokio runtime and returns the Python awaitable of its result.
pub(crate) fn spawn<'py, T, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    T: IntoPython,
    F: Future<Output = crate::Result<T>> + Send + 'static,
{
    super::handover::spawn(py, fut)
}

#[pyclass(frozen, name = "EmbyClient", module = "embymedia_core._core")]
pub struct PyEmbyClient {
    pub(crate) core: crate::EmbyClient,
}

#[pymethods]
impl PyEmbyClient {
    #[new]
    #[pyo3(signature = (
        host, port, api_key, *, ssl = false, verify_ssl = true, device_id,
        device_name = "Home Assistant".to_owned(), client_name = "Home Assistant".to_owned(),
        client_version = "0.0.0".to_owned(), timeout = 10.0
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: &str,
        port: u16,
        api_key: String,
        ssl: bool,
        verify_ssl: bool,
        device_id: String,
        device_name: String,
        client_name: String,
        client_version: String,
        timeout: f64,
    ) -> PyResult<Self> {
        if !(timeout.is_finite() && timeout > 0.0) {
            return Err(PyValueError::new_err(
                "timeout must be a positive number of seconds",
            ));
        }
        let address = ServerAddress::parse(host, port, ssl).map_err(|e| to_pyerr(py, e))?;
        let config = ClientConfig {
            address,
            api_key: ApiKey::new(api_key),
            verify_ssl,
            device_id,
            device_name,
            client_name,
            client_version,
            timeout: Duration::from_secs_f64(timeout),
        };
        // Building the HTTP client loads the system trust store (once per process): blocking
        // work, done without holding the interpreter.
        let core = py
            .detach(|| crate::EmbyClient::new(config))
            .map_err(|e| to_pyerr(py, e))?;
        log::debug!(target: "embymedia_core::client", "client for {} created", core.server_url());
        Ok(Self { core })
    }

    #[getter]
    fn server_url(&self) -> String {
        self.core.server_url().to_owned()
    }

    fn __repr__(&self) -> String {
        format!("<EmbyClient {}>", self.core.server_url())
    }

    /// This client with another timeout for every call made through it (shares everything else,
    /// `close()` included).
    fn with_timeout(&self, timeout: f64) -> PyResult<Self> {
        let timeout = rest::timeout_arg(Some(timeout))?.unwrap_or_default();
        Ok(Self {
            core: self.core.with_default_timeout(timeout),
        })
    }

    /// The timeout of calls made through this client, in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        self.core.timeout().as_secs_f64()
    }

    // System
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
        let timeout = rest::timeout_arg(timeout)?;
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

    // Users and sessions
    fn get_users<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_users().await })
    }

    fn get_sessions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_sessions().await.map(Sessions) })
    }

    // Remote control
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

    // Library (browse cache)
    fn get_views<'py>(&self, py: Python<'py>, user_id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_views(&user_id).await.map(|r| Json(r.items.clone()))
        })
    }

    #[pyo3(signature = (
        user_id, *, parent_id = None, include_item_types = None, recursive = false, fields = None,
        sort_by = None, sort_order = None, start_index = None, limit = None, genres = None,
        studios = None, years = None, filters = None, search_term = None, ids = None,
        name_starts_with = None, name_less_than = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn get_items<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        parent_id: Option<String>,
        include_item_types: Option<Vec<String>>,
        recursive: bool,
        fields: Option<Vec<String>>,
        sort_by: Option<Vec<String>>,
        sort_order: Option<String>,
        start_index: Option<u32>,
        limit: Option<u32>,
        genres: Option<Vec<String>>,
        studios: Option<Vec<String>>,
        years: Option<Vec<i32>>,
        filters: Option<Vec<String>>,
        search_term: Option<String>,
        ids: Option<Vec<String>>,
        name_starts_with: Option<String>,
        name_less_than: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if let Some(order) = sort_order.as_deref() {
            if !matches!(order, "Ascending" | "Descending") {
                return Err(PyValueError::new_err(
                    "sort_order must be \"Ascending\" or \"Descending\"",
                ));
            }
        }
        let query = ItemsQuery {
            parent_id,
            include_item_types: include_item_types.unwrap_or_default(),
            recursive,
            fields: fields.unwrap_or_default(),
            sort_by: sort_by.unwrap_or_default(),
            sort_order,
            start_index,
            limit,
            genres: genres.unwrap_or_default(),
            studios: studios.unwrap_or_default(),
            years: years.unwrap_or_default(),
            filters: filters.unwrap_or_default(),
            search_term,
            ids: ids.unwrap_or_default(),
            name_starts_with,
            name_less_than,
        };
        let c = self.core.clone();
        spawn(py, async move { c.get_items(&user_id, &query).await })
    }

    fn get_item<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        item_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_item(&user_id, &item_id).await })
    }

    fn get_seasons<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        series_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_seasons(&user_id, &series_id).await })
    }

    #[pyo3(signature = (user_id, series_id, *, season_id = None))]
    fn get_episodes<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        series_id: String,
        season_id: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_episodes(&user_id, &series_id, season_id.as_deref())
                .await
        })
    }

    #[pyo3(signature = (user_id, item_id, *, limit = 20))]
    fn get_similar<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        item_id: String,
        limit: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(
            py,
            async move { c.get_similar(&user_id, &item_id, limit).await },
        )
    }

    #[pyo3(signature = (user_id, item_id, *, limit = 50))]
    fn get_instant_mix<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        item_id: String,
        limit: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_instant_mix(&user_id, &item_id, limit).await
        })
    }

    fn get_virtual_folders<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_virtual_folders().await })
    }

    #[pyo3(signature = (user_id = None, *, is_favorite = None))]
    fn get_item_counts<'py>(
        &self,
        py: Python<'py>,
        user_id: Option<String>,
        is_favorite: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_item_counts(user_id.as_deref(), is_favorite).await
        })
    }

    // Discovery (per-user cache)
    #[pyo3(signature = (user_id, *, limit = 20, parent_id = None))]
    fn get_latest<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        limit: u32,
        parent_id: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_latest(&user_id, limit, parent_id.as_deref()).await
        })
    }

    #[pyo3(signature = (user_id, *, limit = 20))]
    fn get_resume<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        limit: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_resume(&user_id, limit).await })
    }

    #[pyo3(signature = (user_id, *, limit = 20))]
    fn get_next_up<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        limit: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_next_up(&user_id, limit).await })
    }

    #[pyo3(signature = (user_id, *, limit = 20))]
    fn get_suggestions<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        limit: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_suggestions(&user_id, limit).await })
    }

    // Images (bytes for Home Assistant's authenticated image proxy; no URL with the key)
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

    // Metadata (browse cache, per user)
    #[pyo3(signature = (
        user_id, *, parent_id = None, include_item_types = None, start_index = None,
        limit = None, search_term = None, sort_order = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn get_genres<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        parent_id: Option<String>,
        include_item_types: Option<Vec<String>>,
        start_index: Option<u32>,
        limit: Option<u32>,
        search_term: Option<String>,
        sort_order: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let q = rest::names_query(
            parent_id,
            include_item_types,
            start_index,
            limit,
            search_term,
            sort_order,
        )?;
        let c = self.core.clone();
        spawn(py, async move { c.get_genres(&user_id, &q).await })
    }

    #[pyo3(signature = (
        user_id, *, parent_id = None, include_item_types = None, start_index = None,
        limit = None, search_term = None, sort_order = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn get_music_genres<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        parent_id: Option<String>,
        include_item_types: Option<Vec<String>>,
        start_index: Option<u32>,
        limit: Option<u32>,
        search_term: Option<String>,
        sort_order: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let q = rest::names_query(
            parent_id,
            include_item_types,
            start_index,
            limit,
            search_term,
            sort_order,
        )?;
        let c = self.core.clone();
        spawn(py, async move { c.get_music_genres(&user_id, &q).await })
    }

    #[pyo3(signature = (
        user_id, *, parent_id = None, include_item_types = None, start_index = None,
        limit = None, search_term = None, sort_order = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn get_studios<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        parent_id: Option<String>,
        include_item_types: Option<Vec<String>>,
        start_index: Option<u32>,
        limit: Option<u32>,
        search_term: Option<String>,
        sort_order: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let q = rest::names_query(
            parent_id,
            include_item_types,
            start_index,
            limit,
            search_term,
            sort_order,
        )?;
        let c = self.core.clone();
        spawn(py, async move { c.get_studios(&user_id, &q).await })
    }

    #[pyo3(signature = (
        user_id, *, parent_id = None, include_item_types = None, start_index = None,
        limit = None, search_term = None, sort_order = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn get_artists<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        parent_id: Option<String>,
        include_item_types: Option<Vec<String>>,
        start_index: Option<u32>,
        limit: Option<u32>,
        search_term: Option<String>,
        sort_order: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let q = rest::names_query(
            parent_id,
            include_item_types,
            start_index,
            limit,
            search_term,
            sort_order,
        )?;
        let c = self.core.clone();
        spawn(py, async move { c.get_artists(&user_id, &q).await })
    }

    #[pyo3(signature = (
        user_id, *, parent_id = None, include_item_types = None, person_types = None,
        start_index = None, limit = None, search_term = None, sort_order = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn get_persons<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        parent_id: Option<String>,
        include_item_types: Option<Vec<String>>,
        person_types: Option<Vec<String>>,
        start_index: Option<u32>,
        limit: Option<u32>,
        search_term: Option<String>,
        sort_order: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let q = rest::names_query(
            parent_id,
            include_item_types,
            start_index,
            limit,
            search_term,
            sort_order,
        )?;
        let person_types = rest::list_arg("person_types", person_types.unwrap_or_default())?;
        let c = self.core.clone();
        spawn(py, async move {
            c.get_persons(&user_id, &q, &person_types).await
        })
    }

    #[pyo3(signature = (
        user_id, *, parent_id = None, include_item_types = None, start_index = None,
        limit = None, sort_order = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn get_years<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        parent_id: Option<String>,
        include_item_types: Option<Vec<String>>,
        start_index: Option<u32>,
        limit: Option<u32>,
        sort_order: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let q = rest::names_query(
            parent_id,
            include_item_types,
            start_index,
            limit,
            None,
            sort_order,
        )?;
        let c = self.core.clone();
        spawn(py, async move { c.get_years(&user_id, &q).await })
    }

    // Playlists and collections (listings in the browse cache; changes invalidate at once)
    #[pyo3(signature = (user_id, *, start_index = None, limit = None))]
    fn get_playlists<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_playlists(&user_id, start_index, limit).await
        })
    }

    #[pyo3(signature = (user_id, playlist_id, *, start_index = None, limit = None))]
    fn get_playlist_items<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        playlist_id: String,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_playlist_items(&user_id, &playlist_id, start_index, limit)
                .await
        })
    }

    #[pyo3(signature = (name, item_ids = None, *, media_type = None))]
    fn create_playlist<'py>(
        &self,
        py: Python<'py>,
        name: String,
        item_ids: Option<Vec<String>>,
        media_type: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = rest::name_arg(name)?;
        let ids = rest::list_arg("item_ids", item_ids.unwrap_or_default())?;
        let c = self.core.clone();
        spawn(py, async move {
            c.create_playlist(&name, &ids, media_type.as_deref())
                .await
                .map(Json)
        })
    }

    #[pyo3(signature = (playlist_id, item_ids, *, user_id = None))]
    fn add_to_playlist<'py>(
        &self,
        py: Python<'py>,
        playlist_id: String,
        item_ids: Vec<String>,
        user_id: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ids = rest::ids_arg("item_ids", item_ids)?;
        let c = self.core.clone();
        spawn(py, async move {
            c.add_to_playlist(&playlist_id, &ids, user_id.as_deref())
                .await
                .map(Json)
        })
    }

    fn remove_from_playlist<'py>(
        &self,
        py: Python<'py>,
        playlist_id: String,
        entry_ids: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ids = rest::ids_arg("entry_ids", entry_ids)?;
        let c = self.core.clone();
        spawn(py, async move {
            c.remove_from_playlist(&playlist_id, &ids).await.map(Json)
        })
    }

    #[pyo3(signature = (user_id, *, start_index = None, limit = None))]
    fn get_collections<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_collections(&user_id, start_index, limit).await
        })
    }

    #[pyo3(signature = (name, item_ids = None, *, parent_id = None))]
    fn create_collection<'py>(
        &self,
        py: Python<'py>,
        name: String,
        item_ids: Option<Vec<String>>,
        parent_id: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = rest::name_arg(name)?;
        let ids = rest::list_arg("item_ids", item_ids.unwrap_or_default())?;
        let c = self.core.clone();
        spawn(py, async move {
            c.create_collection(&name, &ids, parent_id.as_deref())
                .await
                .map(Json)
        })
    }

    fn add_to_collection<'py>(
        &self,
        py: Python<'py>,
        collection_id: String,
        item_ids: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ids = rest::ids_arg("item_ids", item_ids)?;
        let c = self.core.clone();
        spawn(py, async move {
            c.add_to_collection(&collection_id, &ids).await.map(Json)
        })
    }

    fn remove_from_collection<'py>(
        &self,
        py: Python<'py>,
        collection_id: String,
        item_ids: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ids = rest::ids_arg("item_ids", item_ids)?;
        let c = self.core.clone();
        spawn(py, async move {
            c.remove_from_collection(&collection_id, &ids)
                .await
                .map(Json)
        })
    }

    // User data (the user's and the item's cache entries are dropped at once)
    fn mark_played<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        item_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.mark_played(&user_id, &item_id).await.map(Json)
        })
    }

    fn mark_unplayed<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        item_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.mark_unplayed(&user_id, &item_id).await.map(Json)
        })
    }

    fn add_favorite<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        item_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.add_favorite(&user_id, &item_id).await.map(Json)
        })
    }

    fn remove_favorite<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        item_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.remove_favorite(&user_id, &item_id).await.map(Json)
        })
    }

    // Live TV
    fn get_live_tv_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_live_tv_info().await })
    }

    #[pyo3(signature = (user_id, *, is_favorite = None, start_index = None, limit = None))]
    fn get_channels<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        is_favorite: Option<bool>,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_channels(&user_id, is_favorite, start_index, limit)
                .await
        })
    }

    #[pyo3(signature = (*, user_id = None, is_in_progress = None, start_index = None, limit = None))]
    fn get_recordings<'py>(
        &self,
        py: Python<'py>,
        user_id: Option<String>,
        is_in_progress: Option<bool>,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_recordings(user_id.as_deref(), is_in_progress, start_index, limit)
                .await
        })
    }

    #[pyo3(signature = (*, channel_id = None, series_timer_id = None))]
    fn get_timers<'py>(
        &self,
        py: Python<'py>,
        channel_id: Option<String>,
        series_timer_id: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_timers(channel_id.as_deref(), series_timer_id.as_deref())
                .await
        })
    }

    fn get_series_timers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_series_timers().await })
    }

    fn create_timer<'py>(
        &self,
        py: Python<'py>,
        program_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(
            py,
            async move { c.create_timer(&program_id).await.map(Json) },
        )
    }

    fn create_series_timer<'py>(
        &self,
        py: Python<'py>,
        program_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.create_series_timer(&program_id).await.map(Json)
        })
    }

    fn cancel_timer<'py>(&self, py: Python<'py>, timer_id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.cancel_timer(&timer_id).await.map(Json) })
    }

    fn cancel_series_timer<'py>(
        &self,
        py: Python<'py>,
        series_timer_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.cancel_series_timer(&series_timer_id).await.map(Json)
        })
    }

    // Playback: media sources, and key-free relative URLs for Home Assistant's proxy
    #[pyo3(signature = (item_id, *, user_id = None, max_streaming_bitrate = None, timeout = None))]
    fn get_playback_info<'py>(
        &self,
        py: Python<'py>,
        item_id: String,
        user_id: Option<String>,
        max_streaming_bitrate: Option<i64>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if max_streaming_bitrate.is_some_and(|b| b <= 0) {
            return Err(PyValueError::new_err(
                "max_streaming_bitrate must be a positive number of bits per second",
            ));
        }
        let c = self.core.clone();
        spawn_timed(py, timeout, async move {
            c.get_playback_info(&item_id, user_id.as_deref(), max_streaming_bitrate)
                .await
                .map(Json)
        })
    }

    #[pyo3(signature = (
        item_id, media_type, *, r#static = true, container = None, media_source_id = None,
        start_time_ticks = None, audio_codec = None, video_codec = None, max_bitrate = None,
        audio_stream_index = None, subtitle_stream_index = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn stream_path(
        &self,
        item_id: &str,
        media_type: &str,
        r#static: bool,
        container: Option<String>,
        media_source_id: Option<String>,
        start_time_ticks: Option<i64>,
        audio_codec: Option<String>,
        video_codec: Option<String>,
        max_bitrate: Option<u64>,
        audio_stream_index: Option<i32>,
        subtitle_stream_index: Option<i32>,
    ) -> PyResult<String> {
        let kind = StreamKind::from_media_type(media_type).ok_or_else(|| {
            PyValueError::new_err(format!(
                "media_type must be \"Video\" or \"Audio\", not {media_type:?}"
            ))
        })?;
        if start_time_ticks.is_some_and(|t| t < 0) {
            return Err(PyValueError::new_err(
                "start_time_ticks must not be negative",
            ));
        }
        let options = StreamOptions {
            r#static,
            container,
            media_source_id,
            start_time_ticks,
            audio_codec,
            video_codec,
            max_bitrate,
            audio_stream_index,
            subtitle_stream_index,
        };
        self.core
            .stream_path(item_id, kind, &options)
            .ok_or_else(|| rest::bad_id("item_id", item_id))
    }

    #[pyo3(signature = (
        item_id, image_type = "Primary", *, tag = None, max_width = None, max_height = None,
        quality = None
    ))]
    fn image_path(
        &self,
        item_id: &str,
        image_type: &str,
        tag: Option<&str>,
        max_width: Option<u32>,
        max_height: Option<u32>,
        quality: Option<u8>,
    ) -> PyResult<String> {
        let canonical = image_type_name(image_type).ok_or_else(|| {
            PyValueError::new_err(format!(
                "image_type must be one of {}, not {image_type:?}",
                IMAGE_TYPES.join(", ")
            ))
        })?;
        if quality.is_some_and(|q| q > 100) {
            return Err(PyValueError::new_err("quality must be 0 to 100"));
        }
        self.core
            .image_path(item_id, canonical, tag, max_width, max_height, quality)
            .ok_or_else(|| rest::bad_id("item_id", item_id))
    }

    // Server administration
    #[pyo3(signature = (*, start_index = None, limit = None, min_date = None))]
    fn get_activity_log<'py>(
        &self,
        py: Python<'py>,
        start_index: Option<u32>,
        limit: Option<u32>,
        min_date: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.get_activity_log(start_index, limit, min_date.as_deref())
                .await
        })
    }

    fn get_devices<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_devices().await.map(Json) })
    }

    fn get_plugins<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_plugins().await })
    }

    #[pyo3(signature = (item_id, *, recursive = true))]
    fn refresh_item<'py>(
        &self,
        py: Python<'py>,
        item_id: String,
        recursive: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.refresh_item(&item_id, recursive).await.map(Json)
        })
    }

    // Server administration
    fn get_scheduled_tasks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_scheduled_tasks().await })
    }

    fn run_scheduled_task<'py>(
        &self,
        py: Python<'py>,
        task_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(
            py,
            async move { c.run_scheduled_task(&task_id).await.map(Json) },
        )
    }

    fn refresh_library<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.refresh_library().await.map(Json) })
    }

    // WebSocket
    #[pyo3(signature = (
        *, sessions_interval_ms = 1500, ping_interval_s = 30.0, read_timeout_s = 75.0,
        backoff_base_s = 1.0, backoff_max_s = 300.0, stable_after_s = 60.0,
        scheduled_tasks_interval_ms = None, queue_capacity = 1024
    ))]
    #[allow(clippy::too_many_arguments)]
    fn events(
        &self,
        py: Python<'_>,
        sessions_interval_ms: u32,
        ping_interval_s: f64,
        read_timeout_s: f64,
        backoff_base_s: f64,
        backoff_max_s: f64,
        stable_after_s: f64,
        scheduled_tasks_interval_ms: Option<u32>,
        queue_capacity: usize,
    ) -> PyResult<EventStream> {
        if !(500..=10_000).contains(&sessions_interval_ms) {
            return Err(PyValueError::new_err(
                "sessions_interval_ms must be between 500 and 10000",
            ));
        }
        if scheduled_tasks_interval_ms.is_some_and(|ms| !(500..=600_000).contains(&ms)) {
            return Err(PyValueError::new_err(
                "scheduled_tasks_interval_ms must be between 500 and 600000",
            ));
        }
        if !(16..=100_000).contains(&queue_capacity) {
            return Err(PyValueError::new_err(
                "queue_capacity must be between 16 and 100000",
            ));
        }
        let seconds = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v <= 86_400.0 {
                Ok(Duration::from_secs_f64(v))
            } else {
                Err(PyValueError::new_err(format!(
                    "{name} must be a positive number of seconds"
                )))
            }
        };
        let options = WebSocketOptions {
            sessions_interval_ms,
            ping_interval: seconds("ping_interval_s", ping_interval_s)?,
            read_timeout: seconds("read_timeout_s", read_timeout_s)?,
            backoff_base: seconds("backoff_base_s", backoff_base_s)?,
            backoff_max: seconds("backoff_max_s", backoff_max_s)?,
            stable_after: seconds("stable_after_s", stable_after_s)?,
            scheduled_tasks_interval_ms,
            queue_capacity,
            ..WebSocketOptions::default()
        };
        let queue = self
            .core
            .start_websocket(options, pyo3_async_runtimes::tokio::get_runtime().handle())
            .map_err(|e| to_pyerr(py, e))?;
        Ok(EventStream { queue })
    }

    // Cache control
    fn invalidate_all(&self) {
        self.core.invalidate_all();
    }

    fn invalidate_user(&self, user_id: &str) {
        self.core.invalidate_user(user_id);
    }

    fn invalidate_item(&self, item_id: &str) {
        self.core.invalidate_item(item_id);
    }

    // Metrics
    fn record_coordinator_update(&self, name: &str, duration_s: f64, success: bool) {
        let d = if duration_s.is_finite() && duration_s > 0.0 {
            Duration::from_secs_f64(duration_s)
        } else {
            Duration::ZERO
        };
        self.core
            .metrics()
            .record_coordinator_update(name, d, success);
    }

    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.core.metrics_snapshot())
    }

    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if super::handover::exiting() {
            // After the atexit hook: no completion may come from tokio any more; stopping is
            // all that is left to do (the hook already waited for the tasks of live clients).
            self.core.lifecycle().cancel();
            return super::handover::ready_future(py, Ok(py.None().into_bound(py)));
        }
        let c = self.core.clone();
        spawn(py, async move {
            c.close().await;
            Ok(Json(()))
        })
    }
}
