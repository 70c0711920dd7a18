//! Playback for Home Assistant's media source: Emby's PlaybackInfo asked with a device profile,
//! the play method chosen (direct play, then direct stream, then HLS transcode), music through
//! Emby's universal audio route, the MIME type of what will be sent, and the URL a player device
//! fetches.
//!
//! Every path here is relative to the server URL and holds no credentials; only
//! [`EmbyClient::player_url`] adds a token, for a player device that cannot send headers.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::{Call, EmbyClient, is_path_segment};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::models::MediaSource;
use crate::urls::{StreamKind, StreamOptions};

/// Containers most network players (Chromecast, Sonos, browsers) play as they are.
pub const DEFAULT_VIDEO_CONTAINERS: [&str; 3] = ["mp4", "m4v", "webm"];
pub const DEFAULT_AUDIO_CONTAINERS: [&str; 7] = ["mp3", "aac", "m4a", "flac", "ogg", "opus", "wav"];
/// What a direct stream remuxes into, and the codecs kept (Emby copies streams that match).
const REMUX_VIDEO_CODEC: &str = "h264";
const REMUX_AUDIO_CODEC: &str = "aac";
/// What the universal audio route transcodes to when the file cannot be sent as it is.
const AUDIO_TRANSCODE_CONTAINER: &str = "mp3";

/// `AuthenticationResult` of a sign-in: the token and whose it is.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct AuthenticationResult {
    access_token: String,
    user: SignedInUser,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct SignedInUser {
    id: String,
}

/// What the player can take: the maximum bitrate and the containers it plays as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybackProfile {
    /// Bits per second; `None` leaves the server's limit.
    pub max_streaming_bitrate: Option<u64>,
    pub video_containers: Vec<String>,
    pub audio_containers: Vec<String>,
}

impl Default for PlaybackProfile {
    fn default() -> Self {
        Self {
            max_streaming_bitrate: None,
            video_containers: DEFAULT_VIDEO_CONTAINERS.map(str::to_owned).to_vec(),
            audio_containers: DEFAULT_AUDIO_CONTAINERS.map(str::to_owned).to_vec(),
        }
    }
}

impl PlaybackProfile {
    /// A checked profile: a positive bitrate, containers that are plain names (`mp4`, not
    /// `mp4,mkv` or empty). `None` lists take the defaults.
    pub fn new(
        max_streaming_bitrate: Option<u64>,
        video_containers: Option<Vec<String>>,
        audio_containers: Option<Vec<String>>,
    ) -> Result<Self> {
        if max_streaming_bitrate == Some(0) {
            return Err(crate::arguments::invalid(
                "max_streaming_bitrate must be a positive number of bits per second",
            ));
        }
        let defaults = Self::default();
        let check = |name: &str, list: Option<Vec<String>>, default: Vec<String>| {
            let list = list.unwrap_or(default);
            if list.is_empty() {
                return Err(crate::arguments::invalid(format!(
                    "{name} must name at least one container"
                )));
            }
            match list
                .iter()
                .find(|c| c.is_empty() || !c.chars().all(|ch| ch.is_ascii_alphanumeric()))
            {
                Some(bad) => Err(crate::arguments::invalid(format!(
                    "{name}: {bad:?} is not a container name"
                ))),
                None => Ok(list.iter().map(|c| c.to_ascii_lowercase()).collect()),
            }
        };
        Ok(Self {
            max_streaming_bitrate,
            video_containers: check(
                "video_containers",
                video_containers,
                defaults.video_containers,
            )?,
            audio_containers: check(
                "audio_containers",
                audio_containers,
                defaults.audio_containers,
            )?,
        })
    }

