"""Base entities: the server's (`EmbyServerEntity`), a user's (`EmbyUserEntity`, one device per
user) and a client's (`EmbyClientEntity`, one device per client keyed by its DeviceId), every
device linked to the server device; and the bookkeeping that adds client entities as clients
appear."""

import functools
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, ClassVar, Final, cast, override

from embymedia_core import EmbyError, EmbyNotFoundError, Session
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, LOGGER, MANUFACTURER
from .coordinator import EmbyConfigEntry, EmbyCoordinator, EmbySessionCoordinator
from .errors import command_error
from .session_updates import ClientPresence, SessionTopic

# Marks "nothing written yet": compares unequal to every (available, data) pair.
_UNSET: Final = object()

# Home Assistant 2026.8 links a device to its parent by registry id (`via_device_id`); 2026.3
# only knows the parent's identifier (`via_device`).
_VIA_DEVICE_ID = "via_device_id" in DeviceInfo.__optional_keys__


def client_unique_id(server_id: str, device_id: str) -> str:
    """Unique id of a client's entities: server id and DeviceId (stable across reconnects,
    distinct for two servers that see the same client)."""
    return f"{server_id}_{device_id}"


def client_device_name(session: Session) -> str:
    """The device name of a client with its app (two "iPhone"s of different apps differ); the
    app is left out when the device name already says it."""
    name = session.device_name.strip() or session.device_id
    client = session.client.strip()
    if not client or client.casefold() in name.casefold():
        return name
    return f"{name} ({client})"


def _server_device_id(hass: HomeAssistant, entry: ConfigEntry, server_id: str) -> str | None:
    """Registry id of the entry's server device (created in async_setup_entry)."""
    registry = dr.async_get(hass)
    identifier = (DOMAIN, server_id)
    return next(
        (
            device.id
            for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
            if identifier in device.identifiers
        ),
        None,
    )


def _link_to_server(
    info: DeviceInfo, hass: HomeAssistant, entry: ConfigEntry, server_id: str
) -> None:
    """Make the device a child of the server device."""
    if _VIA_DEVICE_ID:
        if (server := _server_device_id(hass, entry, server_id)) is not None:
            info["via_device_id"] = server
    else:
        cast(dict[str, Any], info)["via_device"] = (DOMAIN, server_id)


def user_device_key(server_id: str, user_id: str) -> str:
    """The device identifier of an Emby user (never a client's DeviceId)."""
    return f"{server_id}_user_{user_id}"


def is_user_device_key(server_id: str, key: str) -> bool:
    """Whether a device identifier is a user's (not a client's)."""
    return key.startswith(f"{server_id}_user_")


def client_device_info(
    coordinator: EmbySessionCoordinator, device_id: str, session: Session | None
) -> DeviceInfo:
    """Device of a client. Without a session (a client known from an earlier run that is not
    connected now) only the identifier links the entity to its existing device."""
    info = DeviceInfo(identifiers={(DOMAIN, device_id)})
    if session is None:
        return info
    info["name"] = client_device_name(session)
    info["model"] = session.client or None
    info["sw_version"] = session.application_version
    _link_to_server(info, coordinator.hass, coordinator.config_entry, coordinator.server_id)
    return info


class EmbyEntity[CoordinatorT: EmbyCoordinator[Any]](CoordinatorEntity[CoordinatorT]):
    """An entity described by an `EntityDescription` whose `row` (if any) names the optional
    data it shows: the coordinator fetches that row only while such an entity is added."""

    _attr_has_entity_name = True
    # What the last state written was derived from (see `_async_write_if_changed`).
    _written: object = _UNSET

    def __init__(self, coordinator: CoordinatorT, description: EntityDescription) -> None:
        """Initialize the entity (listening to what its description names, if anything: the
        session sensors listen to a `SessionTopic`, not to every client's change)."""
        super().__init__(coordinator, getattr(description, "listens_to", None))
        self.entity_description = description
        self.server_id: str = coordinator.config_entry.runtime_data.server_info["id"]

    @override
    async def async_added_to_hass(self) -> None:
        """Ask for the data this entity shows (nothing is fetched for a disabled entity)."""
        await super().async_added_to_hass()
        self._written = self._shown()  # the platform writes this state next
        if (row := getattr(self.entity_description, "row", None)) is not None:
            self.async_on_remove(self.coordinator.async_want(row))
        self.coordinator.async_request_first()

    @property
    @override
    def available(self) -> bool:
        """Unavailable until the first fetch and after a failed one."""
        return super().available and self.coordinator.data is not None

    def _shown(self) -> object:
        """What the state is derived from, compared with the last written before each write
        (every listener runs on every update of the coordinator, most often with nothing new).
        The default, a new object each time, never compares equal: always written."""
        return object()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        if (shown := self._shown()) == self._written:
            return
        self._written = shown
        super()._handle_coordinator_update()

    @property
    def command_entry(self) -> ConfigEntry:
        """The entry (for `emby_command`)."""
        return self.coordinator.config_entry

    @property
    def command_target(self) -> str:
        """The server's name (for `emby_command`)."""
        return str(self.coordinator.config_entry.runtime_data.server_info["server_name"])


