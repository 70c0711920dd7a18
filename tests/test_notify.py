"""Notify entities against the simulator: one per client that can display messages, and the
message as Emby receives it."""

import pytest
from homeassistant.components.notify import ATTR_MESSAGE, ATTR_TITLE
from homeassistant.components.notify import DOMAIN as NOTIFY_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.const import CONF_ENABLE_WEBSOCKET, DOMAIN
from emby_simulator import EmbySimulator, Fault, SimulatorConfig

NO_WEBSOCKET = {CONF_ENABLE_WEBSOCKET: False}
pytestmark = pytest.mark.parametrize("entry_options", [NO_WEBSOCKET])


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """The default server without the clients' own script."""
    return SimulatorConfig(api_key="test-api-key", users=3, clients=6, playing=2, script=False)


def device_id_of(sim: EmbySimulator, client: str) -> str:
    """DeviceId of the simulated client running `client`."""
    return next(s.device_id for s in sim.sessions if s.client == client)


def notify_of(hass: HomeAssistant, sim: EmbySimulator, client: str) -> str | None:
    """Entity id of the notify entity of the simulated client running `client`."""
    return er.async_get(hass).async_get_entity_id(
        NOTIFY_DOMAIN, DOMAIN, f"{sim.server_id}_{device_id_of(sim, client)}"
    )


async def send(hass: HomeAssistant, entity_id: str, message: str, title: str | None = None) -> None:
    """notify.send_message, waiting for it."""
    data = {ATTR_ENTITY_ID: entity_id, ATTR_MESSAGE: message}
    if title is not None:
        data[ATTR_TITLE] = title
    await hass.services.async_call(NOTIFY_DOMAIN, "send_message", data, blocking=True)


async def test_notify_for_clients_that_display_messages(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """Clients listing DisplayMessage get one; the speaker and Infuse do not."""
    for client in ("Emby Web", "Roku SG", "Emby for Android", "Emby for Samsung"):
        entity_id = notify_of(hass, simulator, client)
        assert entity_id is not None
        assert hass.states.get(entity_id).state == STATE_UNKNOWN  # type: ignore[union-attr]
    assert notify_of(hass, simulator, "Emby for Sonos") is None
    assert notify_of(hass, simulator, "Infuse") is None
    assert len(hass.states.async_all(NOTIFY_DOMAIN)) == 4


async def test_send_message(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """The message and its title reach the client's session with a 10 s timeout."""
    roku = device_id_of(simulator, "Roku SG")
    client = next(s for s in simulator.sessions if s.device_id == roku)
    entity_id = notify_of(hass, simulator, "Roku SG")
    assert entity_id is not None

    await send(hass, entity_id, "Dinner is ready & hot", title="Kitchen")
    request = simulator.request_log[-1]
    assert (request.method, request.path) == ("POST", f"/Sessions/{client.id}/Message")
    assert request.query["text"] == "Dinner is ready & hot"
    assert request.query["header"] == "Kitchen"
    assert request.query["timeoutms"] == "10000"
    assert client.messages[-1] | {"At": None} == {
        "Header": "Kitchen",
        "Text": "Dinner is ready & hot",
        "TimeoutMs": 10000,
        "At": None,
    }
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state != STATE_UNKNOWN  # the time of the last message

    await send(hass, entity_id, "No title")
    assert simulator.request_log[-1].query["header"] == ""
    assert client.messages[-1]["Text"] == "No title"


async def test_send_message_errors(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """A server error and a client that left are translated errors."""
    entity_id = notify_of(hass, simulator, "Emby for Android")
    assert entity_id is not None
    simulator.set_fault(Fault(force_status=503, paths=("/Sessions/{id}/Message",)))
    with pytest.raises(HomeAssistantError) as err:
        await send(hass, entity_id, "Hello")
    assert err.value.translation_key == "command_failed"
    assert err.value.translation_placeholders["command"] == "DisplayMessage"
    simulator.set_fault(None)

    simulator.remove_client(device_id_of(simulator, "Emby for Android"))
    await init_integration.runtime_data.sessions.async_refresh()
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as err:
        await send(hass, entity_id, "Hello")
    assert err.value.translation_key == "client_not_connected"
