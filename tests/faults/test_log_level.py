"""Changing the log level at runtime (Home Assistant's "enable debug logging", the logger
integration) reaches the core at once (issue 14).

Seen failing before the fix: the core cached each logger's level at its first record
(pyo3-log `LoggersAndLevels`), so debug records stayed off after the level was lowered (and on
after it was raised).
"""

import logging

import pytest
from embymedia_core import EmbyClient, EmbyServerError

from emby_simulator import EmbySimulator, Fault

CORE_LOGGER = "embymedia_core"
FAILED = "GET /System/Info failed"


async def _fail_once(client: EmbyClient) -> None:
    with pytest.raises(EmbyServerError):
        await client.get_system_info()


async def test_log_level_changes_reach_the_core_at_once(
    simulator: EmbySimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Debug records of the core follow the level of `embymedia_core`, both ways."""
    logger = logging.getLogger(CORE_LOGGER)
    level = logger.level
    client = EmbyClient(
        "127.0.0.1", simulator.port, simulator.api_key, device_id="log-test", timeout=5.0
    )
    simulator.set_fault(Fault(force_status=500))
    caplog.set_level(logging.DEBUG)
    try:
        for enabled in (False, True, False, True):
            logger.setLevel(logging.DEBUG if enabled else logging.INFO)
            caplog.clear()
            await _fail_once(client)
            seen = any(FAILED in r.getMessage() for r in caplog.records)
            assert seen is enabled, f"debug {'on' if enabled else 'off'}: {caplog.text}"
    finally:
        logger.setLevel(level)
        await client.close()