class EmbyServerEntity[CoordinatorT: EmbyCoordinator[Any]](EmbyEntity[CoordinatorT]):
    """An entity of the server device; unique id: server id and the description's key."""

    def __init__(self, coordinator: CoordinatorT, description: EntityDescription) -> None:
        """Initialize the server entity."""
        super().__init__(coordinator, description)
        self._attr_unique_id = f"{self.server_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, self.server_id)})


class EmbyUserEntity[CoordinatorT: EmbyCoordinator[Any]](EmbyEntity[CoordinatorT]):
    """An entity of one Emby user's device (a child of the server device)."""

    def __init__(
        self,
        coordinator: CoordinatorT,
        description: EntityDescription,
        user_id: str,
        user_name: str,
    ) -> None:
        """Initialize the entity of `user_id`."""
        super().__init__(coordinator, description)
        self.user_id = user_id
        self._attr_unique_id = f"{self.server_id}_{user_id}_{description.key}"
        info = DeviceInfo(
            identifiers={(DOMAIN, user_device_key(self.server_id, user_id))},
            name=user_name,
            manufacturer=MANUFACTURER,
            model="Emby user",
            entry_type=dr.DeviceEntryType.SERVICE,
        )
        _link_to_server(info, coordinator.hass, coordinator.config_entry, self.server_id)
        self._attr_device_info = info


