"""UDP discovery against a responder on 127.0.0.1: the integration discovery flow started from
async_setup, the confirm step (API key only), the entry it creates, no flow for a server that is
set up or ignored, the rate limit, and a target that is off or unusable."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_INTEGRATION_DISCOVERY,
    ConfigEntryDisabler,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.embymedia import server_discovery
from custom_components.embymedia.const import (
    CONF_API_KEY,
    CONF_HOST,
    CONF_PORT,
    CONF_SSL,
    CONF_USER_ID,
    DOMAIN,
)
from custom_components.embymedia.server_discovery import (
    DISCOVERY_INTERVAL,
    DISCOVERY_TARGET_ENV,
    EmbyServerDiscovery,
    discovery_target,
)
from emby_simulator import EmbySimulator
from emby_simulator.discovery import DiscoveryResponder

type WaitUntil = Callable[..., Awaitable[None]]


@pytest.fixture
async def responder(
    hass: HomeAssistant, simulator: EmbySimulator, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DiscoveryResponder]:
    """The simulator's discovery responder on 127.0.0.1, and the integration pointed at it
    (with a short wait for answers: loopback answers at once)."""
    monkeypatch.setattr(server_discovery, "DISCOVERY_WAIT", 0.3)
    async with DiscoveryResponder(simulator) as responder:
        monkeypatch.setenv(DISCOVERY_TARGET_ENV, f"127.0.0.1:{responder.port}")
        yield responder
        # The question still out ends before the loop does.
        await hass.async_block_till_done(wait_background_tasks=True)


def discovery_flows(hass: HomeAssistant) -> list[dict[str, object]]:
    return [
        dict(flow)
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY
    ]


async def test_discovery_finds_the_server_and_creates_the_entry(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    responder: DiscoveryResponder,
    wait_until: WaitUntil,
) -> None:
    """async_setup asks once; the flow asks only for the API key and creates the entry."""
    assert await async_setup_component(hass, DOMAIN, {})
    await wait_until(lambda: len(discovery_flows(hass)) == 1)
    assert responder.questions == 1
    flow = discovery_flows(hass)[0]
    assert flow["step_id"] == "discovery_confirm"
    assert flow["context"]["unique_id"] == simulator.server_id  # type: ignore[index]
    assert flow["context"]["title_placeholders"] == {"name": simulator.server_name}  # type: ignore[index]

    # A wrong key: the same step again with the error.
    result = await hass.config_entries.flow.async_configure(
        str(flow["flow_id"]), {CONF_API_KEY: "wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert set(result["data_schema"].schema) == {CONF_API_KEY}  # type: ignore[union-attr]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: simulator.api_key}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "select_user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USER_ID: "all"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == simulator.server_id
    assert entry.title == simulator.server_name
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == simulator.port
    assert entry.data[CONF_SSL] is False
    assert entry.data[CONF_API_KEY] == simulator.api_key
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("source", ["user", SOURCE_IGNORE])
async def test_no_flow_for_a_server_set_up_or_ignored(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    responder: DiscoveryResponder,
    wait_until: WaitUntil,
    source: str,
) -> None:
    """A server with an entry (or that the user ignored) is asked about but offered no more."""
    MockConfigEntry(
        domain=DOMAIN,
        unique_id=simulator.server_id,
        source=source,
        data={},
        # The set-up one is disabled here only so that this test does not load it.
        disabled_by=ConfigEntryDisabler.USER if source == "user" else None,
    ).add_to_hass(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    await wait_until(lambda: responder.questions == 1)
    await hass.async_block_till_done()
    assert discovery_flows(hass) == []


async def test_discovery_is_rate_limited(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    responder: DiscoveryResponder,
    wait_until: WaitUntil,
) -> None:
    """One question at start, the next only after the interval; a flow is not duplicated."""
    assert await async_setup_component(hass, DOMAIN, {})
    await wait_until(lambda: responder.questions == 1)
    await wait_until(lambda: len(discovery_flows(hass)) == 1)
    async_fire_time_changed(hass, dt_util.utcnow() + DISCOVERY_INTERVAL / 2)
    await hass.async_block_till_done()
    assert responder.questions == 1
    async_fire_time_changed(hass, dt_util.utcnow() + DISCOVERY_INTERVAL + timedelta(seconds=1))
    await wait_until(lambda: responder.questions == 2)
    await hass.async_block_till_done()
    assert len(discovery_flows(hass)) == 1  # the same server: the flow in progress is kept


async def test_silent_network_and_unusable_targets(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    responder: DiscoveryResponder,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No answer: no flow. `off` and a malformed target disable discovery (the latter with a
    warning); a target the core refuses is one warning."""
    responder.answering = False
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert responder.questions == 1
    assert discovery_flows(hass) == []

    monkeypatch.setenv(DISCOVERY_TARGET_ENV, "off")
    assert discovery_target() is None
    monkeypatch.setenv(DISCOVERY_TARGET_ENV, "127.0.0.1")
    assert discovery_target() is None
    assert "is not IP:port or off" in caplog.text
    monkeypatch.setenv(DISCOVERY_TARGET_ENV, "[::1]:7359")
    assert discovery_target() == ("::1", 7359)
    monkeypatch.delenv(DISCOVERY_TARGET_ENV)
    assert discovery_target() == ("255.255.255.255", 7359)  # production default, never used here

    discovery = EmbyServerDiscovery(hass, ("not-an-address", 7359))
    assert await discovery.async_discover() == []
    assert await discovery.async_discover() == []
    warnings = [
        record
        for record in caplog.records
        if record.levelname == "WARNING" and "Emby server discovery failed" in record.message
    ]
    assert len(warnings) == 1
