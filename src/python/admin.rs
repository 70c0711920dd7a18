//! Server administration: activity log, devices, plugins, scheduled tasks, library refreshes
//! (the core's `admin.rs`).

use pyo3::prelude::*;

use super::client::{PyEmbyClient, spawn};
use super::convert::Json;

#[pymethods]
impl PyEmbyClient {
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
}
