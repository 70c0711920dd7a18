"""The server's device: created at setup, kept current as the server is renamed or updated."""

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN, MANUFACTURER
from .coordinator import EmbyConfigEntry

SERVER_MODEL = "Emby Server"


@callback
def async_setup_server_device(hass: HomeAssistant, entry: EmbyConfigEntry) -> None:
    """Create the server device (the parent of every client device) and follow its changes."""
    runtime = entry.runtime_data
    server = runtime.server
    info = server.data.info
    device_registry = dr.async_get(hass)
    server_device = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, info["id"])},
        manufacturer=MANUFACTURER,
        model=SERVER_MODEL,
        name=info["server_name"],
        sw_version=info["version"],
        entry_type=dr.DeviceEntryType.SERVICE,
        configuration_url=runtime.client.server_url,
    )

    @callback
    def _async_update_server_device() -> None:
        """Keep the server device's name and version current."""
        info = server.data.info
        device = device_registry.async_get(server_device.id)
        if isinstance(device, dr.DeviceEntry) and (
            device.sw_version != info["version"] or device.name != info["server_name"]
        ):
            device_registry.async_update_device(
                device.id, sw_version=info["version"], name=info["server_name"]
            )

    entry.async_on_unload(server.async_add_listener(_async_update_server_device))
