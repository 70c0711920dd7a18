"""Emby images through Home Assistant: the URL the frontend gets, and the view that serves it.

Emby wants the API key with every image request, so no Emby image URL may reach a browser. The
frontend gets `/api/embymedia/image/<entry id>/<item id>/<type>?tag=..&width=..` instead: the view
requires Home Assistant authentication (a bearer token, or a signed path for an `<img>`), and the
core fetches the image with the key in a header. With Emby's image tag in the URL the answer is
cacheable for a year (a changed image has a new tag, hence a new URL); ETag is the tag.
"""

import re
from http import HTTPStatus
from typing import Final
from urllib.parse import quote

from aiohttp import web
from embymedia_core import EmbyError, EmbyNotFoundError
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView

from .const import DOMAIN, LOGGER

IMAGE_URL_PREFIX: Final = f"/api/{DOMAIN}/image"
# Widths asked of Emby: the one at or above what the frontend shows, so every caller of one
# size shares one cached answer (browser and Emby alike). Media browser cards are ~200 CSS px
# (400 device px on a 2x screen); entity pictures and the more-info dialog up to 600.
IMAGE_WIDTHS: Final = (120, 240, 400, 600, 1000)
THUMBNAIL_WIDTH: Final = 400
# Without a tag the image may change behind the same URL: browsers keep it five minutes.
UNTAGGED_MAX_AGE: Final = 300
TAGGED_MAX_AGE: Final = 365 * 24 * 3600
SAFE: Final = re.compile(r"[A-Za-z0-9_.~-]*")


def image_width(requested: int | None) -> int:
    """The width asked of Emby for a requested one (the next size up, at most the largest)."""
    if requested is None or requested <= 0:
        return THUMBNAIL_WIDTH
    return next((w for w in IMAGE_WIDTHS if w >= requested), IMAGE_WIDTHS[-1])


def url_safe(text: str) -> str:
    """`text` percent-encoded for a path segment or query value (ids and tags are usually
    safe already: the fast path, since a browse page builds a hundred of these)."""
    return text if SAFE.fullmatch(text) else quote(text, safe="")


def image_url(
    entry_id: str,
    item_id: str,
    image_type: str = "Primary",
    tag: str | None = None,
    width: int = THUMBNAIL_WIDTH,
) -> str:
    """The Home Assistant URL of an Emby image (relative, without any credential)."""
    url = (
        f"{IMAGE_URL_PREFIX}/{url_safe(entry_id)}/{url_safe(item_id)}/{url_safe(image_type)}"
        f"?width={image_width(width)}"
    )
    return f"{url}&tag={url_safe(tag)}" if tag else url


class EmbyImageView(HomeAssistantView):
    """Serves Emby images to authenticated Home Assistant users only."""

    url = IMAGE_URL_PREFIX + "/{entry_id}/{item_id}/{image_type}"
    name = f"api:{DOMAIN}:image"
    requires_auth = True

    def __init__(self, hass: HomeAssistant) -> None:
        """Bind the view to Home Assistant (entries are looked up per request)."""
        self.hass = hass

    async def get(
        self, request: web.Request, entry_id: str, item_id: str, image_type: str
    ) -> web.StreamResponse:
        """The image, or 304 when the browser has this tag, or 404/502."""
        entry = self.hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        tag = request.query.get("tag") or None
        client = entry.runtime_data.client
        try:
            width = image_width(int(request.query.get("width", THUMBNAIL_WIDTH)))
            # The core's checks: an image type Emby has, an id that is one path segment, a tag
            # that is one (it goes into the ETag header).
            client.image_path(item_id, image_type, tag=tag)
        except ValueError:
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        etag = f'"{tag}-{width}"' if tag else None
        if etag is not None and request.headers.get("If-None-Match") == etag:
            return web.Response(status=HTTPStatus.NOT_MODIFIED, headers={"ETag": etag})
        try:
            data, content_type = await client.get_image(
                item_id, image_type, max_width=width, tag=tag
            )
        except EmbyNotFoundError:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        except EmbyError as err:
            LOGGER.debug("Image %s/%s not fetched: %s", item_id, image_type, err)
            return web.Response(status=HTTPStatus.BAD_GATEWAY)
        headers = {
            "Cache-Control": f"private, max-age={TAGGED_MAX_AGE if tag else UNTAGGED_MAX_AGE}"
        }
        if etag is not None:
            headers["ETag"] = etag
        return web.Response(body=data, content_type=content_type, headers=headers)


def async_register_image_view(hass: HomeAssistant) -> None:
    """Register the view once per Home Assistant run."""
    hass.http.register_view(EmbyImageView(hass))
