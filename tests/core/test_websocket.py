"""The core's WebSocket through the Python binding, against the Emby simulator.

`client.events()` is what the integration consumes; these tests read it the same way and check
what arrives, what survives a restart, a stall and a flood, and that closing and interpreter exit
are clean. Timing knobs are shortened through the constructor options; every wait is bounded.
"""

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from embymedia_core import EmbyClient, EmbyClosedError, EventStream

from emby_simulator import EmbySimulator, Fault, SimulatorConfig

API_KEY = "ws-test-key"
DEVICE_ID = "ws-tests-device"
# Quick reconnects; a read deadline that a simulator sharing the test's loop meets even when the
# loop is busy converting a flood.
FAST: dict[str, Any] = {
    "ping_interval_s": 0.5,
    "read_timeout_s": 8.0,
    "backoff_base_s": 0.05,
    "backoff_max_s": 0.5,
    "stable_after_s": 2.0,
}
WAIT = 30.0

type Event = Mapping[str, Any]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override of the top-level fixture: these tests need no Home Assistant."""


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[EmbySimulator]:
    """A running simulator with playing clients."""
    async with EmbySimulator(
        SimulatorConfig(api_key=API_KEY, users=2, clients=4, playing=2)
    ) as simulator:
        yield simulator


@pytest.fixture
async def client(sim: EmbySimulator) -> AsyncIterator[EmbyClient]:
    """A core client for the simulator, closed at the end."""
    core = EmbyClient("127.0.0.1", sim.port, API_KEY, device_id=DEVICE_ID, timeout=5.0)
    yield core
    await core.close()


class Reader:
    """Reads an event stream in the background, as the integration does, and lets a test wait
    (bounded) for the events it expects."""

    def __init__(self, stream: EventStream) -> None:
        self.events: list[Event] = []
        self.batches = 0
        self.ended = asyncio.Event()
        self._cursor = 0
        self._changed = asyncio.Condition()
        self._task = asyncio.create_task(self._run(stream))

    async def _run(self, stream: EventStream) -> None:
        try:
            async for batch in stream:
                assert isinstance(batch, list)
                assert batch, "batches are never empty"
                async with self._changed:
                    self.events.extend(batch)
                    self.batches += 1
                    self._changed.notify_all()
        finally:
            self.ended.set()
            async with self._changed:
                self._changed.notify_all()

    async def next(self, predicate: Callable[[Event], bool], within: float = WAIT) -> Event:
        """The first event after the previous match that satisfies `predicate`."""

        async def find() -> Event:
            async with self._changed:
                while True:
                    for i in range(self._cursor, len(self.events)):
                        if predicate(self.events[i]):
                            self._cursor = i + 1
                            return self.events[i]
                    self._cursor = len(self.events)
                    assert not self.ended.is_set(), f"stream ended; saw {self.types()}"
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(find(), within)
        except TimeoutError:
            pytest.fail(f"no matching event within {within} s; saw {self.types()}")

    async def of_type(self, kind: str, within: float = WAIT) -> Event:
        """The next event of type `kind`."""
        return await self.next(lambda e: e["type"] == kind, within)

    def types(self) -> list[str]:
        """Types of every event read so far."""
        return [e["type"] for e in self.events]

    async def stop(self) -> None:
        """Cancel the reading task."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


@pytest.fixture
async def reader(client: EmbyClient) -> AsyncIterator[Reader]:
    """The client's event stream, read in the background."""
    r = Reader(client.events(**FAST))
    yield r
    await r.stop()


def websocket_metrics(client: EmbyClient) -> dict[str, Any]:
    """The WebSocket section of the metrics snapshot."""
    return dict(client.metrics()["efficiency_metrics"]["websocket"])


