"""Config flow (user, discovery, reauth, reconfigure) and options flow of Emby Media."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, override

from embymedia_core import (
    EmbyError,
    InvalidArgumentError,
    InvalidHostError,
    parse_api_key,
    parse_host,
)
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
    OptionsFlowWithReload,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.typing import DiscoveryInfoType

from .const import (
    CONF_API_KEY,
    CONF_ENABLE_DISCOVERY_SENSORS,
    CONF_ENABLE_WEBSOCKET,
    CONF_HOST,
    CONF_IGNORE_WEB_PLAYERS,
    CONF_IGNORED_DEVICES,
    CONF_PORT,
    CONF_SSL,
    CONF_USER_ID,
    CONF_VERIFY_SSL,
    CONF_VIDEO_CONTAINERS,
    DEFAULT_PORT,
    DEFAULT_SSL,
    DEFAULT_VERIFY_SSL,
    DOMAIN,
    LOGGER,
    MIN_SERVER_VERSION,
)
from .coordinator import EmbyConfigEntry
from .errors import error_translation_key
from .issues import version_tuple
from .options import (
    BOOLEAN_DEFAULTS,
    DEFAULT_VIDEO_CONTAINERS,
    LIBRARY_SCAN_INTERVAL,
    MAX_STREAMING_BITRATE,
    NUMBER_OPTIONS,
    PURGE_AFTER_DAYS,
    SCAN_INTERVAL,
    SERVER_SCAN_INTERVAL,
    VIDEO_CONTAINERS,
    WEBSOCKET_INTERVAL,
    NumberOption,
    async_create_client,
    async_get_device_id,
    entry_user_id,
)
from .server_discovery import CONF_ADDRESS, CONF_NAME, CONF_SERVER_ID

if TYPE_CHECKING:
    # Home Assistant 2026.10 validates with probatio (voluptuous's API; `import voluptuous` is
    # aliased to it at runtime) and types its flow helpers with it; older releases use voluptuous.
    import probatio as vol
    from embymedia_core import PublicSystemInfo, User
else:
    import voluptuous as vol

# Seconds to wait for the server while validating input (a module constant so tests can lower it).
VALIDATION_TIMEOUT = 10.0

# The value of the "all users" choice (Emby user ids are 32 hex digits, so it cannot clash).
ALL_USERS = "all"

CONNECTION_FIELDS = (CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL)


class FlowError(Exception):
    """Validation failed; `key` is the error shown on `field` of the form."""

    def __init__(self, key: str, field: str = "base") -> None:
        """Initialize the error."""
        super().__init__(key)
        self.key = key
        self.field = field


def normalize_connection(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Turn the host field (a host name, an address or a pasted URL) into entry data.

    A URL's scheme and port win over the form's fields; a base path (`https://x/emby`) is kept in
    the host, which the core accepts. Raises FlowError(invalid_host).
    """
    try:
        host, port, ssl, base_path = parse_host(
            str(user_input[CONF_HOST]),
            user_input.get(CONF_PORT, DEFAULT_PORT),
            bool(user_input.get(CONF_SSL, DEFAULT_SSL)),
        )
    except InvalidHostError as err:
        raise FlowError("invalid_host", CONF_HOST) from err
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return {
        CONF_HOST: f"{host}{base_path}",
        CONF_PORT: port,
        CONF_SSL: ssl,
        CONF_VERIFY_SSL: bool(user_input.get(CONF_VERIFY_SSL, DEFAULT_VERIFY_SSL)),
    }


def normalize_api_key(value: object) -> str:
    """The API key as typed, without surrounding blanks (the core's rules). Raises
    FlowError(invalid_api_key); the key is never part of the error."""
    try:
        return parse_api_key(str(value))
    except InvalidArgumentError as err:
        raise FlowError("invalid_api_key", CONF_API_KEY) from err


async def _async_query(
    hass: HomeAssistant, data: Mapping[str, Any], device_id: str
) -> tuple[PublicSystemInfo, list[User]]:
    """Public info (reachability, version), then the users (proves the API key)."""
    client = await async_create_client(hass, data, device_id, request_timeout=VALIDATION_TIMEOUT)
    try:
        public = await client.get_public_info()
        if version_tuple(public["version"])[:2] < MIN_SERVER_VERSION:
            raise FlowError("unsupported_version")
        users = await client.get_users()
    finally:
        await client.close()
    return public, users


