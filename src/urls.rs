//! Server-relative URLs for Home Assistant's authenticated proxy: media streams and images.
//!
//! They hold no credentials (Home Assistant's proxy adds its own authentication and fetches them
//! from Emby with the key in a header), and they are relative to [`EmbyClient::server_url`], base
//! path included (`/Videos/7/stream?Static=true&DeviceId=..` of `http://emby:8096/emby`).

use crate::client::{Call, EmbyClient, is_path_segment};
use crate::endpoint::Endpoint;

/// Emby's `ImageType` values.
pub const IMAGE_TYPES: [&str; 15] = [
    "Primary",
    "Art",
    "Backdrop",
    "Banner",
    "Logo",
    "Thumb",
    "Disc",
    "Box",
    "Screenshot",
    "Menu",
    "Chapter",
    "BoxRear",
    "Thumbnail",
    "LogoLight",
    "LogoLightColor",
];

/// The canonical spelling of an image type (Emby matches them case-insensitively).
pub fn image_type(name: &str) -> Option<&'static str> {
    IMAGE_TYPES
        .iter()
        .copied()
        .find(|t| t.eq_ignore_ascii_case(name))
}

/// Which stream route an item plays through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    Video,
    Audio,
}

impl StreamKind {
    /// From an item's `MediaType` (`Video`, `Audio`; case-insensitive).
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        if media_type.eq_ignore_ascii_case("video") {
            Some(Self::Video)
        } else if media_type.eq_ignore_ascii_case("audio") {
            Some(Self::Audio)
        } else {
            None
        }
    }

    fn endpoint(self) -> Endpoint {
        match self {
            Self::Video => Endpoint::VideoStream,
            Self::Audio => Endpoint::AudioStream,
        }
    }
}

/// How a stream is served: `Static` sends the file as it is (direct stream); otherwise Emby
/// transcodes to the container and codecs given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamOptions {
    pub r#static: bool,
    pub container: Option<String>,
    /// The version of a multi-version item (`MediaSource.id` of its playback info).
    pub media_source_id: Option<String>,
    pub start_time_ticks: Option<i64>,
    pub audio_codec: Option<String>,
    pub video_codec: Option<String>,
    /// Bits per second: the video bitrate of a video transcode, the audio bitrate of an audio one.
    pub max_bitrate: Option<u64>,
    pub audio_stream_index: Option<i32>,
    pub subtitle_stream_index: Option<i32>,
}

