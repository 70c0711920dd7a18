"""Config flow: user (with the user choice), every error, reauth and reconfigure, all against the
simulator over loopback."""

import socket
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia import config_flow
from custom_components.embymedia.const import (
    CONF_API_KEY,
    CONF_HOST,
    CONF_PORT,
    CONF_SSL,
    CONF_USER_ID,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from emby_simulator import EmbySimulator, Fault, SimulatorConfig
from tests.helpers import user_input

API_KEY = "test-api-key"


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def start_user_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result["flow_id"]


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_all_users(hass: HomeAssistant, simulator: EmbySimulator) -> None:
    """Server and key, then "all users": one entry per server, titled by its name."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "select_user"
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_USER_ID: "all"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == simulator.server_id
    assert result["data"] == {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: simulator.port,
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
        CONF_API_KEY: API_KEY,
        CONF_USER_ID: None,
    }
    assert simulator.count("/Users") >= 1


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_one_user(hass: HomeAssistant, simulator: EmbySimulator) -> None:
    """The user choice lists the server's users and stores the chosen id."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator))
    selector = result["data_schema"].schema[CONF_USER_ID]
    offered = [option["value"] for option in selector.config["options"]]
    assert offered[0] == "all"
    assert len(set(offered[1:])) == len(simulator.users)
    chosen = offered[2]
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_USER_ID: chosen})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_USER_ID] == chosen


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_pasted_url(hass: HomeAssistant, simulator: EmbySimulator) -> None:
    """A pasted URL: its port wins over the port field."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        user_input(simulator, **{CONF_HOST: f"http://127.0.0.1:{simulator.port}/", CONF_PORT: 1}),
    )
    assert result["step_id"] == "select_user"
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_USER_ID: "all"})
    assert result["data"][CONF_HOST] == "127.0.0.1"
    assert result["data"][CONF_PORT] == simulator.port


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({CONF_API_KEY: "wrong-key"}, {"base": "invalid_auth"}),
        ({CONF_SSL: True}, {"base": "ssl_error"}),
        ({CONF_HOST: "not a host"}, {CONF_HOST: "invalid_host"}),
        ({CONF_HOST: "ftp://127.0.0.1"}, {CONF_HOST: "invalid_host"}),
    ],
    ids=["invalid_auth", "ssl_error", "invalid_host", "invalid_scheme"],
)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_errors_then_recover(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    overrides: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Each bad input shows its error on the form; correcting it finishes the flow."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(simulator, **overrides)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator))
    assert result["step_id"] == "select_user"


async def test_user_flow_cannot_connect(hass: HomeAssistant, simulator: EmbySimulator) -> None:
    """Nothing listens on the port."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(simulator, **{CONF_PORT: closed_port()})
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_user_flow_timeout(
    hass: HomeAssistant, simulator: EmbySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server answers later than the (test-shortened) validation timeout."""
    monkeypatch.setattr(config_flow, "VALIDATION_TIMEOUT", 0.3)
    simulator.set_fault(Fault(latency=2.0))
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator))
    assert result["errors"] == {"base": "timeout"}


async def test_user_flow_server_error(hass: HomeAssistant, simulator: EmbySimulator) -> None:
    """A server that answers 500 cannot be used."""
    simulator.set_fault(Fault(force_status=500))
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator))
    assert result["errors"] == {"base": "cannot_connect"}


async def test_user_flow_unknown_error(
    hass: HomeAssistant, simulator: EmbySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error that is no Emby error (here the core refusing a NaN timeout) is `unknown`."""
    monkeypatch.setattr(config_flow, "VALIDATION_TIMEOUT", float("nan"))
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator))
    assert result["errors"] == {"base": "unknown"}


@pytest.mark.parametrize(
    "simulator_config",
    [SimulatorConfig(api_key=API_KEY, users=1, clients=1, playing=0, version="4.7.0.0")],
)
async def test_user_flow_unsupported_version(hass: HomeAssistant, simulator: EmbySimulator) -> None:
    """Emby older than 4.8 is refused before the key is even tried."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, user_input(simulator))
    assert result["errors"] == {"base": "unsupported_version"}
    assert simulator.count("/Users") == 0


async def test_user_flow_already_configured(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """The same server (by its id) cannot be added twice, even under another address."""
    mock_config_entry.add_to_hass(hass)
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(simulator, **{CONF_HOST: "localhost"})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reauth(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Reauth asks only for the key; a wrong one shows invalid_auth; a good one is stored."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_API_KEY: "revoked"}
    )
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert set(result["data_schema"].schema) == {CONF_API_KEY}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: simulator.api_key}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_API_KEY] == simulator.api_key


async def test_reauth_server_down(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    """Reauth reports a server it cannot reach instead of storing an unchecked key."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_PORT: closed_port()}
    )
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "new-key"}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    assert mock_config_entry.data[CONF_API_KEY] == API_KEY


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Reconfigure changes the address of the same server; key and user stay."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_PORT: closed_port()}
    )
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert CONF_API_KEY not in result["data_schema"].schema

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: closed_port(), CONF_SSL: False, CONF_VERIFY_SSL: True},
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: f"http://127.0.0.1:{simulator.port}",
            CONF_PORT: 8096,
            CONF_SSL: False,
            CONF_VERIFY_SSL: False,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_PORT] == simulator.port
    assert mock_config_entry.data[CONF_VERIFY_SSL] is False
    assert mock_config_entry.data[CONF_API_KEY] == API_KEY


async def test_reconfigure_other_server(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Pointing an entry at a different server aborts."""
    mock_config_entry.add_to_hass(hass)
    async with EmbySimulator(
        SimulatorConfig(api_key=API_KEY, users=1, clients=1, playing=0)
    ) as other:
        assert other.server_id != simulator.server_id
        result = await mock_config_entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_HOST: "127.0.0.1", CONF_PORT: other.port, CONF_SSL: False, CONF_VERIFY_SSL: True},
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert mock_config_entry.data[CONF_PORT] == simulator.port


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_invalid_host(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A host that is no host stays on the form."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "bad host", CONF_PORT: 8096, CONF_SSL: False, CONF_VERIFY_SSL: True},
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