class EmbyClientEntity(CoordinatorEntity[EmbySessionCoordinator]):
    """An entity of one Emby client, found in the session data by its DeviceId.

    Session ids change whenever a client reconnects; every command looks the current one up.
    """

    _attr_has_entity_name = True

    # Whether the entity shows the client's session (it hears of every change of it) or only
    # whether the client is connected (it hears of the client coming and going).
    _shows_session: ClassVar[bool] = True

    def __init__(self, coordinator: EmbySessionCoordinator, device_id: str) -> None:
        """Initialize the entity of the client `device_id` (it hears only of that client: its
        listener context is the DeviceId, or the client's presence)."""
        super().__init__(
            coordinator, device_id if self._shows_session else ClientPresence(device_id)
        )
        self.device_id = device_id
        self._attr_unique_id = client_unique_id(coordinator.server_id, device_id)
        # The last session seen: what the client can do while it is away.
        self._last_session: Session | None = (coordinator.data or {}).get(device_id)
        self._attr_device_info = client_device_info(coordinator, device_id, self._last_session)
        self._forget: list[Callable[[], None]] = []
        # (available, shown data) of the last coordinator update written; _UNSET: none yet.
        self._written: object = _UNSET

    @property
    def session(self) -> Session | None:
        """The client's session now; None while it is not connected."""
        return (self.coordinator.data or {}).get(self.device_id)

    @property
    def client_name(self) -> str:
        """The client's name for messages."""
        if (session := self.session or self._last_session) is not None:
            return client_device_name(session)
        return self.coordinator.known_devices.get(self.device_id, self.device_id)

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what this entity shows changed (an update of everything,
        such as a failed poll, reaches every client entity)."""
        if (session := self.session) is not None:
            self._async_update_device(session)
            self._last_session = session
        shown = (self.available, self._shown_data(session))
        if shown == self._written:
            return
        self._written = shown
        self._async_update_attrs()
        super()._handle_coordinator_update()

    def _shown_data(self, session: Session | None) -> object:
        """What the entity's state is derived from (besides availability): the whole session
        by default (`==` compares every field in the core)."""
        return session

    @override
    async def async_added_to_hass(self) -> None:
        """Derive the attributes from the data now: the platform writes them next."""
        await super().async_added_to_hass()
        self._async_update_attrs()
        self._written = (self.available, self._shown_data(self.session))

    @callback
    def _async_update_device(self, session: Session) -> None:
        """Keep the device's name and app version current (a renamed device, an app update)."""
        last = self._last_session
        if (last is not None and not session.changed_parts(last) & Session.PART_DEVICE) or (
            device := self.device_entry
        ) is None:
            return
        dr.async_get(self.hass).async_update_device(
            device.id, name=client_device_name(session), sw_version=session.application_version
        )

    @callback
    def _async_update_attrs(self) -> None:
        """Derive the entity's attributes from the session data (platforms override)."""

    def on_removed_from_registry(self, func: Callable[[], None]) -> None:
        """Call `func` when the entity is deleted from the registry (with its device)."""
        self._forget.append(func)

    @override
    async def async_removed_from_registry(self) -> None:
        """The device or entity was deleted: a later reconnect creates the entity again."""
        for forget in self._forget:
            forget()

    def _require_session(self) -> Session:
        """The client's session, or a translated error when it is not connected."""
        if (session := self.session) is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="client_not_connected",
                translation_placeholders={"client": self.client_name},
            )
        return session

    async def _async_command(
        self, command: str, send: Callable[[str], Awaitable[None]], *, refresh: bool = True
    ) -> None:
        """Send a command to the client's current session; core errors become translated.

        Without the WebSocket nothing pushes the client's new state: with `refresh`, the
        sessions are polled once more (debounced) so the result shows without waiting for the
        next scan.
        """
        session = self._require_session()
        try:
            await send(session.id)
        except EmbyNotFoundError as err:
            # The session ended or the client reconnected under a new session id.
            LOGGER.debug("Session of %s is gone: %s", self.client_name, err)
            await self.coordinator.async_request_refresh()
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="client_not_connected",
                translation_placeholders={"client": self.client_name},
            ) from err
        except EmbyError as err:
            raise command_error(
                self.hass,
                self.coordinator.config_entry,
                err,
                command=command,
                target=self.client_name,
            ) from err
        if refresh and not self.coordinator.websocket_connected:
            await self.coordinator.async_request_refresh()


@callback
def async_setup_client_entities(
    entry: EmbyConfigEntry,
    domain: str,
    async_add_entities: AddConfigEntryEntitiesCallback,
    factory: Callable[[EmbySessionCoordinator, str], EmbyClientEntity],
    wanted: Callable[[Session], bool] = lambda _: True,
) -> None:
    """Add an entity per client now and for every client that appears later.

    Clients come from the session coordinator, which already leaves out ignored clients, web
    players (when so configured) and clients that cannot be remote controlled, on the poll and
    the WebSocket path alike. Entities of clients known from earlier runs (in the entity
    registry) are added too, so a client that is not connected shows as off instead of as a
    stale restored state. `wanted` narrows the clients for a platform (e.g. clients that can
    display messages).
    """
    coordinator = entry.runtime_data.sessions
    added: set[str] = set()

    @callback
    def _async_add(device_ids: Iterable[str]) -> None:
        entities: list[EmbyClientEntity] = []
        for device_id in device_ids:
            if device_id in added or device_id in coordinator.ignored_devices:
                continue
            added.add(device_id)
            entity = factory(coordinator, device_id)
            entity.on_removed_from_registry(functools.partial(added.discard, device_id))
            entities.append(entity)
        if entities:
            async_add_entities(entities)

    @callback
    def _async_add_new_clients() -> None:
        _async_add(
            device_id
            for device_id, session in (coordinator.data or {}).items()
            if device_id not in added and wanted(session)
        )

    _async_add_new_clients()
    prefix = client_unique_id(coordinator.server_id, "")
    _async_add(
        registered.unique_id.removeprefix(prefix)
        for registered in er.async_entries_for_config_entry(
            er.async_get(coordinator.hass), entry.entry_id
        )
        if registered.domain == domain and registered.unique_id.startswith(prefix)
    )
    entry.async_on_unload(
        coordinator.async_add_listener(_async_add_new_clients, SessionTopic.MEMBERS)
    )
