"""The media source with ids that name a user the entry does not work for: an entry set up for
one Emby user browses, searches and plays as that user only (a hand-made media-source id with
another user's id was browsed and played as that user)."""

import pytest
from homeassistant.components.media_player import BrowseError, SearchMediaQuery
from homeassistant.components.media_source import (
    MediaSourceItem,
    Unresolvable,
    async_browse_media,
    async_resolve_media,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.const import DOMAIN
from custom_components.embymedia.media_source import EmbyMediaSource
from emby_simulator import EmbySimulator


def user(sim: EmbySimulator, name: str) -> str:
    return next(u["Id"] for u in sim.users if u["Name"] == name)


@pytest.fixture
def entry_user_id(simulator: EmbySimulator) -> str:
    """The entry works for Alice only."""
    return user(simulator, "Alice")


@pytest.fixture(autouse=True)
async def media_source(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "media_source", {})


async def test_only_the_entrys_user(
    hass: HomeAssistant, simulator: EmbySimulator, init_integration: MockConfigEntry
) -> None:
    alice, bob = user(simulator, "Alice"), user(simulator, "Bob")
    movie = simulator.library.items[simulator.library.by_type["Movie"][0]]
    base = f"media-source://{DOMAIN}/{simulator.server_id}"

    assert (await async_browse_media(hass, f"{base}/{alice}")).children
    resolved = await async_resolve_media(
        hass, f"{base}/{alice}/item/Movie/{movie.id}", "media_player.cast"
    )
    assert resolved.url

    start = len(simulator.request_log)
    with pytest.raises(BrowseError) as err:
        await async_browse_media(hass, f"{base}/{bob}")
    assert err.value.translation_key == "other_user_media"
    with pytest.raises(BrowseError):
        await async_browse_media(hass, f"{base}/{bob}/resume")
    with pytest.raises(Unresolvable) as unresolvable:
        await async_resolve_media(hass, f"{base}/{bob}/item/Movie/{movie.id}", "media_player.cast")
    assert unresolvable.value.translation_key == "other_user_media"
    source = EmbyMediaSource(hass)
    with pytest.raises(BrowseError):
        await source.async_search_media(
            MediaSourceItem(hass, DOMAIN, f"{simulator.server_id}/{bob}", None),
            SearchMediaQuery(search_query="a"),
        )
    assert not [r for r in simulator.request_log[start:] if bob in r.path]
