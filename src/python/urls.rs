//! Key-free relative URLs of streams and images for Home Assistant's proxy (the core's
//! `urls.rs`).

use pyo3::prelude::*;

use super::client::PyEmbyClient;
use super::errors::to_pyerr;
use crate::urls::{StreamKind, StreamOptions};

#[pymethods]
impl PyEmbyClient {
    #[pyo3(signature = (
        item_id, media_type, *, r#static = true, container = None, media_source_id = None,
        start_time_ticks = None, audio_codec = None, video_codec = None, max_bitrate = None,
        audio_stream_index = None, subtitle_stream_index = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn stream_path(
        &self,
        py: Python<'_>,
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
        let kind = StreamKind::from_media_type(media_type).map_err(|e| to_pyerr(py, e))?;
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
            .map_err(|e| to_pyerr(py, e))
    }

    #[pyo3(signature = (
        item_id, image_type = "Primary", *, tag = None, max_width = None, max_height = None,
        quality = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn image_path(
        &self,
        py: Python<'_>,
        item_id: &str,
        image_type: &str,
        tag: Option<&str>,
        max_width: Option<u32>,
        max_height: Option<u32>,
        quality: Option<u8>,
    ) -> PyResult<String> {
        self.core
            .image_path(item_id, image_type, tag, max_width, max_height, quality)
            .map_err(|e| to_pyerr(py, e))
    }
}