    /// Emby's `DeviceProfile`: direct play of the containers given, HLS (h264/aac in ts) for
    /// video that needs a transcode, mp3 over HTTP for audio.
    pub fn device_profile(&self) -> Value {
        let mut profile = json!({
            "Name": "Home Assistant",
            "DirectPlayProfiles": [
                {"Type": "Video", "Container": self.video_containers.join(",")},
                {"Type": "Audio", "Container": self.audio_containers.join(",")},
            ],
            "TranscodingProfiles": [
                {
                    "Type": "Video", "Container": "ts", "Protocol": "hls", "Context": "Streaming",
                    "VideoCodec": REMUX_VIDEO_CODEC, "AudioCodec": REMUX_AUDIO_CODEC,
                    "BreakOnNonKeyFrames": true,
                },
                {
                    "Type": "Audio", "Container": AUDIO_TRANSCODE_CONTAINER, "Protocol": "http",
                    "Context": "Streaming", "AudioCodec": AUDIO_TRANSCODE_CONTAINER,
                },
            ],
            "ContainerProfiles": [],
            "CodecProfiles": [],
            "SubtitleProfiles": [],
        });
        if let (Some(bitrate), Some(map)) = (self.max_streaming_bitrate, profile.as_object_mut()) {
            map.insert("MaxStreamingBitrate".into(), json!(bitrate));
            map.insert("MaxStaticBitrate".into(), json!(bitrate));
        }
        profile
    }
}

/// How the item will be played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PlayMethod {
    /// The file as it is.
    DirectPlay,
    /// Remuxed into a container the player takes, streams copied.
    DirectStream,
    /// Transcoded (HLS for video, mp3 for audio).
    Transcode,
}

/// The chosen way to play an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Playback {
    pub method: PlayMethod,
    /// Relative to the server URL, without credentials.
    pub path: String,
    pub mime_type: String,
    pub media_source_id: Option<String>,
    pub play_session_id: Option<String>,
}

/// The MIME type of a stream in `container` (`m3u8` is HLS).
pub fn mime_type(kind: StreamKind, container: &str) -> &'static str {
    let container = container.to_ascii_lowercase();
    match (kind, container.as_str()) {
        (_, "m3u8" | "hls") => "application/vnd.apple.mpegurl",
        (StreamKind::Video, "mp4" | "m4v") => "video/mp4",
        (StreamKind::Video, "mkv") => "video/x-matroska",
        (StreamKind::Video, "webm") => "video/webm",
        (StreamKind::Video, "ts" | "mpegts") => "video/mp2t",
        (StreamKind::Video, "mov") => "video/quicktime",
        (StreamKind::Video, "avi") => "video/x-msvideo",
        (StreamKind::Audio, "mp3") => "audio/mpeg",
        (StreamKind::Audio, "aac") => "audio/aac",
        (StreamKind::Audio, "m4a" | "m4b" | "mp4") => "audio/mp4",
        (StreamKind::Audio, "flac") => "audio/flac",
        (StreamKind::Audio, "ogg" | "oga" | "opus") => "audio/ogg",
        (StreamKind::Audio, "wav") => "audio/wav",
        (StreamKind::Audio, "webm" | "webma") => "audio/webm",
        (StreamKind::Video, _) => "video/mp4",
        (StreamKind::Audio, _) => "audio/mpeg",
    }
}

impl EmbyClient {
    /// `POST /Items/{Id}/PlaybackInfo` with the device profile, then the play method: direct
    /// play, else direct stream, else transcode. Audio always goes through
    /// `/Audio/{Id}/universal` (Emby sends the file or an mp3 transcode, as the profile allows);
    /// PlaybackInfo tells which, hence the MIME type. `None` when Emby offers no way to play it.
    pub async fn get_playback(
        &self,
        item_id: &str,
        user_id: Option<&str>,
        kind: StreamKind,
        profile: &PlaybackProfile,
    ) -> Result<Option<Playback>> {
        let mut body = serde_json::Map::new();
        body.insert("DeviceProfile".into(), profile.device_profile());
        if let Some(u) = user_id {
            body.insert("UserId".into(), json!(u));
        }
        if let Some(b) = profile.max_streaming_bitrate {
            body.insert("MaxStreamingBitrate".into(), json!(b));
        }
        let info = self
            .get_playback_info_body(item_id, serde_json::Value::Object(body))
            .await?;
        let Some(source) = info.media_sources.first() else {
            return Ok(None);
        };
        let session = info.play_session_id.as_deref();
        Ok(match kind {
            StreamKind::Audio => self.universal_audio(item_id, user_id, profile, source, session),
            StreamKind::Video => self.video_playback(item_id, profile, source, session),
        })
    }

