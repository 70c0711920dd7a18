"""The authenticated image view: HA auth required, the key only in the header to Emby, sizes
bucketed to what the frontend shows, cacheable by Emby's image tag."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from homeassistant.components.http.auth import async_sign_path
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.embymedia.images import (
    IMAGE_URL_PREFIX,
    THUMBNAIL_WIDTH,
    image_url,
    image_width,
)
from emby_simulator import EmbySimulator, Fault

API_KEY = "test-api-key"

IMAGES = "/Items/{id}/Images/{type}"


def movie(sim: EmbySimulator) -> tuple[str, str]:
    """(id, primary image tag) of the first movie."""
    item = sim.library.items[sim.library.by_type["Movie"][0]]
    return item.id, sim.library.image_tag(item, "Primary")


def test_image_width_buckets() -> None:
    """Widths go up to the next size the view asks of Emby, so callers share one answer."""
    assert image_width(None) == THUMBNAIL_WIDTH
    assert image_width(0) == THUMBNAIL_WIDTH
    assert image_width(100) == 120
    assert image_width(400) == 400
    assert image_width(401) == 600
    assert image_width(5000) == 1000


async def test_image_view_serves_with_ha_auth_only(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
) -> None:
    """401 without Home Assistant auth (and nothing asked of Emby); with auth the image, the
    key sent to Emby as a header only, the ETag and long max-age of a tagged URL, 304 for a
    browser that has it."""
    item_id, tag = movie(simulator)
    url = image_url(init_integration.entry_id, item_id, "Primary", tag, 300)
    assert url.startswith(f"{IMAGE_URL_PREFIX}/{init_integration.entry_id}/{item_id}/Primary?")
    assert API_KEY not in url and "api_key" not in url.lower()

    before = simulator.count(IMAGES)
    anonymous = await hass_client_no_auth()
    assert (await anonymous.get(url)).status == HTTPStatus.UNAUTHORIZED
    assert simulator.count(IMAGES) == before

    client = await hass_client()
    response = await client.get(url)
    assert response.status == HTTPStatus.OK
    assert response.content_type.startswith("image/")
    body = await response.read()
    assert body
    assert response.headers["ETag"] == f'"{tag}-400"'
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    request = simulator.request_log[-1]
    assert request.path == f"/Items/{item_id}/Images/Primary"
    assert request.query["maxwidth"] == "400"
    assert request.query["tag"] == tag
    assert "api_key" not in request.query

    again = await client.get(url, headers={"If-None-Match": f'"{tag}-400"'})
    assert again.status == HTTPStatus.NOT_MODIFIED
    assert simulator.count(IMAGES) == before + 1

    # A signed path works for an <img> (how entity pictures reach the browser).
    signed = async_sign_path(hass, url.split("?")[0], timedelta(minutes=5))
    assert (await anonymous.get(signed)).status == HTTPStatus.OK

    # Without a tag: a short max-age and no ETag.
    untagged = await client.get(image_url(init_integration.entry_id, item_id))
    assert untagged.status == HTTPStatus.OK
    assert "max-age=300" in untagged.headers["Cache-Control"]
    assert "ETag" not in untagged.headers


async def test_image_view_errors(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unknown entry or image: 404; a bad type, id or width: 400; Emby down: 502."""
    item_id, tag = movie(simulator)
    entry_id = init_integration.entry_id
    client = await hass_client()
    assert (await client.get(image_url("nope", item_id))).status == HTTPStatus.NOT_FOUND
    assert (await client.get(image_url(entry_id, item_id, "Poster"))).status == 400
    assert (await client.get(image_url(entry_id, "..", "Primary"))).status in (400, 404)
    bad_width = f"{IMAGE_URL_PREFIX}/{entry_id}/{item_id}/Primary?width=wide"
    assert (await client.get(bad_width)).status == HTTPStatus.BAD_REQUEST
    # The first series has no Banner image: Emby's 404 is ours.
    assert (await client.get(image_url(entry_id, item_id, "Banner"))).status == 404
    simulator.set_fault(Fault(force_status=500, paths=("/Items/{id}/Images",)))
    response = await client.get(image_url(entry_id, item_id, "Primary", tag))
    assert response.status == HTTPStatus.BAD_GATEWAY
    assert API_KEY not in caplog.text


def test_image_url_encodes_what_is_not_url_safe() -> None:
    """Ids and tags stay as they are when safe and are percent-encoded otherwise."""
    assert image_url("e1", "abc", "Primary", "t1", 100) == (
        f"{IMAGE_URL_PREFIX}/e1/abc/Primary?width=120&tag=t1"
    )
    assert image_url("e1", "a/b c", "Thumb", "x&y") == (
        f"{IMAGE_URL_PREFIX}/e1/a%2Fb%20c/Thumb?width={THUMBNAIL_WIDTH}&tag=x%26y"
    )
