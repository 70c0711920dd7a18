"""Checks over Home Assistant's own HTTP and WebSocket APIs, with a real access token, the way the
frontend drives them."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp
from develop_bootstrap import DOMAIN, EmbyTarget

from .checks import CheckFailed, expect, wait_until
from .context import Run

FLOW_PATH = "/api/config/config_entries/flow"
OPTIONS_FLOW_PATH = "/api/config/config_entries/options/flow"
# The promise: playback started on Emby shows in Home Assistant within a second.
# The safety-net intervals of the library and server coordinators with the WebSocket up.
PUSHED_LIBRARY_S, PUSHED_SERVER_S = 24 * 3600, 3600
LATENCY_LIMIT = 1.0
LATENCY_SAMPLES = 5


async def entry_state(run: Run) -> dict[str, Any] | None:
    """The run's config entry as the integrations page lists it."""
    _, body = await run.api.request("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    return next((e for e in body if e["entry_id"] == run.entry_id), None)


async def check_repairs(run: Run) -> str:
    """Home Assistant's Repairs list shows nothing (HA's notice about a venv install is ignored
    by the bootstrap, as a user would)."""
    listing = await run.socket.call("repairs/list_issues")
    active = [i for i in listing["issues"] if not i.get("ignored")]
    ignored = [f"{i['domain']}.{i['issue_id']}" for i in listing["issues"] if i.get("ignored")]
    expect(
        not active,
        "active repair issues: "
        + ", ".join(f"{i['domain']}.{i['issue_id']} ({i.get('translation_key')})" for i in active),
    )
    return f"none active; ignored: {', '.join(ignored) or 'none'}"


def _field(schema: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = next((f for f in schema if f["name"] == name), None)
    if found is None:
        raise CheckFailed(f"the form has no field {name!r} (fields: {[f['name'] for f in schema]})")
    return found


async def check_config_flow(run: Run) -> str:
    """The config flow as the frontend drives it: the user step, then the choice of user."""
    _, step = await run.api.request(
        "POST", FLOW_PATH, json_body={"handler": DOMAIN, "show_advanced_options": False}
    )
    expect(
        step.get("type") == "form" and step.get("step_id") == "user",
        f"the flow opened with {step}",
    )
    for name in ("host", "port", "ssl", "api_key", "verify_ssl"):
        _field(step["data_schema"], name)
    target = EmbyTarget(url=run.emby.url, api_key=run.emby.api_key, verify_ssl=True, label="")
    _, step = await run.api.request(
        "POST", f"{FLOW_PATH}/{step['flow_id']}", json_body=target.user_step()
    )
    expect(
        step.get("type") == "form" and step.get("step_id") == "select_user",
        f"after the user step the flow answered {step}",
    )
    choices = _field(step["data_schema"], "user_id")["selector"]["select"]["options"]
    users = await run.emby.request("GET", "/Users")
    values = {c["value"] if isinstance(c, dict) else c for c in choices}
    expect(
        {u["Id"] for u in users} <= values,
        f"the user choice offers {sorted(values)}, not every Emby user",
    )
    _, step = await run.api.request(
        "POST", f"{FLOW_PATH}/{step['flow_id']}", json_body={"user_id": "all"}
    )
    expect(step.get("type") == "create_entry", f"the user choice ended with {step}")
    run.entry_id = str(step["result"]["entry_id"])
    leaks = run.leaked(json.dumps(step))
    expect(not leaks, f"the flow's answer contains {leaks}")
    return f"entry {run.entry_id} '{step['title']}', {len(values)} user choices"


async def check_entities(run: Run) -> str:
    """The entry loads and a media player appears for each Emby client, playing as on Emby."""

    async def loaded() -> dict[str, Any] | None:
        entry = await entry_state(run)
        if entry and entry["state"] in ("setup_error", "setup_retry", "failed_unload"):
            raise CheckFailed(f"the entry is {entry['state']}: {entry.get('reason')}")
        return entry if entry and entry["state"] == "loaded" else None

    await wait_until(loaded, 60, "the embymedia entry did not load")

    problem = ["nothing checked yet"]

    async def players_match() -> tuple[int, int] | None:
        sessions = await run.emby.client_sessions()
        states = await run.socket.states()
        found, shown_playing = 0, 0
        for session in sessions:
            entity_id = await run.entity_for_device(session["DeviceId"], "media_player")
            if entity_id is None or entity_id not in states:
                problem[0] = f"no media player for {session['DeviceName']} ({session['Client']})"
                return None
            found += 1
            is_playing = states[entity_id]["state"] == "playing"
            if is_playing != bool(session.get("NowPlayingItem")):
                problem[0] = f"{entity_id} is {states[entity_id]['state']}"
                return None
            shown_playing += is_playing
        return (found, shown_playing) if shown_playing else None

    found, playing = await wait_until(
        players_match,
        60,
        "media players did not appear for every Emby client, playing as on Emby",
        detail=lambda: problem[0],
    )
    entities = await run.socket.entry_entities(run.entry_id)
    return f"{len(entities)} entities; {found} media players, {playing} playing"


async def check_diagnostics(run: Run) -> str:
    """Diagnostics of the entry (metrics and cache statistics filled) and of one client device,
    with no secret in either."""
    _, entry_diag = await run.api.request("GET", f"/api/diagnostics/config_entry/{run.entry_id}")
    run.save("diagnostics-entry.json", entry_diag)
    data = entry_diag["data"]
    for key in ("efficiency_metrics", "cache_stats"):
        value = data.get(key)
        expect(isinstance(value, dict) and value, f"diagnostics {key} is empty: {value!r}")
        expect(
            any(_numbers(value)),
            f"diagnostics {key} has no non-zero figure after a running setup: {value}",
        )
    # A client device: one with a media player (users and the server have devices too).
    players = {
        e["device_id"]
        for e in await run.socket.entry_entities(run.entry_id)
        if e["entity_id"].startswith("media_player.")
    }
    devices = await run.socket.entry_devices(run.entry_id)
    client = next((d for d in devices if d["id"] in players), None)
    expect(client, "no client device with a media player")
    assert client is not None
    _, device_diag = await run.api.request(
        "GET", f"/api/diagnostics/config_entry/{run.entry_id}/device/{client['id']}"
    )
    run.save("diagnostics-device.json", device_diag)
    expect(device_diag["data"].get("session"), f"the client's diagnostics: {device_diag['data']}")
    for name, document in (("entry", entry_diag), ("device", device_diag)):
        leaks = run.leaked(json.dumps(document))
        expect(not leaks, f"the {name} diagnostics contain {leaks}")
    metrics = data["efficiency_metrics"]
    return (
        f"{len(metrics)} efficiency metrics, {len(data['cache_stats'])} cache stats; "
        f"device {client['name']!r}"
    )


def _numbers(value: Any) -> list[float]:
    """Every non-zero number in a nested structure."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value] if value else []
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return []


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


async def _pick_idle_video_client(run: Run, avoid: set[str]) -> dict[str, Any]:
    for session in await run.emby.client_sessions():
        if (
            session.get("SupportsRemoteControl")
            and not session.get("NowPlayingItem")
            and "Video" in session.get("PlayableMediaTypes", [])
            and session["DeviceId"] not in avoid
        ):
            return session
    raise CheckFailed("the simulator has no idle remote-controllable video client")


async def check_latency(run: Run) -> str:
    """Playback started on Emby shows on the media player within a second, seen through
    subscribe_events; prints the frame-to-state latency (LATENCY_SAMPLES starts, each after a
    stop, on one idle client)."""
    client = await _pick_idle_video_client(run, set())
    run.latency_device = client["DeviceId"]
    entity_id = await run.entity_for_device(client["DeviceId"], "media_player")
    expect(entity_id, f"no media player for {client['DeviceName']}")
    assert entity_id is not None
    listing = await run.emby.request(
        "GET", "/Items", Recursive="true", IncludeItemTypes="Movie", Limit=str(LATENCY_SAMPLES)
    )
    movies = listing["Items"]
    expect(len(movies) == LATENCY_SAMPLES, f"the simulator lists {len(movies)} movies")

    # A second Emby WebSocket (no DeviceId, so no session of its own) gets the same Sessions
    # frame Home Assistant gets, at about the same time.
    frames: asyncio.Queue[tuple[float, Any]] = asyncio.Queue()
    ws_url = run.emby.url.replace("http://", "ws://") + "/embywebsocket"
    samples: list[tuple[float, float, float]] = []
    async with run.session.ws_connect(ws_url, params={"api_key": run.emby.api_key}) as emby_ws:
        await emby_ws.send_json({"MessageType": "SessionsStart", "Data": "0,1500"})

        async def read_frames() -> None:
            async for message in emby_ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    frames.put_nowait((time.time(), json.loads(message.data)))

        reader = asyncio.create_task(read_frames())
        events = await run.socket.subscribe("subscribe_events", event_type="state_changed")
        try:
            for index, movie in enumerate(movies):
                if index:
                    await run.emby.request("POST", f"/Sessions/{client['Id']}/Playing/Stop")
                    await _state_where(events, entity_id, lambda s: s != "playing", 10)
                # Only frames after the command count.
                while not frames.empty():
                    frames.get_nowait()
                sent = time.time()
                await run.emby.request(
                    "POST",
                    f"/Sessions/{client['Id']}/Playing",
                    ItemIds=movie["Id"],
                    PlayCommand="PlayNow",
                )
                frame_at = await _frame_with(frames, client["Id"], movie["Id"], 10)
                changed_at, seen_at, state = await _state_where(
                    events, entity_id, lambda s: s == "playing", 10
                )
                expect(
                    state["attributes"].get("media_title") == movie["Name"],
                    f"media_title is {state['attributes'].get('media_title')!r}, "
                    f"not {movie['Name']!r}",
                )
                samples.append((changed_at - sent, changed_at - frame_at, seen_at - frame_at))
        finally:
            reader.cancel()
    # The simulator queues the Sessions frame while it handles the command, so command-to-state
    # bounds the frame-to-state latency from above (it adds the command's loopback round trip).
    # The second socket reads the frame about when Home Assistant does; which of the two is
    # first varies by a few ms, so that figure can come out slightly negative.
    upper = sorted(sample[0] for sample in samples)
    second = sorted(sample[1] for sample in samples)
    figures = (
        f"frame-to-state latency over {len(samples)} playback starts: median "
        f"{statistics.median(upper) * 1000:.0f} ms, max {upper[-1] * 1000:.0f} ms (command sent "
        f"-> state written by Home Assistant, an upper bound); frame at a second Emby socket -> "
        f"state median {statistics.median(second) * 1000:.0f} ms"
    )
    run.notes.append(f"{entity_id}: {figures}")
    print(f"    measured: {figures}", flush=True)
    expect(
        upper[-1] <= LATENCY_LIMIT,
        f"{entity_id} showed a playback {upper[-1]:.2f} s after the command "
        f"(limit {LATENCY_LIMIT} s)",
    )
    return f"{entity_id}; {figures}"


async def _frame_with(
    frames: asyncio.Queue[tuple[float, Any]], session_id: str, item_id: str, within: float
) -> float:
    deadline = time.monotonic() + within
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CheckFailed(f"no Sessions frame showed the playback within {within:.0f} s")
        try:
            arrived, frame = await asyncio.wait_for(frames.get(), remaining)
        except TimeoutError:
            continue
        if frame.get("MessageType") != "Sessions":
            continue
        for session in frame.get("Data") or []:
            item = session.get("NowPlayingItem") or {}
            if session.get("Id") == session_id and item.get("Id") == item_id:
                return arrived


async def _state_where(
    events: asyncio.Queue[tuple[float, dict[str, Any]]],
    entity_id: str,
    wanted: Callable[[str], bool],
    within: float,
) -> tuple[float, float, dict[str, Any]]:
    """The next state of `entity_id` whose state is `wanted`: (when Home Assistant wrote it,
    when its event arrived here, the state)."""
    deadline = time.monotonic() + within
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CheckFailed(f"{entity_id} did not change as expected within {within:.0f} s")
        try:
            arrived, event = await asyncio.wait_for(events.get(), remaining)
        except TimeoutError:
            continue
        data = event.get("data", {})
        new = data.get("new_state") or {}
        if data.get("entity_id") == entity_id and wanted(str(new.get("state"))):
            return _epoch(new["last_changed"]), arrived, new


def _changed_number(field: dict[str, Any]) -> int:
    """A value other than the field's current one, within its selector's bounds."""
    number = field["selector"]["number"]
    current, step = int(field["default"]), int(number.get("step", 1))
    return current + step if current + step <= number["max"] else current - step


async def check_options_flow(run: Run) -> str:
    """The options flow: new intervals and an ignored client; the client's entities go and the
    coordinators run at the new intervals."""
    _, step = await run.api.request(
        "POST",
        OPTIONS_FLOW_PATH,
        json_body={"handler": run.entry_id, "show_advanced_options": False},
    )
    expect(step.get("type") == "form", f"the options flow opened with {step}")
    schema = step["data_schema"]
    answer = {f["name"]: f["default"] for f in schema if "default" in f}
    for name in (
        "scan_interval",
        "websocket_interval",
        "library_scan_interval",
        "server_scan_interval",
    ):
        answer[name] = _changed_number(_field(schema, name))
    # An idle client no other check uses.
    playing = {s["DeviceId"] for s in await run.emby.client_sessions() if s.get("NowPlayingItem")}
    offered = _field(schema, "ignored_devices")["selector"]["select"]["options"]
    candidates = [o["value"] for o in offered if o["value"] not in playing | {run.latency_device}]
    expect(candidates, f"no idle client to ignore among {offered}")
    run.ignored_device = candidates[-1]
    ignored_entities = [
        e["entity_id"]
        for e in await run.socket.entry_entities(run.entry_id)
        if e["device_id"] in await _device_ids(run, run.ignored_device)
    ]
    expect(ignored_entities, f"the client {run.ignored_device} has no entities to lose")
    answer["ignored_devices"] = [run.ignored_device]
    _, done = await run.api.request(
        "POST", f"{OPTIONS_FLOW_PATH}/{step['flow_id']}", json_body=answer
    )
    expect(done.get("type") == "create_entry", f"saving the options answered {done}")

    async def entities_gone() -> bool:
        states = await run.socket.states()
        registered = {e["entity_id"] for e in await run.socket.entry_entities(run.entry_id)}
        entry = await entry_state(run)
        return (
            entry is not None
            and entry["state"] == "loaded"
            and not any(e in states or e in registered for e in ignored_entities)
            and not await _device_ids(run, run.ignored_device)
        )

    await wait_until(
        entities_gone, 60, f"the ignored client's entities {ignored_entities} did not go"
    )
    # Reopening Configure shows the saved values; the reloaded coordinators use them.
    _, again = await run.api.request(
        "POST",
        OPTIONS_FLOW_PATH,
        json_body={"handler": run.entry_id, "show_advanced_options": False},
    )
    await run.api.request("DELETE", f"{OPTIONS_FLOW_PATH}/{again['flow_id']}")
    shown = {f["name"]: f.get("default") for f in again["data_schema"]}
    for name, value in answer.items():
        expect(
            shown.get(name) == value, f"reopened, {name} shows {shown.get(name)!r}, not {value!r}"
        )
    _, diag = await run.api.request("GET", f"/api/diagnostics/config_entry/{run.entry_id}")
    coordinators = diag["data"]["coordinators"]
    # The options' intervals apply while polling; with the WebSocket up, the library and server
    # coordinators follow Emby's events and poll only as a safety net (const.py:
    # PUSHED_SAFETY_INTERVAL, SERVER_PUSHED_INTERVAL), and diagnostics show the interval in force.
    if diag["data"]["connection"]["websocket_connected"]:
        expected = {"library": PUSHED_LIBRARY_S, "server": PUSHED_SERVER_S}
    else:
        expected = {
            "library": answer["library_scan_interval"] * 3600,
            "server": answer["server_scan_interval"] * 60,
        }
    for name, seconds in expected.items():
        expect(
            coordinators[name]["update_interval_s"] == seconds,
            f"the {name} coordinator runs every {coordinators[name]['update_interval_s']} s, "
            f"not {seconds} s",
        )
    intervals = ", ".join(
        f"{n}={answer[n]}"
        for n in (
            "scan_interval",
            "websocket_interval",
            "library_scan_interval",
            "server_scan_interval",
        )
    )
    return f"{intervals}; ignored {run.ignored_device}: {len(ignored_entities)} entities gone"


async def _device_ids(run: Run, emby_device_id: str) -> set[str]:
    return {
        d["id"]
        for d in await run.socket.entry_devices(run.entry_id)
        if [DOMAIN, emby_device_id] in d["identifiers"]
    }


async def check_outage(run: Run, restart_simulator: Any, down_for: float) -> str:
    """The simulator stopped for `down_for` s and started again: the media players go
    unavailable, then come back with no action."""
    players = [
        e["entity_id"]
        for e in await run.socket.entry_entities(run.entry_id)
        if e["entity_id"].startswith("media_player.") and not e.get("disabled_by")
    ]
    expect(players, "no media players to watch")

    async def all_state(wanted: bool) -> bool:
        states = await run.socket.states()
        unavailable = [p for p in players if states.get(p, {}).get("state") == "unavailable"]
        return len(unavailable) == len(players) if wanted else not unavailable

    outage_start = len(run.hass.log_text())
    stopped = time.monotonic()
    await run.simulator.stop(30)
    await wait_until(
        lambda: all_state(True), down_for, "the media players did not all go unavailable"
    )
    went = time.monotonic() - stopped
    remaining = down_for - (time.monotonic() - stopped)
    if remaining > 0:
        await asyncio.sleep(remaining)  # the outage itself: the simulator stays down this long
    await restart_simulator()
    restarted = time.monotonic()
    await wait_until(
        lambda: all_state(False), 120, "the media players did not come back after the restart"
    )
    back = time.monotonic() - restarted

    async def entry_loaded() -> bool:
        entry = await entry_state(run)
        return entry is not None and entry["state"] == "loaded"

    await wait_until(entry_loaded, 30, "the entry is not loaded after the outage")
    run.outage_log_span = (outage_start, len(run.hass.log_text()))
    return (
        f"{len(players)} media players unavailable {went:.1f} s after the stop, "
        f"back {back:.1f} s after the restart ({down_for:.0f} s down)"
    )
