"""Import an installed embymedia-core wheel and make its Rust side work once (no network).

Run by scripts/wheels in a throwaway venv (the x86_64 manylinux wheel on the host's Python 3.13,
the oldest the abi3 tag allows) and by the release workflow in a container matching each wheel
(Debian or Alpine, aarch64 under QEMU). Standard library only: the containers have nothing else.

    python wheel_import.py EXPECTED_VERSION
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import platform
import socket
import sys


async def _refused_port_is_reported(core: object) -> str:
    """A real request through the core's runtime and HTTP stack, to a closed loopback port."""
    with socket.socket() as probe:  # a port nothing listens on once the socket is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = core.EmbyClient("127.0.0.1", port, "k", device_id="wheel-import")  # type: ignore[attr-defined]
    try:
        await client.get_public_info(timeout=5)
    except core.EmbyError as err:  # type: ignore[attr-defined]
        return type(err).__name__
    finally:
        await client.close()
    msg = "a request to a closed port succeeded"
    raise AssertionError(msg)


def main(expected: str) -> int:
    """Check the import, the versions, host parsing and one failing request."""
    import embymedia_core as core  # noqa: PLC0415 (the import is what is checked)

    installed = importlib.metadata.version("embymedia-core")
    problems = [
        f"{name} is {value}, expected {expected}"
        for name, value in (("the distribution", installed), ("__version__", core.__version__))
        if value != expected
    ]
    if core.parse_host("https://emby.example:8920/emby", 8096, False) != (
        "emby.example",
        8920,
        True,
        "/emby",
    ):
        problems.append("parse_host gave a wrong answer")
    error = asyncio.run(_refused_port_is_reported(core))
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if not problems:
        print(
            f"embymedia-core {installed} on Python {sys.version.split()[0]} ({sys.platform}, "
            f"{platform.machine()}): imports, parses, a refused request raises {error}"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
