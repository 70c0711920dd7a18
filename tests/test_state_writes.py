"""Issue 13: a sessions push writes the states of the entities whose data changed, and no
other: with many clients, one that pauses writes its media player (and the playing-sessions
sensor, whose attributes say who is paused), an identical push writes nothing, and a change of
availability (the coordinator failing, then recovering) still writes every client entity."""

import copy
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import UpdateFailed
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.const import CONF_ENABLE_WEBSOCKET, DOMAIN
from custom_components.embymedia.entity import EmbyClientEntity, EmbyEntity
from custom_components.embymedia.events import EmbyEventHandler
from custom_components.embymedia.session_updates import CLIENTS_PER_SLICE
from emby_simulator import EmbySimulator, SimulatorConfig

API_KEY = "test-api-key"
CLIENTS = 12


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """Many clients, two of them playing, nobody changes playback but the test."""
    return SimulatorConfig(api_key=API_KEY, users=2, clients=CLIENTS, playing=2, script=False)


@pytest.fixture
def entry_options() -> dict[str, bool]:
    """Pushes come only from the test (through the event handler)."""
    return {CONF_ENABLE_WEBSOCKET: False}


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """State writes per entity_id (every write, also one that changes nothing)."""
    counted: Counter[str] = Counter()
    original = Entity.async_write_ha_state

    def counting(self: Entity) -> None:
        counted[self.entity_id] += 1
        original(self)

    monkeypatch.setattr(Entity, "async_write_ha_state", counting)
    yield counted


def client_entities(hass: HomeAssistant, entry: MockConfigEntry, device_id: str) -> set[str]:
    """Entity ids of one client's entities (media player, remote, notify)."""
    server_id = entry.runtime_data.sessions.server_id
    return {
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.unique_id == f"{server_id}_{device_id}"
    }


async def test_push_writes_only_changed_entities(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    writes: Counter[str],
) -> None:
    """One client pauses among many: only its media player and the playing-sessions sensor are
    written; the same push again writes nothing; a failure and the recovery write all."""
    runtime = init_integration.runtime_data
    handler = EmbyEventHandler(hass, init_integration, runtime)
    registry = er.async_get(hass)

    async def push() -> None:
        handler.async_handle(await runtime.client.get_session_changes())
        await hass.async_block_till_done()

    web = next(
        s.device_id
        for s in simulator.sessions
        if s.now_playing and s.device_id in runtime.sessions.data
    )
    player = registry.async_get_entity_id("media_player", DOMAIN, f"{simulator.server_id}_{web}")
    playing_sensor = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{simulator.server_id}_playing_sessions"
    )
    assert player is not None
    assert playing_sensor is not None
    client_ids = list(runtime.sessions.data)
    assert len(client_ids) >= 10
    every_client_entity = set().union(
        *(client_entities(hass, init_integration, d) for d in client_ids)
    )
    assert len(every_client_entity) >= 2 * len(client_ids)

    await push()  # the pushed sessions as the poll saw them
    writes.clear()
    await push()
    assert writes == Counter()

    simulator.pause(web)
    await push()
    assert set(writes) == {player, playing_sensor}
    assert hass.states.get(player).state == "paused"  # type: ignore[union-attr]
    writes.clear()
    await push()
    assert writes == Counter()

    # Availability is written whatever the data: every client entity goes unavailable.
    runtime.sessions.async_set_update_error(UpdateFailed("gone"))
    await hass.async_block_till_done()
    assert every_client_entity <= set(writes)
    assert hass.states.get(player).state == STATE_UNAVAILABLE  # type: ignore[union-attr]
    writes.clear()
    await push()
    assert every_client_entity <= set(writes)
    assert hass.states.get(player).state == "paused"  # type: ignore[union-attr]