impl EmbyClient {
    /// `/Videos/{Id}/stream?..` or `/Audio/{Id}/stream?..`, relative to the server URL; `None`
    /// for an id that cannot be a path segment (empty, `.`, `..`).
    pub fn stream_path(
        &self,
        item_id: &str,
        kind: StreamKind,
        options: &StreamOptions,
    ) -> Option<String> {
        if !is_path_segment(item_id) {
            return None;
        }
        let bitrate = match kind {
            StreamKind::Video => "VideoBitRate",
            StreamKind::Audio => "AudioBitRate",
        };
        let mut call = Call::new(kind.endpoint()).path("Id", item_id);
        if options.r#static {
            call = call.query("Static", "true");
        }
        let call = call
            .query_opt("Container", options.container.as_deref())
            .query_opt("MediaSourceId", options.media_source_id.as_deref())
            .query_opt("StartTimeTicks", options.start_time_ticks)
            .query_opt("AudioCodec", options.audio_codec.as_deref())
            .query_opt(
                "VideoCodec",
                options
                    .video_codec
                    .as_deref()
                    .filter(|_| kind == StreamKind::Video),
            )
            .query_opt(bitrate, options.max_bitrate)
            .query_opt("AudioStreamIndex", options.audio_stream_index)
            .query_opt(
                "SubtitleStreamIndex",
                options
                    .subtitle_stream_index
                    .filter(|_| kind == StreamKind::Video),
            )
            // Emby keys transcoding jobs by device: ours, not a secret.
            .query("DeviceId", &self.config().device_id);
        Some(call.relative_url())
    }

    /// `/Items/{Id}/Images/{Type}?..`, relative to the server URL. `image_type` must be one of
    /// [`IMAGE_TYPES`] (see [`image_type`]). With the item's image `tag`, Emby answers with
    /// long-lived cache headers (the URL changes when the image does). `None` for an id that
    /// cannot be a path segment.
    pub fn image_path(
        &self,
        item_id: &str,
        image_type: &str,
        tag: Option<&str>,
        max_width: Option<u32>,
        max_height: Option<u32>,
        quality: Option<u8>,
    ) -> Option<String> {
        if !is_path_segment(item_id) || !is_path_segment(image_type) {
            return None;
        }
        let call = Call::new(Endpoint::ItemImage)
            .path("Id", item_id)
            .path("Type", image_type)
            .query_opt("Tag", tag)
            .query_opt("MaxWidth", max_width)
            .query_opt("MaxHeight", max_height)
            .query_opt("Quality", quality);
        Some(call.relative_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ApiKey, ClientConfig, ServerAddress};

    fn client() -> EmbyClient {
        EmbyClient::new(ClientConfig {
            address: ServerAddress::parse("http://emby.local:8096/emby", 8096, false)
                .expect("address"),
            api_key: ApiKey::new("SECRETKEY".to_owned()),
            verify_ssl: true,
            device_id: "dev 1".to_owned(),
            device_name: "HA".to_owned(),
            client_name: "HA".to_owned(),
            client_version: "1".to_owned(),
            timeout: std::time::Duration::from_secs(10),
        })
        .expect("client")
    }

    #[test]
    fn stream_paths_are_relative_encoded_and_key_free() {
        let c = client();
        let direct = c
            .stream_path(
                "7",
                StreamKind::Video,
                &StreamOptions {
                    r#static: true,
                    media_source_id: Some("ms/1".into()),
                    ..StreamOptions::default()
                },
            )
            .expect("valid id");
        assert_eq!(
            direct,
            "/Videos/7/stream?Static=true&MediaSourceId=ms%2F1&DeviceId=dev+1"
        );
        let transcode = c
            .stream_path(
                "a b",
                StreamKind::Audio,
                &StreamOptions {
                    container: Some("mp3".into()),
                    audio_codec: Some("mp3".into()),
                    video_codec: Some("h264".into()),
                    max_bitrate: Some(192_000),
                    subtitle_stream_index: Some(2),
                    ..StreamOptions::default()
                },
            )
            .expect("valid id");
        assert_eq!(
            transcode,
            "/Audio/a%20b/stream?Container=mp3&AudioCodec=mp3&AudioBitRate=192000&DeviceId=dev+1",
            "video-only options are left out of audio streams"
        );
        for bad in ["", ".", ".."] {
            assert_eq!(
                c.stream_path(bad, StreamKind::Video, &StreamOptions::default()),
                None
            );
        }
        for url in [direct, transcode] {
            assert!(!url.contains("SECRETKEY") && !url.to_ascii_lowercase().contains("api_key"));
        }
    }

    #[test]
    fn image_paths() {
        let c = client();
        assert_eq!(
            c.image_path("7", "Primary", Some("t1"), Some(300), None, Some(90))
                .as_deref(),
            Some("/Items/7/Images/Primary?Tag=t1&MaxWidth=300&Quality=90")
        );
        assert_eq!(c.image_path("..", "Thumb", None, None, None, None), None);
        assert_eq!(
            c.image_path("../x", "Thumb", None, None, None, None)
                .as_deref(),
            Some("/Items/..%2Fx/Images/Thumb"),
            "ids cannot leave their path segment"
        );
        assert_eq!(image_type("backdrop"), Some("Backdrop"));
        assert_eq!(image_type("Poster"), None);
    }
}
