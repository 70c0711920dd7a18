"""One version for the two artefacts: Cargo.toml, Cargo.lock, pyproject.toml, manifest.json (its
`version` and its requirement pin), const.py, and the built core agree; scripts/version writes
them together."""

import shutil
import subprocess
from pathlib import Path

import embymedia_core
import pytest

from .conftest import ROOT, load_script_module

versions = load_script_module("versions")

FILES = (
    "Cargo.toml",
    "Cargo.lock",
    "fuzz/Cargo.lock",
    "pyproject.toml",
    "custom_components/embymedia/manifest.json",
    "custom_components/embymedia/const.py",
)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the files that state the version."""
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_every_site_states_the_same_version() -> None:
    """The checkout is consistent, and every site was found (none reads None)."""
    sites = versions.read_sites()
    assert {site.where for site in sites} >= {
        "Cargo.toml [package] version",
        "Cargo.lock embymedia_core",
        "manifest.json version",
        "manifest.json requirements embymedia-core==",
        "const.py CLIENT_VERSION",
    }
    assert len({site.version for site in sites}) == 1, sites
    assert versions.VERSION_RE.match(versions.current_version())


def test_the_built_core_is_that_version() -> None:
    """The core under test (built from this checkout) reports the manifest's version."""
    assert embymedia_core.__version__ == versions.current_version()


@pytest.mark.parametrize(
    ("path", "old", "new", "site"),
    [
        (
            "custom_components/embymedia/manifest.json",
            '"embymedia-core==',
            '"embymedia-core==9',
            "manifest.json requirements embymedia-core==",
        ),
        ("Cargo.toml", 'version = "', 'version = "9', "Cargo.toml [package] version"),
        (
            "custom_components/embymedia/const.py",
            'CLIENT_VERSION: Final = "',
            'CLIENT_VERSION: Final = "9',
            "const.py CLIENT_VERSION",
        ),
    ],
)
def test_a_disagreement_is_reported_with_its_site(
    checkout: Path, path: str, old: str, new: str, site: str
) -> None:
    """Changing one site alone makes current_version fail and name that site."""
    file = checkout / path
    file.write_text(file.read_text().replace(old, new, 1))
    with pytest.raises(ValueError, match="disagree") as err:
        versions.current_version(checkout)
    assert site in str(err.value)


def test_set_version_writes_every_site_and_nothing_else(checkout: Path) -> None:
    """Every site holds the new version; no other line of those files changed."""
    before = {name: (checkout / name).read_text().splitlines() for name in FILES}
    old = versions.current_version(checkout)
    versions.set_version("12.34.56", checkout)
    assert versions.current_version(checkout) == "12.34.56"
    for name in FILES:
        after = (checkout / name).read_text().splitlines()
        assert len(after) == len(before[name]), name
        changed = [(a, b) for a, b in zip(before[name], after, strict=True) if a != b]
        # pyproject.toml declares the version dynamic (maturin takes the crate's): nothing to write.
        dynamic = name == "pyproject.toml" and 'dynamic = ["version"]' in "\n".join(after)
        assert bool(changed) != dynamic, f"{name}: {changed}"
        for old_line, new_line in changed:
            assert old_line.replace(old, "12.34.56") == new_line, (name, old_line, new_line)


@pytest.mark.parametrize("bad", ["1.2", "v1.2.3", "1.2.3.4", "1.2.3-rc1", ""])
def test_set_version_refuses_what_is_not_a_release_version(checkout: Path, bad: str) -> None:
    """Only X.Y.Z (the same string on PyPI, in Cargo and in HACS)."""
    with pytest.raises(ValueError, match="not a release version"):
        versions.set_version(bad, checkout)


def test_scripts_version_prints_the_version() -> None:
    """The command the release workflow compares the tag with."""
    result = subprocess.run(
        [ROOT / "scripts" / "version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == versions.current_version()