@pytest.fixture
def updates(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Coordinator updates handled per entity_id (the listener calls, written or not)."""
    counted: Counter[str] = Counter()
    for cls in (EmbyEntity, EmbyClientEntity):
        original = cls._handle_coordinator_update

        def counting(self: Entity, original: Callable[[Any], None] = original) -> None:
            counted[self.entity_id] += 1
            original(self)

        monkeypatch.setattr(cls, "_handle_coordinator_update", counting)
    yield counted


async def test_an_update_reaches_only_the_clients_that_changed(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    updates: Counter[str],  # before the entities are added: their listeners are counted
    init_integration: MockConfigEntry,
) -> None:
    """One client pauses among many: the listeners of that client's media player and of the
    playing-sessions sensor run, no other entity's (its remote and notify show only whether it
    is connected); a client that connects reaches the count of active sessions too; an
    identical push reaches nobody; a client that leaves reaches all its entities."""
    runtime = init_integration.runtime_data
    handler = EmbyEventHandler(hass, init_integration, runtime)
    registry = er.async_get(hass)

    async def push() -> None:
        handler.async_handle(await runtime.client.get_session_changes())
        await hass.async_block_till_done()

    def sensor(key: str) -> str:
        entity_id = registry.async_get_entity_id("sensor", DOMAIN, f"{simulator.server_id}_{key}")
        assert entity_id is not None
        return entity_id

    await push()
    updates.clear()
    await push()
    assert updates == Counter()

    web = next(
        s.device_id
        for s in simulator.sessions
        if s.now_playing and s.device_id in runtime.sessions.data
    )
    player = registry.async_get_entity_id("media_player", DOMAIN, f"{simulator.server_id}_{web}")
    simulator.pause(web)
    await push()
    assert set(updates) == {player, sensor("playing_sessions")}
    assert all(count == 1 for count in updates.values())

    updates.clear()
    simulator.add_client(client="Emby Theater", device_name="Den", device_id="den-pc")
    await push()
    assert sensor("active_sessions") in updates
    assert sensor("playing_sessions") not in updates  # the newcomer plays nothing
    assert not set(updates) & client_entities(hass, init_integration, web)

    updates.clear()
    simulator.remove_client(web)
    await push()
    assert client_entities(hass, init_integration, web) <= set(updates)
    remote = registry.async_get_entity_id("remote", DOMAIN, f"{simulator.server_id}_{web}")
    assert hass.states.get(remote).state == "off"  # type: ignore[arg-type,union-attr]


async def test_a_burst_of_changes_is_told_in_slices(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    updates: Counter[str],  # before the entities are added: their listeners are counted
    init_integration: MockConfigEntry,
) -> None:
    """Every client changes at once: the first slice of clients is told at once,
    the others on the next turns of the loop, each client once (a client that changes again
    before its turn is told once, with its newest session)."""
    runtime = init_integration.runtime_data
    sessions = runtime.sessions
    players = {
        device_id: entity_id
        for device_id in sessions.data
        if (
            entity_id := er.async_get(hass).async_get_entity_id(
                "media_player", DOMAIN, f"{simulator.server_id}_{device_id}"
            )
        )
    }
    slice_size = 4  # patched below, so that a dozen clients make three slices
    assert len(players) > 2 * slice_size

    def renamed(suffix: str) -> list[tuple[Any, bool]]:
        return [
            (copy.replace(session, device_name=f"{session.device_name} {suffix}"), False)
            for session in sessions.data.values()
        ]

    assert slice_size < CLIENTS_PER_SLICE
    with patch("custom_components.embymedia.session_updates.CLIENTS_PER_SLICE", slice_size):
        sessions.async_apply_sessions(renamed("a"))
        told = {entity_id for entity_id in players.values() if updates[entity_id]}
        assert len(told) == slice_size
        sessions.async_apply_sessions(renamed("b"))  # before the others' turn
        await hass.async_block_till_done()
    assert {entity_id: updates[entity_id] for entity_id in players.values()} == {
        entity_id: 2 if entity_id in told else 1 for entity_id in players.values()
    }
    for device_id in players:
        assert sessions.data[device_id].device_name.endswith(" b")
