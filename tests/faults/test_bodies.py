"""Broken and hostile answers on every endpoint that setup and the coordinators call (issue 14):
5xx while Emby boots, slow answers past the timeout, truncated, non-JSON, HTML, wrongly typed and
null bodies, oversized bodies and gzip bombs, a key echoed back.

Each fault is put on one endpoint at a time (the others answer normally) while the entry runs;
every coordinator refreshes, then the fault is lifted and every coordinator must recover with
the same data as before (nothing lost), with no traceback and no key in the log. The 5xx case
also runs through setup itself, endpoint by endpoint (retry, then loads).
"""

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.embymedia.const import CONF_ENABLE_WEBSOCKET
from emby_simulator import EmbySimulator, SimulatorConfig
from emby_simulator.hostile import BodyFault, Hostile

from .probes import FaultReport

type WaitUntil = Callable[..., Awaitable[None]]

# Every route the coordinators' polls call, and with /Users every route of setup (both checked
# against a real setup below).
POLLED = (
    "/System/Info",
    "/ScheduledTasks",
    "/Sessions",
    "/Library/VirtualFolders",
    "/Items/Counts",
    "/Users/{UserId}/Items/Latest",
    "/Users/{UserId}/Items/Resume",
    "/Shows/NextUp",
)
# Setup also reads the users and the first page of the activity log; the activity log is optional
# there (its sensor waits for the next entry instead of the entry failing).
OPTIONAL_AT_SETUP = ("/System/ActivityLog/Entries",)
ENDPOINTS = ("/Users", *OPTIONAL_AT_SETUP, *POLLED)
# Larger than the core's 64 MiB limit of a body (src/body.rs).
OVERSIZED = 65 << 20
TIMEOUT = 0.5


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """Polling only: every refresh reaches the server (the WebSocket path has its own tests)."""
    return {CONF_ENABLE_WEBSOCKET: False}


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests time out after half a second (the SLOW fault waits longer)."""
    monkeypatch.setattr("custom_components.embymedia.options.REQUEST_TIMEOUT", TIMEOUT)


def _coordinators(entry: MockConfigEntry) -> list[Any]:
    runtime = entry.runtime_data
    return [runtime.server, runtime.sessions, runtime.library, *runtime.discovery.values()]


async def _refresh_all(entry: MockConfigEntry) -> None:
    entry.runtime_data.client.invalidate_all()
    for coordinator in _coordinators(entry):
        await coordinator.async_refresh()


def _states(hass: HomeAssistant) -> dict[str, str]:
    """Every state but the images' (an image's state is when it last changed)."""
    return {s.entity_id: s.state for s in hass.states.async_all() if s.domain != "image"}


def _no_tracebacks(caplog: pytest.LogCaptureFixture, api_key: str) -> None:
    """No traceback at warning level or above (Home Assistant's coordinator adds the "Full
    error" at debug level by design), and never the key."""
    for record in caplog.records:
        if record.levelno >= logging.WARNING:
            assert record.exc_info is None, f"traceback logged: {record.getMessage()}"
        assert api_key not in record.getMessage()
    assert api_key not in caplog.text


async def test_the_matrix_covers_every_endpoint(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    """ENDPOINTS is every GET of setup, POLLED every GET of a refresh of every coordinator
    (not a sample)."""
    seen = {r.template for r in simulator.request_log if r.method == "GET"}
    assert seen == set(ENDPOINTS)
    simulator.reset_counts()
    await _refresh_all(init_integration)
    assert {r.template for r in simulator.request_log if r.method == "GET"} == set(POLLED)


FAULTS = [
    Hostile(BodyFault.BOOTING),
    Hostile(BodyFault.SLOW, delay=TIMEOUT * 3),
    Hostile(BodyFault.TRUNCATED),
    Hostile(BodyFault.NOT_JSON),
    Hostile(BodyFault.HTML),
    Hostile(BodyFault.WRONG_TYPE),
    Hostile(BodyFault.NULL),
    Hostile(BodyFault.NULL_FIELDS),
    Hostile(BodyFault.OVERSIZED, size=OVERSIZED),
    Hostile(BodyFault.GZIP_BOMB, size=OVERSIZED),
    Hostile(BodyFault.ECHO_KEY),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.body.value for f in FAULTS])
async def test_a_broken_answer_on_each_endpoint(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    fault: Hostile,
) -> None:
    """The coordinator of the endpoint fails cleanly (or takes what it can), the others go on,
    and once the answers are right again every coordinator has its data back."""
    coordinators = _coordinators(init_integration)
    before = [c.data for c in coordinators]
    states = _states(hass)
    worst = 0.0
    failed: set[str] = set()
    for endpoint in POLLED:
        requested = simulator.count(endpoint.replace("{UserId}", "{id}"))
        simulator.hostile = Hostile(
            fault.body, templates=(endpoint,), size=fault.size, delay=fault.delay
        )
        await _refresh_all(init_integration)
        assert simulator.count(endpoint.replace("{UserId}", "{id}")) > requested, endpoint
        failed.update(c.name for c in coordinators if not c.last_update_success)
        simulator.hostile = None
        started = time.monotonic()
        await _refresh_all(init_integration)
        worst = max(worst, time.monotonic() - started)
        assert all(c.last_update_success for c in coordinators), endpoint
    assert [c.data for c in coordinators] == before
    await hass.async_block_till_done()
    assert _states(hass) == states
    _no_tracebacks(caplog, simulator.api_key)
    FaultReport(
        f"{fault.body.value} on each of {len(POLLED)} polled endpoints",
        recovery_s=worst,
        note=f"failed cleanly: {len(failed)} coordinators; recovery = one refresh",
    ).emit()


async def test_booting_server_during_setup_on_each_endpoint(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    wait_until: WaitUntil,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """503 from one endpoint at a time during setup: retry later, then load."""
    mock_config_entry.add_to_hass(hass)
    worst = 0.0
    for endpoint in ENDPOINTS:
        simulator.hostile = Hostile(BodyFault.BOOTING, templates=(endpoint,))
        if mock_config_entry.state is ConfigEntryState.NOT_LOADED:
            await hass.config_entries.async_setup(mock_config_entry.entry_id)
        else:
            await hass.config_entries.async_reload(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        if endpoint in OPTIONAL_AT_SETUP:
            assert mock_config_entry.state is ConfigEntryState.LOADED, endpoint
        else:
            assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY, endpoint
        simulator.hostile = None
        started = time.monotonic()
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=10))
        await wait_until(lambda: mock_config_entry.state is ConfigEntryState.LOADED)
        worst = max(worst, time.monotonic() - started)
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    _no_tracebacks(caplog, simulator.api_key)
    FaultReport(
        f"503 while Emby boots, setup, each of {len(ENDPOINTS)} endpoints",
        recovery_s=worst,
        note="recovery = from the end of the fault to LOADED (retry fired by time travel)",
    ).emit()


async def test_redirect_to_another_origin_on_each_endpoint(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each polled endpoint redirects to another server: the coordinator fails with an error that
    says so, the other server never hears from us (no request, so no key), and everything
    recovers once the redirect stops."""
    coordinators = _coordinators(init_integration)
    async with EmbySimulator(SimulatorConfig(api_key=simulator.api_key)) as elsewhere:
        for endpoint in POLLED:
            simulator.hostile = Hostile(
                BodyFault.REDIRECT, templates=(endpoint,), redirect_to=elsewhere.url
            )
            await _refresh_all(init_integration)
            errors = [str(c.last_exception) for c in coordinators if not c.last_update_success]
            assert any("redirected to another origin" in e for e in errors), (endpoint, errors)
            simulator.hostile = None
            await _refresh_all(init_integration)
            assert all(c.last_update_success for c in coordinators), endpoint
        assert elsewhere.request_log == []
    _no_tracebacks(caplog, simulator.api_key)
    FaultReport(
        f"redirect to another origin on each of {len(POLLED)} polled endpoints",
        note="0 requests reached the other origin",
    ).emit()
