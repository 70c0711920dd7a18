"""Per-user image entities: the cover of the first next-up, continue-watching, recently-added and
suggested item. Home Assistant serves them through its image proxy (access token, no API key);
the core fetches the picture with the key in a header."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final, override

from embymedia_core import EmbyError
from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import LOGGER
from .coordinator import EmbyConfigEntry
from .discovery import DiscoveryRow, EmbyDiscoveryCoordinator, EmbyDiscoveryData
from .entity import EmbyUserEntity
from .pictures import PICTURE_WIDTH, Picture, item_picture

if TYPE_CHECKING:
    from embymedia_core import Item

# Entities only read coordinator data; pictures are fetched on demand.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class EmbyImageEntityDescription(ImageEntityDescription):
    """An image: the items whose first one it shows."""

    items_fn: Callable[[EmbyDiscoveryData], list[Item] | None]
    row: str | None = None


IMAGES: Final[tuple[EmbyImageEntityDescription, ...]] = (
    EmbyImageEntityDescription(
        key="next_up_image",
        translation_key="next_up_image",
        items_fn=lambda d: d.next_up["items"],
    ),
    EmbyImageEntityDescription(
        key="continue_watching_image",
        translation_key="continue_watching_image",
        items_fn=lambda d: d.resume["items"],
    ),
    EmbyImageEntityDescription(
        key="recently_added_image",
        translation_key="recently_added_image",
        items_fn=lambda d: d.latest,
    ),
    EmbyImageEntityDescription(
        key="suggestions_image",
        translation_key="suggestions_image",
        items_fn=lambda d: None if d.suggestions is None else d.suggestions["items"],
        row=DiscoveryRow.SUGGESTIONS,
        entity_registry_enabled_default=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EmbyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each user's images."""
    async_add_entities(
        EmbyUserImage(hass, coordinator, description, user_id, coordinator.user_name)
        for user_id, coordinator in entry.runtime_data.discovery.items()
        for description in IMAGES
    )


class EmbyUserImage(EmbyUserEntity[EmbyDiscoveryCoordinator], ImageEntity):
    """The cover of the first item of one of a user's rows."""

    entity_description: EmbyImageEntityDescription

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: EmbyDiscoveryCoordinator,
        description: EmbyImageEntityDescription,
        user_id: str,
        user_name: str,
    ) -> None:
        """Initialize the image of one row of `user_id`."""
        EmbyUserEntity.__init__(self, coordinator, description, user_id, user_name)
        ImageEntity.__init__(self, hass)
        self._picture: Picture | None = None
        self._cache: tuple[Picture, bytes] | None = None
        self._async_update_picture()

    @callback
    def _async_update_picture(self) -> None:
        items = self.entity_description.items_fn(self.coordinator.data)
        picture = item_picture(items[0]) if items else None
        if picture != self._picture or self._attr_image_last_updated is None:
            self._picture = picture
            self._attr_image_last_updated = dt_util.utcnow()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        self._async_update_picture()
        super()._handle_coordinator_update()

    @property
    @override
    def image_last_updated(self) -> datetime | None:
        """When the picture last changed (the frontend refetches then)."""
        return self._attr_image_last_updated

    @override
    async def async_image(self) -> bytes | None:
        """The picture, fetched by the core (None when the row is empty or Emby fails)."""
        if (picture := self._picture) is None:
            return None
        if self._cache is not None and self._cache[0] == picture:
            return self._cache[1]
        item_id, image_type, tag = picture
        try:
            data, content_type = await self.coordinator.client.get_image(
                item_id, image_type, max_width=PICTURE_WIDTH, tag=tag
            )
        except EmbyError as err:
            LOGGER.debug("No %s image for item %s: %s", image_type, item_id, err)
            return None
        self._attr_content_type = content_type
        self._cache = (picture, data)
        return data
