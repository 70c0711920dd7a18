"""scripts/lib/wheel_check.py, the checks scripts/wheels and the release workflow run on every
wheel, shown to reject what is wrong. The wheel under test is the development build scripts/test
made for this run (a host build: manylinux_2_34, not a release wheel), which must fail the
release checks in the ways named here. The compliant wheels are checked by scripts/wheels itself."""

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, load_script_module

wheel_check = load_script_module("wheel_check")


@pytest.fixture
def dev_wheel() -> Path:
    """The core wheel scripts/test built for this run."""
    wheels = sorted((ROOT / "target" / "wheels").glob("embymedia_core-*.whl"))
    if not wheels or shutil.which("readelf") is None:
        pytest.skip("needs the development wheel of scripts/test and readelf")
    return wheels[-1]


def test_a_host_build_fails_the_release_policy(dev_wheel: Path) -> None:
    """Wrong name, wrong tag, and (the host's glibc being newer) too new symbol versions, when
    the version is right."""
    version = dev_wheel.name.split("-")[1]
    problems = wheel_check.check_wheel(
        dev_wheel, wheel_check.PLATFORMS["x86_64-unknown-linux-gnu"], version
    )
    text = "\n".join(problems)
    assert "expected embymedia_core-" in text
    assert "WHEEL tags" in text
    assert not any("links beyond" in problem for problem in problems)


def test_the_wrong_machine_and_libc_are_named(dev_wheel: Path, tmp_path: Path) -> None:
    """An x86_64 glibc module checked as aarch64 musl: machine and glibc symbols are reported."""
    with zipfile.ZipFile(dev_wheel) as archive:
        so = Path(archive.extract(wheel_check.EXTENSION, tmp_path))
    problems = wheel_check.check_extension(so, wheel_check.PLATFORMS["aarch64-unknown-linux-musl"])
    assert any(problem.startswith("machine") for problem in problems)
    assert any("glibc symbol versions" in problem for problem in problems)
    # Against its own platform, only the symbol-version floor can differ.
    own = wheel_check.check_extension(so, wheel_check.PLATFORMS["x86_64-unknown-linux-gnu"])
    assert all(problem.startswith("needs GLIBC_") for problem in own)


def test_an_extra_library_is_reported(dev_wheel: Path, tmp_path: Path) -> None:
    """A module needing a library beyond libc and libgcc fails (as one linking OpenSSL would)."""
    with zipfile.ZipFile(dev_wheel) as archive:
        so = Path(archive.extract(wheel_check.EXTENSION, tmp_path))
    narrow = wheel_check.Platform(
        "manylinux_2_28_x86_64", "Advanced Micro Devices X86-64", frozenset({"libc.so.6"}), None
    )
    problems = wheel_check.check_extension(so, narrow)
    assert any(problem.startswith("links beyond the C library") for problem in problems)


def test_every_wheel_but_the_home_assistant_one_has_a_platform_to_be_imported_on() -> None:
    """scripts/wheels installs each wheel on its own platform (scripts/lib/wheel_roots.sh): a
    target added to scripts/wheels without a root there would go unchecked."""
    wheels = (ROOT / "scripts" / "wheels").read_text()
    targets = set(re.findall(r"^\s+\[([\w-]+)\]=(?:many|musl)linux_\d+_\d+$", wheels, re.M))
    assert targets == set(wheel_check.PLATFORMS)
    roots = (ROOT / "scripts" / "lib" / "wheel_roots.sh").read_text()
    ensure = roots[roots.index("wheel_root_ensure() {") :]
    ensure = ensure[: ensure.index("\n}\n")]
    provisioned = set(re.findall(r"^\s+([\w-]+)\) _wr_\w+_ensure", ensure, re.M))
    assert provisioned == targets - {"x86_64-unknown-linux-gnu"}
    # That one is set up in Home Assistant instead, and the loop says so.
    assert '[ "$target" = x86_64-unknown-linux-gnu ] && continue' in wheels
