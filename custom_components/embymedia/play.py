"""What `play_media` plays: Emby item ids, a browse id (a folder expands to its items in order),
this integration's media-source ids, or a name (the best match of the type asked for).
"""

import re
from typing import Final

from embymedia_core import EmbyError
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .browse import ARITY, BrowseTree, Node, async_playable_items, item_node
from .const import DOMAIN
from .search import async_search_items

MEDIA_SOURCE_PREFIX: Final = "media-source://"
OWN_MEDIA_SOURCE_PREFIX: Final = f"{MEDIA_SOURCE_PREFIX}{DOMAIN}/"
# Emby item ids: numbers (Emby) or 32 hex digits (older servers, the simulator).
ITEM_ID: Final = re.compile(r"^(?:\d+|[0-9a-fA-F]{32})$")
# The most items one play command sends (they travel in the query string).
MAX_PLAY_ITEMS: Final = 200


def media_source_node(media_id: str, server_id: str) -> str:
    """The browse node of this integration's media-source id (`<server>/<user>/<node>`).

    ServiceValidationError (translated) when the id is another server's: item ids are per
    server, so its node could name another item here.
    """
    parts = media_id.removeprefix(OWN_MEDIA_SOURCE_PREFIX).split("/", 2)
    if parts[0] != server_id:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="other_server_media",
            translation_placeholders={"media_id": media_id},
        )
    return parts[2] if len(parts) == 3 else ""


def is_node_id(media_id: str) -> bool:
    """Whether a media id is a node of the browse tree (rather than ids or a name)."""
    kind = media_id.partition("@")[0].split("/", 1)[0]
    return "/" in media_id and kind in ARITY


def _invalid(media_id: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="invalid_media_id",
        translation_placeholders={"media_id": media_id},
    )


def _play_failed(err: EmbyError) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="play_failed",
        translation_placeholders={"error": str(err)},
    )


async def async_play_ids(
    tree: BrowseTree, server_id: str, media_type: str, media_id: str
) -> list[str]:
    """The item ids to play on a client of `server_id`, in order. ServiceValidationError
    (translated) for an id that is malformed, another integration's or server's media source,
    or a name nothing matches."""
    if media_id.startswith(OWN_MEDIA_SOURCE_PREFIX):
        return await _async_node_ids(tree, media_source_node(media_id, server_id), media_id)
    if media_id.startswith(MEDIA_SOURCE_PREFIX):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unsupported_media_source",
            translation_placeholders={"media_id": media_id},
        )
    if is_node_id(media_id):
        return await _async_node_ids(tree, media_id, media_id)
    parts = [part.strip() for part in media_id.split(",")]
    if all(ITEM_ID.match(part) for part in parts):
        if len(parts) > MAX_PLAY_ITEMS:
            raise _invalid(media_id)
        return await _async_known_ids(tree, parts)
    if "," in media_id or not media_id.strip():
        raise _invalid(media_id)
    return await _async_best_match(tree, media_type, media_id)


async def _async_known_ids(tree: BrowseTree, ids: list[str]) -> list[str]:
    """`ids` when the user's libraries hold every one (Emby accepts a play command for ids it
    does not have and plays nothing, so the action would seem to work)."""
    try:
        found = await tree.client.get_items(tree.user_id, ids=ids, recursive=True, limit=len(ids))
    except EmbyError as err:
        raise _play_failed(err) from err
    known = {item["id"] for item in found["items"]}
    if missing := [item_id for item_id in ids if item_id not in known]:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_item",
            translation_placeholders={"item_id": ", ".join(missing)},
        )
    return ids


async def _async_node_ids(tree: BrowseTree, node_id: str, media_id: str) -> list[str]:
    try:
        node = Node.parse(node_id)
        ids = list(await async_playable_items(tree, node, limit=MAX_PLAY_ITEMS))
    except BrowseError as err:
        raise _invalid(media_id) from err
    except EmbyError as err:
        raise _play_failed(err) from err
    if not ids:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="nothing_to_play",
            translation_placeholders={"media_id": media_id},
        )
    return ids


async def _async_best_match(tree: BrowseTree, media_type: str, query: str) -> list[str]:
    try:
        found = await async_search_items(tree.client, tree.user_id, query, media_type)
    except EmbyError as err:
        raise _play_failed(err) from err
    if not found:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_match",
            translation_placeholders={"query": query, "media_type": media_type or "-"},
        )
    best = item_node(found[0])
    return await _async_node_ids(tree, best.id, query)
