"""The end-to-end run of scripts/e2e: a real Home Assistant process with embymedia installed as
HACS installs it, the Emby simulator as its own process, checks over Home Assistant's HTTP and
WebSocket APIs, then a real browser.

scripts/e2e prepares everything and runs this (`python -m e2e ...` with scripts/lib on the path)
in a network namespace of its own where only loopback exists.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import secrets
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import develop_bootstrap
from develop_bootstrap import HomeAssistantApi, State

from . import api_checks, browser
from .checks import CheckFailed, Checks, expect
from .context import Emby, Run
from .ha_socket import HomeAssistantSocket
from .processes import ManagedProcess, free_port

HASS_START_TIMEOUT = 600  # a first start on a loaded 2-core machine
HASS_STOP_TIMEOUT = 90
OUTAGE_SECONDS = 30
# Lines of Home Assistant's log that fail the run: any traceback, and any error of embymedia.
TRACEBACK = re.compile(r"^Traceback \(most recent call last\):", re.MULTILINE)
# A traceback is tolerated only when it comes from another integration trying the internet, which
# the run's network namespace does not have (radio_browser's setup, cancelled at the stop).
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", re.MULTILINE)
NO_NETWORK = re.compile(r"Could not contact DNS servers|ClientConnectorDNSError")
OUR_CODE = re.compile(r"embymedia", re.IGNORECASE)
# What embymedia rightly reports while the simulator is down (the translated cannot_connect).
OUTAGE_ERROR = re.compile(r"Cannot connect to the Emby server")
EMBYMEDIA_ERROR = re.compile(
    r"^\S+ \S+ (ERROR|CRITICAL) .*(embymedia|embymedia_core).*$", re.MULTILINE | re.IGNORECASE
)
REQUIREMENT_FAILURE = re.compile(r"Unable to install package|Requirements for \S+ not found")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line scripts/e2e passes."""
    parser = argparse.ArgumentParser(prog="python -m e2e", description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkout", type=Path, required=True)
    parser.add_argument(
        "--venv", required=True, help="the e2e venv, as the Python 3.14 env sees it"
    )
    parser.add_argument("--py314-exec", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True, help="config and logs (wiped)")
    parser.add_argument("--artifacts", type=Path, required=True, help="screenshots and downloads")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    return parser.parse_args(argv)


def fresh_config(checkout: Path, config_dir: Path, port: int) -> None:
    """A new config dir holding only custom_components/embymedia (as HACS installs it), the
    configuration.yaml and HTTP settings for loopback and `port`."""
    if config_dir.exists():
        shutil.rmtree(config_dir)
    target = config_dir / "custom_components" / "embymedia"
    shutil.copytree(
        checkout / "custom_components" / "embymedia",
        target,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    shutil.copy(config_dir.parent / "configuration.yaml", config_dir / "configuration.yaml")
    # HTTP settings live in .storage/http: loopback and `port` (scripts/e2e made the file).
    http = json.loads((config_dir.parent / "http-storage.json").read_text(encoding="utf-8"))
    http["data"]["stable"]["server_port"] = port
    storage = config_dir / ".storage"
    storage.mkdir(mode=0o700)
    (storage / "http").write_text(json.dumps(http, indent=2), encoding="utf-8")
    (storage / "http").chmod(0o600)


async def run_all(args: argparse.Namespace) -> int:
    """Every check; the exit code."""
    checks = Checks()
    workdir: Path = args.workdir
    config_dir = workdir / "config"
    logs = workdir / "logs"
    if logs.exists():
        shutil.rmtree(logs)
    args.artifacts.mkdir(parents=True, exist_ok=True)
    for old in args.artifacts.iterdir():
        if old.is_file():
            old.unlink()
    ha_port, sim_port = free_port(), free_port()
    while sim_port == ha_port:
        sim_port = free_port()
    fresh_config(args.checkout, config_dir, ha_port)
    api_key, server_id = secrets.token_hex(16), secrets.token_hex(16)
    runner = [str(args.py314_exec)]
    simulator = ManagedProcess(
        "the Emby simulator",
        [
            *runner,
            f"{args.venv}/bin/python",
            "-m",
            "emby_simulator",
            "--host=127.0.0.1",
            f"--port={sim_port}",
            f"--api-key={api_key}",
            f"--server-id={server_id}",
            "--realtime",
            "--no-script",
        ],
        logs / "simulator.log",
    )
    hass = ManagedProcess(
        "Home Assistant",
        [*runner, f"{args.venv}/bin/hass", "-c", str(config_dir), "--log-no-color"],
        logs / "hass.log",
    )
    ha_url = f"http://127.0.0.1:{ha_port}"
    sim_log_offset = 0

    async def start_simulator() -> None:
        nonlocal sim_log_offset
        sim_log_offset = len(simulator.log_text())
        await simulator.start()
        await simulator.wait_for_output(r"listening on", 120, since=sim_log_offset)

    print(f"    Home Assistant on {ha_url}, the simulator on http://127.0.0.1:{sim_port}")
    print(f"    logs in {logs}, screenshots in {args.artifacts}", flush=True)
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, ha_url, ha_url + "/")
        state = State(path=config_dir / ".e2e" / "login.json", password=secrets.token_urlsafe(12))
        run = Run(
            session=session,
            ha_url=ha_url,
            api=api,
            emby=Emby(session, f"http://127.0.0.1:{sim_port}", api_key, server_id),
            hass=hass,
            simulator=simulator,
            config_dir=config_dir,
            artifacts=args.artifacts,
            username=state.username,
            password=state.password,
        )
        try:
            await _checks(run, checks, state, start_simulator, args)
        finally:
            for process in (hass, simulator):
                if process.running:
                    await process.stop(HASS_STOP_TIMEOUT)
    checks.notes.extend(run.notes)
    print(checks.summary(), flush=True)
    return 1 if checks.failed else 0


async def _checks(
    run: Run,
    checks: Checks,
    state: State,
    start_simulator: Callable[[], Awaitable[None]],
    args: argparse.Namespace,
) -> None:
    """The checks in order; a failed step that later ones need ends the run there."""

    async def start() -> str:
        await start_simulator()
        await run.hass.start()
        status = await run.hass.while_running(
            develop_bootstrap.wait_for_http(run.api, HASS_START_TIMEOUT)
        )
        await develop_bootstrap.onboard(run.api, state, status)
        await develop_bootstrap.wait_until_running(run.api, HASS_START_TIMEOUT)
        ignored = await develop_bootstrap.ignore_installation_notice(run.api, 60)
        run.ws = await HomeAssistantSocket(run.session, run.ha_url, run.token).__aenter__()
        config = await run.socket.call("get_config")
        expect(config.get("country") == "NL", f"the country is {config.get('country')!r}")
        return (
            f"Home Assistant {config['version']} running and onboarded "
            f"(country {config['country']}); installation notice ignored: {ignored}"
        )

    api_steps: list[tuple[str, Callable[[], Awaitable[str | None]], bool]] = [
        ("start Home Assistant and the simulator, onboard", start, True),
        (
            "config flow over /api/config/config_entries/flow",
            lambda: api_checks.check_config_flow(run),
            True,
        ),
        ("entry loads, entities appear", lambda: api_checks.check_entities(run), True),
        ("repairs list has no issue", lambda: api_checks.check_repairs(run), False),
        ("diagnostics (entry and client device)", lambda: api_checks.check_diagnostics(run), False),
        (
            "playback on Emby shows within 1 s (subscribe_events)",
            lambda: api_checks.check_latency(run),
            False,
        ),
        (
            "options flow: intervals and an ignored client",
            lambda: api_checks.check_options_flow(run),
            False,
        ),
    ]
    for index, (name, step, required) in enumerate(api_steps):
        if not await checks.run(name, step) and required:
            later = [n for n, _, _ in api_steps[index + 1 :]]
            checks.not_run([*later, *browser.STEP_NAMES, OUTAGE_NAME, STOP_NAME], f"{name} failed")
            return

    await browser.run_steps(run, checks, args.chromium)
    await checks.run(
        "repairs list has no issue (after the browser)", lambda: api_checks.check_repairs(run)
    )

    async def outage() -> str:
        return await api_checks.check_outage(run, start_simulator, OUTAGE_SECONDS)

    await checks.run(OUTAGE_NAME, outage)
    await checks.run(STOP_NAME, lambda: check_stop(run))


OUTAGE_NAME = f"simulator down {OUTAGE_SECONDS} s: unavailable, then back by itself"
STOP_NAME = (
    "Home Assistant stops: exit 0, no traceback, no embymedia error but the outage's cannot-connect"
)


async def check_stop(run: Run) -> str:
    """SIGTERM: Home Assistant exits 0; its log has no traceback and no error of embymedia."""
    if run.ws is not None:
        await run.ws.__aexit__(None, None, None)
        run.ws = None
    code = await run.hass.stop(HASS_STOP_TIMEOUT)
    log = run.hass.log_text()
    file_log = (run.config_dir / "home-assistant.log").read_text(encoding="utf-8", errors="replace")
    run.save("home-assistant.log", file_log)
    problems = []
    if code != 0:
        problems.append(f"exit code {code}")
    tolerated = 0
    for text in (log, file_log):
        # One log record per block: its line and every chained traceback under it.
        starts = [0, *(m.start() for m in LOG_RECORD.finditer(text)), len(text)]
        for begin, end in itertools.pairwise(starts):
            block = text[begin:end]
            if not (match := TRACEBACK.search(text, begin, end)):
                continue
            if NO_NETWORK.search(block) and not OUR_CODE.search(block):
                tolerated += 1  # another integration reaching for the internet, which is absent
                continue
            problems.append(
                "a traceback:\n" + text[max(0, match.start() - 600) : match.start() + 1500]
            )
            break
        if problems:
            break
    if tolerated:
        run.notes.append(
            f"{tolerated} traceback(s) of other integrations for the absent internet (DNS) ignored"
        )
    start, end = run.outage_log_span or (0, 0)
    expected, lines = [], []
    for match in EMBYMEDIA_ERROR.finditer(log):
        during_outage = start <= match.start() < end
        (expected if during_outage and OUTAGE_ERROR.search(match.group(0)) else lines).append(
            match.group(0)
        )
    if lines:
        problems.append("embymedia errors:\n" + "\n".join(lines[:20]))
    if expected:
        run.notes.append(
            f"embymedia logged {len(expected)} error(s) while the simulator was down, as it "
            f"should (translated cannot_connect): {expected[0].split('] ', 1)[-1][:160]}"
        )
    if requirement := REQUIREMENT_FAILURE.search(log):
        problems.append(
            "Home Assistant tried to install a requirement (scripts/lib/hass_requirements.py "
            f"should have): {requirement.group(0)}"
        )
    if problems:
        raise CheckFailed("; ".join(problems))
    return f"exit code {code}; {len(log.splitlines())} log lines, none an error of embymedia"


def main() -> int:
    """Entry point."""
    args = parse_args(sys.argv[1:])
    try:
        return asyncio.run(run_all(args))
    except CheckFailed as err:
        print(f"error: {err}", file=sys.stderr)
        print("e2e: 0 passed, 1 failed")
        return 1


if __name__ == "__main__":
    sys.exit(main())