async def async_validate(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[PublicSystemInfo, list[User]]:
    """Reach the server, check its version, prove the API key. Raises FlowError."""
    try:
        return await _async_query(hass, data, await async_get_device_id(hass))
    except FlowError:
        raise
    except EmbyError as err:
        # Refused, unreachable, or something that is not an Emby server answering.
        LOGGER.debug("Cannot connect to Emby at %s: %s", data[CONF_HOST], err)
        key = error_translation_key(err, "cannot_connect")
        raise FlowError(key, CONF_HOST if key == "invalid_host" else "base") from err
    except Exception as err:
        LOGGER.exception("Unexpected error while validating the Emby server")
        raise FlowError("unknown") from err


def connection_schema(*, with_api_key: bool) -> vol.Schema:
    """Host, port, ssl (and the API key for a new entry), verify_ssl."""
    schema: dict[vol.Marker, Any] = {
        vol.Required(CONF_HOST): TextSelector(),
        vol.Required(CONF_PORT, default=DEFAULT_PORT): cv.port,
        vol.Required(CONF_SSL, default=DEFAULT_SSL): BooleanSelector(),
    }
    if with_api_key:
        schema[vol.Required(CONF_API_KEY)] = TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        )
    schema[vol.Required(CONF_VERIFY_SSL, default=DEFAULT_VERIFY_SSL)] = BooleanSelector()
    return vol.Schema(schema)


def user_selector(users: list[User], current: str | None) -> SelectSelector:
    """One Emby user, or all of them."""
    options = [SelectOptionDict(value=ALL_USERS, label="All users")]
    options += [
        SelectOptionDict(value=user["id"], label=user["name"])
        for user in users
        if not user["is_disabled"]
    ]
    if current is not None and all(option["value"] != current for option in options):
        options.append(SelectOptionDict(value=current, label=current))
    return SelectSelector(
        SelectSelectorConfig(
            options=options, mode=SelectSelectorMode.DROPDOWN, translation_key="user"
        )
    )


class EmbyConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an Emby server."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Initialize the flow."""
        self._data: dict[str, Any] = {}
        self._title = ""
        self._address = ""
        self._users: list[User] = []

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Create the options flow."""
        return EmbyOptionsFlow()

    async def _async_check(self, data: Mapping[str, Any], errors: dict[str, str]) -> bool:
        """Validate `data`, storing the server answer; on failure fill `errors`."""
        try:
            public, users = await async_validate(self.hass, data)
        except FlowError as err:
            errors[err.field] = err.key
            return False
        await self.async_set_unique_id(public["id"], raise_on_progress=False)
        self._title = public["server_name"]
        self._users = users
        return True

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the server and its API key."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = {
                    **normalize_connection(user_input),
                    CONF_API_KEY: normalize_api_key(user_input[CONF_API_KEY]),
                }
            except FlowError as err:
                errors[err.field] = err.key
            else:
                if await self._async_check(data, errors):
                    self._abort_if_unique_id_configured()
                    self._data = data
                    return await self.async_step_select_user()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                connection_schema(with_api_key=True), user_input
            ),
            errors=errors,
        )

    async def async_step_integration_discovery(
        self, discovery_info: DiscoveryInfoType
    ) -> ConfigFlowResult:
        """A server answered Emby's UDP discovery (server_discovery.py)."""
        await self.async_set_unique_id(str(discovery_info[CONF_SERVER_ID]))
        # Set up already, or ignored by the user: nothing to ask.
        self._abort_if_unique_id_configured()
        self._data = {
            CONF_HOST: str(discovery_info[CONF_HOST]),
            CONF_PORT: int(discovery_info[CONF_PORT]),
            CONF_SSL: bool(discovery_info[CONF_SSL]),
            CONF_VERIFY_SSL: DEFAULT_VERIFY_SSL,
        }
        self._title = str(discovery_info[CONF_NAME])
        self._address = str(discovery_info[CONF_ADDRESS])
        self.context["title_placeholders"] = {"name": self._title}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask only for the API key of the discovered server."""
        errors: dict[str, str] = {}
        if user_input is not None:
            discovered_id = self.unique_id
            try:
                data = {**self._data, CONF_API_KEY: normalize_api_key(user_input[CONF_API_KEY])}
            except FlowError as err:
                errors[err.field] = err.key
            else:
                if await self._async_check(data, errors):
                    if self.unique_id != discovered_id:
                        return self.async_abort(reason="unique_id_mismatch")
                    self._abort_if_unique_id_configured()
                    self._data = data
                    return await self.async_step_select_user()
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_API_KEY): TextSelector(
                        TextSelectorConfig(type=TextSelectorType.PASSWORD)
                    )
                }
            ),
            description_placeholders={"name": self._title, "address": self._address},
            errors=errors,
        )

    async def async_step_select_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the Emby user the integration works for (browsing, discovery), or all."""
        if user_input is not None:
            choice = user_input[CONF_USER_ID]
            return self.async_create_entry(
                title=self._title,
                data={**self._data, CONF_USER_ID: None if choice == ALL_USERS else choice},
            )
        return self.async_show_form(
            step_id="select_user",
            data_schema=vol.Schema(
                {vol.Required(CONF_USER_ID, default=ALL_USERS): user_selector(self._users, None)}
            ),
            description_placeholders={"server": self._title},
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The API key stopped working."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new API key."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                api_key = normalize_api_key(user_input[CONF_API_KEY])
            except FlowError as err:
                errors[err.field] = err.key
            else:
                if await self._async_check({**entry.data, CONF_API_KEY: api_key}, errors):
                    self._abort_if_unique_id_mismatch(reason="unique_id_mismatch")
                    return self.async_update_reload_and_abort(
                        entry, data_updates={CONF_API_KEY: api_key}
                    )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_API_KEY): TextSelector(
                        TextSelectorConfig(type=TextSelectorType.PASSWORD)
                    )
                }
            ),
            description_placeholders={"name": entry.title},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how the server is reached (same server, same key)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                connection = normalize_connection(user_input)
            except FlowError as err:
                errors[err.field] = err.key
            else:
                data = {**entry.data, **connection}
                if await self._async_check(data, errors):
                    self._abort_if_unique_id_mismatch(reason="unique_id_mismatch")
                    return self.async_update_reload_and_abort(entry, data_updates=connection)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                connection_schema(with_api_key=False),
                user_input or {key: entry.data[key] for key in CONNECTION_FIELDS},
            ),
            description_placeholders={"name": entry.title},
            errors=errors,
        )


