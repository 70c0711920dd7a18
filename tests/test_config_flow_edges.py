"""Config flow against bad input at every step (user, discovered server, reauth, reconfigure):
garbage hosts, IPv6 literals, URLs with paths, queries, fragments and credentials, other
schemes, ports out of range, keys with blanks, control or non-ASCII characters. Each is either
normalised or shown as a translated error on the form: never an exception, never the key in an
error or a log line. The rules are the core's (`parse_host`, `parse_api_key`)."""

from typing import Any

import pytest
from embymedia_core import InvalidArgumentError, InvalidHostError, parse_api_key, parse_host
from homeassistant.config_entries import (
    SOURCE_INTEGRATION_DISCOVERY,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.config_flow import FlowError, normalize_connection
from custom_components.embymedia.const import (
    CONF_API_KEY,
    CONF_HOST,
    CONF_PORT,
    CONF_SSL,
    CONF_USER_ID,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from custom_components.embymedia.server_discovery import CONF_ADDRESS, CONF_NAME, CONF_SERVER_ID
from emby_simulator import EmbySimulator
from tests.helpers import user_input

# Hosts that cannot name a server. `{port}` is the simulator's: only the flaw makes them bad.
BAD_HOSTS = [
    "",
    "   ",
    "not a host",
    "emby\nhost",
    "\x00",
    "ftp://127.0.0.1:{port}",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "mailto:admin@127.0.0.1",
    "http://127.0.0.1:{port}/?x=1",
    "http://127.0.0.1:{port}/emby#top",
    "http://user:pw@127.0.0.1:{port}",
    "http://:pw@127.0.0.1:{port}",
    "fe80::1%eth0",
    "[fe80::1%25eth0]:{port}",
    "http://127.0.0.1:65536",
    "http://127.0.0.1:0",
    "127.0.0.1:-1",
    "127.0.0.1:abc",
    "127.0.0.1:99999999999999999999999",
    "a" * 64 + ".local",
    ".".join(["abcdefghij"] * 25) + ".local",
]

# Hosts that are the simulator once normalised (surrounding blanks, case, a trailing slash, a
# port in the text, a link to the web app).
GOOD_HOSTS = [
    "  127.0.0.1 \n",
    "127.0.0.1/",
    "127.0.0.1:{port}",
    "HTTP://127.0.0.1:{port}/",
    "ws://127.0.0.1:{port}",
    "http://127.0.0.1:{port}/web/index.html#!/home?tab=1",
    "127.0.0.1:{port}/web/",
]

# IPv6 loopback, with and without brackets: parsed, stored with brackets, then tried (nothing of
# the simulator listens there, so the answer is cannot_connect, not invalid_host).
IPV6_HOSTS = ["::1", "[::1]", "[::1]:{port}", "http://[::1]:{port}/"]

BAD_KEYS = [
    "",
    "   ",
    "\n",
    "key with spaces",
    "key\nwith-newline",
    "key\twith-tab",
    "clé-non-ascii",
    "ключ",
    "\x00key",
    "k" * 257,
]

BAD_PORTS: list[Any] = [0, -1, 65536, 10**30, "abc", 8096.5, None]


def _host(template: str, sim: EmbySimulator) -> str:
    return template.replace("{port}", str(sim.port))


def _assert_quiet(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    """No traceback but of a translated error (Home Assistant logs its setup errors with one)
    and no secret in the log."""
    for record in caplog.records:
        if record.exc_info is not None:
            assert isinstance(record.exc_info[1], HomeAssistantError), record.getMessage()
        for secret in secrets:
            if secret.strip():
                assert secret not in record.getMessage()


async def _user_step(hass: HomeAssistant, data: dict[str, Any]) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], data)
    return dict(result)


@pytest.mark.parametrize("host", BAD_HOSTS)
async def test_user_step_bad_hosts(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    caplog: pytest.LogCaptureFixture,
    host: str,
) -> None:
    """Each is invalid_host on the host field, before anything is sent."""
    result = await _user_step(hass, user_input(simulator, **{CONF_HOST: _host(host, simulator)}))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert simulator.count("/System/Info/Public") == 0
    _assert_quiet(caplog, "pw@", simulator.api_key)


@pytest.mark.parametrize("host", GOOD_HOSTS)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_step_hosts_normalised(
    hass: HomeAssistant, simulator: EmbySimulator, host: str
) -> None:
    """Blanks, case, slashes, a port in the text and web app links reach the simulator, and the
    entry stores the normalised address."""
    result = await _user_step(hass, user_input(simulator, **{CONF_HOST: _host(host, simulator)}))
    assert result["step_id"] == "select_user", result.get("errors")
    result = dict(
        await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_USER_ID: "all"})
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOST] == "127.0.0.1"
    assert result["data"][CONF_PORT] == simulator.port


@pytest.mark.parametrize("host", IPV6_HOSTS)
async def test_user_step_ipv6_literals(
    hass: HomeAssistant, simulator: EmbySimulator, host: str
) -> None:
    """IPv6 literals with or without brackets are addresses (tried, not refused)."""
    typed = _host(host, simulator)
    result = await _user_step(hass, user_input(simulator, **{CONF_HOST: typed, CONF_PORT: 1}))
    assert result["errors"] == {"base": "cannot_connect"}
    port = simulator.port if "{port}" in host else 1
    assert normalize_connection({CONF_HOST: typed, CONF_PORT: 1})[CONF_HOST] == "[::1]"
    assert parse_host(typed, 1, False)[:2] == ("::1", port)


