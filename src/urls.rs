//! Server-relative URLs for Home Assistant's authenticated proxy: media streams and images.
//!
//! They hold no credentials (Home Assistant's proxy adds its own authentication and fetches them
//! from Emby with the key in a header), and they are relative to [`EmbyClient::server_url`], base
//! path included (`/Videos/7/stream?Static=true&DeviceId=..` of `http://emby:8096/emby`).

use crate::arguments::{invalid, not_an_id};
use crate::client::{Call, EmbyClient, is_path_segment};
use crate::endpoint::Endpoint;
use crate::error::Result;

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
pub fn image_type(name: &str) -> Result<&'static str> {
    IMAGE_TYPES
        .iter()
        .copied()
        .find(|t| t.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            invalid(format!(
                "image_type must be one of {}, not {name:?}",
                IMAGE_TYPES.join(", ")
            ))
        })
}

/// The longest image tag taken (Emby's are 32 hex digits).
const MAX_TAG_LEN: usize = 128;

/// An image tag: Emby's are hex digests; anything else (quotes, line breaks, megabytes) would
/// end up in an ETag header or a URL for nothing.
pub(crate) fn image_tag(tag: &str) -> Result<&str> {
    if !tag.is_empty()
        && tag.len() <= MAX_TAG_LEN
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Ok(tag)
    } else {
        Err(invalid(
            "tag must be 1 to 128 letters, digits, '-', '_' or '.'",
        ))
    }
}

/// Which stream route an item plays through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    Video,
    Audio,
}

impl StreamKind {
    /// From an item's `MediaType` (`Video`, `Audio`; case-insensitive).
    pub fn from_media_type(media_type: &str) -> Result<Self> {
        if media_type.eq_ignore_ascii_case("video") {
            Ok(Self::Video)
        } else if media_type.eq_ignore_ascii_case("audio") {
            Ok(Self::Audio)
        } else {
            Err(invalid(format!(
                "media_type must be \"Video\" or \"Audio\", not {media_type:?}"
            )))
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
    /// `/Videos/{Id}/stream?..` or `/Audio/{Id}/stream?..`, relative to the server URL.
    /// `InvalidArgument` for an id that cannot be a path segment (empty, `.`, `..`) or a
    /// negative start.
    pub fn stream_path(
        &self,
        item_id: &str,
        kind: StreamKind,
        options: &StreamOptions,
    ) -> Result<String> {
        if !is_path_segment(item_id) {
            return Err(not_an_id("item_id", item_id));
        }
        if options.start_time_ticks.is_some_and(|t| t < 0) {
            return Err(invalid("start_time_ticks must not be negative"));
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
        Ok(call.relative_url())
    }

    /// `/Items/{Id}/Images/{Type}?..`, relative to the server URL. `image_type` is one of
    /// [`IMAGE_TYPES`] in any case (see [`image_type`]). With the item's image `tag`, Emby
    /// answers with long-lived cache headers (the URL changes when the image does).
    /// `InvalidArgument` for another image type, a quality above 100, an id that cannot be a
    /// path segment or a tag that is not one (see `image_tag`).
    pub fn image_path(
        &self,
        item_id: &str,
        image_type: &str,
        tag: Option<&str>,
        max_width: Option<u32>,
        max_height: Option<u32>,
        quality: Option<u8>,
    ) -> Result<String> {
        let image_type = self::image_type(image_type)?;
        let tag = tag.map(image_tag).transpose()?;
        if quality.is_some_and(|q| q > 100) {
            return Err(invalid("quality must be 0 to 100"));
        }
        if !is_path_segment(item_id) {
            return Err(not_an_id("item_id", item_id));
        }
        let call = Call::new(Endpoint::ItemImage)
            .path("Id", item_id)
            .path("Type", image_type)
            .query_opt("Tag", tag)
            .query_opt("MaxWidth", max_width)
            .query_opt("MaxHeight", max_height)
            .query_opt("Quality", quality);
        Ok(call.relative_url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ApiKey, ClientConfig, ServerAddress};
    use crate::error::Error;

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
            let e = c.stream_path(bad, StreamKind::Video, &StreamOptions::default());
            assert!(
                matches!(&e, Err(Error::InvalidArgument(m)) if m.contains("not an Emby id")),
                "{e:?}"
            );
        }
        let negative = StreamOptions {
            start_time_ticks: Some(-1),
            ..StreamOptions::default()
        };
        assert!(matches!(
            c.stream_path("7", StreamKind::Audio, &negative),
            Err(Error::InvalidArgument(m)) if m.contains("start_time_ticks")
        ));
        assert_eq!(
            StreamKind::from_media_type("AUDIO").ok(),
            Some(StreamKind::Audio)
        );
        assert!(matches!(
            StreamKind::from_media_type("Photo"),
            Err(Error::InvalidArgument(m)) if m.contains("media_type")
        ));
        for url in [direct, transcode] {
            assert!(!url.contains("SECRETKEY") && !url.to_ascii_lowercase().contains("api_key"));
        }
    }

    #[test]
    fn image_paths() {
        let c = client();
        assert_eq!(
            c.image_path("7", "primary", Some("t1"), Some(300), None, Some(90))
                .ok()
                .as_deref(),
            Some("/Items/7/Images/Primary?Tag=t1&MaxWidth=300&Quality=90"),
            "the image type is spelled the way Emby does"
        );
        let refused = |r: Result<String>, what: &str| {
            assert!(
                matches!(&r, Err(Error::InvalidArgument(m)) if m.contains(what)),
                "{what}: {r:?}"
            );
        };
        refused(
            c.image_path("..", "Thumb", None, None, None, None),
            "not an Emby id",
        );
        refused(
            c.image_path("7", "Poster", None, None, None, None),
            "image_type",
        );
        refused(
            c.image_path("7", "..", None, None, None, None),
            "image_type",
        );
        refused(
            c.image_path("7", "Thumb", None, None, None, Some(101)),
            "quality",
        );
        for tag in [
            "",
            "a\r\nSet-Cookie: x",
            "\"q\"",
            &"t".repeat(129),
            "t\u{e9}",
        ] {
            refused(
                c.image_path("7", "Thumb", Some(tag), None, None, None),
                "tag",
            );
        }
        assert_eq!(
            c.image_path("../x", "Thumb", None, None, None, None)
                .ok()
                .as_deref(),
            Some("/Items/..%2Fx/Images/Thumb"),
            "ids cannot leave their path segment"
        );
        assert_eq!(image_type("backdrop").ok(), Some("Backdrop"));
        assert!(image_type("Poster").is_err());
    }
}
