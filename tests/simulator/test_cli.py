"""`python -m emby_simulator`: prints where it listens, serves, exits 0 on SIGTERM/SIGINT."""

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_cli_serves_and_stops(stop_signal: signal.Signals) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emby_simulator",
        "--port",
        str(port),
        "--api-key",
        "cli-key",
        "--realtime",
        "--movies",
        "5",
        "--seed",
        "3",
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        expected = rf"Emby simulator listening on http://127\.0\.0\.1:{port} "
        found = re.fullmatch(expected + r"\(server id ([0-9a-f]{32})\)\n", line)
        assert found, line
        async with aiohttp.ClientSession() as http:
            async with http.get(
                f"http://127.0.0.1:{port}/emby/Items/Counts", params={"api_key": "cli-key"}
            ) as response:
                assert (await response.json())["MovieCount"] == 5
            async with http.get(f"http://127.0.0.1:{port}/System/Info/Public") as response:
                assert (await response.json())["Id"] == found.group(1)
        process.send_signal(stop_signal)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.mark.usefixtures("socket_enabled")
async def test_cli_rejects_bad_options() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emby_simulator",
        "--users",
        "0",
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert b"at least one user" in stderr