async def until(condition: Callable[[], bool], within: float = WAIT) -> None:
    """Wait (bounded, real time) until `condition()` holds: core metrics and simulator counters
    have no event to await."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def without_own(sessions: list[Any]) -> list[Any]:
    """Sessions of the simulated clients (ours changes with every request we make)."""
    return sorted((s for s in sessions if s.device_id != DEVICE_ID), key=lambda s: s.device_id)


async def test_sessions_are_pushed_as_get_sessions_returns_them(
    sim: EmbySimulator, client: EmbyClient, reader: Reader
) -> None:
    """After connecting, the subscription brings Sessions snapshots shaped like get_sessions."""
    assert (await reader.next(lambda e: True))["type"] == "connected"
    pushed = await reader.of_type("sessions")
    polled = await client.get_sessions()
    assert without_own(pushed["sessions"]) == without_own(list(polled))
    assert len(without_own(pushed["sessions"])) == 4
    playing = [s for s in pushed["sessions"] if s.now_playing_item is not None]
    assert len(playing) == 2

    # A client starts playing: PlaybackStart and a fresh snapshot, in that order; the snapshot
    # says only what the start did not (the first snapshot was every client).
    idle = next(s for s in without_own(pushed["sessions"]) if s.now_playing_item is None)
    movie = sim.library.of_type("Movie")[0]
    sim.start_playback(idle.device_id, movie.id)
    await sim.flush()
    started = await reader.of_type("playback_start")
    assert started["session"].device_id == idle.device_id
    snapshot = await reader.of_type("sessions")
    now = {s.device_id: s for s in snapshot["sessions"]}
    assert now.get(idle.device_id, started["session"]).now_playing_item.id == movie.id
    assert set(now) <= {idle.device_id, DEVICE_ID}
    assert snapshot["removed"] == []

    stats = websocket_metrics(client)
    assert stats["connected"] is True
    assert stats["messages_by_type"]["Sessions"] >= 2
    assert stats["messages_by_type"]["PlaybackStart"] == 1
    assert stats["messages_by_type"]["ForceKeepAlive"] == 1
    assert stats["malformed_frames"] == 0
    assert stats["last_message_age_s"] is not None
    assert sim.count("/embywebsocket") == 1


async def test_snapshots_are_handed_over_as_changes(
    sim: EmbySimulator, client: EmbyClient, reader: Reader
) -> None:
    """The core compares each Sessions snapshot with the sessions it last handed over (pushed
    or polled): one client pausing is that one session, a client leaving its DeviceId in
    `removed`, a stop is a session that plays nothing, and a poll right after has nothing new."""
    first = await reader.of_type("sessions")
    assert len(without_own(first["sessions"])) == 4
    playing = [s for s in without_own(first["sessions"]) if s.now_playing_item is not None]
    paused = playing[0].device_id

    sim.pause(paused)
    await sim.flush()
    progress = await reader.of_type("playback_progress")
    assert progress["session"].device_id == paused
    assert progress["session"].play_state.is_paused
    # The snapshot that follows has nothing the progress event did not say.
    snapshot = await reader.of_type("sessions")
    assert not_own(snapshot["sessions"]) == []
    assert snapshot["removed"] == []

    stopped = playing[1].device_id
    sim.stop_playback(stopped)
    await sim.flush()
    event = await reader.of_type("playback_stopped")
    assert event["session"].device_id == stopped
    # Emby's event still names what stopped; the core hands over the session after the stop.
    assert event["session"].now_playing_item is None
    assert event["session"].play_state.position_ticks is None
    # Once the snapshot that follows is handed over (the stopped client's queue, which Emby may
    # keep and the simulator clears, can differ), a poll has nothing new: the poll must not
    # race the push.
    await reader.of_type("sessions")
    assert not_own((await client.get_session_changes())["sessions"]) == []

    # SessionEnded tells of a client leaving; a poll that no longer lists one says `removed`.
    polling = EmbyClient("127.0.0.1", sim.port, API_KEY, device_id="poller", timeout=5.0)
    try:
        assert len(without_own((await polling.get_session_changes())["sessions"])) == 5
        gone = next(s.device_id for s in without_own(first["sessions"]) if s.device_id != paused)
        sim.remove_client(gone)
        await sim.flush()
        ended = await reader.of_type("session_ended")
        assert ended["session"].device_id == gone
        left = await polling.get_session_changes()
        assert left["removed"] == [gone]
        assert not_own(left["sessions"]) == []
    finally:
        await polling.close()


def not_own(sessions: list[Any]) -> list[Any]:
    """The sessions of a change that are not our own device's."""
    return [s for s in sessions if s is not None and s.device_id != DEVICE_ID]


