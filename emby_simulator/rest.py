"""The REST API: routes (case-insensitive, optional `/emby` prefix) and their handlers.

Every route is a path of Emby's OpenAPI description except `/Users` and the GET of
`/Library/VirtualFolders`, which real servers serve and first-party clients call although the
description omits them (EMBY.md 3.3). Commands answer 204 No Content, as Emby does.

Handlers are grouped by API area in the `rest_*` modules. They register in import order below,
which is the order routes are matched in.
"""

from __future__ import annotations

from .rest_system import SystemRoutes  # isort: skip
from .rest_browse import BrowseRoutes  # isort: skip
from .rest_lists import ListRoutes  # isort: skip
from .rest_sessions import SessionRoutes  # isort: skip
from .rest_livetv import LiveTvRoutes  # isort: skip
from .rest_media import MediaRoutes  # isort: skip
from .routing import ROUTES, ApiError, Ctx, json_response, match

__all__ = ["ROUTES", "ApiError", "Ctx", "RestApi", "json_response", "match"]


class RestApi(SystemRoutes, BrowseRoutes, ListRoutes, SessionRoutes, LiveTvRoutes, MediaRoutes):
    """Every handler, bound to the server's state."""
