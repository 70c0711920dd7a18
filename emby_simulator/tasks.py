"""Scheduled tasks: running, progress in simulated time, cancelling, and their frames."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .clock import Clock
from .dto import Dto
from .hub import WebSocketHub
from .library import Library
from .models import Task


class ScheduledTasks:
    """The library's tasks as a scheduler runs them."""

    def __init__(self, library: Library, dto: Dto, clock: Clock, hub: WebSocketHub) -> None:
        """Bind to the tasks of `library`."""
        self._library = library
        self._dto = dto
        self._clock = clock
        self._hub = hub

    def to_json(self) -> list[dict[str, Any]]:
        """ScheduledTasksInfo Data."""
        return [self._dto.task(t) for t in self._library.tasks if not t.is_hidden]

    def by_id(self, task_id: str) -> Task | None:
        """A task by id."""
        return next((t for t in self._library.tasks if t.id == task_id), None)

    @property
    def any_running(self) -> bool:
        """Whether a task is running."""
        return any(t.state == "Running" for t in self._library.tasks)

    def run(self, key: str) -> bool:
        """Start a task by key (e.g. RefreshLibrary)."""
        task = next((t for t in self._library.tasks if t.key == key), None)
        return self.run_by_id(task.id) if task else False

    def run_by_id(self, task_id: str) -> bool:
        """Start a task; it ends during a later `advance` (ScheduledTaskEnded)."""
        task = self.by_id(task_id)
        if task is None:
            return False
        if task.state != "Running":
            task.state = "Running"
            task.progress = 0.0
            task.started_at = self._clock.seconds
            self._hub.push_tasks(force=True)
        return True

    def cancel(self, task_id: str) -> bool:
        """Cancel a running task (ends as Cancelled)."""
        task = self.by_id(task_id)
        if task is None:
            return False
        if task.state == "Running":
            self._finish(task, "Cancelled")
        return True

    def advance(self) -> None:
        """Progress of running tasks up to the clock's time; finished ones end."""
        for task in self._library.tasks:
            if task.state != "Running" or task.started_at is None:
                continue
            elapsed = self._clock.seconds - task.started_at
            if elapsed >= task.duration:
                self._finish(task, "Completed")
            else:
                task.progress = 100.0 * elapsed / task.duration
                if task.key == "RefreshLibrary":
                    for folder in self._library.libraries:
                        self._hub.broadcast_to_user(
                            "RefreshProgress",
                            {"ItemId": folder.id, "Progress": f"{task.progress:.1f}"},
                            None,
                        )

    def _finish(self, task: Task, status: str) -> None:
        now = self._clock.now()
        started = now - timedelta(
            seconds=self._clock.seconds - (task.started_at or self._clock.seconds)
        )
        task.state = "Idle"
        task.progress = None
        task.started_at = None
        task.last_result = {
            "StartTimeUtc": started,
            "EndTimeUtc": now,
            "Status": status,
            "Name": task.name,
            "Key": task.key,
            "Id": task.id,
        }
        self._hub.broadcast("ScheduledTaskEnded", self._dto.task_result(task.last_result))
        self._hub.push_tasks(force=True)