async def test_library_and_user_data_events_reach_an_api_key_socket(
    sim: EmbySimulator, client: EmbyClient, reader: Reader
) -> None:
    """Capabilities are registered after connecting, so Emby routes LibraryChanged and
    UserDataChanged to our API-key socket (EMBY.md 4.6; the simulator gates them the same way)."""
    await reader.of_type("sessions")
    await until(lambda: sim.count("/Sessions/Capabilities/Full") >= 1)
    data = sim.trigger_library_change(items_added=1, items_updated=1)
    await sim.flush()
    changed = await reader.of_type("library_changed")
    assert changed["items_added"] == data["ItemsAdded"]
    assert changed["items_updated"] == data["ItemsUpdated"]

    user = sim.users[0]
    movie = sim.library.of_type("Movie")[0]
    sim.trigger_user_data_change(user["Id"], [movie.id])
    await sim.flush()
    user_data = await reader.of_type("user_data_changed")
    assert user_data["user_id"] == user["Id"]
    assert movie.id in user_data["item_ids"]


async def test_a_server_restart_restores_the_subscription_by_itself(
    sim: EmbySimulator, client: EmbyClient, reader: Reader
) -> None:
    """Socket drops, the server is down 20 s, comes back: the core reconnects, subscribes and
    registers again, and events flow, with nothing done from Python."""
    await reader.of_type("sessions")
    await until(lambda: sim.count("/Sessions/Capabilities/Full") >= 1)
    restart = asyncio.create_task(sim.restart(down_for=20))
    await reader.of_type("server_restarting")
    disconnected = await reader.of_type("disconnected")
    assert disconnected["reason"]
    retry = await reader.of_type("reconnecting")
    assert 0 < retry["delay_s"] <= FAST["backoff_max_s"]
    assert not websocket_metrics(client)["connected"]
    await asyncio.wait_for(restart, 60)
    await reader.of_type("connected", within=60)
    # The subscription is back: a snapshot arrives without asking.
    await reader.of_type("sessions")
    await until(lambda: sim.count("/Sessions/Capabilities/Full") >= 2)
    data = sim.trigger_library_change(items_added=1)
    await sim.flush()
    assert (await reader.of_type("library_changed"))["items_added"] == data["ItemsAdded"]

    stats = websocket_metrics(client)
    assert stats["connected"] is True
    assert stats["reconnections"] == 1
    assert stats["last_error"] is not None
    assert API_KEY not in stats["last_error"]
    assert stats["total_uptime_hours"] >= stats["uptime_hours"]
    # One socket before the restart, at least one after (retries while down were refused).
    assert sim.count("/embywebsocket") >= 2


