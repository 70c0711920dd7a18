"""Floods of WebSocket frames for the fault suite and the benchmarks: PlaybackProgress of the
playing clients, round robin, at a given rate or as fast as the simulator can send.

Every frame moves its client's position on by one second, so no two frames of a client are
alike, and `FloodResult.last_positions` tells what a reader must end up showing.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import EmbySimulator

# Frames queued per step (then the simulator's loop runs its socket writers).
STEP_FRAMES = 100
TICKS_PER_SECOND = 10_000_000


@dataclass
class FloodResult:
    """What a flood sent."""

    frames: int = 0
    seconds: float = 0.0
    last_positions: dict[str, int] = field(default_factory=dict)
    """DeviceId -> PositionTicks of the last frame sent for that client."""


async def flood_progress(
    sim: EmbySimulator, *, seconds: float, rate: float | None = None
) -> FloodResult:
    """Send PlaybackProgress frames of the playing clients for `seconds` (real time), `rate`
    frames per second in total (None: as fast as possible). The clients' own state is left
    alone: the frames say more than the clients do, as a misbehaving server would."""
    loop = asyncio.get_running_loop()
    state = sim.state
    playing = [s for s in state.sessions.all() if s.now_playing]
    if not playing:
        raise ValueError("no client is playing")
    payloads = [state.session_json.to_json(s) for s in playing]
    result = FloodResult()
    started = loop.time()
    deadline = started + seconds
    n = 0
    while (now := loop.time()) < deadline:
        due = STEP_FRAMES if rate is None else int((now - started) * rate) - result.frames
        for _ in range(min(due, STEP_FRAMES)):
            payload = payloads[n % len(payloads)]
            n += 1
            frame = copy.deepcopy(payload)
            play_state: dict[str, Any] = frame["PlayState"]
            play_state["PositionTicks"] = (
                int(play_state.get("PositionTicks") or 0)
                + (n // len(payloads) + 1) * TICKS_PER_SECOND
            )
            state.hub.broadcast("PlaybackProgress", frame)
            result.last_positions[frame["DeviceId"]] = play_state["PositionTicks"]
            result.frames += 1
        # A rate-limited flood waits for its next frames; a free one lets the writers run.
        await asyncio.sleep(0 if rate is None else min(0.005, max(0.0, deadline - now)))
    result.seconds = loop.time() - started
    return result
