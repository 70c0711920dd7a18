"""The setup step of scripts/develop (scripts/lib/develop_bootstrap.py) against a real Home
Assistant and the simulator: onboarding through the HTTP API, a long-lived token over the
WebSocket, the embymedia config flow over REST, and reruns that change nothing."""

import importlib.util
import json
import stat
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from homeassistant.auth.const import GROUP_ID_ADMIN
from homeassistant.auth.models import TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN
from homeassistant.components import onboarding
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.embymedia.const import CONF_API_KEY, CONF_HOST, CONF_PORT, DOMAIN
from emby_simulator import EmbySimulator

CLIENT_ID = "http://localhost:8123/"


def _load_bootstrap() -> ModuleType:
    """The script is not a package module: load it from its path."""
    path = Path(__file__).parent.parent / "scripts" / "lib" / "develop_bootstrap.py"
    spec = importlib.util.spec_from_file_location("develop_bootstrap", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


develop_bootstrap = _load_bootstrap()
BootstrapError = develop_bootstrap.BootstrapError

type MakeApi = Callable[[], Awaitable[Any]]


# What a fresh Home Assistant serves for onboarding, plus everything that registers HTTP views
# later (the test client freezes the router when it starts): the analytics the core_config step
# sets up, the entity domains of embymedia, and embymedia itself (its image view).
DOMAINS = (
    "embymedia",
    "image",
    "http",
    "api",
    "auth",
    "config",
    "person",
    "onboarding",
    "websocket_api",
    "analytics",
    "repairs",
    "homeassistant",
    "system_health",
    "media_player",
    "remote",
    "notify",
)


@pytest.fixture
def make_api(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    local_auth: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> MakeApi:
    """Set up a fresh Home Assistant's HTTP side, and a bootstrap client for it."""
    # The core_config step starts flows for integrations it suggests (met, radio_browser,
    # google_translate, shopping_list), whose packages the test venv lacks: not ours to test.
    flows = hass.config_entries.flow
    start_flow = flows.async_init

    async def init_but_onboarding(handler: str, **kwargs: Any) -> Any:
        if (kwargs.get("context") or {}).get("source") == "onboarding":
            return {"type": "abort", "reason": "not_in_this_test"}
        return await start_flow(handler, **kwargs)

    monkeypatch.setattr(flows, "async_init", init_but_onboarding)

    async def _make() -> Any:
        for domain in DOMAINS:
            assert await async_setup_component(hass, domain, {})
        await hass.async_block_till_done()
        return develop_bootstrap.HomeAssistantApi(await hass_client_no_auth(), "", CLIENT_ID)

    return _make


def target(sim: EmbySimulator, api_key: str | None = None) -> Any:
    """The bootstrap's view of the simulator."""
    return develop_bootstrap.EmbyTarget(
        url=sim.url, api_key=api_key or sim.api_key, verify_ssl=True, label="the simulator"
    )


async def run(api: Any, config_dir: Path, emby: Any) -> tuple[Any, dict[str, str]]:
    """One start of scripts/develop's setup step, with a fresh read of the stored state."""
    state = develop_bootstrap.State.load(config_dir)
    lines = await develop_bootstrap.bootstrap(
        api,
        state,
        emby,
        http_timeout=30,
        start_timeout=30,
        players_timeout=10,
        notice_timeout=0,
    )
    return state, dict(lines)


async def long_lived_tokens(hass: HomeAssistant) -> list[Any]:
    """Every long-lived access token of every user."""
    return [
        token
        for user in await hass.auth.async_get_users()
        for token in user.refresh_tokens.values()
        if token.token_type == TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN
    ]


async def test_fresh_instance_is_onboarded_and_set_up(
    hass: HomeAssistant, make_api: MakeApi, simulator: EmbySimulator, tmp_path: Path
) -> None:
    """Onboarding, token and entry on the first start; a second start only reports them."""
    api = await make_api()
    assert not onboarding.async_is_onboarded(hass)

    state, lines = await run(api, tmp_path, target(simulator))

    assert onboarding.async_is_onboarded(hass)
    owner = await hass.auth.async_get_owner()
    assert owner is not None
    assert owner.name == develop_bootstrap.DISPLAY_NAME
    assert [group.id for group in owner.groups] == [GROUP_ID_ADMIN]
    refresh = hass.auth.async_validate_access_token(state.token)
    assert refresh is not None
    assert refresh.token_type == TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN

    # The location step: a country (no "country not configured" repair) and a place.
    assert hass.config.country == "NL"
    assert hass.config.location_name == "Home"
    assert (hass.config.latitude, hass.config.longitude) == (52.3731, 4.8922)

    (entry,) = hass.config_entries.async_entries(DOMAIN)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.unique_id == simulator.server_id
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert entry.data[CONF_PORT] == simulator.port
    assert entry.data[CONF_API_KEY] == simulator.api_key

    players = [
        e
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == "media_player"
    ]
    playing = sum(hass.states.get(p.entity_id).state == "playing" for p in players)  # type: ignore[union-attr]
    assert players
    assert playing > 0
    assert lines["Login"] == f"dev / {state.password}"
    assert lines["Token"] == state.token
    assert lines["Emby"].endswith(f": {len(players)} media players, {playing} playing")
    assert all(simulator.api_key not in line for line in lines.values())

    # The login and token are readable by the owner only; the API key is not stored there.
    stored = tmp_path / ".develop" / "login.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert simulator.api_key not in stored.read_text()
    assert json.loads(stored.read_text())["entries"] == {simulator.url: entry.entry_id}

    again, lines_again = await run(api, tmp_path, target(simulator))

    assert again.token == state.token
    assert again.password == state.password
    assert lines_again["Token"] == state.token
    assert [e.entry_id for e in hass.config_entries.async_entries(DOMAIN)] == [entry.entry_id]
    assert len(await long_lived_tokens(hass)) == 1


async def test_core_installation_notice_is_ignored(
    hass: HomeAssistant, make_api: MakeApi, simulator: EmbySimulator, tmp_path: Path
) -> None:
    """Home Assistant's "unsupported installation method" repair (a venv install, on purpose
    here) is ignored as a user would in Repairs; other repairs are left alone."""
    api = await make_api()
    for issue_id in ("deprecated_method", "some_other_issue"):
        ir.async_create_issue(
            hass,
            "homeassistant",
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=issue_id,
        )

    await run(api, tmp_path, target(simulator))

    registry = ir.async_get(hass)
    notice = registry.async_get_issue("homeassistant", "deprecated_method")
    other = registry.async_get_issue("homeassistant", "some_other_issue")
    assert notice is not None
    assert notice.dismissed_version is not None
    assert other is not None
    assert other.dismissed_version is None


async def test_lost_token_is_replaced_through_the_login(
    hass: HomeAssistant, make_api: MakeApi, simulator: EmbySimulator, tmp_path: Path
) -> None:
    """A stored token HA no longer accepts: log in with the stored password, make a new one."""
    api = await make_api()
    state, _ = await run(api, tmp_path, target(simulator))
    state.token = "not-a-token"
    state.save()

    again, lines = await run(api, tmp_path, target(simulator))

    assert again.token != "not-a-token"
    assert hass.auth.async_validate_access_token(again.token) is not None
    assert lines["Token"] == again.token
    assert len(await long_lived_tokens(hass)) == 2
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_removed_entry_is_added_again(
    hass: HomeAssistant, make_api: MakeApi, simulator: EmbySimulator, tmp_path: Path
) -> None:
    """The entry scripts/develop made was deleted in the UI: the next start adds it again."""
    api = await make_api()
    await run(api, tmp_path, target(simulator))
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    assert await hass.config_entries.async_remove(entry.entry_id)

    state, _ = await run(api, tmp_path, target(simulator))

    (new_entry,) = hass.config_entries.async_entries(DOMAIN)
    assert new_entry.entry_id != entry.entry_id
    assert new_entry.state is ConfigEntryState.LOADED
    assert state.entries == {simulator.url: new_entry.entry_id}


async def test_rejected_api_key_is_reported_without_the_key(
    hass: HomeAssistant, make_api: MakeApi, simulator: EmbySimulator, tmp_path: Path
) -> None:
    """A wrong EMBY_API_KEY stops the setup with Emby's answer, and the key is never echoed."""
    api = await make_api()
    wrong = "0123456789abcdef-wrong-key"

    with pytest.raises(BootstrapError, match="invalid_auth") as err:
        await run(api, tmp_path, target(simulator, api_key=wrong))

    assert wrong not in str(err.value)
    assert hass.config_entries.async_entries(DOMAIN) == []
    # Onboarding and the token are kept: the next start (with the right key) only adds the entry.
    assert onboarding.async_is_onboarded(hass)
    state, _ = await run(api, tmp_path, target(simulator))
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert hass.auth.async_validate_access_token(state.token) is not None


async def test_instance_onboarded_elsewhere_asks_for_reset(
    hass: HomeAssistant, make_api: MakeApi, simulator: EmbySimulator, tmp_path: Path
) -> None:
    """An owner made outside scripts/develop has a password the script cannot know."""
    MockUser(is_owner=True).add_to_hass(hass)
    api = await make_api()

    with pytest.raises(BootstrapError, match="onboarded outside scripts/develop"):
        await run(api, tmp_path, target(simulator))

    assert hass.config_entries.async_entries(DOMAIN) == []


def test_corrupt_state_asks_for_reset(tmp_path: Path) -> None:
    """A state file that is not JSON gives a clear error, not a traceback."""
    (tmp_path / ".develop").mkdir()
    (tmp_path / ".develop" / "login.json").write_text("{not json")

    with pytest.raises(BootstrapError, match="--reset"):
        develop_bootstrap.State.load(tmp_path)


@pytest.mark.parametrize(
    ("url", "port", "ssl"),
    [
        ("http://192.0.2.10:8096", 8096, False),
        ("https://emby.example.org", 8920, True),
        ("https://emby.example.org:443/emby", 443, True),
        ("http://[2001:db8::1]:8096", 8096, False),
    ],
)
def test_emby_url_becomes_the_user_step(url: str, port: int, ssl: bool) -> None:
    """EMBY_URL goes to the flow as a pasted URL (the flow keeps a base path), with its port."""
    fields = develop_bootstrap.EmbyTarget(url, "key", True, "server").user_step()

    assert fields == {"host": url, "port": port, "ssl": ssl, "api_key": "key", "verify_ssl": True}


@pytest.mark.parametrize("url", ["ftp://emby.example.org", "emby.example.org:8096", "http://:80"])
def test_bad_emby_url_is_rejected(url: str) -> None:
    """A URL the flow could not use is refused before Home Assistant is asked."""
    with pytest.raises(BootstrapError, match="EMBY_URL"):
        develop_bootstrap.EmbyTarget(url, "key", True, "server").user_step()
