"""manifest.json, hacs.json, services.yaml and icons.json against the rules hassfest and the HACS
action apply (no PyPI package offers hassfest's checks; .github/workflows/validate.yml runs the
real validators on GitHub). The rules are restated here from their documented behaviour."""

import ast
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import homeassistant.components
import pytest
import yaml
from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.const import Platform

from .conftest import INTEGRATION, ROOT

MANIFEST: dict[str, Any] = json.loads((INTEGRATION / "manifest.json").read_text())
HACS: dict[str, Any] = json.loads((ROOT / "hacs.json").read_text())
CORE_COMPONENTS = Path(homeassistant.components.__file__).parent

# hassfest's schema for a custom integration's manifest: every key it accepts.
MANIFEST_KEYS = {
    "domain", "name", "integration_type", "config_flow", "mqtt", "zeroconf", "ssdp", "bluetooth",
    "homekit", "dhcp", "usb", "documentation", "issue_tracker", "quality_scale", "requirements",
    "dependencies", "after_dependencies", "codeowners", "loggers", "disabled", "iot_class",
    "single_config_entry", "version", "import_executor",
}  # fmt: skip
INTEGRATION_TYPES = {"device", "entity", "hardware", "helper", "hub", "service", "system"}
IOT_CLASSES = {
    "assumed_state", "calculated", "cloud_polling", "cloud_push", "local_polling", "local_push",
}  # fmt: skip
# HACS's schema for hacs.json.
HACS_KEYS = {
    "name", "content_in_root", "zip_release", "filename", "hide_default_branch", "country",
    "homeassistant", "hacs", "persistent_directory", "render_readme",
}  # fmt: skip


def _scripts_test_pin(name: str) -> str:
    match = re.search(rf'^{name}="([^"]+)"$', (ROOT / "scripts" / "test").read_text(), re.M)
    assert match, name
    return match.group(1)


def test_manifest_has_only_known_keys_and_the_required_ones() -> None:
    """Unknown keys fail hassfest; domain, name, codeowners, documentation and (custom) version
    are required, and HACS also requires issue_tracker."""
    assert set(MANIFEST) <= MANIFEST_KEYS, set(MANIFEST) - MANIFEST_KEYS
    for key in ("domain", "name", "codeowners", "documentation", "version", "issue_tracker"):
        assert key in MANIFEST, key


def test_manifest_keys_are_sorted_domain_name_then_alphabetically() -> None:
    """hassfest: "Manifest keys are not sorted correctly: domain, name, then alphabetical"."""
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_manifest_domain_matches_its_folder_and_no_core_integration() -> None:
    """The domain is the directory name, and no Home Assistant integration of that name exists
    (a custom one would shadow it)."""
    assert MANIFEST["domain"] == INTEGRATION.name
    assert not (CORE_COMPONENTS / MANIFEST["domain"]).exists()


def test_manifest_classification() -> None:
    """A hub (one server, many clients) that the server pushes to (local_push)."""
    assert MANIFEST["integration_type"] in INTEGRATION_TYPES
    assert MANIFEST["iot_class"] in IOT_CLASSES
    assert MANIFEST["integration_type"] == "hub"
    assert MANIFEST["iot_class"] == "local_push"
    assert MANIFEST["config_flow"] is True
    assert (INTEGRATION / "config_flow.py").is_file()


def test_manifest_urls() -> None:
    """documentation: an https URL (hassfest); issue_tracker: a URL (hassfest, HACS)."""
    docs = urlparse(MANIFEST["documentation"])
    assert docs.scheme == "https"
    assert docs.netloc
    assert not (
        docs.netloc == "www.home-assistant.io" and not docs.path.startswith("/integrations/")
    )
    tracker = urlparse(MANIFEST["issue_tracker"])
    assert tracker.scheme == "https"
    assert tracker.netloc


def test_manifest_version_is_valid_for_home_assistant() -> None:
    """Home Assistant refuses to load a custom integration without a valid version."""
    version = AwesomeVersion(MANIFEST["version"])
    assert version.strategy in {
        AwesomeVersionStrategy.SEMVER,
        AwesomeVersionStrategy.SIMPLEVER,
        AwesomeVersionStrategy.PEP440,
        AwesomeVersionStrategy.CALVER,
        AwesomeVersionStrategy.BUILDVER,
    }


def test_manifest_lists_and_loggers() -> None:
    """Lists of strings; the requirement is pinned exactly; `loggers` names the core's logger
    (Rust log targets reach Python as `embymedia_core.*` through pyo3-log)."""
    for key in ("codeowners", "requirements", "dependencies", "loggers"):
        assert isinstance(MANIFEST.get(key, []), list), key
        assert all(isinstance(item, str) for item in MANIFEST.get(key, [])), key
    assert all(owner.startswith("@") for owner in MANIFEST["codeowners"])
    assert MANIFEST["requirements"] == [f"embymedia-core=={MANIFEST['version']}"]
    assert "embymedia_core" in MANIFEST["loggers"]