@pytest.mark.parametrize("port", BAD_PORTS)
async def test_ports_out_of_range(hass: HomeAssistant, simulator: EmbySimulator, port: Any) -> None:
    """Given to the core (stored by hand), they are invalid_host, never OverflowError or
    TypeError; the form refuses them (Home Assistant shows the schema error on the port
    field)."""
    with pytest.raises(FlowError) as flow_error:
        normalize_connection({CONF_HOST: "127.0.0.1", CONF_PORT: port})
    assert (flow_error.value.key, flow_error.value.field) == ("invalid_host", CONF_HOST)
    with pytest.raises(InvalidHostError):
        parse_host("127.0.0.1", port, False)
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    if isinstance(port, float) and (MAJOR_VERSION, MINOR_VERSION) < (2026, 10):
        # voluptuous (before probatio) turns 8096.5 into 8096: a port the form may take.
        return
    with pytest.raises(InvalidData) as err:
        await hass.config_entries.flow.async_configure(
            flow["flow_id"], user_input(simulator, **{CONF_PORT: port})
        )
    assert CONF_PORT in err.value.schema_errors


@pytest.mark.parametrize("key", BAD_KEYS, ids=lambda key: f"{key[:12]!r}")
async def test_user_step_bad_keys(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    caplog: pytest.LogCaptureFixture,
    key: str,
) -> None:
    """invalid_api_key on the key field, nothing sent, the key in no error or log line."""
    result = await _user_step(hass, user_input(simulator, **{CONF_API_KEY: key}))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_API_KEY: "invalid_api_key"}
    assert simulator.count("/System/Info/Public") == 0
    with pytest.raises(InvalidArgumentError) as err:
        parse_api_key(key)
    if key.strip():
        assert key.strip() not in str(err.value)
    _assert_quiet(caplog, key)


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_step_key_with_blanks_around_it(
    hass: HomeAssistant, simulator: EmbySimulator
) -> None:
    """Blanks around a pasted key are dropped, in the request and in the entry."""
    result = await _user_step(
        hass, user_input(simulator, **{CONF_API_KEY: f" \t{simulator.api_key}\n "})
    )
    assert result["step_id"] == "select_user"
    result = dict(
        await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_USER_ID: "all"})
    )
    assert result["data"][CONF_API_KEY] == simulator.api_key


@pytest.mark.parametrize("key", BAD_KEYS[:6], ids=lambda key: f"{key[:12]!r}")
async def test_reauth_bad_keys(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    key: str,
) -> None:
    """Reauth shows invalid_api_key and keeps the stored key."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_API_KEY: key})
    assert result["errors"] == {CONF_API_KEY: "invalid_api_key"}
    assert mock_config_entry.data[CONF_API_KEY] == simulator.api_key
    _assert_quiet(caplog, key)


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reauth_trims_the_key(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: f"  {simulator.api_key}\n"}
    )
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_API_KEY] == simulator.api_key


@pytest.mark.parametrize("host", BAD_HOSTS[:4] + BAD_HOSTS[5:])
async def test_reconfigure_bad_hosts(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    host: str,
) -> None:
    """Reconfigure shows invalid_host and keeps the stored address."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: _host(host, simulator),
            CONF_PORT: simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: True,
        },
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert mock_config_entry.data[CONF_HOST] == "127.0.0.1"


@pytest.mark.parametrize("key", BAD_KEYS[:6], ids=lambda key: f"{key[:12]!r}")
async def test_discovered_server_bad_keys(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    caplog: pytest.LogCaptureFixture,
    key: str,
) -> None:
    """The discovered-server step refuses bad keys the same way, and a good one finishes."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={
            CONF_SERVER_ID: simulator.server_id,
            CONF_NAME: "Emby Simulator",
            CONF_ADDRESS: f"http://127.0.0.1:{simulator.port}",
            CONF_HOST: "127.0.0.1",
            CONF_PORT: simulator.port,
            CONF_SSL: False,
        },
    )
    assert result["step_id"] == "discovery_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_API_KEY: key})
    assert result["errors"] == {CONF_API_KEY: "invalid_api_key"}
    _assert_quiet(caplog, key)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: f" {simulator.api_key} "}
    )
    assert result["step_id"] == "select_user"


@pytest.mark.parametrize(
    ("data", "state"),
    [
        ({CONF_PORT: 70000}, ConfigEntryState.SETUP_ERROR),
        ({CONF_PORT: "8096"}, ConfigEntryState.SETUP_ERROR),
        ({CONF_HOST: "::1"}, ConfigEntryState.SETUP_RETRY),
        ({CONF_API_KEY: "key with spaces"}, ConfigEntryState.SETUP_ERROR),
    ],
    ids=["port_out_of_range", "port_a_string", "bare_ipv6", "key_with_spaces"],
)
async def test_setup_with_data_edited_by_hand(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    data: dict[str, Any],
    state: ConfigEntryState,
) -> None:
    """Entry data no flow would store (edited by hand) fails setup with a translated reason
    (a key no request could carry starts reauth), never a traceback."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, **data}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is state
    reauth = any(
        flow["context"]["source"] == "reauth"
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    )
    assert reauth is (CONF_API_KEY in data)
    if CONF_PORT in data:
        assert "not a valid host" in str(mock_config_entry.reason)
    _assert_quiet(caplog, "key with spaces")
