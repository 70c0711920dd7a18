"""Command line: `python -m emby_simulator --port 8096 --api-key KEY [--realtime] ...`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import signal
import sys

from .config import SimulatorConfig
from .discovery import DiscoveryResponder
from .server import EmbySimulator

SIZE_OPTIONS = (
    "users",
    "clients",
    "playing",
    "libraries",
    "movies",
    "series",
    "seasons_per_series",
    "episodes_per_season",
    "artists",
    "albums",
    "tracks_per_album",
    "home_videos",
    "playlists",
    "collections",
    "channels",
    "recordings",
    "timers",
    "series_timers",
    "seed",
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    defaults = SimulatorConfig()
    parser = argparse.ArgumentParser(prog="python -m emby_simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8096)
    parser.add_argument("--api-key", default=defaults.api_key)
    parser.add_argument("--server-name", default=defaults.server_name)
    parser.add_argument("--server-id", default=None)
    parser.add_argument("--version", default=defaults.version, help="Emby version reported")
    parser.add_argument(
        "--realtime", action="store_true", help="move the simulated clock with wall time"
    )
    parser.add_argument("--no-script", action="store_true", help="clients act only when told")
    parser.add_argument(
        "--api-key-user-events",
        choices=("capabilities", "never", "always"),
        default=defaults.api_key_user_events,
    )
    parser.add_argument(
        "--discovery-port",
        type=int,
        default=None,
        metavar="N",
        help="answer Emby's UDP discovery on 127.0.0.1:N (0: a free port); off by default",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    for name in SIZE_OPTIONS:
        parser.add_argument(
            "--" + name.replace("_", "-"), type=int, default=getattr(defaults, name), metavar="N"
        )
    return parser.parse_args(argv)


async def serve(config: SimulatorConfig, discovery_port: int | None = None) -> None:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with EmbySimulator(config) as sim:
        print(
            f"Emby simulator listening on {sim.url} (server id {sim.server_id})",
            flush=True,
        )
        if discovery_port is None:
            await stop.wait()
            return
        async with DiscoveryResponder(sim, port=discovery_port) as responder:
            print(
                f"Emby discovery responder on udp://127.0.0.1:{responder.port}",
                flush=True,
            )
            await stop.wait()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    values = {name: getattr(args, name) for name in SIZE_OPTIONS}
    try:
        config = SimulatorConfig(
            api_key=args.api_key,
            host=args.host,
            port=args.port,
            server_name=args.server_name,
            server_id=args.server_id,
            version=args.version,
            realtime=args.realtime,
            script=not args.no_script,
            api_key_user_events=args.api_key_user_events,
            **values,
        )
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    assert dataclasses.is_dataclass(config)
    try:
        asyncio.run(serve(config, args.discovery_port))
    except OSError as err:
        print(f"error: cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