def test_manifest_dependencies_exist() -> None:
    """Every (after) dependency is an integration of Home Assistant itself."""
    for key in ("dependencies", "after_dependencies"):
        for domain in MANIFEST.get(key, []):
            assert (CORE_COMPONENTS / domain / "manifest.json").is_file(), (key, domain)


def test_hacs_json() -> None:
    """Known keys; the oldest Home Assistant the tests run against; the release zip by name."""
    assert set(HACS) <= HACS_KEYS, set(HACS) - HACS_KEYS
    assert HACS["name"] == MANIFEST["name"]
    assert HACS["homeassistant"] == _scripts_test_pin("HA_OLDEST")
    assert HACS["zip_release"] is True
    assert HACS["filename"] == "embymedia.zip"
    # The zip scripts/wheels builds and the release workflow attaches has that name.
    assert f'"$DIST/{HACS["filename"]}"' in (ROOT / "scripts" / "wheels").read_text()
    release = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    uploads = [
        step["with"]["files"]
        for step in release["jobs"]["github-release"]["steps"]
        if "action-gh-release" in step.get("uses", "")
    ]
    assert uploads == [f"dist/{HACS['filename']}"]


def _services() -> dict[str, Any]:
    path = INTEGRATION / "services.yaml"
    return (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}


def test_every_action_has_translations_and_an_icon() -> None:
    """hassfest: each action in services.yaml has a translated name and description (and each
    field too), and an icon in icons.json."""
    services = _services()
    if not services:
        pytest.skip("no services.yaml")
    strings = json.loads((INTEGRATION / "strings.json").read_text()).get("services", {})
    icons = json.loads((INTEGRATION / "icons.json").read_text()).get("services", {})
    for name, spec in services.items():
        assert {"name", "description"} <= set(strings.get(name, {})), name
        assert name in icons, f"{name} has no icon in icons.json"
        translated = strings[name].get("fields", {})
        for field, field_spec in ((spec or {}).get("fields") or {}).items():
            if isinstance(field_spec, dict) and "fields" in field_spec:
                # A section: its title is translated, its fields are translated like any other.
                assert "name" in strings[name].get("sections", {}).get(field, {}), (name, field)
                inner = field_spec["fields"].keys()
            else:
                inner = [field]
            for key in inner:
                assert {"name", "description"} <= set(translated.get(key, {})), (name, key)


# Home Assistant integrations hassfest lets any integration import without declaring them.
ALWAYS_IMPORTABLE = {platform.value for platform in Platform} | {
    "alert", "automation", "conversation", "default_config", "device_automation", "frontend",
    "group", "homeassistant", "input_boolean", "input_button", "input_datetime", "input_number",
    "input_select", "input_text", "media_source", "onboarding", "panel_custom",
    "persistent_notification", "person", "script", "shopping_list", "sun", "system_health",
    "system_log", "timer", "webhook", "websocket_api", "zone",
}  # fmt: skip


class _ComponentImports(ast.NodeVisitor):
    """The Home Assistant integrations a module imports (outside `if TYPE_CHECKING:`)."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
            self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module == "homeassistant.components.http.auth" and [n.name for n in node.names] == [
            "async_sign_path"
        ]:
            return  # hassfest's one exception
        if module.startswith("homeassistant.components."):
            self.found.add(module.split(".")[2])
        elif module == "homeassistant.components":
            self.found.update(alias.name for alias in node.names)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.startswith("homeassistant.components."):
                self.found.add(alias.name.split(".")[2])


def component_imports(source: str) -> set[str]:
    """Integrations `source` imports at run time."""
    visitor = _ComponentImports()
    visitor.visit(ast.parse(source))
    return visitor.found


def test_imported_integrations_are_declared() -> None:
    """hassfest: "Using component X but it's not in 'dependencies' or 'after_dependencies'".
    Allowed: entity platforms and internal integrations, the manifest's (after) dependencies,
    and integrations this one provides a platform module for (diagnostics.py, ...)."""
    allowed = (
        ALWAYS_IMPORTABLE
        | set(MANIFEST.get("dependencies", []))
        | set(MANIFEST.get("after_dependencies", []))
        | {path.stem for path in INTEGRATION.glob("*.py")}
        | {path.name for path in INTEGRATION.iterdir() if path.is_dir()}
    )
    undeclared = {
        f"{path.relative_to(INTEGRATION)}: {domain}"
        for path in INTEGRATION.rglob("*.py")
        for domain in component_imports(path.read_text())
        if domain not in allowed
    }
    assert not undeclared, sorted(undeclared)


def test_component_imports_sees_what_hassfest_sees() -> None:
    """Run-time imports count, TYPE_CHECKING imports and the sign-path helper do not."""
    source = (
        "from homeassistant.components.http import HomeAssistantView\n"
        "from homeassistant.components import camera, recorder\n"
        "import homeassistant.components.zeroconf\n"
        "from homeassistant.components.http.auth import async_sign_path\n"
        "if TYPE_CHECKING:\n    from homeassistant.components.cloud import Cloud\n"
    )
    assert component_imports(source) == {"http", "camera", "recorder", "zeroconf"}
