//! Live TV: channels, recordings and timers (the core's `livetv.rs`).

use pyo3::prelude::*;

use super::client::{PyEmbyClient, spawn};
use super::convert::Json;

#[pymethods]
impl PyEmbyClient {
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
}