def _number(option: NumberOption) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=option.minimum,
            max=option.maximum,
            step=option.step,
            unit_of_measurement=option.unit,
            mode=NumberSelectorMode.BOX,
        )
    )


class EmbyOptionsFlow(OptionsFlowWithReload):
    """Polling, WebSocket, user and client options; saving reloads the entry."""

    async def _async_users(self) -> list[User]:
        """The server's users, when the entry is loaded and the server answers."""
        entry: EmbyConfigEntry = self.config_entry
        if entry.state is not ConfigEntryState.LOADED:
            return []
        try:
            users: list[User] = await entry.runtime_data.client.get_users()
        except EmbyError as err:
            LOGGER.debug("Cannot list users for the options: %s", err)
            return []
        return users

    def _device_options(self) -> list[SelectOptionDict]:
        """Every client ever seen, plus the ignored ones (even if never seen since)."""
        entry: EmbyConfigEntry = self.config_entry
        known: dict[str, str] = {}
        if entry.state is ConfigEntryState.LOADED:
            known.update(entry.runtime_data.sessions.known_devices)
        for device_id in entry.options.get(CONF_IGNORED_DEVICES, []):
            known.setdefault(device_id, device_id)
        return [
            SelectOptionDict(value=device_id, label=name)
            for device_id, name in sorted(known.items(), key=lambda item: item[1].casefold())
        ]

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and save every option."""
        entry = self.config_entry
        if user_input is not None:
            choice = user_input[CONF_USER_ID]
            return self.async_create_entry(
                data={
                    **{option.key: int(user_input[option.key]) for option in NUMBER_OPTIONS},
                    **{key: user_input[key] for key in BOOLEAN_DEFAULTS},
                    CONF_USER_ID: None if choice == ALL_USERS else choice,
                    CONF_IGNORED_DEVICES: list(user_input.get(CONF_IGNORED_DEVICES, [])),
                    CONF_VIDEO_CONTAINERS: list(
                        user_input.get(CONF_VIDEO_CONTAINERS) or DEFAULT_VIDEO_CONTAINERS
                    ),
                }
            )

        options = entry.options
        current_user = entry_user_id(entry)

        def number(option: NumberOption) -> tuple[vol.Required, NumberSelector]:
            default = options.get(option.key, option.default)
            return vol.Required(option.key, default=default), _number(option)

        def boolean(key: str) -> tuple[vol.Required, BooleanSelector]:
            default = options.get(key, BOOLEAN_DEFAULTS[key])
            return vol.Required(key, default=default), BooleanSelector()

        schema = vol.Schema(
            dict(
                [
                    number(SCAN_INTERVAL),
                    boolean(CONF_ENABLE_WEBSOCKET),
                    number(WEBSOCKET_INTERVAL),
                    number(LIBRARY_SCAN_INTERVAL),
                    number(SERVER_SCAN_INTERVAL),
                    boolean(CONF_ENABLE_DISCOVERY_SENSORS),
                    (
                        vol.Required(CONF_USER_ID, default=current_user or ALL_USERS),
                        user_selector(await self._async_users(), current_user),
                    ),
                    (
                        vol.Optional(
                            CONF_IGNORED_DEVICES,
                            default=list(options.get(CONF_IGNORED_DEVICES, [])),
                        ),
                        SelectSelector(
                            SelectSelectorConfig(
                                options=self._device_options(),
                                multiple=True,
                                mode=SelectSelectorMode.DROPDOWN,
                            )
                        ),
                    ),
                    boolean(CONF_IGNORE_WEB_PLAYERS),
                    number(PURGE_AFTER_DAYS),
                    number(MAX_STREAMING_BITRATE),
                    (
                        vol.Optional(
                            CONF_VIDEO_CONTAINERS,
                            default=list(
                                options.get(CONF_VIDEO_CONTAINERS, DEFAULT_VIDEO_CONTAINERS)
                            ),
                        ),
                        SelectSelector(
                            SelectSelectorConfig(
                                options=list(VIDEO_CONTAINERS),
                                multiple=True,
                                mode=SelectSelectorMode.DROPDOWN,
                            )
                        ),
                    ),
                ]
            )
        )
        return self.async_show_form(step_id="init", data_schema=schema)
