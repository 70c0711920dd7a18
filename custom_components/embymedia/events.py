"""The WebSocket event loop and the handler that applies each event to the coordinators."""

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any

from embymedia_core import EmbyClosedError, EmbyError
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN, LOGGER
from .coordinator import EmbyConfigEntry, EmbyCoordinator, EmbyRuntimeData
from .discovery import LIBRARY_EVENT_ROWS, USER_EVENT_ROWS, DiscoveryRow

# The ScheduledTasksInfo throttle asked of the server (running tasks, scan progress); it also
# subscribes to the activity log.
TASKS_INTERVAL_MS = 5000

if TYPE_CHECKING:
    from embymedia_core import Event, Session


class EmbyEventHandler:
    """Applies WebSocket events to the coordinators."""

    def __init__(
        self, hass: HomeAssistant, entry: EmbyConfigEntry, runtime: EmbyRuntimeData
    ) -> None:
        """Initialize the handler."""
        self.hass = hass
        self.entry = entry
        self.runtime = runtime
        self._was_connected = False

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """Run a refresh request without blocking the event stream (cancelled on unload)."""
        self.entry.async_create_background_task(self.hass, coro, name=name)

    def _refresh_discovery(
        self, rows: frozenset[DiscoveryRow], user_ids: Iterable[str] | None = None
    ) -> None:
        discovery = self.runtime.discovery
        for user_id in discovery if user_ids is None else user_ids:
            if (coordinator := discovery.get(user_id)) is not None:
                self._spawn(coordinator.async_refresh_rows(rows), f"{DOMAIN} discovery {user_id}")

    def _is_playback_start_save(self, user_id: str, item_ids: list[str]) -> bool:
        """Whether a UserDataChanged only announces playback starting: Emby saves play count
        and last played then, which no discovery row shows; the stop's save (announced once the
        session has stopped) is what moves resume points and next episodes."""
        playing = {
            session.now_playing_item.id
            for session in (self.runtime.sessions.data or {}).values()
            if session.user_id == user_id and session.now_playing_item is not None
        }
        return bool(item_ids) and playing.issuperset(item_ids)

    def coordinators(self) -> Iterable[EmbyCoordinator[Any]]:
        runtime = self.runtime
        yield runtime.sessions
        yield runtime.server
        yield runtime.library
        yield from runtime.discovery.values()
        if runtime.extra is not None:
            yield from runtime.extra.all()

    @callback
    def async_set_connected(self, connected: bool) -> None:
        """Every coordinator polls as a safety net while pushes arrive, at its polling
        interval while they do not; the server-connected sensor follows at once."""
        server = self.runtime.server
        reconnected = connected and self._was_connected
        for coordinator in self.coordinators():
            coordinator.async_set_websocket_connected(connected)
        server.async_update_listeners()
        if connected:
            self._was_connected = True
        if reconnected:
            self._catch_up()

    @callback
    def _catch_up(self) -> None:
        """After a reconnect, read again what the pushes of the gap would have refreshed (the
        core dropped its caches): the server (a restart may have changed the version; tasks
        come with the new subscription), the library and every user's rows at once, and the
        activity log and plugins while an entity shows them. Sessions come with the new
        subscription. The reconnect backoff bounds how often this runs."""
        runtime = self.runtime
        self._spawn(runtime.server.async_request_refresh(), f"{DOMAIN} server refresh")
        self._spawn(runtime.library.async_refresh(), f"{DOMAIN} library refresh")
        self._refresh_discovery(LIBRARY_EVENT_ROWS | USER_EVENT_ROWS)
        if (extra := runtime.extra) is not None:
            for source in (extra.activity, extra.plugins):
                if source.data is not None:
                    self._spawn(source.async_request_refresh(), f"{DOMAIN} {source.name} refresh")

    @callback
    def _new_devices(self, known_before: int) -> None:
        """A client never seen before is a new device: read the devices again (only while an
        entity shows them)."""
        extra = self.runtime.extra
        if (
            len(self.runtime.sessions.known_devices) > known_before
            and extra is not None
            and extra.devices.data is not None
        ):
            self._spawn(extra.devices.async_request_refresh(), f"{DOMAIN} devices refresh")

    @callback
    def async_handle_batch(self, batch: list[Event]) -> None:
        """Dispatch a batch: each run of session events is applied as one update (in order,
        flushed before any other event), so the work per batch follows what changed rather
        than how many frames said it."""
        run: list[tuple[Session, bool]] = []
        for event in batch:
            if (change := self._session_change(event)) is not None:
                run.append(change)
                self._after_session_change(event)
                continue
            self._apply_run(run)
            run = []
            self._async_handle_other(event)
        self._apply_run(run)

    @callback
    def _apply_run(self, run: list[tuple[Session, bool]]) -> None:
        if run:
            known = len(self.runtime.sessions.known_devices)
            self.runtime.sessions.async_apply_sessions(run)
            self._new_devices(known)

    @staticmethod
    def _session_change(event: Event) -> tuple[Session, bool] | None:
        """The session an event carries and whether it ended (None: not a session event)."""
        match event["type"]:
            case "playback_start" | "playback_progress" | "playback_stopped":
                # The core hands a stopped session over as it is after the stop.
                return event["session"], False
            case "session_ended":
                return event["session"], True
            case _:
                return None

    def _after_session_change(self, event: Event) -> None:
        """What a session event causes besides the session itself."""
        if (
            event["type"] == "playback_stopped"
            and (user_id := event["session"].user_id) is not None
        ):
            self._refresh_discovery(USER_EVENT_ROWS, [user_id])

    @callback
    def async_handle(self, event: Event) -> None:
        """Dispatch one event; each refreshes exactly the data it can change."""
        if (change := self._session_change(event)) is not None:
            self._apply_run([change])
            self._after_session_change(event)
            return
        self._async_handle_other(event)

    @callback
    def _async_handle_other(self, event: Event) -> None:
        """Dispatch an event that is not a single session's change."""
        runtime = self.runtime
        sessions = runtime.sessions
        match event["type"]:
            case "connected":
                self.async_set_connected(True)
            case "disconnected" | "reconnecting":
                self.async_set_connected(False)
            case "sessions":
                known = len(sessions.known_devices)
                sessions.async_apply_changes(event)
                self._new_devices(known)
            case "library_changed":
                self._spawn(runtime.library.async_request_refresh(), f"{DOMAIN} library refresh")
                self._refresh_discovery(LIBRARY_EVENT_ROWS)
            case "user_data_changed":
                if not self._is_playback_start_save(event["user_id"], event["item_ids"]):
                    self._refresh_discovery(USER_EVENT_ROWS, [event["user_id"]])
            case "scheduled_tasks_info":
                runtime.server.async_set_tasks(event["tasks"])
            case "restart_required":
                runtime.server.async_set_pending_restart()
            case "activity_log_entry":
                if runtime.extra is not None:
                    runtime.extra.activity.async_add_entries(event["entries"])
            case "plugins_changed":
                # Installing announces what is not there yet; its end (or a removal) changed
                # the plugins. Only a listened source is read again.
                if (
                    event["message_type"] != "PackageInstalling"
                    and runtime.extra is not None
                    and runtime.extra.plugins.data is not None
                ):
                    self._spawn(
                        runtime.extra.plugins.async_request_refresh(), f"{DOMAIN} plugins refresh"
                    )
            case _:
                # scheduled_task_ended: the task subscription pushes the new list;
                # server_restarting / shutting_down: the core reconnects by itself (and the
                # reconnect reads the server); notifications and users feed no coordinator.
                pass


