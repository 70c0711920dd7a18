"""Every place that states the release version, read and written together.

The product is two artefacts released in lockstep: the embymedia-core wheels (their version is
the crate's, pyproject.toml declares it dynamic) and the integration, whose manifest pins exactly
that core. `scripts/version X.Y.Z` writes every site below; tests/release/test_versions.py fails
when they differ.

    python3 scripts/lib/versions.py --print       the version (fails when the sites disagree)
    python3 scripts/lib/versions.py --set X.Y.Z   write it everywhere

Standard library only (runs on the host's Python >= 3.11 and in the test venvs).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "embymedia-core"
CRATE = "embymedia_core"
MANIFEST = Path("custom_components/embymedia/manifest.json")
CONST = Path("custom_components/embymedia/const.py")
# A release version, the same string in Cargo (semver) and on PyPI (PEP 440).
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")
_CONST_RE = re.compile(r'^(CLIENT_VERSION: Final = )"([^"]*)"$', re.MULTILINE)
_REQUIREMENT = re.compile(rf"^{re.escape(PACKAGE)}==(.+)$")


@dataclass(frozen=True)
class Site:
    """One place that states the version, and what it states there."""

    where: str
    version: str | None


def _lock_version(lock: Path) -> str | None:
    data = tomllib.loads(lock.read_text())
    versions = [p["version"] for p in data.get("package", []) if p["name"] == CRATE]
    return versions[0] if len(versions) == 1 else None


def read_sites(root: Path = ROOT) -> list[Site]:
    """Every version site of the checkout at `root`."""
    cargo = tomllib.loads((root / "Cargo.toml").read_text())
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    manifest = json.loads((root / MANIFEST).read_text())
    sites = [
        Site("Cargo.toml [package] version", cargo["package"]["version"]),
        Site("Cargo.lock embymedia_core", _lock_version(root / "Cargo.lock")),
    ]
    if (root / "fuzz/Cargo.lock").exists():
        sites.append(
            Site("fuzz/Cargo.lock embymedia_core", _lock_version(root / "fuzz/Cargo.lock"))
        )
    project = pyproject["project"]
    if "version" in project:
        sites.append(Site("pyproject.toml [project] version", project["version"]))
    elif "version" not in project.get("dynamic", []):
        sites.append(Site("pyproject.toml: neither a version nor a dynamic one", None))
    sites.append(Site("manifest.json version", manifest.get("version")))
    pins = [m.group(1) for r in manifest.get("requirements", []) if (m := _REQUIREMENT.match(r))]
    sites.append(
        Site(f"manifest.json requirements {PACKAGE}==", pins[0] if len(pins) == 1 else None)
    )
    const = _CONST_RE.search((root / CONST).read_text())
    sites.append(Site("const.py CLIENT_VERSION", const.group(2) if const else None))
    return sites


def current_version(root: Path = ROOT) -> str:
    """The one version every site states; ValueError naming the sites when they disagree."""
    sites = read_sites(root)
    versions = {site.version for site in sites}
    if len(versions) != 1 or None in versions:
        detail = "\n".join(f"  {site.where}: {site.version}" for site in sites)
        msg = f"the version sites disagree:\n{detail}"
        raise ValueError(msg)
    return versions.pop()  # type: ignore[return-value]


def _sub_once(pattern: str, replacement: str, text: str, where: str) -> str:
    new, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    if count != 1:
        msg = f"could not find the version in {where}"
        raise ValueError(msg)
    return new


def set_version(version: str, root: Path = ROOT) -> None:
    """Write `version` to every site (Cargo.toml, both Cargo.lock files, pyproject.toml when it
    holds a version, manifest.json version and requirement pin, const.py)."""
    if not VERSION_RE.match(version):
        msg = f"not a release version: {version!r} (expected X.Y.Z)"
        raise ValueError(msg)
    path = root / "Cargo.toml"
    # The first `version =` of Cargo.toml is [package]'s (dependencies use inline tables).
    path.write_text(
        _sub_once(r'^version = "[^"]*"$', f'version = "{version}"', path.read_text(), "Cargo.toml")
    )
    for lock in (root / "Cargo.lock", root / "fuzz/Cargo.lock"):
        if lock.exists():
            lock.write_text(
                _sub_once(
                    rf'^(name = "{CRATE}"\nversion = )"[^"]*"$',
                    rf'\g<1>"{version}"',
                    lock.read_text(),
                    str(lock.relative_to(root)),
                )
            )
    path = root / "pyproject.toml"
    if "version" in tomllib.loads(path.read_text())["project"]:
        path.write_text(
            _sub_once(
                r'^version = "[^"]*"$', f'version = "{version}"', path.read_text(), "pyproject.toml"
            )
        )
    # Edited in place (not re-serialised) so the file keeps its formatting.
    path = root / MANIFEST
    text = _sub_once(
        r'^(  "version": )"[^"]*"', rf'\g<1>"{version}"', path.read_text(), "manifest.json"
    )
    text = _sub_once(
        rf'"{re.escape(PACKAGE)}==[^"]*"', f'"{PACKAGE}=={version}"', text, "manifest.json"
    )
    path.write_text(text)
    path = root / CONST
    path.write_text(
        _sub_once(_CONST_RE.pattern, rf'\g<1>"{version}"', path.read_text(), str(CONST))
    )


def main(argv: list[str]) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="versions.py")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--print", action="store_true")
    group.add_argument("--set", metavar="X.Y.Z")
    args = parser.parse_args(argv)
    try:
        if args.set:
            set_version(args.set)
        print(current_version())
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
