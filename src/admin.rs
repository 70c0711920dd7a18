//! Server administration: scheduled tasks, library scans, the activity log, devices and
//! plugins. Never cached: the server coordinator decides how often these are read (concurrent
//! reads are still coalesced).

use std::sync::Arc;

use crate::client::{CachePolicy, Call, EmbyClient};
use crate::endpoint::Endpoint;
use crate::error::Result;
use crate::models::{ActivityLogResult, Device, ListOrQueryResult, Plugin, ScheduledTask};

impl EmbyClient {
    /// `GET /ScheduledTasks?IsHidden=false`: the tasks a user can see and run.
    pub async fn get_scheduled_tasks(&self) -> Result<Arc<Vec<ScheduledTask>>> {
        self.get_json(
            Call::new(Endpoint::ScheduledTasks).query("IsHidden", "false"),
            CachePolicy::None,
        )
        .await
    }

    /// `POST /ScheduledTasks/Running/{Id}`: starts a task now.
    pub async fn run_scheduled_task(&self, task_id: &str) -> Result<()> {
        self.post(Call::new(Endpoint::ScheduledTaskRun).path("Id", task_id))
            .await
    }

    /// `POST /Library/Refresh`: scans every library. The scan's changes arrive as
    /// LibraryChanged events, which invalidate the caches.
    pub async fn refresh_library(&self) -> Result<()> {
        self.post(Call::new(Endpoint::LibraryRefresh)).await
    }
}

impl EmbyClient {
    /// `GET /System/ActivityLog/Entries`, newest first (`min_date`: ISO 8601, UTC).
    pub async fn get_activity_log(
        &self,
        start_index: Option<u32>,
        limit: Option<u32>,
        min_date: Option<&str>,
    ) -> Result<Arc<ActivityLogResult>> {
        self.get_json(
            Call::new(Endpoint::ActivityLog)
                .query_opt("StartIndex", start_index)
                .query_opt("Limit", limit)
                .query_opt("MinDate", min_date),
            CachePolicy::None,
        )
        .await
    }

    /// `GET /Devices`: every device that has used the server (a `QueryResult` on 4.x; a bare
    /// list is accepted too).
    pub async fn get_devices(&self) -> Result<Vec<Device>> {
        let devices = self
            .get_json::<ListOrQueryResult<Device>>(Call::new(Endpoint::Devices), CachePolicy::None)
            .await?;
        Ok(Arc::unwrap_or_clone(devices).0)
    }

    /// `GET /Plugins`: the installed plugins.
    pub async fn get_plugins(&self) -> Result<Arc<Vec<Plugin>>> {
        self.get_json(Call::new(Endpoint::Plugins), CachePolicy::None)
            .await
    }

    /// `POST /Items/{Id}/Refresh?Recursive=..`: rescans one library or folder.
    pub async fn refresh_item(&self, item_id: &str, recursive: bool) -> Result<()> {
        self.post(
            Call::new(Endpoint::ItemRefresh)
                .path("Id", item_id)
                .query("Recursive", recursive),
        )
        .await
    }
}
