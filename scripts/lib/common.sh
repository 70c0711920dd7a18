# shellcheck shell=bash
# Shared helpers of scripts/*: host tools (maturin) and the core wheel.

EMBYMEDIA_CACHE="${EMBYMEDIA_CACHE:-/var/cache/embymedia}"
TOOLS_VENV="$EMBYMEDIA_CACHE/host-tools"
MATURIN_VERSION="1.16.0"
# zig, the cross linker of scripts/wheels, from its PyPI package (no download of a toolchain).
ZIGLANG_VERSION="0.17.1"

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# A host venv with maturin (and ruff/mypy for lint), created once. Prints nothing on stdout: callers
# capture the stdout of build_core_wheel as the wheel path.
ensure_host_tools() {
    mkdir -p "$EMBYMEDIA_CACHE"
    if [ ! -x "$TOOLS_VENV/bin/maturin" ]; then
        {
            log "installing host build tools (maturin $MATURIN_VERSION) into $TOOLS_VENV"
            rm -rf "$TOOLS_VENV"
            python3 -m venv "$TOOLS_VENV"
            "$TOOLS_VENV/bin/pip" install -q "maturin==$MATURIN_VERSION"
        } >&2
    fi
}

# zig for `maturin build --zig` (scripts/wheels): the ziglang package in the host tools venv, where
# maturin finds it as `python3 -m ziglang` with that venv first on PATH.
ensure_zig() {
    ensure_host_tools
    if [ "$("$TOOLS_VENV/bin/python" -m ziglang version 2>/dev/null)" != "$ZIGLANG_VERSION" ]; then
        log "installing zig (ziglang $ZIGLANG_VERSION) into $TOOLS_VENV" >&2
        "$TOOLS_VENV/bin/pip" install -q "ziglang==$ZIGLANG_VERSION" >&2
    fi
}

# Python used by maturin to tag the abi3 wheel (cp313-abi3 loads on 3.13, 3.14, 3.15).
_wheel_interpreter() {
    local py
    for py in python3.14 python3.13 "$HOME/.pyenv/versions/3.13.0/bin/python3.13"; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else 1)' 2>/dev/null; then
            echo "$py"
            return
        fi
    done
}

# The binding (feature `python`, abi3-py313) needs a Python >= 3.13 at build time: pin the one maturin
# uses, so clippy/cargo builds of the binding and wheel builds share cached artifacts.
if [ -z "${PYO3_PYTHON:-}" ]; then
    PYO3_PYTHON=$(_wheel_interpreter)
    if [ -n "$PYO3_PYTHON" ]; then export PYO3_PYTHON; else unset PYO3_PYTHON; fi
fi

# build_core_wheel PROFILE OUTDIR: builds the core (dev or release profile) and prints the wheel path.
build_core_wheel() {
    local profile="$1" out="$2" interp
    ensure_host_tools
    rm -rf "$out"
    mkdir -p "$out"
    interp=$(_wheel_interpreter)
    log "building the core wheel (profile $profile)" >&2
    if [ -n "$interp" ]; then
        "$TOOLS_VENV/bin/maturin" build --quiet --profile "$profile" -i "$interp" --out "$out" >&2 || return 1
    else
        # abi3 needs no interpreter to build.
        PYO3_NO_PYTHON=1 "$TOOLS_VENV/bin/maturin" build --quiet --profile "$profile" --out "$out" >&2 || return 1
    fi
    local wheel
    wheel=$(ls "$out"/embymedia_core-*.whl 2>/dev/null | head -n 1)
    [ -n "$wheel" ] || { echo "error: maturin produced no wheel" >&2; return 1; }
    echo "$wheel"
}
