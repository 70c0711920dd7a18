"""Remotes against the simulator: one per controllable client, on while it is connected, and
every command as the Emby request it sends (repeats, delays, text, refusals)."""

from itertools import pairwise
from typing import Any

import pytest
from homeassistant.components.remote import (
    ATTR_COMMAND,
    ATTR_DELAY_SECS,
    ATTR_NUM_REPEATS,
)
from homeassistant.components.remote import DOMAIN as REMOTE_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.const import CONF_ENABLE_WEBSOCKET, DOMAIN
from emby_simulator import EmbySimulator, RequestRecord, SimulatorConfig

NO_WEBSOCKET = {CONF_ENABLE_WEBSOCKET: False}
pytestmark = pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """The default server without the clients' own script."""
    return SimulatorConfig(api_key="test-api-key", users=3, clients=6, playing=2, script=False)


def device_id_of(sim: EmbySimulator, client: str) -> str:
    """DeviceId of the simulated client running `client`."""
    return next(s.device_id for s in sim.sessions if s.client == client)


def remote_of(hass: HomeAssistant, sim: EmbySimulator, client: str) -> str:
    """Entity id of the remote of the simulated client running `client`."""
    entity_id = er.async_get(hass).async_get_entity_id(
        REMOTE_DOMAIN, DOMAIN, f"{sim.server_id}_{device_id_of(sim, client)}"
    )
    assert entity_id is not None
    return entity_id


def commands_sent(sim: EmbySimulator, since: int) -> list[RequestRecord]:
    """Remote-control requests the server received after `since` log entries."""
    return [
        r for r in sim.request_log[since:] if r.method == "POST" and r.path.startswith("/Sessions/")
    ]


async def send(hass: HomeAssistant, entity_id: str, *commands: str, **data: Any) -> None:
    """remote.send_command, waiting for it."""
    await hass.services.async_call(
        REMOTE_DOMAIN,
        "send_command",
        {ATTR_ENTITY_ID: entity_id, ATTR_COMMAND: list(commands), **data},
        blocking=True,
    )


