//! Playlists, collections and a user's played/favorite marks (the core's `collections.rs`).

use pyo3::prelude::*;

use super::client::{PyEmbyClient, spawn};
use super::convert::Json;

#[pymethods]
impl PyEmbyClient {
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
        let ids = item_ids.unwrap_or_default();
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
        let c = self.core.clone();
        spawn(py, async move {
            c.add_to_playlist(&playlist_id, &item_ids, user_id.as_deref())
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
        let c = self.core.clone();
        spawn(py, async move {
            c.remove_from_playlist(&playlist_id, &entry_ids)
                .await
                .map(Json)
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
        let ids = item_ids.unwrap_or_default();
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
        let c = self.core.clone();
        spawn(py, async move {
            c.add_to_collection(&collection_id, &item_ids)
                .await
                .map(Json)
        })
    }

    fn remove_from_collection<'py>(
        &self,
        py: Python<'py>,
        collection_id: String,
        item_ids: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move {
            c.remove_from_collection(&collection_id, &item_ids)
                .await
                .map(Json)
        })
    }
}

/// A user's mark on one item (played, favorite), set or cleared: the same signature four
/// times, one method each (`user_id`, `item_id`, answering the item's user data).
macro_rules! user_item_marks {
    ($($method:ident),+ $(,)?) => {
        #[pymethods]
        impl PyEmbyClient {
            $(
                fn $method<'py>(
                    &self,
                    py: Python<'py>,
                    user_id: String,
                    item_id: String,
                ) -> PyResult<Bound<'py, PyAny>> {
                    let c = self.core.clone();
                    spawn(py, async move { c.$method(&user_id, &item_id).await.map(Json) })
                }
            )+
        }
    };
}

user_item_marks!(mark_played, mark_unplayed, add_favorite, remove_favorite);
