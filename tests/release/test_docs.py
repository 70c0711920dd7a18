"""The docs are true of the code: every option, setup field, entity, action, event and error a
user can meet (strings.json, services.yaml) is documented in README.md or docs/*.md; every module
is in ARCHITECTURE.md's tables; relative links resolve."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from custom_components.embymedia.options import BOOLEAN_DEFAULTS, NUMBER_OPTIONS

from .conftest import INTEGRATION, ROOT

STRINGS: dict[str, Any] = json.loads((INTEGRATION / "strings.json").read_text())
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Linked from the README; written by the entity, action and media work (issues 8, 9 and 10).
IN_FLIGHT = {"docs/ENTITIES.md", "docs/AUTOMATIONS.md", "docs/MEDIA.md"}


def _normalise(text: str) -> str:
    """Lower case, one space for any whitespace, markdown emphasis and escapes dropped."""
    text = re.sub(r"[*_\\]", "", text.casefold())
    return re.sub(r"\s+", " ", text)


DOCS_TEXT = _normalise("\n".join(path.read_text() for path in DOCS))
# Keys written as code (`scan_interval`, `embymedia.send_message`), as found in the docs.
DOCS_CODE = {
    match.casefold() for path in DOCS for match in re.findall(r"`([^`\n]+)`", path.read_text())
}


def documented(key: str, *texts: str) -> bool:
    """`key` is written as code somewhere, or one of the user-visible `texts` appears (for a
    message with placeholders: its longest fixed part)."""
    if key.casefold() in DOCS_CODE:
        return True
    for text in texts:
        fragments = [f.strip(" .:\"'") for f in re.split(r"\{[^}]*\}", text)]
        longest = max(fragments, key=len)
        if len(longest) >= 3 and _normalise(longest) in DOCS_TEXT:
            return True
    return False


def _options() -> Iterator[tuple[str, str]]:
    for step in STRINGS.get("options", {}).get("step", {}).values():
        yield from step.get("data", {}).items()


def _setup_fields() -> Iterator[tuple[str, str]]:
    for step in STRINGS["config"]["step"].values():
        yield from step.get("data", {}).items()


def _entities() -> Iterator[tuple[str, str]]:
    for platform, entities in STRINGS.get("entity", {}).items():
        for key, entity in entities.items():
            yield f"{platform}.{key}", entity.get("name", key)


def _services() -> dict[str, Any]:
    path = INTEGRATION / "services.yaml"
    return (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}


def _events() -> Iterator[tuple[str, str]]:
    """Device trigger types and other event types users automate on."""
    automation = STRINGS.get("device_automation", {})
    for section in ("trigger_type", "condition_type", "action_type"):
        yield from automation.get(section, {}).items()
    for key, event in STRINGS.get("entity", {}).get("event", {}).items():
        for state in event.get("state_attributes", {}).get("event_type", {}).get("state", {}):
            yield state, state
        yield key, event.get("name", key)


def _errors() -> Iterator[tuple[str, str]]:
    for section in ("error", "abort"):
        yield from STRINGS["config"].get(section, {}).items()
    for key, exception in STRINGS.get("exceptions", {}).items():
        yield key, exception["message"]
    for key, issue in STRINGS.get("issues", {}).items():
        yield key, issue.get("title", key)


def _undocumented(items: Iterator[tuple[str, str]]) -> list[str]:
    return [f"{key} ({text!r})" for key, text in items if not documented(key.split(".")[-1], text)]


def test_every_option_and_setup_field_is_documented() -> None:
    """Options flow and config flow fields, by key or by the label the user sees."""
    assert list(_options())
    assert _undocumented(_options()) == []
    assert _undocumented(_setup_fields()) == []


def test_every_option_has_its_default_and_range_in_configuration_md() -> None:
    """docs/CONFIGURATION.md has a table row per option with its key."""
    text = (ROOT / "docs" / "CONFIGURATION.md").read_text()
    for key, _label in _options():
        rows = [line for line in text.splitlines() if line.startswith("|") and f"`{key}`" in line]
        assert rows, key


def test_every_entity_is_documented() -> None:
    """Every translated entity name (or its translation key)."""
    assert _undocumented(_entities()) == []


def test_every_action_is_documented() -> None:
    """Every action of services.yaml, as `embymedia.<action>`, its key or its translated name."""
    services = _services()
    names = STRINGS.get("services", {})
    missing = [
        name
        for name in services
        if not (
            f"embymedia.{name}" in DOCS_CODE
            or documented(name, names.get(name, {}).get("name", name))
        )
    ]
    assert missing == []


def test_every_event_is_documented() -> None:
    """Device trigger and condition types and event entity types."""
    assert _undocumented(_events()) == []


def test_every_error_a_user_sees_is_documented() -> None:
    """Config flow errors and aborts, exceptions and repair issues: their text or their key."""
    assert _undocumented(_errors()) == []


def test_the_cross_check_would_notice_a_missing_item() -> None:
    """The matcher is not vacuous: made-up keys and texts are not found."""
    assert not documented("no_such_option_key", "A label no document contains")
    assert not documented("no_such_error", "Nothing like {error} this: {x} anywhere in the docs")
    assert documented("scan_interval", "")
    assert documented("x", "Session polling interval")


def _links(path: Path) -> Iterator[str]:
    for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text()):
        if not re.match(r"[a-z]+:", target) and not target.startswith("#"):
            yield target.split("#")[0]


@pytest.mark.parametrize("path", [*DOCS, ROOT / "CHANGELOG.md"], ids=lambda p: p.name)
def test_relative_links_resolve(path: Path) -> None:
    """Every relative link points to a file of the repository (or of the shared specs)."""
    for target in _links(path):
        resolved = (path.parent / target).resolve()
        relative = resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else ""
        if relative in IN_FLIGHT:
            continue
        assert resolved.exists() or "shared/spec" in target, (path.name, target)


def _modules() -> list[str]:
    """Every module a reader may look for: Rust files and folders of src/, integration modules."""
    src = ROOT / "src"
    rust = [p.name for p in src.iterdir() if p.suffix == ".rs" and p.name not in {"lib.rs"}]
    rust += [f"{p.name}/" for p in src.iterdir() if p.is_dir()]
    python = [p.name for p in INTEGRATION.glob("*.py") if p.name != "__init__.py"]
    return sorted(rust + python)


def test_architecture_names_every_module() -> None:
    """docs/ARCHITECTURE.md names every module of src/ and of the integration."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    missing = [module for module in _modules() if f"`{module}`" not in text]
    assert missing == []


def _configuration_row(key: str) -> list[str]:
    """The cells of docs/CONFIGURATION.md's options row for `key`."""
    text = (ROOT / "docs" / "CONFIGURATION.md").read_text()
    options = text[text.index("## Options") :]
    rows = [line for line in options.splitlines() if line.startswith("|") and f"`{key}`" in line]
    assert len(rows) == 1, key
    return [cell.strip() for cell in rows[0].strip("|").split("|")]


def test_documented_defaults_and_ranges_are_the_codes() -> None:
    """Each number option's default and range, and each switch's default, as options.py declares
    them (the one place the options flow and the coordinators read)."""
    for option in NUMBER_OPTIONS:
        _label, _key, default, range_, _effect = _configuration_row(option.key)
        assert re.match(rf"{option.default}\b", default), (option.key, default)
        assert range_.startswith(f"{option.minimum}\N{EN DASH}{option.maximum} "), (
            option.key,
            range_,
        )
        if option.step != 1:
            assert f"steps of {option.step}" in range_, option.key
    for key, on in BOOLEAN_DEFAULTS.items():
        _label, _key, default, _range, _effect = _configuration_row(key)
        assert default == ("on" if on else "off"), key
