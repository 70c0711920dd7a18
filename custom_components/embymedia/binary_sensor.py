"""Binary sensors of the server: connected, pending restart, update available, library scan
active (with its progress) and live TV enabled."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EmbyConfigEntry, EmbyCoordinator, EmbyServerCoordinator, EmbyServerData
from .entity import EmbyServerEntity
from .extra_coordinators import LiveTvData
from .options import EmbyOptions

try:  # Home Assistant 2026.8 and later
    from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
except ImportError:  # 2026.3: defined in the component itself
    from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined]
        BinarySensorDeviceClass,
    )

# Entities only read coordinator data.
PARALLEL_UPDATES = 0

# The scheduled task of a library scan.
LIBRARY_SCAN_TASK: Final = "RefreshLibrary"


@dataclass(frozen=True, kw_only=True)
class EmbyBinarySensorEntityDescription[DataT](BinarySensorEntityDescription):
    """A binary sensor: its state (and attributes) from its coordinator's data."""

    is_on_fn: Callable[[DataT], bool | None]
    attributes_fn: Callable[[DataT], Mapping[str, Any]] | None = None


def _scan(data: EmbyServerData) -> Mapping[str, Any]:
    task = next((t for t in data.tasks if t["key"] == LIBRARY_SCAN_TASK), None)
    running = task is not None and task["state"] == "Running"
    return {"progress": task["current_progress_percentage"] if running and task else None}


SERVER_BINARY_SENSORS: Final[tuple[EmbyBinarySensorEntityDescription[EmbyServerData], ...]] = (
    EmbyBinarySensorEntityDescription(
        key="pending_restart",
        translation_key="pending_restart",
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda data: data.info["has_pending_restart"],
    ),
    EmbyBinarySensorEntityDescription(
        key="update_available",
        translation_key="update_available",
        device_class=BinarySensorDeviceClass.UPDATE,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda data: data.info["has_update_available"],
    ),
    EmbyBinarySensorEntityDescription(
        key="library_scan_active",
        translation_key="library_scan_active",
        device_class=BinarySensorDeviceClass.RUNNING,
        is_on_fn=lambda data: any(
            t["key"] == LIBRARY_SCAN_TASK and t["state"] == "Running" for t in data.tasks
        ),
        attributes_fn=_scan,
    ),
)

LIVE_TV_BINARY_SENSORS: Final[tuple[EmbyBinarySensorEntityDescription[LiveTvData], ...]] = (
    EmbyBinarySensorEntityDescription(
        key="live_tv_enabled",
        translation_key="live_tv_enabled",
        entity_registry_enabled_default=False,
        is_on_fn=lambda data: data.info["is_enabled"],
    ),
)

CONNECTED: Final = BinarySensorEntityDescription(
    key="server_connected",
    translation_key="server_connected",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EmbyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the server's binary sensors."""
    runtime = entry.runtime_data
    entities: list[BinarySensorEntity] = [EmbyConnectedSensor(runtime.server, CONNECTED)]
    entities.extend(EmbyServerBinarySensor(runtime.server, d) for d in SERVER_BINARY_SENSORS)
    if runtime.extra is not None:
        entities.extend(
            EmbyServerBinarySensor(runtime.extra.live_tv, d) for d in LIVE_TV_BINARY_SENSORS
        )
    async_add_entities(entities)


class EmbyServerBinarySensor[DataT](EmbyServerEntity[EmbyCoordinator[DataT]], BinarySensorEntity):
    """A binary sensor of the server device."""

    entity_description: EmbyBinarySensorEntityDescription[DataT]

    @override
    def _shown(self) -> object:
        """The value and attributes (an unavailable sensor shows neither)."""
        return (self.is_on, self.extra_state_attributes) if self.available else None

    @property
    @override
    def is_on(self) -> bool | None:
        """The state (None, hence unknown, where Emby left it out)."""
        return self.entity_description.is_on_fn(self.coordinator.data)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """The description's attributes."""
        if (attributes := self.entity_description.attributes_fn) is None:
            return None
        return attributes(self.coordinator.data)


class EmbyConnectedSensor(EmbyServerEntity[EmbyServerCoordinator], BinarySensorEntity):
    """Whether the server answers: the last request succeeded and, when the WebSocket is used,
    the WebSocket is connected. Always available (off is its answer)."""

    @property
    @override
    def available(self) -> bool:
        """Always: being disconnected is a state, not a gap."""
        return True

    @property
    @override
    def is_on(self) -> bool:
        """Connected."""
        coordinator = self.coordinator
        if not coordinator.last_update_success:
            return False
        return (
            coordinator.websocket_connected
            or not EmbyOptions.from_entry(coordinator.config_entry).enable_websocket
        )
