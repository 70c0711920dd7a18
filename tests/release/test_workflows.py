"""The GitHub workflows (they cannot run here): each parses as YAML and has the structure the
release process depends on, pins the action versions below, and calls only scripts that exist,
so every step is the same command a developer runs locally."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
# The current release of each action (looked up 2026-12-02); a typo or a stale major fails here.
ACTIONS = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "actions/upload-artifact": "v7",
    "actions/download-artifact": "v8",
    "PyO3/maturin-action": "v1",
    "docker/setup-qemu-action": "v4",
    "pypa/gh-action-pypi-publish": "release/v1",
    "softprops/action-gh-release": "v3",
    "rustsec/audit-check": "v2",
    "home-assistant/actions/hassfest": "master",
    "hacs/action": "main",
}


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), path.name
    # YAML 1.1 reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def _all() -> dict[str, dict[str, Any]]:
    return {path.name: _load(path) for path in sorted(WORKFLOWS.glob("*.yml"))}


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _runs(workflow: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in _steps(workflow))


def _uses(workflow: dict[str, Any]) -> list[str]:
    return [step["uses"] for step in _steps(workflow) if "uses" in step]


def test_the_four_workflows_exist() -> None:
    """Tests, lint, validation (hassfest and HACS) and release."""
    assert set(_all()) == {"tests.yml", "lint.yml", "validate.yml", "release.yml"}


@pytest.mark.parametrize("name", ["tests.yml", "lint.yml", "validate.yml", "release.yml"])
def test_structure(name: str) -> None:
    """name, triggers, read-only default permissions, jobs with a runner, a time limit and steps
    that each either use an action or run a command."""
    workflow = _all()[name]
    assert workflow["name"]
    assert workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    for job_name, job in workflow["jobs"].items():
        assert job["runs-on"].startswith("ubuntu-"), job_name
        assert 0 < job["timeout-minutes"] <= 60, job_name
        assert job["steps"], job_name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), (job_name, step)


def test_actions_are_the_current_releases() -> None:
    """Every action is one of the table's, at its current version."""
    for name, workflow in _all().items():
        for uses in _uses(workflow):
            action, _, ref = uses.partition("@")
            assert action in ACTIONS, (name, uses)
            assert ref == ACTIONS[action], (name, uses)


def test_scripts_called_exist_and_are_executable() -> None:
    """Every scripts/X or scripts/lib/X a workflow runs is in the repository."""
    for name, workflow in _all().items():
        for script in re.findall(r"scripts/[\w./-]+", _runs(workflow)):
            path = ROOT / script
            assert path.is_file(), (name, script)
            if path.parent.name == "scripts":
                assert path.stat().st_mode & 0o111, (name, script)


def test_tests_and_lint_run_the_local_commands() -> None:
    """CI runs what a developer runs: scripts/test, scripts/lint; plus the RustSec check."""
    workflows = _all()
    assert re.search(r"^scripts/test$", _runs(workflows["tests.yml"]), re.M)
    assert re.search(r"^scripts/lint$", _runs(workflows["lint.yml"]), re.M)
    assert "rustsec/audit-check@v2" in _uses(workflows["lint.yml"])


def test_validate_runs_hassfest_and_hacs() -> None:
    """The official validators, HACS for an integration."""
    workflow = _all()["validate.yml"]
    assert "home-assistant/actions/hassfest@master" in _uses(workflow)
    hacs = [step for step in _steps(workflow) if step.get("uses", "").startswith("hacs/action@")]
    assert [step["with"]["category"] for step in hacs] == ["integration"]


def _scripts_wheels_policies() -> dict[str, str]:
    text = (ROOT / "scripts" / "wheels").read_text()
    return dict(re.findall(r"^\s+\[([\w-]+)\]=(\w+)$", text, re.M))


def test_release_builds_the_matrix_of_scripts_wheels() -> None:
    """On a tag; the same four targets and policies as scripts/wheels, built with zig by the
    maturin scripts/lib/common.sh pins, each wheel checked by scripts/lib/wheel_check.py."""
    release = _all()["release.yml"]
    assert release["on"]["push"]["tags"] == ["v*"]
    policies = _scripts_wheels_policies()
    assert len(policies) == 4
    wheels = release["jobs"]["wheels"]
    matrix = {entry["target"]: entry["policy"] for entry in wheels["strategy"]["matrix"]["include"]}
    assert matrix == policies
    build = next(s for s in wheels["steps"] if s.get("uses", "").startswith("PyO3/maturin-action"))
    assert "--zig" in build["with"]["args"].split()
    assert "--locked" in build["with"]["args"].split()
    assert build["with"]["manylinux"] == "${{ matrix.policy }}"
    pinned = re.search(
        r'^MATURIN_VERSION="(.+)"$', (ROOT / "scripts/lib/common.sh").read_text(), re.M
    )
    assert pinned
    assert release["env"]["MATURIN_VERSION"] == f"v{pinned.group(1)}"
    assert "scripts/lib/wheel_check.py" in "\n".join(s.get("run", "") for s in wheels["steps"])
    # Before maturin-action (which keeps an installed ziglang): a Python >= 3.13 and the zig of
    # scripts/lib/common.sh, read from there.
    names = [s.get("uses", "").partition("@")[0] or s["run"] for s in wheels["steps"]]
    setup = names.index("actions/setup-python")
    zig = next(i for i, name in enumerate(names) if "ziglang==" in name)
    assert setup < zig < names.index("PyO3/maturin-action")
    version = wheels["steps"][setup]["with"]["python-version"]
    assert tuple(map(int, version.split("."))) >= (3, 13)
    assert "ZIGLANG_VERSION=" in names[zig]
    assert "scripts/lib/common.sh" in names[zig]


def test_release_smoke_tests_each_wheel_in_a_matching_container() -> None:
    """Alpine for musl, Debian for glibc, arm64 under QEMU; the same import check as locally."""
    smoke = _all()["release.yml"]["jobs"]["smoke"]
    entries = smoke["strategy"]["matrix"]["include"]
    assert {entry["target"] for entry in entries} == set(_scripts_wheels_policies())
    for entry in entries:
        assert ("alpine" in entry["image"]) == entry["target"].endswith("-musl"), entry
        assert (entry["platform"] == "linux/arm64") == entry["target"].startswith("aarch64"), entry
    qemu = [s for s in smoke["steps"] if s.get("uses", "").startswith("docker/setup-qemu-action")]
    assert qemu
    assert "linux/arm64" in qemu[0]["if"]
    assert "scripts/lib/wheel_import.py" in "\n".join(s.get("run", "") for s in smoke["steps"])


def test_release_publishes_with_trusted_publishing_after_the_smoke_tests() -> None:
    """PyPI through OIDC (no token), only after every wheel imported; the zip only after PyPI."""
    jobs = _all()["release.yml"]["jobs"]
    pypi = jobs["pypi"]
    assert set(pypi["needs"]) >= {"smoke", "sdist"}
    assert pypi["permissions"] == {"id-token": "write"}
    assert any(u.startswith("pypa/gh-action-pypi-publish@") for u in _uses({"jobs": {"p": pypi}}))
    assert not any("password" in step.get("with", {}) for step in pypi["steps"])
    github = jobs["github-release"]
    assert github["needs"] == "pypi"
    assert github["permissions"] == {"contents": "write"}
    assert "scripts/wheels --zip-only" in _runs({"jobs": {"g": github}})
    assert "scripts/version" in _runs({"jobs": {"v": jobs["version"]}})
