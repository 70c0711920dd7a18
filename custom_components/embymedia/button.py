"""Buttons of the server: scan the libraries, refresh the metadata of everything, and refresh
this integration (clears the core's browse and discovery caches, refreshes every coordinator)."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import (
    EmbyConfigEntry,
    EmbyCoordinator,
    EmbyRuntimeData,
    EmbyServerCoordinator,
    folder_item_id,
)
from .entity import EmbyServerEntity
from .errors import emby_command

# One command at a time per button.
PARALLEL_UPDATES = 1


async def _refresh_metadata(runtime: EmbyRuntimeData) -> None:
    """Every library, recursively (Emby refreshes what its library options allow)."""
    await asyncio.gather(
        *(
            runtime.client.refresh_item(folder_item_id(folder), recursive=True)
            for folder in runtime.library.data.folders
        )
    )


async def _refresh_integration(runtime: EmbyRuntimeData) -> None:
    """Drop the core's caches and read again what every listened coordinator shows."""
    runtime.client.invalidate_all()
    coordinators: list[EmbyCoordinator[Any]] = [
        runtime.sessions,
        runtime.server,
        runtime.library,
        *runtime.discovery.values(),
    ]
    if runtime.extra is not None:
        coordinators += [c for c in runtime.extra.all() if c.data is not None]
    await asyncio.gather(*(coordinator.async_refresh() for coordinator in coordinators))


@dataclass(frozen=True, kw_only=True)
class EmbyButtonEntityDescription(ButtonEntityDescription):
    """A button: what pressing it does."""

    press_fn: Callable[[EmbyRuntimeData], Awaitable[None]]


BUTTONS: Final[tuple[EmbyButtonEntityDescription, ...]] = (
    EmbyButtonEntityDescription(
        key="scan_libraries",
        translation_key="scan_libraries",
        press_fn=lambda runtime: runtime.client.refresh_library(),
    ),
    EmbyButtonEntityDescription(
        key="refresh_metadata",
        translation_key="refresh_metadata",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        press_fn=_refresh_metadata,
    ),
    EmbyButtonEntityDescription(
        key="refresh",
        translation_key="refresh",
        entity_category=EntityCategory.DIAGNOSTIC,
        press_fn=_refresh_integration,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EmbyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the server's buttons."""
    async_add_entities(
        EmbyServerButton(entry.runtime_data.server, description) for description in BUTTONS
    )


class EmbyServerButton(EmbyServerEntity[EmbyServerCoordinator], ButtonEntity):
    """A button of the server device."""

    entity_description: EmbyButtonEntityDescription

    @property
    @override
    def available(self) -> bool:
        """Pressable whenever the entry is loaded (a press reports its own errors)."""
        return True

    @override
    @emby_command("press")
    async def async_press(self) -> None:
        """Do what the button says."""
        await self.entity_description.press_fn(self.coordinator.config_entry.runtime_data)
