//! Playback for Home Assistant's media source (see [`crate::playback`]): conversion only.

use pyo3::prelude::*;

use super::client::{PyEmbyClient, spawn_timed};
use super::convert::Json;
use super::errors::to_pyerr;
use crate::playback::PlaybackProfile;
use crate::urls::StreamKind;

#[pymethods]
impl PyEmbyClient {
    #[pyo3(signature = (
        item_id, media_type, *, user_id = None, max_streaming_bitrate = None,
        video_containers = None, audio_containers = None, timeout = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn get_playback<'py>(
        &self,
        py: Python<'py>,
        item_id: String,
        media_type: &str,
        user_id: Option<String>,
        max_streaming_bitrate: Option<u64>,
        video_containers: Option<Vec<String>>,
        audio_containers: Option<Vec<String>>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kind = StreamKind::from_media_type(media_type).map_err(|e| to_pyerr(py, e))?;
        let profile =
            PlaybackProfile::new(max_streaming_bitrate, video_containers, audio_containers)
                .map_err(|e| to_pyerr(py, e))?;
        let c = self.core.clone();
        spawn_timed(py, timeout, async move {
            c.get_playback(&item_id, user_id.as_deref(), kind, &profile)
                .await
                .map(Json)
        })
    }

    fn user_media_token<'py>(
        &self,
        py: Python<'py>,
        user_id: String,
        user_name: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core.clone();
        spawn_timed(py, None, async move {
            c.user_media_token(&user_id, &user_name).await.map(Json)
        })
    }

    #[pyo3(signature = (path, *, user_id = None))]
    fn player_url(&self, py: Python<'_>, path: &str, user_id: Option<&str>) -> PyResult<String> {
        self.core
            .player_url(path, user_id)
            .map_err(|e| to_pyerr(py, e))
    }
}
