"""Rust core of the embymedia Home Assistant integration.

Everything that talks to Emby (REST and WebSocket), caches, coalesces and measures lives in the
compiled ``_core`` module; this package re-exports it and installs the interpreter-exit safety net.
"""

import atexit as _atexit

from . import _core
from ._core import *  # noqa: F403
from ._core import __version__, shutdown_all

# Rust tasks still running while the interpreter finalizes crash the process: stop them first.
_atexit.register(shutdown_all)

__all__ = [name for name in dir(_core) if not name.startswith("_")]
__all__ += ["__version__"]
