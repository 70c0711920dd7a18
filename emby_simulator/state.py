"""Everything the simulated server knows and how it changes, without HTTP.

`ServerState` builds the state modules and wires them: the library and its queries, sessions,
user data, library changes, playlists and collections, scheduled tasks, timers, tokens, faults,
the activity log and request accounting. The WebSocket hub is where state changes become
frames. `server.py` serves this state over aiohttp; `rest.py` and `websocket.py` read and change
it only through these modules.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from .accounting import RequestLog
from .activity import ActivityLog
from .clients import Session
from .clock import Clock
from .config import SimulatorConfig
from .dto import Dto
from .faults import FaultState
from .hub import WebSocketHub
from .library import Library
from .library_changes import LibraryChanges
from .models import User
from .playlists import Collections, Playlists
from .query import QueryEngine
from .session_json import SessionJson
from .sessions import SessionManager
from .system import SystemState
from .tasks import ScheduledTasks
from .timers import Timers
from .tokens import TokenStore
from .user_data import UserDataChanges

PLAYBACK_EVENTS = ("PlaybackStart", "PlaybackStopped", "PlaybackProgress", "SessionEnded")


class ServerState:
    """The state modules of one simulated server, wired together."""

    def __init__(self, config: SimulatorConfig) -> None:
        """Generate the library and the clients of `config`."""
        self.config = config
        self.clock = Clock()
        self.library = Library(config, self.clock)
        self.dto = Dto(self.library)
        self.queries = QueryEngine(self.library, config.seed)
        self.faults = FaultState(config.seed)
        self.requests = RequestLog()
        self.hub = WebSocketHub(
            server_id=self.library.server_id,
            api_key_user_events=config.api_key_user_events,
            clock=self.clock,
            faults=self.faults,
            # Bound methods: the sessions and tasks they read are created below.
            session_of_device=self._session_of_device,
            sessions_json=self.sessions_json,
            tasks_json=self._tasks_json,
        )
        self.system = SystemState(config, self.library.server_id, self.hub)
        self.activity = ActivityLog(self.clock, self.hub.push_activity)
        self.tokens = TokenStore(config.api_key, self.library, self.clock)
        self.user_data = UserDataChanges(self.library, self.clock, self.hub)
        self.changes = LibraryChanges(self.library, self.clock, self.hub)
        self.playlists = Playlists(self.library, self.clock, self.changes)
        self.collections = Collections(self.library, self.clock, self.changes)
        self.tasks = ScheduledTasks(self.library, self.dto, self.clock, self.hub)
        self.timers = Timers(self.library, self.clock)
        self.session_json = SessionJson(self.library, self.dto, self.clock)
        self.sessions = SessionManager(
            config,
            library=self.library,
            dto=self.dto,
            clock=self.clock,
            emit=self._on_session_event,
            activity=self.activity.add,
        )
        users = self.library.users
        for n in range(6):
            self.activity.add(
                f"{users[n % len(users)].name} has signed in",
                "AuthenticationSucceeded",
                users[n % len(users)].id,
                None,
                when=self.clock.now() - timedelta(hours=6 - n),
            )

    def sessions_json(
        self,
        controllable_by: str | None = None,
        device_id: str | None = None,
        session_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """`GET /Sessions` (also the Data of Sessions frames)."""
        return self.session_json.listing(
            self.sessions.all(), controllable_by, device_id, session_id
        )

    def _session_of_device(self, device_id: str) -> Session | None:
        return self.sessions.by_device(device_id)

    def _tasks_json(self) -> list[dict[str, Any]]:
        return self.tasks.to_json()

    def item_counts(self, user: User | None, favorite: bool | None) -> dict[str, int]:
        """ItemCounts of `user` (None: every library)."""
        return self.queries.item_counts(user, favorite, quirk=self.config.item_counts_quirk)

    def advance(self, seconds: float) -> None:
        """Move simulated time: playback positions, the clients' script, running tasks and
        debounced library changes; queue the frames a real server would send meanwhile.

        Sessions pushes: at most one per subscribed socket per call (state changes force one;
        progress reports of playing clients give one when the socket's interval has passed).
        """
        with self.hub.batch():
            progressed = self.sessions.advance(seconds)
            self.tasks.advance()
            self.changes.send_if_due()
            if progressed:
                self.hub.push_sessions(force=False)
            if self.tasks.any_running:
                self.hub.push_tasks(force=False)

    def _on_session_event(self, kind: str, session: Session) -> None:
        hub = self.hub
        if kind in PLAYBACK_EVENTS:
            hub.broadcast(kind, self.session_json.to_json(session))
        if kind in ("PlaybackStart", "PlaybackStopped") and session.user_id and session.now_playing:
            # The stop's save happens right after this event (EMBY.md 4.4).
            self.user_data.playback_saved(
                session.user_id, session.now_playing, started=kind == "PlaybackStart"
            )
        # Sessions: pushed on every state change (the interval throttles only progress). A stop
        # is announced before the session is cleared: its snapshot goes out once it is.
        if kind == "PlaybackStopped" and not hub.batching:
            _soon(lambda: hub.push_sessions(force=True))
        else:
            hub.push_sessions(force=True)


def _soon(callback: Callable[[], object]) -> None:
    """Run after the current call (at once without a running loop)."""
    try:
        asyncio.get_running_loop().call_soon(callback)
    except RuntimeError:
        callback()
