"""What tests, the bench and `scripts/develop` read and change on a running simulator.

`EmbySimulator` (server.py) inherits these, so they stay one attribute away: `sim.count(...)`,
`sim.advance(30)`, `sim.start_playback(...)`. Each is a thin call into the state modules.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from .accounting import RequestRecord
from .clients import Session
from .clock import Clock
from .config import Fault, SimulatorConfig
from .hub import MISSING, WebSocketHub
from .library import Library
from .state import ServerState


class SimulatorControls:
    """Read-outs and test hooks over a `ServerState`."""

    state: ServerState

    def _fault_changed(self, fault: Fault | None) -> None:
        """The server's reaction to a new fault (closing sockets for `ws_drop`)."""
        raise NotImplementedError

    # -- identity and read-outs ---------------------------------------------------------------

    @property
    def config(self) -> SimulatorConfig:
        """The configuration."""
        return self.state.config

    @property
    def clock(self) -> Clock:
        """The simulated clock."""
        return self.state.clock

    @property
    def library(self) -> Library:
        """The generated library (items, users, user data)."""
        return self.state.library

    @property
    def hub(self) -> WebSocketHub:
        """The connected WebSockets."""
        return self.state.hub

    @property
    def api_key(self) -> str:
        """The server's API key."""
        return self.state.config.api_key

    @property
    def server_id(self) -> str:
        """32-hex server id (stable for a configuration)."""
        return self.state.library.server_id

    @property
    def server_name(self) -> str:
        """ServerName."""
        return self.state.config.server_name

    @property
    def port(self) -> int:
        """The port (the bound one once listening on port 0)."""
        return self.state.system.port

    @property
    def url(self) -> str:
        """`http(s)://host:port`."""
        return self.state.system.url

    @property
    def users(self) -> list[dict[str, Any]]:
        """Users as `GET /Users` returns them."""
        return [self.state.dto.user(u) for u in self.state.library.users]

    @property
    def sessions(self) -> list[Session]:
        """Current sessions (simulated clients and API consumers)."""
        return self.state.sessions.all()

    @property
    def libraries(self) -> int:
        """Libraries (virtual folders)."""
        return len(self.state.library.libraries)

    @property
    def websocket_connections(self) -> int:
        """WebSockets accepted since start."""
        return self.state.hub.connections

    @property
    def sessions_pushes(self) -> int:
        """Sessions frames queued to sockets since start."""
        return self.state.hub.sessions_pushes

    @property
    def subscriptions(self) -> int:
        """Sockets subscribed to Sessions now."""
        return sum(1 for s in self.state.hub.sockets if s.sessions_interval is not None)

    @property
    def user_event_sockets(self) -> int:
        """Open sockets that LibraryChanged reaches now (an API-key socket only once its
        session registered capabilities, see hub.py): wait for it before triggering one."""
        hub = self.state.hub
        return sum(1 for s in hub.sockets if not s.closed and hub.receives_user_events(s, None))

    @property
    def activity_log(self) -> list[dict[str, Any]]:
        """Activity log entries, oldest first."""
        return self.state.activity.entries

    @property
    def has_pending_restart(self) -> bool:
        """HasPendingRestart of /System/Info."""
        return self.state.system.has_pending_restart

    @property
    def has_update_available(self) -> bool:
        """HasUpdateAvailable of /System/Info."""
        return self.state.system.has_update_available

    def sessions_json(
        self,
        controllable_by: str | None = None,
        device_id: str | None = None,
        session_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """`GET /Sessions` (also the Data of Sessions frames)."""
        return self.state.sessions_json(controllable_by, device_id, session_id)

    # -- faults -------------------------------------------------------------------------------

    @property
    def fault(self) -> Fault | None:
        """The fault being injected (None: none)."""
        return self.state.faults.current

    def set_fault(self, fault: Fault | None) -> None:
        """Inject a fault (None clears it). `ws_drop` closes open sockets at once;
        `ws_malformed` sends odd frames with every frame from now on."""
        self.state.faults.current = fault
        self._fault_changed(fault)

    # -- accounting ---------------------------------------------------------------------------

    @property
    def request_log(self) -> list[RequestRecord]:
        """Every request answered since start (or the last reset), oldest first."""
        return self.state.requests.records

    def request_counts(self) -> dict[str, int]:
        """`"METHOD /path"` -> requests (paths as received, without `/emby` and query)."""
        return self.state.requests.counts()

    def count(self, path: str, method: str | None = None) -> int:
        """Requests to exactly `path` (`{id}` matches one segment), any method unless given."""
        return self.state.requests.count(path, method)

    def reset_counts(self) -> None:
        """Forget counts and the request log."""
        self.state.requests.reset()

    @staticmethod
    def cpu_seconds() -> float:
        """CPU time of this process (the bench measures the simulator's thread itself)."""
        return time.process_time()

    # -- time ---------------------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move simulated time (see `ServerState.advance`); `flush()` waits for the frames."""
        self.state.advance(seconds)

    # -- library, user data, tasks ------------------------------------------------------------

    def trigger_library_change(
        self,
        items_added: int | Sequence[str] = 0,
        items_updated: int | Sequence[str] = (),
        items_removed: int | Sequence[str] = (),
    ) -> dict[str, Any]:
        """Change the library now and send `LibraryChanged`; returns the frame's Data."""
        return self.state.changes.trigger(items_added, items_updated, items_removed)

    def trigger_user_data_change(
        self,
        user_id: str,
        item_ids: Sequence[str],
        *,
        played: bool | None = True,
        favorite: bool | None = None,
    ) -> dict[str, Any]:
        """Change a user's data now and send UserDataChanged; returns the frame's Data."""
        return self.state.user_data.trigger(user_id, item_ids, played=played, favorite=favorite)

    def run_task(self, key: str) -> bool:
        """Start a task by key (e.g. RefreshLibrary)."""
        return self.state.tasks.run(key)

    def run_task_by_id(self, task_id: str) -> bool:
        """Start a task; it ends during a later `advance` (ScheduledTaskEnded)."""
        return self.state.tasks.run_by_id(task_id)

    def cancel_task(self, task_id: str) -> bool:
        """Cancel a running task (ends as Cancelled)."""
        return self.state.tasks.cancel(task_id)

    def set_pending_restart(self, pending: bool = True) -> None:
        """HasPendingRestart; setting it sends RestartRequired to every socket."""
        self.state.system.set_pending_restart(pending)

    def set_update_available(self, available: bool = True) -> None:
        """HasUpdateAvailable in /System/Info."""
        self.state.system.has_update_available = available

    def install_plugin(self, name: str, version: str, description: str = "") -> None:
        """Install or update a plugin (PackageInstalling, ...Completed, RestartRequired)."""
        self.state.system.packages.install(name, version, description)

    def uninstall_plugin(self, name: str) -> bool:
        """Remove a plugin (PluginUninstalled, RestartRequired); False when it is not there."""
        return self.state.system.packages.uninstall(name)

    # -- clients ------------------------------------------------------------------------------

    def _session(self, device_id: str) -> Session:
        session = self.state.sessions.by_device(device_id)
        if session is None:
            raise KeyError(f"no session for device {device_id}")
        return session

    def start_playback(self, device_id: str, item_id: str, position_s: float = 0) -> None:
        """The client starts playing an item (PlaybackStart, Sessions)."""
        self.state.sessions.start_playback(self._session(device_id), item_id, position_s)

    def pause(self, device_id: str) -> None:
        """The client pauses."""
        self.state.sessions.set_paused(self._session(device_id), True)

    def unpause(self, device_id: str) -> None:
        """The client resumes."""
        self.state.sessions.set_paused(self._session(device_id), False)

    def stop_playback(self, device_id: str) -> None:
        """The client stops (PlaybackStopped, Sessions)."""
        self.state.sessions.stop_playback(self._session(device_id))

    def add_client(
        self,
        client: str = "Emby Web",
        device_name: str = "Simulated Browser",
        device_id: str | None = None,
        user_id: str | None = None,
        **kwargs: Any,
    ) -> Session:
        """A new client connects (Sessions push); returns its session."""
        user = self.state.library.user(user_id) if user_id else None
        if user_id and user is None:
            raise KeyError(f"no user {user_id}")
        return self.state.sessions.add_client(
            client=client, device_name=device_name, device_id=device_id, user=user, **kwargs
        )

    def remove_client(self, device_id: str) -> None:
        """A client disconnects (SessionEnded, Sessions push)."""
        self.state.sessions.remove_client(device_id)

    # -- raw frames ---------------------------------------------------------------------------

    def send_ws(self, message_type: str, data: Any = MISSING) -> int:
        """A raw frame to every socket (Data left out unless given); returns how many."""
        return self.state.hub.broadcast(message_type, data)

    def flood_sessions(self, n: int) -> None:
        """`n` Sessions frames back to back to every socket."""
        self.state.hub.flood_sessions(n)
