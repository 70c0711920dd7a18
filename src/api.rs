//! Typed methods for every Emby endpoint the integration uses.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use serde_json::json;
use serde_json::value::RawValue;

use crate::arguments;
use crate::client::{CachePolicy, Call, EmbyClient, parse_json};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::models::{PlaybackInfo, PublicSystemInfo, Session, SystemInfo, User, UsersResult};

/// `PlayCommand` values of `POST /Sessions/{Id}/Playing`.
pub const PLAY_COMMANDS: [&str; 5] = [
    "PlayNow",
    "PlayNext",
    "PlayLast",
    "PlayInstantMix",
    "PlayShuffle",
];

/// `PlaystateCommand` values of `POST /Sessions/{Id}/Playing/{Command}`.
pub const PLAYSTATE_COMMANDS: [&str; 9] = [
    "Stop",
    "Pause",
    "Unpause",
    "NextTrack",
    "PreviousTrack",
    "Seek",
    "Rewind",
    "FastForward",
    "PlayPause",
];

impl EmbyClient {
    // ---------------------------------------------------------------------------------------
    // System
    // ---------------------------------------------------------------------------------------

    /// `GET /System/Info/Public` (no authentication needed).
    pub async fn get_public_info(&self) -> Result<PublicSystemInfo> {
        let info = self
            .get_json::<PublicSystemInfo>(Call::new(Endpoint::SystemInfoPublic), CachePolicy::None)
            .await?;
        Ok(Arc::unwrap_or_clone(info).normalize())
    }

    /// `GET /System/Info`.
    pub async fn get_system_info(&self) -> Result<SystemInfo> {
        let info = self
            .get_json::<SystemInfo>(Call::new(Endpoint::SystemInfo), CachePolicy::None)
            .await?;
        Ok(Arc::unwrap_or_clone(info).normalize())
    }

    /// `GET /System/Ping`: `Ok(true)` when the server answers 2xx (Emby's body is plain text).
    pub async fn ping(&self, timeout: Option<Duration>) -> Result<bool> {
        self.get_parsed(
            Call::new(Endpoint::SystemPing).timeout(timeout),
            CachePolicy::None,
            |_, _, _| Ok(()),
        )
        .await
        .map(|_| true)
    }

    pub async fn restart_server(&self) -> Result<()> {
        self.post(Call::new(Endpoint::SystemRestart)).await
    }

    pub async fn shutdown_server(&self) -> Result<()> {
        self.post(Call::new(Endpoint::SystemShutdown)).await
    }

    // ---------------------------------------------------------------------------------------
    // Users and sessions
    // ---------------------------------------------------------------------------------------

    /// `GET /Users`, falling back to `GET /Users/Query` on servers where `/Users` is 404.
    pub async fn get_users(&self) -> Result<Arc<Vec<User>>> {
        match self
            .get_json::<Vec<User>>(Call::new(Endpoint::Users), CachePolicy::None)
            .await
        {
            Err(Error::NotFound { .. }) => {
                let r = self
                    .get_json::<UsersResult>(Call::new(Endpoint::UsersQuery), CachePolicy::None)
                    .await?;
                Ok(Arc::new(r.items.clone()))
            }
            other => other,
        }
    }

    /// `GET /Sessions` (never cached: sessions change all the time; concurrent calls coalesce).
    /// The sessions as they were in the last answer are shared from it, not parsed again
    /// ([`crate::shared_sessions`]); any entry that is not a session fails the answer.
    pub async fn get_sessions(&self) -> Result<Arc<Vec<Arc<Session>>>> {
        let client = self.clone();
        self.get_parsed(
            Call::new(Endpoint::Sessions),
            CachePolicy::None,
            move |body, content_type, endpoint| {
                let entries: Vec<&RawValue> = parse_json(body, content_type, endpoint)?;
                let entries: Vec<&str> = entries.into_iter().map(RawValue::get).collect();
                let mut reuse = client
                    .inner
                    .polled_sessions
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                reuse.read(&entries, |entry| {
                    parse_json(entry.as_bytes(), content_type, endpoint).map(Some)
                })
            },
        )
        .await
    }

    // ---------------------------------------------------------------------------------------
    // Remote control
    // ---------------------------------------------------------------------------------------

    /// `POST /Sessions/{Id}/Playing?ItemIds=..&PlayCommand=..`.
    pub async fn play(
        &self,
        session_id: &str,
        item_ids: &[String],
        command: &str,
        start_position_ticks: Option<i64>,
    ) -> Result<()> {
        arguments::one_of("play command", command, &PLAY_COMMANDS)?;
        let start_position_ticks = arguments::ticks("start_position_ticks", start_position_ticks)?;
        self.post(
            Call::new(Endpoint::SessionPlay)
                .path("Id", session_id)
                .query_list("ItemIds", item_ids, ",")
                .query("PlayCommand", command)
                .query_opt("StartPositionTicks", start_position_ticks),
        )
        .await
    }