async def async_run_event_loop(
    hass: HomeAssistant,
    entry: EmbyConfigEntry,
    interval_ms: int,
    listeners: Iterable[Callable[[Event], None]] = (),
) -> None:
    """Consume the core's WebSocket event stream until the client closes; `listeners` see
    every event after the coordinators (the bus events of event_bus.py).

    The loop watches the stream's descriptor and takes each batch in a reader callback when
    the kernel says it is there: one turn of Home Assistant's loop per batch, nothing else
    woken. A burst larger than a batch is taken over several turns (the descriptor stays
    readable), so the loop keeps its turn between batches.
    """
    runtime = entry.runtime_data
    handler = EmbyEventHandler(hass, entry, runtime)
    listeners = tuple(listeners)
    ended: asyncio.Future[None] = hass.loop.create_future()

    @callback
    def _async_take() -> None:
        try:
            batch = stream.take()
        except EmbyError as err:
            # The batch could not be read (a conversion error): the next one can.
            LOGGER.warning("Emby events could not be read: %s", err)
            return
        if batch is None:
            if not ended.done():
                ended.set_result(None)
            return
        if not batch:
            return  # woken for events an earlier turn already took
        handler.async_handle_batch(batch)
        for event in batch:
            for listener in listeners:
                listener(event)

    try:
        stream = runtime.client.events(
            sessions_interval_ms=interval_ms, scheduled_tasks_interval_ms=TASKS_INTERVAL_MS
        )
        fd = stream.fileno()
    except EmbyClosedError:
        return
    except (EmbyError, OSError) as err:
        LOGGER.warning("Emby event stream not started: %s", err)
        return
    hass.loop.add_reader(fd, _async_take)
    try:
        await ended
    finally:
        hass.loop.remove_reader(fd)
        stream.release()
        for coordinator in handler.coordinators():
            coordinator.async_set_websocket_connected(False)