    fn universal_audio(
        &self,
        item_id: &str,
        user_id: Option<&str>,
        profile: &PlaybackProfile,
        source: &MediaSource,
        session: Option<&str>,
    ) -> Option<Playback> {
        if !is_path_segment(item_id) {
            return None;
        }
        let direct = source.supports_direct_play || source.supports_direct_stream;
        let container = source
            .container
            .as_deref()
            .unwrap_or(AUDIO_TRANSCODE_CONTAINER);
        let call = Call::new(Endpoint::AudioUniversal)
            .path("Id", item_id)
            .query_opt("UserId", user_id)
            .query("DeviceId", &self.config().device_id)
            .query_opt("MediaSourceId", source.id.as_deref())
            .query_opt("PlaySessionId", session)
            .query_opt("MaxStreamingBitrate", profile.max_streaming_bitrate)
            .query("Container", profile.audio_containers.join(","))
            .query("TranscodingContainer", AUDIO_TRANSCODE_CONTAINER)
            .query("AudioCodec", AUDIO_TRANSCODE_CONTAINER);
        Some(Playback {
            method: if direct {
                PlayMethod::DirectPlay
            } else {
                PlayMethod::Transcode
            },
            path: call.relative_url(),
            mime_type: mime_type(
                StreamKind::Audio,
                if direct {
                    container
                } else {
                    AUDIO_TRANSCODE_CONTAINER
                },
            )
            .to_owned(),
            media_source_id: source.id.clone(),
            play_session_id: session.map(str::to_owned),
        })
    }

