"""The Emby server's version as an update entity. Emby says whether an update is available but
not which version it is, and installs updates itself (or through the operating system's package
manager): the entity shows, it does not install."""

from typing import override

from homeassistant.components.update import UpdateEntity, UpdateEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EmbyConfigEntry, EmbyServerCoordinator
from .entity import EmbyServerEntity

# Entities only read coordinator data.
PARALLEL_UPDATES = 0

SERVER_UPDATE = UpdateEntityDescription(
    key="server_update",
    translation_key="server_update",
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EmbyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the server's update entity."""
    async_add_entities([EmbyServerUpdate(entry.runtime_data.server, SERVER_UPDATE)])


class EmbyServerUpdate(EmbyServerEntity[EmbyServerCoordinator], UpdateEntity):
    """Installed version; "latest" differs from it while Emby says an update is available."""

    @property
    @override
    def installed_version(self) -> str | None:
        """The server's version."""
        return self.coordinator.data.info["version"]

    @property
    @override
    def latest_version(self) -> str | None:
        """The installed version, or (Emby does not name the new one) a marker that differs."""
        info = self.coordinator.data.info
        if info["has_update_available"]:
            return f"{info['version']}+"
        return info["version"]

    @override
    def version_is_newer(self, latest_version: str, installed_version: str) -> bool:
        """Emby's own flag decides (it names no version to compare)."""
        return bool(self.coordinator.data.info["has_update_available"])

    @property
    @override
    def release_url(self) -> str | None:
        """Emby's release notes."""
        return "https://github.com/MediaBrowser/Emby.Releases/releases"
