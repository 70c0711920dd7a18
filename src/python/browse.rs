//! The library and discovery listings (the core's `browse.rs`: browse and discovery caches).

use std::sync::Arc;

use pyo3::prelude::*;

use super::client::{PyEmbyClient, spawn};
use super::convert::{IntoPython, to_py};
use crate::browse::ItemsQuery;
use crate::models::ItemsResult;

/// The items of a cached listing, converted from the cache's own copy (no clone of them), once
/// while it lives (`super::memo`).
struct ItemsOf(Arc<ItemsResult>);

impl IntoPython for ItemsOf {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        super::memo::converted(py, &self.0, super::memo::Shape::Items, |result| {
            to_py(py, &result.items)
        })
    }
}

#[pymethods]
impl PyEmbyClient {
    fn get_views<'py>(&self, py: Python<'py>, user_id: String) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn(py, async move { c.get_views(&user_id).await.map(ItemsOf) })
    }

    #[pyo3(signature = (
        user_id, *, parent_id = None, include_item_types = None, recursive = false, fields = None,
        sort_by = None, sort_order = None, start_index = None, limit = None, genres = None,
        studios = None, years = None, filters = None, search_term = None, ids = None,
        name_starts_with = None, name_less_than = None, artist_ids = None
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
        artist_ids: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
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
            artist_ids: artist_ids.unwrap_or_default(),
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
}
