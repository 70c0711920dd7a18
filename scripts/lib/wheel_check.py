"""Checks of the wheels and the sdist scripts/wheels built, beyond maturin's own audit.

For each Rust target: exactly one wheel named `embymedia_core-VERSION-cp313-abi3-PLATFORM.whl`
whose WHEEL file carries the same tag; the extension module is an ELF for the right machine that
needs nothing beyond the C library and libgcc (readelf -d), and on glibc no symbol version newer
than the policy's (readelf -V); the Python package, its stubs and py.typed are inside. The sdist
holds what a build from source needs. Prints each artefact's size.

    python3 scripts/lib/wheel_check.py --version X.Y.Z [--sdist] DIST [TARGET...]

Standard library and binutils' readelf only.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Platform:
    """What a Rust target's wheel must be."""

    tag: str  # the wheel's platform tag
    machine: str  # readelf -h "Machine:"
    libc: frozenset[str]  # the sonames of the C library and libgcc
    glibc_max: tuple[int, int] | None  # newest GLIBC_x.y symbol version allowed


# glibc is split over several sonames (all part of "the C library"); musl is one libc.so.
_GLIBC = frozenset(
    {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libgcc_s.so.1"}
)
_MUSL = frozenset({"libc.so", "libgcc_s.so.1"})
PLATFORMS = {
    "x86_64-unknown-linux-gnu": Platform(
        "manylinux_2_28_x86_64",
        "Advanced Micro Devices X86-64",
        _GLIBC | {"ld-linux-x86-64.so.2"},
        (2, 28),
    ),
    "aarch64-unknown-linux-gnu": Platform(
        "manylinux_2_28_aarch64", "AArch64", _GLIBC | {"ld-linux-aarch64.so.1"}, (2, 28)
    ),
    "x86_64-unknown-linux-musl": Platform(
        "musllinux_1_2_x86_64", "Advanced Micro Devices X86-64", _MUSL, None
    ),
    "aarch64-unknown-linux-musl": Platform("musllinux_1_2_aarch64", "AArch64", _MUSL, None),
}
PACKAGE_FILES = (
    "embymedia_core/__init__.py",
    "embymedia_core/_core.pyi",
    "embymedia_core/py.typed",
)
EXTENSION = "embymedia_core/_core.abi3.so"
SDIST_FILES = (
    "Cargo.toml",
    "Cargo.lock",
    "pyproject.toml",
    "src/lib.rs",
    "python/embymedia_core/__init__.py",
)


def readelf(*args: str) -> str:
    """readelf's output (wide, so nothing is cut)."""
    return subprocess.run(
        ["readelf", "--wide", *args], check=True, capture_output=True, text=True
    ).stdout


def check_extension(so: Path, platform: Platform) -> list[str]:
    """Problems of the extension module for `platform` (empty when it complies)."""
    problems = []
    machine = re.search(r"^\s*Machine:\s*(.+)$", readelf("-h", str(so)), re.MULTILINE)
    if machine is None or machine.group(1).strip() != platform.machine:
        problems.append(
            f"machine {machine and machine.group(1).strip()!r}, not {platform.machine!r}"
        )
    dynamic = readelf("-d", str(so))
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic))
    if extra := needed - platform.libc:
        problems.append(f"links beyond the C library and libgcc: {sorted(extra)}")
    if "(RPATH)" in dynamic or "(RUNPATH)" in dynamic:
        problems.append("has an RPATH/RUNPATH")
    if platform.glibc_max is not None:
        versions = {
            (int(a), int(b)) for a, b in re.findall(r"GLIBC_(\d+)\.(\d+)", readelf("-V", str(so)))
        }
        if versions and max(versions) > platform.glibc_max:
            problems.append(f"needs GLIBC_{'.'.join(map(str, max(versions)))}")
    elif any("GLIBC_" in line for line in readelf("-V", str(so)).splitlines()):
        problems.append("a musl wheel with glibc symbol versions")
    print(f"    {so.name}: {platform.machine}, needs {', '.join(sorted(needed)) or 'nothing'}")
    return problems


def check_wheel(wheel: Path, platform: Platform, version: str) -> list[str]:
    """Problems of one wheel (empty when it complies)."""
    problems = []
    expected = f"embymedia_core-{version}-cp313-abi3-{platform.tag}.whl"
    if wheel.name != expected:
        problems.append(f"named {wheel.name}, expected {expected}")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        meta = f"embymedia_core-{version}.dist-info/WHEEL"
        if meta not in names:
            return [*problems, f"no {meta}"]
        tags = re.findall(r"^Tag: (.+)$", archive.read(meta).decode(), re.MULTILINE)
        if tags != [f"cp313-abi3-{platform.tag}"]:
            problems.append(f"WHEEL tags {tags}, expected cp313-abi3-{platform.tag}")
        problems += [f"missing {name}" for name in (*PACKAGE_FILES, EXTENSION) if name not in names]
        if EXTENSION in names:
            with tempfile.TemporaryDirectory() as tmp:
                so = Path(archive.extract(EXTENSION, tmp))
                problems += check_extension(so, platform)
    return problems


def check_sdist(sdist: Path, version: str) -> list[str]:
    """Problems of the sdist (empty when a build from source has what it needs)."""
    prefix = f"embymedia_core-{version}/"
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    problems = [f"sdist lacks {name}" for name in SDIST_FILES if prefix + name not in names]
    stray = sorted(n for n in names if n.startswith(prefix + "target/") or "/tests/" in n)
    if stray:
        problems.append(f"sdist carries {len(stray)} build or test files, e.g. {stray[0]}")
    return problems


def main(argv: list[str]) -> int:
    """Check DIST for the wheels of TARGET... (and the sdist); exit 1 on any problem."""
    parser = argparse.ArgumentParser(prog="wheel_check.py")
    parser.add_argument("--version", required=True)
    parser.add_argument("dist", type=Path)
    parser.add_argument("--sdist", action="store_true", help="check the sdist too")
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=", ".join(sorted(PLATFORMS)))
    args = parser.parse_args(argv)
    if unknown := set(args.targets) - PLATFORMS.keys():
        parser.error(f"unknown targets: {sorted(unknown)}")
    failed = False
    for target in args.targets:
        platform = PLATFORMS[target]
        wheels = sorted(args.dist.glob(f"embymedia_core-*-{platform.tag}.whl"))
        problems = (
            [f"{len(wheels)} wheels for {platform.tag}, expected 1"]
            if len(wheels) != 1
            else check_wheel(wheels[0], platform, args.version)
        )
        name = wheels[0].name if len(wheels) == 1 else platform.tag
        size = wheels[0].stat().st_size if len(wheels) == 1 else 0
        print(f"  {'ok  ' if not problems else 'FAIL'} {name} ({size / 1048576:.2f} MiB)")
        for problem in problems:
            print(f"       {problem}")
        failed |= bool(problems)
    if not args.sdist:
        return 1 if failed else 0
    sdists = sorted(args.dist.glob("embymedia_core-*.tar.gz"))
    if len(sdists) != 1:
        print(f"  FAIL {len(sdists)} sdists, expected 1")
        return 1
    problems = check_sdist(sdists[0], args.version)
    size = sdists[0].stat().st_size
    print(f"  {'ok  ' if not problems else 'FAIL'} {sdists[0].name} ({size / 1048576:.2f} MiB)")
    for problem in problems:
        print(f"       {problem}")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
