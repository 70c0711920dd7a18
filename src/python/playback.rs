//! Playback for Home Assistant's media source (see [`crate::playback`]): conversion only.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::client::PyEmbyClient;
use super::convert::Json;
use super::rest::spawn_timed;
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
        let kind = StreamKind::from_media_type(media_type).ok_or_else(|| {
            PyValueError::new_err(format!(
                "media_type must be \"Video\" or \"Audio\", not {media_type:?}"
            ))
        })?;
        let profile =
            PlaybackProfile::new(max_streaming_bitrate, video_containers, audio_containers)
                .map_err(PyValueError::new_err)?;
        let c = self.core.clone();
        spawn_timed(py, timeout, async move {
            c.get_playback(&item_id, user_id.as_deref(), kind, &profile)
                .await
                .map(Json)
        })
    }

    fn player_url(&self, path: &str) -> PyResult<String> {
        if !path.starts_with('/') {
            return Err(PyValueError::new_err(
                "path must be relative to the server URL",
            ));
        }
        Ok(self.core.player_url(path))
    }
}
