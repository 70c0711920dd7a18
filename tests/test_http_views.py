"""Every HTTP view the integration registers refuses unauthenticated requests (issue 14).

The views are found by recording what the integration hands to Home Assistant's HTTP server
while it sets up, loads an entry and serves a browse (so a new view, or one registered late,
is checked without being named here). Each route of each view, for each method it serves:
401 without credentials and with a forged signature; with a bearer token or a valid signed
path, an answer that carries the API key nowhere (body, headers, redirects).
"""

import re
from collections.abc import Iterator
from datetime import timedelta
from http import HTTPStatus
from typing import Any

import pytest
from homeassistant.components.http import HomeAssistantHTTP
from homeassistant.components.http.auth import async_sign_path
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.http import HomeAssistantView
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.embymedia.const import DOMAIN
from emby_simulator import EmbySimulator

API_KEY = "test-api-key"
METHODS = ("get", "post", "put", "delete", "patch", "head")
OURS = "custom_components.embymedia"


@pytest.fixture
def registered_views(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[HomeAssistantView]]:
    """Every view registered from now on (the integration's are filtered by the test)."""
    recorded: list[HomeAssistantView] = []
    register = HomeAssistantHTTP.register_view

    def _record(self: HomeAssistantHTTP, view: Any) -> None:
        recorded.append(view)
        register(self, view)

    monkeypatch.setattr(HomeAssistantHTTP, "register_view", _record)
    yield recorded


@pytest.fixture
def static_paths(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Static paths registered from now on (files served without authentication)."""
    recorded: list[Any] = []
    register = HomeAssistantHTTP.async_register_static_paths

    async def _record(self: HomeAssistantHTTP, configs: list[Any]) -> None:
        recorded.extend(configs)
        await register(self, configs)

    monkeypatch.setattr(HomeAssistantHTTP, "async_register_static_paths", _record)
    return recorded


def concrete(url: str, values: dict[str, str]) -> str:
    """A route with its `{placeholders}` filled in (`x` for any the test has no value for)."""
    return re.sub(r"\{(\w+)(?::[^}]*)?\}", lambda m: values.get(m.group(1), "x"), url)


def methods(view: HomeAssistantView) -> list[str]:
    return [method for method in METHODS if callable(getattr(view, method, None))]


async def exercise(hass: HomeAssistant, hass_ws_client: WebSocketGenerator, player: str) -> None:
    """What may register views late: a browse of a media player and of the media source."""
    ws = await hass_ws_client(hass)
    await ws.send_json({"id": 1, "type": "media_player/browse_media", "entity_id": player})
    assert (await ws.receive_json())["success"]
    await ws.send_json(
        {
            "id": 2,
            "type": "media_source/browse_media",
            "media_content_id": f"media-source://{DOMAIN}",
        }
    )
    await ws.receive_json()


def assert_no_key(response_text: str, headers: Any, what: str) -> None:
    assert API_KEY not in response_text, f"{what}: key in the body"
    for name, value in headers.items():
        assert API_KEY not in value, f"{what}: key in header {name}"
        assert "api_key" not in value.lower(), f"{what}: api_key in header {name}"


async def test_every_view_refuses_unauthenticated_requests(
    hass: HomeAssistant,
    *,
    registered_views: list[HomeAssistantView],
    static_paths: list[Any],
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
) -> None:
    player = next(
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            er.async_get(hass), init_integration.entry_id
        )
        if entry.domain == "media_player"
    )
    await exercise(hass, hass_ws_client, player)
    ours = [view for view in registered_views if type(view).__module__.startswith(OURS)]
    assert ours, "the integration registers its image view"
    assert not [
        config for config in static_paths if OURS in str(getattr(config, "path", config))
    ], "no file of the integration is served without authentication"

    movie = simulator.library.items[simulator.library.by_type["Movie"][0]]
    values = {
        "entry_id": init_integration.entry_id,
        "item_id": movie.id,
        "image_type": "Primary",
    }
    anonymous = await hass_client_no_auth()
    authenticated = await hass_client()
    checked = 0
    for view in ours:
        assert view.requires_auth, f"{type(view).__name__} must require authentication"
        for route in [view.url, *view.extra_urls]:
            url = concrete(route, values)
            for method in methods(view):
                what = f"{method.upper()} {url}"
                before = len(simulator.request_log)
                response = await anonymous.request(method, url, allow_redirects=False)
                assert response.status == HTTPStatus.UNAUTHORIZED, what
                assert_no_key(await response.text(), response.headers, what)
                forged = await anonymous.request(
                    method, f"{url}?authSig=forged", allow_redirects=False
                )
                assert forged.status == HTTPStatus.UNAUTHORIZED, f"{what} (forged signature)"
                assert len(simulator.request_log) == before, f"{what}: reached Emby"

                response = await authenticated.request(method, url, allow_redirects=False)
                assert response.status < HTTPStatus.INTERNAL_SERVER_ERROR, what
                assert "Location" not in response.headers, f"{what}: redirected"
                assert_no_key(await response.text(errors="replace"), response.headers, what)
                if method == "get":
                    signed = async_sign_path(hass, url, timedelta(minutes=5))
                    response = await anonymous.get(signed, allow_redirects=False)
                    assert response.status == HTTPStatus.OK, f"{what} (signed)"
                    assert_no_key(await response.text(errors="replace"), response.headers, what)
                    # A signature is for its path only.
                    other = concrete(route, {**values, "item_id": "1"})
                    reused = signed.replace(url.split("?")[0], other.split("?")[0], 1)
                    assert (await anonymous.get(reused)).status == HTTPStatus.UNAUTHORIZED
                checked += 1
    assert checked >= 1


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("tag=a%0d%0aSet-Cookie:%20x=1", HTTPStatus.BAD_REQUEST),
        ("tag=%22quoted%22", HTTPStatus.BAD_REQUEST),
        ("tag=" + "t" * 5000, HTTPStatus.BAD_REQUEST),
        ("tag=t%C3%A9", HTTPStatus.BAD_REQUEST),
        ("width=1e999", HTTPStatus.BAD_REQUEST),
        ("width=" + "9" * 5000, HTTPStatus.BAD_REQUEST),
        ("width=nan", HTTPStatus.BAD_REQUEST),
        ("width=-1", HTTPStatus.OK),
        ("width=0&tag=", HTTPStatus.OK),
    ],
    ids=lambda value: str(value)[:24],
)
async def test_image_view_odd_queries(
    hass: HomeAssistant,
    *,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    query: str,
    status: HTTPStatus,
) -> None:
    """Tags that are no Emby tag (a tag goes into the ETag header: line breaks, quotes) and
    widths that are no number: 400 before Emby is asked, never a server error."""
    movie = simulator.library.items[simulator.library.by_type["Movie"][0]]
    client = await hass_client()
    url = f"/api/{DOMAIN}/image/{init_integration.entry_id}/{movie.id}/Primary?{query}"
    before = simulator.count("/Items/{id}/Images/{type}")
    response = await client.get(url, headers={"If-None-Match": '"x"'})
    assert response.status == status
    if status == HTTPStatus.BAD_REQUEST:
        assert simulator.count("/Items/{id}/Images/{type}") == before
    assert "Set-Cookie" not in response.headers
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
