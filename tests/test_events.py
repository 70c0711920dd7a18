"""Bus events, device triggers, device conditions and logbook against the simulator.

Session events (`embymedia_event`) come from consecutive session states: the same sequence of
client actions fires the same events, once each, whether sessions are polled or pushed over the
WebSocket; a repeated snapshot fires nothing. The WebSocket's library, user-data, notification
and user messages become their own events.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.components.media_player import DOMAIN as MP_DOMAIN
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_PLATFORM, CONF_TYPE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import condition
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_get_device_automations,
)

from custom_components.embymedia import logbook as emby_logbook
from custom_components.embymedia.const import CONF_ENABLE_WEBSOCKET, DOMAIN
from custom_components.embymedia.event_bus import (
    EVENT_EMBYMEDIA,
    EVENT_LIBRARY_UPDATED,
    EVENT_NOTIFICATION,
    EVENT_USER_CHANGED,
    EVENT_USER_DATA_CHANGED,
    SESSION_EVENT_TYPES,
    STOP_GRACE,
)
from emby_simulator import EmbySimulator, SimulatorConfig

API_KEY = "test-api-key"
NO_WEBSOCKET = {CONF_ENABLE_WEBSOCKET: False}
PAST_STOP_GRACE = timedelta(seconds=STOP_GRACE + 1)
type WaitUntil = Callable[..., Awaitable[None]]
type FindDevice = Callable[[ConfigEntry, str], dr.DeviceEntry | None]


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """Clients act only when a test says so."""
    return SimulatorConfig(api_key=API_KEY, users=3, clients=6, playing=2, script=False)


def device_of(sim: EmbySimulator, client: str) -> str:
    return next(s.device_id for s in sim.sessions if s.client == client)


def player(hass: HomeAssistant, sim: EmbySimulator, emby_device_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        MP_DOMAIN, DOMAIN, f"{sim.server_id}_{emby_device_id}"
    )
    assert entity_id is not None
    return entity_id


class Driver:
    """Moves the simulator one step and waits until the integration has seen it, on the
    polling path (a poll) or the WebSocket path (the pushes)."""

    def __init__(
        self,
        hass: HomeAssistant,
        sim: EmbySimulator,
        entry: MockConfigEntry,
        wait_until: WaitUntil,
        websocket: bool,
    ) -> None:
        self.hass, self.sim, self.entry = hass, sim, entry
        self.wait_until, self.websocket = wait_until, websocket

    def _caught_up(self) -> bool:
        """Home Assistant shows what every client of the simulator plays and whether paused."""
        shown = self.entry.runtime_data.sessions.data or {}
        for session in self.sim.sessions:
            if (seen := shown.get(session.device_id)) is None:
                continue
            item = seen.now_playing_item.id if seen.now_playing_item else None
            if (item, seen.play_state.is_paused) != (session.now_playing, session.is_paused):
                return False
        return True

    async def settle(self, condition_: Callable[[], bool] = lambda: True) -> None:
        """One simulated second, then the pushes (or a poll), then past the stop grace."""
        self.sim.advance(1)
        if self.websocket:
            await self.sim.flush()
        else:
            await self.entry.runtime_data.sessions.async_refresh()
        # Every frame handled before the clock passes the stop grace: a stop and the next
        # item's start in two batches must still become one media_changed.
        await self.wait_until(self._caught_up)

        def _seen() -> bool:
            async_fire_time_changed(self.hass, dt_util.utcnow() + PAST_STOP_GRACE)
            return condition_()

        await self.wait_until(_seen)


def types_of(events: list[Event]) -> list[str]:
    return [event.data["type"] for event in events]


@pytest.mark.parametrize(
    "entry_options",
    [NO_WEBSOCKET, {}],
    ids=["polling", "websocket"],
)
async def test_session_events_fire_once_on_both_paths(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
    find_device: FindDevice,
) -> None:
    """started, paused, resumed, media changed, stopped, connected, disconnected: once each,
    with the documented fields, and nothing for a repeated snapshot."""
    entry = init_integration
    websocket = entry.options.get(CONF_ENABLE_WEBSOCKET, True)
    if websocket:
        await wait_until(lambda: entry.runtime_data.sessions.websocket_connected)
    events = async_capture_events(hass, EVENT_EMBYMEDIA)
    drive = Driver(hass, simulator, entry, wait_until, websocket)
    android = device_of(simulator, "Emby for Android")
    episode = simulator.library.of_type("Episode")[0]
    movie = simulator.library.of_type("Movie")[0]

    async def step(action: Callable[[], None], expected: list[str]) -> None:
        before = len(events)
        action()
        await drive.settle(lambda: len(events) >= before + len(expected))
        assert types_of(events[before:]) == expected
        # The same state again (a poll, or a later push) fires nothing more.
        await drive.settle()
        assert types_of(events[before:]) == expected

    await step(lambda: simulator.start_playback(android, episode.id), ["playback_started"])
    started = events[-1].data
    device = find_device(entry, android)
    assert device is not None
    alice = next(s for s in simulator.sessions if s.device_id == android)
    assert started == {
        "type": "playback_started",
        "config_entry_id": entry.entry_id,
        "server_id": simulator.server_id,
        "device_id": device.id,
        "entity_id": player(hass, simulator, android),
        "client": "Emby for Android",
        "device_name": started["device_name"],
        "user_id": alice.user_id,
        "user_name": started["user_name"],
        "item": {
            "id": episode.id,
            "name": episode.name,
            "type": "Episode",
            "series": started["item"]["series"],
            "season": started["item"]["season"],
            "episode": started["item"]["episode"],
        },
    }
    assert started["user_name"]
    assert started["item"]["series"]
    assert isinstance(started["item"]["season"], int)
    assert isinstance(started["item"]["episode"], int)
    assert API_KEY not in repr(started)

    await step(lambda: simulator.pause(android), ["playback_paused"])
    await step(lambda: simulator.unpause(android), ["playback_resumed"])
    await step(lambda: simulator.start_playback(android, movie.id), ["media_changed"])
    assert events[-1].data["item"]["id"] == movie.id
    assert events[-1].data["previous_item"]["id"] == episode.id
    await step(lambda: simulator.stop_playback(android), ["playback_stopped"])
    assert events[-1].data["item"]["id"] == movie.id  # what stopped

    new = simulator.add_client("Emby Web", "Kitchen tablet", device_id="kitchen-tablet")
    assert new.device_id == "kitchen-tablet"
    # A new client: connected once (its entity appears with this update).
    before = len(events)
    await drive.settle(lambda: len(events) > before)
    assert types_of(events[before:]) == ["session_connected"]
    await step(lambda: simulator.remove_client("kitchen-tablet"), ["session_disconnected"])
    assert events[-1].data["client"] == "Emby Web"
    assert all(event.data["type"] in SESSION_EVENT_TYPES for event in events)


async def test_websocket_messages_become_events(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """LibraryChanged, UserDataChanged, NotificationAdded and UserDeleted, each once."""
    entry = init_integration
    # Emby routes library and user-data messages to our socket only once capabilities are in.
    await wait_until(lambda: simulator.user_event_sockets == 1)
    library = async_capture_events(hass, EVENT_LIBRARY_UPDATED)
    user_data = async_capture_events(hass, EVENT_USER_DATA_CHANGED)
    notifications = async_capture_events(hass, EVENT_NOTIFICATION)
    users = async_capture_events(hass, EVENT_USER_CHANGED)
    movie = simulator.library.of_type("Movie")[3]
    carol = next(user for user in simulator.users if user["Name"] == "Carol")

    simulator.trigger_library_change(items_updated=[movie.id])
    simulator.advance(6)  # Emby batches library changes for 5 s
    await simulator.flush()
    await wait_until(lambda: len(library) == 1)
    assert library[0].data["config_entry_id"] == entry.entry_id
    assert library[0].data["server_id"] == simulator.server_id
    assert movie.id in library[0].data["items_updated"]

    simulator.trigger_user_data_change(carol["Id"], [movie.id], played=True)
    simulator.advance(1)
    await simulator.flush()
    await wait_until(lambda: len(user_data) == 1)
    assert user_data[0].data["user_id"] == carol["Id"]
    assert user_data[0].data["user_name"] == "Carol"
    assert user_data[0].data["item_ids"] == [movie.id]

    simulator.send_ws(
        "NotificationAdded", {"Name": "Update available", "Description": "4.9.6", "Level": "Info"}
    )
    simulator.send_ws("UserDeleted", carol["Id"])
    await simulator.flush()
    await wait_until(lambda: len(notifications) == 1 and len(users) == 1)
    assert notifications[0].data == {
        "config_entry_id": entry.entry_id,
        "server_id": simulator.server_id,
        "name": "Update available",
        "description": "4.9.6",
        "level": "Info",
    }
    assert users[0].data == {
        "config_entry_id": entry.entry_id,
        "server_id": simulator.server_id,
        "change": "deleted",
        "user_id": carol["Id"],
        "user_name": "Carol",
    }
    for event in (*library, *user_data, *notifications, *users):
        assert API_KEY not in repr(event.data)
    await hass.async_block_till_done()
    assert (len(library), len(user_data), len(notifications), len(users)) == (1, 1, 1, 1)


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_device_trigger_automation_fires_on_playback(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    find_device: FindDevice,
) -> None:
    """The editor offers the seven triggers per client (none for the server); an automation
    built from one runs when the simulator starts playback on that client only."""
    android = device_of(simulator, "Emby for Android")
    samsung = device_of(simulator, "Emby for Samsung")
    device = find_device(init_integration, android)
    server = find_device(init_integration, simulator.server_id)
    assert device is not None
    assert server is not None
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device.id)
    assert {t[CONF_TYPE] for t in triggers if t[CONF_DOMAIN] == DOMAIN} == set(SESSION_EVENT_TYPES)
    server_triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, server.id
    )
    assert [t for t in server_triggers if t[CONF_DOMAIN] == DOMAIN] == []

    fired = async_capture_events(hass, "embymedia_test_automation")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "trigger": {
                    CONF_PLATFORM: "device",
                    CONF_DOMAIN: DOMAIN,
                    CONF_DEVICE_ID: device.id,
                    CONF_TYPE: "playback_started",
                },
                "action": {
                    "event": "embymedia_test_automation",
                    "event_data": {"item": "{{ trigger.event.data.item.name }}"},
                },
            }
        },
    )
    movie = simulator.library.of_type("Movie")[1]
    simulator.start_playback(samsung, movie.id)  # another client: no run
    simulator.advance(1)
    await init_integration.runtime_data.sessions.async_refresh()
    await hass.async_block_till_done()
    assert fired == []
    simulator.start_playback(android, movie.id)
    simulator.advance(1)
    await init_integration.runtime_data.sessions.async_refresh()
    await hass.async_block_till_done()
    assert len(fired) == 1
    assert fired[0].data["item"] == movie.name


@pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])
async def test_device_conditions_follow_the_player(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    find_device: FindDevice,
) -> None:
    """is_playing, is_paused, is_idle, is_off and has_media, in each state of a client."""
    android = device_of(simulator, "Emby for Android")
    device = find_device(init_integration, android)
    assert device is not None
    offered = await async_get_device_automations(hass, DeviceAutomationType.CONDITION, device.id)
    ours = [c for c in offered if c[CONF_DOMAIN] == DOMAIN]
    assert {c[CONF_TYPE] for c in ours} == {
        "is_playing",
        "is_paused",
        "is_idle",
        "is_off",
        "has_media",
    }
    checkers = {
        c[CONF_TYPE]: await condition.async_from_config(
            hass,
            await condition.async_validate_condition_config(hass, c),  # type: ignore[arg-type]
        )
        for c in ours
    }

    async def holding() -> set[str]:
        simulator.advance(1)
        await init_integration.runtime_data.sessions.async_refresh()
        await hass.async_block_till_done()
        return {name for name, check in checkers.items() if check(hass, {})}

    assert await holding() == {"is_idle"}
    simulator.start_playback(android, simulator.library.of_type("Movie")[2].id)
    assert await holding() == {"is_playing", "has_media"}
    simulator.pause(android)
    assert await holding() == {"is_paused", "has_media"}
    simulator.stop_playback(android)
    assert await holding() == {"is_idle"}
    simulator.remove_client(android)
    assert await holding() == {"is_off"}


def test_logbook_describes_every_event() -> None:
    """Each event type has a logbook line naming the client or user and the item."""
    described: dict[str, Callable[[Event], dict[str, str]]] = {}
    emby_logbook.async_describe_events(
        None,  # type: ignore[arg-type]
        lambda domain, event_type, describe: described.__setitem__(event_type, describe),
    )
    assert set(described) == {
        EVENT_EMBYMEDIA,
        EVENT_LIBRARY_UPDATED,
        EVENT_USER_DATA_CHANGED,
        EVENT_NOTIFICATION,
        EVENT_USER_CHANGED,
    }
    item = {"id": "7", "name": "Pilot", "type": "Episode", "series": "Lost", "season": 1,
            "episode": 1}  # fmt: skip
    line = described[EVENT_EMBYMEDIA](
        Event(
            EVENT_EMBYMEDIA,
            {
                "type": "playback_started",
                "device_name": "Den TV",
                "entity_id": "media_player.den",
                "item": item,
            },
        )
    )
    assert line == {
        "name": "Den TV",
        "message": "started playing Lost S1E1 Pilot",
        "entity_id": "media_player.den",
    }
    for event_type in SESSION_EVENT_TYPES:
        text = described[EVENT_EMBYMEDIA](Event(EVENT_EMBYMEDIA, {"type": event_type}))
        assert text["message"]
    assert (
        described[EVENT_LIBRARY_UPDATED](
            Event(EVENT_LIBRARY_UPDATED, {"items_added": ["1", "2"], "items_updated": []})
        )["message"]
        == "changed (2 added, 0 updated, 0 removed)"
    )
    assert described[EVENT_USER_DATA_CHANGED](
        Event(EVENT_USER_DATA_CHANGED, {"user_name": "Carol", "item_ids": ["1"], "item": item})
    ) == {"name": "Carol", "message": "user data of Lost S1E1 Pilot changed"}
    assert (
        described[EVENT_NOTIFICATION](
            Event(EVENT_NOTIFICATION, {"name": "Update", "description": "4.9.6"})
        )["message"]
        == "notification: Update: 4.9.6"
    )
    assert described[EVENT_USER_CHANGED](
        Event(EVENT_USER_CHANGED, {"user_id": "u1", "change": "deleted"})
    ) == {"name": "u1", "message": "user deleted"}
