"""Who hears of a session update: the entities of the clients that changed, not every entity.

A session push or poll usually changes one client of many (the core hands over only the
sessions that changed, `get_session_changes` and the `sessions` event). Client entities listen
to their own client: to every change of its session (their listener context is the client's
DeviceId) or, when they show only whether it is connected (remote, notify), to its coming and
going (`ClientPresence`); server sensors and bookkeeping listen to a `SessionTopic` (what they
show can change only with it) or, with no context, to every update. An update that is not a set
of changes (a failed poll, the recovery from one) reaches every listener, as Home Assistant's
coordinator does.

Under a flood the changed clients are told in slices of `CLIENTS_PER_SLICE`, the rest on the
next turns of the event loop (a task of the entry), so Home Assistant's loop is never held for
the whole burst; a client changed again before its turn is told once, with its newest session.
"""

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, callback

from .const import LOGGER

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

# Clients told per turn of the event loop (a client's entities write their states: a fraction
# of a millisecond each).
CLIENTS_PER_SLICE: Final = 16


class SessionTopic(Enum):
    """What a listener shows of the sessions besides single clients."""

    MEMBERS = "members"
    """Which clients are connected (counts, new entities, device housekeeping)."""
    PLAYING = "playing"
    """What the playing clients play (the playing sessions sensor)."""


@dataclass(frozen=True, slots=True)
class ClientPresence:
    """Listener context of an entity that shows only whether its client is connected: told when
    the client comes or goes, not at every change of its session."""

    device_id: str


@dataclass
class SessionUpdate:
    """What one update changed: the clients whose session changed, those of them that came or
    went, and the topics."""

    devices: set[str] = field(default_factory=set)
    arrived_or_left: set[str] = field(default_factory=set)
    topics: set[SessionTopic] = field(default_factory=set)


class ClientListeners:
    """Listeners of the session coordinator by client and by topic, told only of what changed."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, name: str) -> None:
        """No listeners yet."""
        self._hass = hass
        self._entry = entry
        self._name = name
        self._general: dict[int, CALLBACK_TYPE] = {}
        self._topics: dict[SessionTopic, dict[int, CALLBACK_TYPE]] = {}
        self._clients: dict[str, dict[int, CALLBACK_TYPE]] = {}
        self._presence: dict[str, dict[int, CALLBACK_TYPE]] = {}
        self._next_id = 0
        # Clients changed but not told yet (insertion order: oldest change first), and whether
        # each came or went meanwhile.
        self._pending: dict[str, bool] = {}
        self._draining = False

    @callback
    def add(self, update_callback: CALLBACK_TYPE, context: object) -> CALLBACK_TYPE:
        """Index a listener by its context; returns its removal."""
        self._next_id += 1
        listener_id = self._next_id
        group: dict[int, CALLBACK_TYPE]
        if isinstance(context, SessionTopic):
            group = self._topics.setdefault(context, {})
        elif isinstance(context, str):
            group = self._clients.setdefault(context, {})
        elif isinstance(context, ClientPresence):
            group = self._presence.setdefault(context.device_id, {})
        else:
            group = self._general
        group[listener_id] = update_callback

        @callback
        def _remove() -> None:
            group.pop(listener_id, None)

        return _remove

    @property
    def pending(self) -> int:
        """Clients changed and not told yet."""
        return len(self._pending)

    @callback
    def async_tell(self, update: SessionUpdate) -> None:
        """Tell the listeners of the clients that changed (a slice now, the rest on the next
        turns of the loop; the clients first: their states are what the update is about), then
        those of the topics that changed and the general ones."""
        pending = self._pending
        arrived_or_left = update.arrived_or_left
        for device_id in update.devices:
            # A client changed again waits at the end of the line: oldest change first.
            came_or_went = pending.pop(device_id, False) or device_id in arrived_or_left
            pending[device_id] = came_or_went
        self._async_tell_slice()
        if pending and not self._draining:
            self._draining = True
            self._entry.async_create_task(
                self._hass, self._async_drain(), f"{self._name} updates", eager_start=False
            )
        for update_callback in [
            *(
                listener
                for topic in update.topics
                for listener in self._topics.get(topic, {}).values()
            ),
            *self._general.values(),
        ]:
            self._call(update_callback)

    @callback
    def async_tell_all(self, listeners: Iterable[CALLBACK_TYPE]) -> None:
        """An update of everything: every listener, now (nothing stays pending)."""
        self._pending.clear()
        for update_callback in list(listeners):
            self._call(update_callback)

    @callback
    def _async_tell_slice(self) -> None:
        pending = self._pending
        for _ in range(min(CLIENTS_PER_SLICE, len(pending))):
            device_id = next(iter(pending))
            came_or_went = pending.pop(device_id)
            listeners = list(self._clients.get(device_id, {}).values())
            if came_or_went:
                listeners += self._presence.get(device_id, {}).values()
            for update_callback in listeners:
                self._call(update_callback)

    async def _async_drain(self) -> None:
        """Tell the clients still pending, a slice per turn of the loop."""
        try:
            while self._pending:
                await asyncio.sleep(0)
                self._async_tell_slice()
        finally:
            self._draining = False

    def _call(self, update_callback: Callable[[], None]) -> None:
        try:
            update_callback()
        except Exception:
            LOGGER.exception("Unexpected error updating a listener of %s", self._name)