    fn video_playback(
        &self,
        item_id: &str,
        profile: &PlaybackProfile,
        source: &MediaSource,
        session: Option<&str>,
    ) -> Option<Playback> {
        let playback = |method, path: String, mime: &str| Playback {
            method,
            path,
            mime_type: mime.to_owned(),
            media_source_id: source.id.clone(),
            play_session_id: session.map(str::to_owned),
        };
        if source.supports_direct_play {
            let container = source.container.clone();
            let options = StreamOptions {
                r#static: true,
                container: container.clone(),
                media_source_id: source.id.clone(),
                ..StreamOptions::default()
            };
            let path = self
                .stream_path(item_id, StreamKind::Video, &options)
                .ok()?;
            let mime = mime_type(StreamKind::Video, container.as_deref().unwrap_or(""));
            return Some(playback(PlayMethod::DirectPlay, path, mime));
        }
        if source.supports_direct_stream {
            let container = profile
                .video_containers
                .first()
                .cloned()
                .unwrap_or_else(|| DEFAULT_VIDEO_CONTAINERS[0].to_owned());
            let options = StreamOptions {
                container: Some(container.clone()),
                media_source_id: source.id.clone(),
                video_codec: Some(REMUX_VIDEO_CODEC.to_owned()),
                audio_codec: Some(REMUX_AUDIO_CODEC.to_owned()),
                ..StreamOptions::default()
            };
            let path = self
                .stream_path(item_id, StreamKind::Video, &options)
                .ok()?;
            let mime = mime_type(StreamKind::Video, &container);
            return Some(playback(PlayMethod::DirectStream, path, mime));
        }
        let url = source
            .transcoding_url
            .clone()
            .filter(|_| source.supports_transcoding)?;
        let hls = source
            .transcoding_sub_protocol
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case("hls"))
            || url.split('?').next().is_some_and(|p| p.ends_with(".m3u8"));
        let container = if hls {
            "m3u8"
        } else {
            source.transcoding_container.as_deref().unwrap_or("ts")
        };
        let mime = mime_type(StreamKind::Video, container);
        Some(playback(PlayMethod::Transcode, url, mime))
    }

    /// A user access token for the URLs of `user_id`'s player devices: Emby's narrowest
    /// credential (that user's libraries and rights, no administration), which it issues only
    /// at sign-in. Call it only for a user without a password (`User.has_password` false): it
    /// signs in with an empty one (a user with a password would count a failed sign-in). One
    /// sign-in per user for the life of the client, as its own device (`<device id>-media`).
    pub async fn user_media_token(&self, user_id: &str, user_name: &str) -> Result<()> {
        if self.media_token(user_id).is_some() {
            return Ok(());
        }
        let result: AuthenticationResult = self
            .post_json(
                Call::new(Endpoint::AuthenticateByName)
                    .identity(self.config().media_authorization_header())
                    .json(json!({"Username": user_name, "Pw": ""})),
            )
            .await?;
        if result.access_token.is_empty() || result.user.id != user_id {
            return Err(Error::UnexpectedResponse {
                endpoint: Endpoint::AuthenticateByName.template().to_owned(),
                reason: "the sign-in answered without a token of this user".to_owned(),
            });
        }
        if let Ok(mut tokens) = self.inner.media_tokens.lock() {
            tokens.insert(user_id.to_owned(), result.access_token);
        }
        Ok(())
    }

    fn media_token(&self, user_id: &str) -> Option<String> {
        self.inner.media_tokens.lock().ok()?.get(user_id).cloned()
    }

    /// The absolute URL a player device fetches: `path` (from [`Playback`]) on the server, with
    /// a token in the query, since a Chromecast or a speaker cannot send headers: the user's
    /// token from [`Self::user_media_token`] when there is one, else the API key. Never for a
    /// browser: the frontend gets no URL with a token. `InvalidArgument` for a path that is
    /// not relative to the server URL.
    pub fn player_url(&self, path: &str, user_id: Option<&str>) -> Result<String> {
        if !path.starts_with('/') {
            return Err(crate::arguments::invalid(
                "path must be relative to the server URL",
            ));
        }
        let separator = if path.contains('?') { '&' } else { '?' };
        let user_token = user_id.and_then(|u| self.media_token(u));
        let raw = user_token
            .as_deref()
            .unwrap_or_else(|| self.config().api_key.expose());
        let token: String = url::form_urlencoded::byte_serialize(raw.as_bytes()).collect();
        Ok(format!(
            "{}{path}{separator}api_key={token}",
            self.server_url()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_lists_the_containers_and_the_bitrate() {
        let profile = PlaybackProfile {
            max_streaming_bitrate: Some(8_000_000),
            ..PlaybackProfile::default()
        };
        let p = profile.device_profile();
        assert_eq!(p["MaxStreamingBitrate"], 8_000_000);
        assert_eq!(p["DirectPlayProfiles"][0]["Container"], "mp4,m4v,webm");
        assert_eq!(p["TranscodingProfiles"][0]["Protocol"], "hls");
        assert!(PlaybackProfile::default().device_profile()["MaxStreamingBitrate"].is_null());
        assert_eq!(
            PlaybackProfile::new(None, Some(vec!["MKV".into()]), None)
                .ok()
                .map(|p| p.video_containers),
            Some(vec!["mkv".to_owned()])
        );
        assert!(PlaybackProfile::new(Some(0), None, None).is_err());
        assert!(PlaybackProfile::new(None, Some(vec![]), None).is_err());
        assert!(PlaybackProfile::new(None, None, Some(vec!["mp3,aac".into()])).is_err());
    }

    #[test]
    fn mime_types() {
        assert_eq!(mime_type(StreamKind::Video, "MKV"), "video/x-matroska");
        assert_eq!(
            mime_type(StreamKind::Video, "m3u8"),
            "application/vnd.apple.mpegurl"
        );
        assert_eq!(mime_type(StreamKind::Audio, "flac"), "audio/flac");
        assert_eq!(mime_type(StreamKind::Audio, "mp4"), "audio/mp4");
        assert_eq!(mime_type(StreamKind::Audio, "weird"), "audio/mpeg");
    }
}
