//! Server administration: scheduled tasks and library scans. Never cached: the server
//! coordinator decides how often these are read.

use std::sync::Arc;

use crate::client::{CachePolicy, Call, EmbyClient};
use crate::endpoint::Endpoint;
use crate::error::Result;
use crate::models::ScheduledTask;

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