async def test_remote_per_controllable_client(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Five clients can be controlled (Infuse cannot); a remote is on while its client is
    connected."""
    remotes = hass.states.async_all(REMOTE_DOMAIN)
    assert len(remotes) == 5
    assert all(state.state == STATE_ON for state in remotes)
    assert {state.attributes["friendly_name"] for state in remotes} >= {
        "Roku Ultra (Roku SG) Remote",
        "SM-X700 (Emby for Android) Remote",
    }

    entity_id = remote_of(hass, simulator, "Emby for Android")
    simulator.remove_client(device_id_of(simulator, "Emby for Android"))
    await init_integration.runtime_data.sessions.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == STATE_OFF  # type: ignore[union-attr]
    with pytest.raises(HomeAssistantError) as err:
        await send(hass, entity_id, "Select")
    assert err.value.translation_key == "client_not_connected"


async def test_navigation_and_repeats(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Short names map to Emby's; a sequence is sent `num_repeats` times, in order."""
    android = device_id_of(simulator, "Emby for Android")
    client = next(s for s in simulator.sessions if s.device_id == android)
    entity_id = remote_of(hass, simulator, "Emby for Android")
    since = len(simulator.request_log)

    await send(hass, entity_id, "Up", "right", "Select", "Back", "GoHome")
    sent = commands_sent(simulator, since)
    assert [r.path for r in sent] == [f"/Sessions/{client.id}/Command"] * 5
    assert [r.body["Name"] for r in sent] == ["MoveUp", "MoveRight", "Select", "Back", "GoHome"]
    assert client.navigation[-5:] == ["MoveUp", "MoveRight", "Select", "Back", "GoHome"]

    since = len(simulator.request_log)
    await send(hass, entity_id, "Down", "Select", **{ATTR_NUM_REPEATS: 3, ATTR_DELAY_SECS: 0.01})
    names = [r.body["Name"] for r in commands_sent(simulator, since)]
    assert names == ["MoveDown", "Select"] * 3


async def test_delay_between_commands(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """`delay_secs` separates every command of the repeated sequence (the server's arrival
    times are at least the delay apart: a lower bound, which a slow machine cannot break)."""
    entity_id = remote_of(hass, simulator, "Emby for Android")
    since = len(simulator.request_log)
    delay = 0.2
    await send(hass, entity_id, "Up", "Down", **{ATTR_NUM_REPEATS: 2, ATTR_DELAY_SECS: delay})
    sent = commands_sent(simulator, since)
    assert [r.body["Name"] for r in sent] == ["MoveUp", "MoveDown", "MoveUp", "MoveDown"]
    gaps = [later.time - earlier.time for earlier, later in pairwise(sent)]
    assert all(gap >= delay * 0.95 for gap in gaps), gaps


async def test_text_volume_and_playback_commands(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """SendString:<text> types text; volume keys are general commands; playback keys are
    playstate commands; ToggleOsdMenu goes out under the name the client lists."""
    web = device_id_of(simulator, "Emby Web")
    client = next(s for s in simulator.sessions if s.device_id == web)
    entity_id = remote_of(hass, simulator, "Emby Web")
    since = len(simulator.request_log)

    await send(hass, entity_id, "SendString:Star Wars: A New Hope", "SendKey:Enter")
    sent = commands_sent(simulator, since)
    assert [r.body for r in sent] == [
        {"Name": "SendString", "Arguments": {"String": "Star Wars: A New Hope"}},
        {"Name": "SendKey", "Arguments": {"Key": "Enter"}},
    ]
    assert "SendString:Star Wars: A New Hope" in client.navigation

    volume = client.volume
    since = len(simulator.request_log)
    await send(hass, entity_id, "VolumeDown", "ToggleMute", "ToggleOsdMenu")
    assert [r.body["Name"] for r in commands_sent(simulator, since)] == [
        "VolumeDown",
        "ToggleMute",
        "ToggleOsd",  # Emby Web's name for it
    ]
    assert client.volume == volume - 2
    assert client.is_muted

    since = len(simulator.request_log)
    await send(hass, entity_id, "PlayPause", "play", "Stop")
    assert [r.path for r in commands_sent(simulator, since)] == [
        f"/Sessions/{client.id}/Playing/PlayPause",
        f"/Sessions/{client.id}/Playing/Unpause",
        f"/Sessions/{client.id}/Playing/Stop",
    ]
    assert client.now_playing is None

    # The TV app lists ToggleOsdMenu itself.
    samsung = remote_of(hass, simulator, "Emby for Samsung")
    since = len(simulator.request_log)
    await send(hass, samsung, "toggleosd")
    assert [r.body["Name"] for r in commands_sent(simulator, since)] == ["ToggleOsdMenu"]


async def test_refused_commands_send_nothing(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Unknown commands, commands the client does not support and text commands without
    text are refused (translated) before anything of the sequence is sent."""
    web = remote_of(hass, simulator, "Emby Web")
    roku = remote_of(hass, simulator, "Roku SG")
    since = len(simulator.request_log)

    with pytest.raises(ServiceValidationError) as err:
        await send(hass, web, "Up", "Jump")
    assert err.value.translation_key == "unknown_command"
    assert err.value.translation_placeholders["command"] == "Jump"
    assert "SendString:<text>" in err.value.translation_placeholders["commands"]

    with pytest.raises(ServiceValidationError) as err:
        await send(hass, web, "Shout:hello")
    assert err.value.translation_key == "unknown_command"

    with pytest.raises(ServiceValidationError) as err:
        await send(hass, web, "SendString:")
    assert err.value.translation_key == "command_needs_text"

    # Emby for Roku has no navigation commands.
    with pytest.raises(ServiceValidationError) as err:
        await send(hass, roku, "GoHome", "Up")
    assert err.value.translation_key == "command_not_supported"
    assert err.value.translation_placeholders == {
        "command": "Up",
        "client": "Roku Ultra (Roku SG)",
    }
    assert str(err.value) == 'Roku Ultra (Roku SG) does not support the remote command "Up"'
    assert commands_sent(simulator, since) == []


async def test_power_is_not_supported(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Emby cannot switch clients on or off: both are refused with a translated error."""
    entity_id = remote_of(hass, simulator, "Emby for Android")
    for service in ("turn_on", "turn_off"):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                REMOTE_DOMAIN, service, {ATTR_ENTITY_ID: entity_id}, blocking=True
            )
        assert err.value.translation_key == "power_not_supported"
    assert hass.states.get(entity_id).state == STATE_ON  # type: ignore[union-attr]
