"""The floor of the per-update benchmark: what a push costs on Home Assistant's event loop when an
integration on the core does nothing of its own.

The core's event stream is read as the integration reads it (the loop watches the stream's
descriptor and takes each batch in a reader callback), and each changed session of a `Sessions`
event goes straight to a minimal media player entity of its client: the state and the position
set, the media attributes when the item changed, then `async_write_ha_state`. No coordinator, no
listeners, no derivation of features, devices, pictures or bus events. What is left is the
loop's wake-up, the core's `take()` and Home Assistant's entity state write: a push of the
integration (bench/test_per_update.py, next to this) cannot cost less, and its figure less this
one is the integration's own code.
"""

from typing import Any

from embymedia_core import EmbyClient, EventStream, Session
from homeassistant.components.media_player import (
    DATA_COMPONENT,
    MediaPlayerEntity,
    MediaPlayerState,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

TICKS_PER_SECOND = 10_000_000


class FloorPlayer(MediaPlayerEntity):
    """A client as the least a media player entity can be."""

    _attr_should_poll = False

    def __init__(self, session: Session) -> None:
        """The player of the session's client."""
        self._attr_name = f"floor {session.device_name}"
        self._item_id: str | None = None

    @callback
    def async_show(self, session: Session) -> None:
        """Take the client's new session and write the state."""
        item = session.now_playing_item
        play_state = session.play_state
        if item is None:
            self._attr_state = MediaPlayerState.IDLE
        elif play_state.is_paused:
            self._attr_state = MediaPlayerState.PAUSED
        else:
            self._attr_state = MediaPlayerState.PLAYING
        item_id = item.id if item is not None else None
        if item_id != self._item_id:
            self._item_id = item_id
            self._attr_media_content_id = item_id
            self._attr_media_title = item.name if item is not None else None
            self._attr_media_series_title = item.series_name if item is not None else None
            runtime = item.run_time_ticks if item is not None else None
            self._attr_media_duration = runtime // TICKS_PER_SECOND if runtime else None
        ticks = play_state.position_ticks
        self._attr_media_position = ticks // TICKS_PER_SECOND if ticks is not None else None
        self._attr_media_position_updated_at = dt_util.utcnow()
        if (level := play_state.volume_level) is not None:
            self._attr_volume_level = level / 100
        self._attr_is_volume_muted = play_state.is_muted
        self.async_write_ha_state()


class FloorReader:
    """The core's event stream on HA's loop, written as minimal media player entities."""

    def __init__(self, hass: HomeAssistant, port: int, api_key: str) -> None:
        """Not connected yet."""
        self.hass = hass
        self.client = EmbyClient("127.0.0.1", port, api_key, device_id="bench-floor")
        self.players: dict[str, FloorPlayer] = {}
        self._stream: EventStream | None = None
        self._fd: int | None = None

    async def start(self) -> None:
        """First states from a poll, then every push."""
        await async_setup_component(self.hass, "media_player", {})
        changes = await self.client.get_session_changes()
        await self._async_add(changes["sessions"])
        self._stream = self.client.events()
        self._fd = self._stream.fileno()
        self.hass.loop.add_reader(self._fd, self._take)

    async def _async_add(self, sessions: list[Session]) -> None:
        new = []
        for session in sessions:
            if session.supports_remote_control and session.device_id not in self.players:
                player = self.players[session.device_id] = FloorPlayer(session)
                new.append(player)
        await self.hass.data[DATA_COMPONENT].async_add_entities(new)
        for session in sessions:
            if (player := self.players.get(session.device_id)) is not None:
                player.async_show(session)

    @callback
    def _take(self) -> None:
        assert self._stream is not None
        batch: Any = self._stream.take()
        for event in batch or ():
            if event["type"] != "sessions":
                continue
            for session in event["sessions"]:
                if (player := self.players.get(session.device_id)) is not None:
                    player.async_show(session)

    async def stop(self) -> None:
        """Disconnect."""
        if self._fd is not None:
            self.hass.loop.remove_reader(self._fd)
        if self._stream is not None:
            self._stream.release()
        await self.client.close()
