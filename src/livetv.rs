//! Live TV: status, channels, recordings, timers and series timers.
//!
//! Channels are browsed (browse cache, per user). Status, recordings and timers feed the server
//! sensors, which decide how often they are read: not cached, concurrent reads coalesced.

use std::sync::Arc;

use crate::browse::DEFAULT_FIELDS;
use crate::client::{CachePolicy, Call, EmbyClient};
use crate::endpoint::Endpoint;
use crate::error::Result;
use crate::models::{ItemsResult, LiveTvInfo, TimersResult};

impl EmbyClient {
    /// `GET /LiveTv/Info`: whether live TV is set up, and for which users.
    pub async fn get_live_tv_info(&self) -> Result<Arc<LiveTvInfo>> {
        self.get_json(Call::new(Endpoint::LiveTvInfo), CachePolicy::None)
            .await
    }

    /// `GET /LiveTv/Channels` as the user sees them (optionally only their favorites).
    pub async fn get_channels(
        &self,
        user_id: &str,
        is_favorite: Option<bool>,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Arc<ItemsResult>> {
        self.get_json(
            Call::new(Endpoint::LiveTvChannels)
                .query("UserId", user_id)
                .query_opt("IsFavorite", is_favorite)
                .query_opt("StartIndex", start_index)
                .query_opt("Limit", limit)
                .query_list("Fields", &DEFAULT_FIELDS, ","),
            CachePolicy::Browse {
                user: Some(user_id.to_owned()),
                items: Vec::new(),
                listing: true,
            },
        )
        .await
    }

    /// `GET /LiveTv/Recordings` (optionally only those in progress, or only finished ones).
    pub async fn get_recordings(
        &self,
        user_id: Option<&str>,
        is_in_progress: Option<bool>,
        start_index: Option<u32>,
        limit: Option<u32>,
    ) -> Result<Arc<ItemsResult>> {
        self.get_json(
            Call::new(Endpoint::LiveTvRecordings)
                .query_opt("UserId", user_id)
                .query_opt("IsInProgress", is_in_progress)
                .query_opt("StartIndex", start_index)
                .query_opt("Limit", limit)
                .query_list("Fields", &DEFAULT_FIELDS, ","),
            CachePolicy::None,
        )
        .await
    }

    /// `GET /LiveTv/Timers`: scheduled recordings (optionally of one channel or series timer).
    pub async fn get_timers(
        &self,
        channel_id: Option<&str>,
        series_timer_id: Option<&str>,
    ) -> Result<Arc<TimersResult>> {
        self.get_json(
            Call::new(Endpoint::LiveTvTimers)
                .query_opt("ChannelId", channel_id)
                .query_opt("SeriesTimerId", series_timer_id),
            CachePolicy::None,
        )
        .await
    }

    /// `GET /LiveTv/SeriesTimers`.
    pub async fn get_series_timers(&self) -> Result<Arc<TimersResult>> {
        self.get_json(Call::new(Endpoint::LiveTvSeriesTimers), CachePolicy::None)
            .await
    }

    /// The server's defaults for recording a programme (`GET /LiveTv/Timers/Defaults`), kept as
    /// sent: it is posted back whole, as Emby's own clients do.
    async fn timer_defaults(&self, program_id: &str) -> Result<serde_json::Value> {
        let defaults = self
            .get_json::<serde_json::Value>(
                Call::new(Endpoint::LiveTvTimerDefaults).query("ProgramId", program_id),
                CachePolicy::None,
            )
            .await?;
        Ok(Arc::unwrap_or_clone(defaults))
    }

    /// Records one programme with the server's defaults: `GET /LiveTv/Timers/Defaults`, then
    /// `POST /LiveTv/Timers` with them.
    pub async fn create_timer(&self, program_id: &str) -> Result<()> {
        let defaults = self.timer_defaults(program_id).await?;
        self.post(Call::new(Endpoint::LiveTvCreateTimer).json(defaults))
            .await
    }

    /// Records every episode of the programme's series with the server's defaults:
    /// `GET /LiveTv/Timers/Defaults`, then `POST /LiveTv/SeriesTimers` with them.
    pub async fn create_series_timer(&self, program_id: &str) -> Result<()> {
        let defaults = self.timer_defaults(program_id).await?;
        self.post(Call::new(Endpoint::LiveTvCreateSeriesTimer).json(defaults))
            .await
    }

    /// `POST /LiveTv/Timers/{Id}/Delete`: cancels a scheduled (or running) recording.
    pub async fn cancel_timer(&self, timer_id: &str) -> Result<()> {
        self.post(Call::new(Endpoint::LiveTvCancelTimer).path("Id", timer_id))
            .await
    }

    /// `POST /LiveTv/SeriesTimers/{Id}/Delete`.
    pub async fn cancel_series_timer(&self, series_timer_id: &str) -> Result<()> {
        self.post(Call::new(Endpoint::LiveTvCancelSeriesTimer).path("Id", series_timer_id))
            .await
    }
}