async def test_a_stalled_socket_is_detected_and_replaced(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """A server that keeps the socket open but answers nothing, not even pings."""
    r = Reader(client.events(**{**FAST, "ping_interval_s": 0.2, "read_timeout_s": 1.0}))
    try:
        await r.of_type("sessions")
        sim.set_fault(Fault(ws_stall=True))
        lost = await r.of_type("disconnected")
        assert "no frames" in lost["reason"]
        sim.set_fault(None)
        await r.of_type("connected")
        await r.of_type("sessions")
        assert websocket_metrics(client)["reconnections"] >= 1
        assert sim.count("/embywebsocket") >= 2
    finally:
        await r.stop()


async def test_a_flood_keeps_memory_bounded(sim: EmbySimulator, client: EmbyClient) -> None:
    """10,000 Sessions frames while Python reads nothing: the queue stays within its bound
    (older snapshots are superseded and counted), and the newest snapshot is what Python gets."""
    stream = client.events(**FAST, queue_capacity=64)
    assert stream.capacity == 64
    first = await asyncio.wait_for(anext(stream), WAIT)
    assert first[0]["type"] == "connected"
    await until(lambda: websocket_metrics(client)["messages_by_type"].get("Sessions", 0) >= 1)
    before = websocket_metrics(client)["messages_by_type"]["Sessions"]
    sim.flood_sessions(10_000)
    await sim.flush()
    await until(
        lambda: websocket_metrics(client)["messages_by_type"]["Sessions"] >= before + 10_000, 60
    )
    assert stream.pending <= stream.capacity
    stats = websocket_metrics(client)
    assert stats["dropped_events"] >= 10_000 - stream.capacity
    assert stats["connected"] is True
    batch = await asyncio.wait_for(anext(stream), WAIT)
    snapshots = [e for e in batch if e["type"] == "sessions"]
    assert len(snapshots) == 1, "only the newest snapshot is kept"
    assert without_own(snapshots[0]["sessions"]) == without_own(list(await client.get_sessions()))


async def test_a_cancelled_read_loses_nothing(sim: EmbySimulator, client: EmbyClient) -> None:
    """Home Assistant cancels the reading task on unload; a read that was cancelled (also one
    whose batch was already taken) must not swallow events: the next read gets them."""
    stream = client.events(**FAST)
    await until(lambda: sim.count("/Sessions/Capabilities/Full") >= 1)
    # Read until quiet; every timeout here cancels a pending read.
    for _ in range(100):
        try:
            await asyncio.wait_for(anext(stream), 0.3)
        except TimeoutError:
            break
    for _ in range(20):
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(stream), 0.01)
    sim.send_ws("RestartRequired")
    sim.send_ws("UserDeleted", "u1")
    await sim.flush()
    seen: list[str] = []
    while len(seen) < 2:
        seen += [e["type"] for e in await asyncio.wait_for(anext(stream), WAIT)]
    assert seen == ["restart_required", "user_deleted"]


async def test_a_loop_reader_takes_batches_from_the_descriptor(
    sim: EmbySimulator, client: EmbyClient
) -> None:
    """How the integration reads: the loop watches `fileno()` and `take()`s each batch when it
    is readable. A burst larger than a batch comes over several turns of the loop (the
    descriptor stays readable), in order; the end of the stream is None; `release()` closes
    the descriptor at once."""
    loop = asyncio.get_running_loop()
    stream = client.events(**FAST)
    await until(lambda: sim.count("/Sessions/Capabilities/Full") >= 1)
    assert stream.take() is not None  # whatever came with the connection
    assert stream.take() == [], "nothing waits: an empty batch, not the end"
    batches: list[list[Event]] = []
    ended = asyncio.Event()

    def _take() -> None:
        batch = stream.take()
        if batch is None:
            ended.set()
        elif batch:
            batches.append(batch)

    burst = 600
    for i in range(burst):
        sim.send_ws("UserDeleted", f"user-{i}")
    await sim.flush()
    await until(lambda: stream.pending >= burst)
    fd = stream.fileno()
    loop.add_reader(fd, _take)
    try:
        await until(lambda: sum(len(b) for b in batches) >= burst)
        deleted = [e["user_id"] for b in batches for e in b if e["type"] == "user_deleted"]
        assert deleted == [f"user-{i}" for i in range(burst)]
        assert len(batches) >= 3, "at most 256 events per turn of the loop"
        sim.send_ws("RestartRequired")
        await until(lambda: batches[-1][-1]["type"] == "restart_required")
        await asyncio.wait_for(client.close(), 5)
        await asyncio.wait_for(ended.wait(), 5)
    finally:
        loop.remove_reader(fd)
    inode = os.fstat(fd).st_ino
    stream.release()
    with contextlib.suppress(OSError):
        assert os.fstat(fd).st_ino != inode, "released: the descriptor is closed"
    assert stream.take() is None