    /// `POST /Sessions/{Id}/Playing/{Command}`. Some clients (Emby for Roku) reject Pause and
    /// Unpause; a 4xx answer to those is retried once as `PlayPause`.
    pub async fn playstate(
        &self,
        session_id: &str,
        command: &str,
        seek_position_ticks: Option<i64>,
    ) -> Result<()> {
        arguments::one_of("playstate command", command, &PLAYSTATE_COMMANDS)?;
        let seek_position_ticks = arguments::ticks("seek_position_ticks", seek_position_ticks)?;
        // The position goes in the `PlaystateRequest` body: the specification declares no
        // query parameters for this route.
        let call = |cmd: &str| {
            let c = Call::new(Endpoint::SessionPlaystate)
                .path("Id", session_id)
                .path("Command", cmd);
            match seek_position_ticks {
                Some(t) => c.json(json!({ "Command": cmd, "SeekPositionTicks": t })),
                None => c,
            }
        };
        match self.post(call(command)).await {
            Err(
                Error::NotFound { .. } | Error::HtmlPage { .. } | Error::UnexpectedResponse { .. },
            ) if matches!(command, "Pause" | "Unpause") => {
                log::debug!(target: "embymedia_core::api", "{command} rejected, retrying as PlayPause");
                self.post(call("PlayPause")).await
            }
            other => other,
        }
    }

    /// `POST /Sessions/{Id}/Command` with `{"Name": .., "Arguments": {..}}` (string values).
    pub async fn general_command(
        &self,
        session_id: &str,
        name: &str,
        arguments: &BTreeMap<String, String>,
    ) -> Result<()> {
        self.post(
            Call::new(Endpoint::SessionCommand)
                .path("Id", session_id)
                .json(json!({ "Name": name, "Arguments": arguments })),
        )
        .await
    }

    /// `POST /Sessions/{Id}/Message?Text=..&Header=..[&TimeoutMs=..]` (no timeout: modal).
    pub async fn send_message(
        &self,
        session_id: &str,
        text: &str,
        header: &str,
        timeout_ms: Option<i64>,
    ) -> Result<()> {
        self.post(
            Call::new(Endpoint::SessionMessage)
                .path("Id", session_id)
                .query("Text", text)
                .query("Header", header)
                .query_opt("TimeoutMs", timeout_ms),
        )
        .await
    }

    /// `POST /Sessions/Capabilities/Full` for this client's own session (same token and
    /// DeviceId as its WebSocket): Emby routes LibraryChanged and UserDataChanged only to sockets
    /// of sessions that reported capabilities (EMBY.md 4.6). We control nothing and play nothing.
    pub async fn register_capabilities(&self) -> Result<()> {
        self.post(Call::new(Endpoint::SessionCapabilitiesFull).json(json!({
            "PlayableMediaTypes": [],
            "SupportedCommands": [],
            "SupportsMediaControl": false,
            "SupportsPersistentIdentifier": true,
        })))
        .await
    }

    // ---------------------------------------------------------------------------------------
    // Playback and images
    // ---------------------------------------------------------------------------------------

    /// `POST /Items/{Id}/PlaybackInfo`: the media sources and how each can be played.
    pub async fn get_playback_info(
        &self,
        item_id: &str,
        user_id: Option<&str>,
        max_streaming_bitrate: Option<i64>,
    ) -> Result<PlaybackInfo> {
        if max_streaming_bitrate.is_some_and(|b| b <= 0) {
            return Err(arguments::invalid(
                "max_streaming_bitrate must be a positive number of bits per second",
            ));
        }
        let mut body = serde_json::Map::new();
        if let Some(u) = user_id {
            body.insert("UserId".into(), json!(u));
        }
        if let Some(b) = max_streaming_bitrate {
            body.insert("MaxStreamingBitrate".into(), json!(b));
        }
        self.get_playback_info_body(item_id, serde_json::Value::Object(body))
            .await
    }

    /// `POST /Items/{Id}/PlaybackInfo` with a request body built by the caller (a device
    /// profile: [`crate::playback`]).
    pub(crate) async fn get_playback_info_body(
        &self,
        item_id: &str,
        body: serde_json::Value,
    ) -> Result<PlaybackInfo> {
        let info: PlaybackInfo = self
            .post_json(
                Call::new(Endpoint::PlaybackInfo)
                    .path("Id", item_id)
                    .json(body),
            )
            .await?;
        Ok(info.normalize())
    }

    /// The bytes and content type of an item image (for Home Assistant's authenticated image
    /// proxy). Concurrent identical requests share one download; images are not cached here
    /// (Home Assistant caches them, keyed by the tag).
    pub async fn get_image(
        &self,
        item_id: &str,
        image_type: &str,
        tag: Option<&str>,
        max_width: Option<u32>,
    ) -> Result<Arc<(bytes::Bytes, String)>> {
        let tag = tag.map(crate::urls::image_tag).transpose()?;
        self.get_bytes(
            Call::new(Endpoint::ItemImage)
                .path("Id", item_id)
                .path("Type", image_type)
                .query_opt("Tag", tag)
                .query_opt("MaxWidth", max_width),
        )
        .await
    }

    // ---------------------------------------------------------------------------------------
    // Cache control
    // ---------------------------------------------------------------------------------------

    pub fn invalidate_all(&self) {
        self.inner.caches.invalidate_all();
    }

    pub fn invalidate_user(&self, user_id: &str) {
        self.inner.caches.invalidate_user(user_id);
    }

    pub fn invalidate_item(&self, item_id: &str) {
        self.inner.caches.invalidate_item(item_id);
    }

    /// A `LibraryChanged` event: drops every listing (any may gain or lose entries) and every
    /// response about the named items and folders.
    pub fn invalidate_for_library_change<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        let ids: Vec<String> = ids.into_iter().map(str::to_owned).collect();
        self.inner.caches.invalidate_items(&ids, true);
    }

    /// A `UserDataChanged` event: that user's played/favorite state changed.
    pub fn invalidate_for_user_data(&self, user_id: &str) {
        self.inner.caches.invalidate_user(user_id);
    }
}