async def test_close_ends_the_stream_and_further_use_fails(
    sim: EmbySimulator, client: EmbyClient, reader: Reader
) -> None:
    """close() ends the iterator promptly; events() after close raises EmbyClosedError."""
    await reader.of_type("sessions")
    await asyncio.wait_for(client.close(), 5)
    await asyncio.wait_for(reader.ended.wait(), 5)
    assert reader.events[-1] == {"type": "disconnected", "reason": "the client was closed"}
    assert websocket_metrics(client)["connected"] is False
    with pytest.raises(EmbyClosedError):
        client.events()


async def test_close_during_a_backoff_wait_returns_at_once(socket_enabled: None) -> None:
    """Nothing listens: the core waits out a 10 minute backoff, and close() does not."""
    with contextlib.closing(__import__("socket").socket()) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = EmbyClient("127.0.0.1", port, API_KEY, device_id=DEVICE_ID, timeout=2.0)
    r = Reader(client.events(**{**FAST, "backoff_base_s": 600.0, "backoff_max_s": 600.0}))
    try:
        await r.of_type("reconnecting")
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(client.close(), 5)
        await asyncio.wait_for(r.ended.wait(), 5)
        assert loop.time() - started < 5
        assert "connect failed" in (websocket_metrics(client)["last_error"] or "")
    finally:
        await r.stop()
        await client.close()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("sessions_interval_ms", 100),
        ("sessions_interval_ms", 20_000),
        ("ping_interval_s", 0.0),
        ("read_timeout_s", float("nan")),
        ("backoff_max_s", -1.0),
        ("scheduled_tasks_interval_ms", 10),
        ("queue_capacity", 1),
    ],
)
async def test_out_of_range_options_are_refused(option: str, value: float) -> None:
    """Bad knobs are a ValueError before anything starts."""
    client = EmbyClient("127.0.0.1", 9, API_KEY, device_id=DEVICE_ID)
    try:
        kwargs: dict[str, Any] = {option: value}
        with pytest.raises(ValueError, match=option):
            client.events(**kwargs)
    finally:
        await client.close()


async def test_interpreter_exit_with_the_socket_open_never_crashes(socket_enabled: None) -> None:
    """25 interpreters exit with the socket open, events in flight and REST calls in flight,
    three different ways; every one exits cleanly (a tokio thread touching a finalizing
    interpreter would crash it: before REST results went through the exit guard, about one exit
    in five crashed)."""
    child = Path(__file__).with_name("ws_exit_child.py")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    modes = ["return", "thread", "exit"]
    limit = asyncio.Semaphore(3)

    async def run(i: int) -> tuple[str, int | None, str, str]:
        mode = modes[i % len(modes)]
        async with limit:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                str(child),
                mode,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                out, err = await asyncio.wait_for(proc.communicate(), 90)
            except TimeoutError:
                proc.kill()
                out, err = await proc.communicate()
                return mode, None, out.decode(), "timed out\n" + err.decode()
            return mode, proc.returncode, out.decode(), err.decode()

    results = await asyncio.gather(*(run(i) for i in range(25)))
    for mode, code, out, err in results:
        assert "READY" in out, f"{mode}: events never flowed\n{err}"
        in_flight = re.search(r"REST IN FLIGHT (\d+)", out)
        assert in_flight and int(in_flight[1]) > 0, f"{mode}: no REST call in flight\n{out}"
        assert code == 0, f"{mode}: exit status {code}\n{err}"
        for sign in ("panicked", "Fatal Python error", "Segmentation fault", "Traceback"):
            assert sign not in err, f"{mode}: {sign}\n{err}"
