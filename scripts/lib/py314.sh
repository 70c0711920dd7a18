# shellcheck shell=bash
# Provides a Python >= 3.14.2 for Home Assistant 2026.x, which Debian 12 lacks.
#
# Where `python3.14` (>= 3.14.2) is on PATH it is used directly. Otherwise a minimal Debian sid root
# with python3.14 is bootstrapped once into $EMBYMEDIA_CACHE (outside the checkout, so later runs and
# fresh clones start in seconds) and commands run inside it through a private mount namespace: the
# checkout is bind-mounted at its own path, so paths inside and outside agree and nothing stays mounted.
#
# Functions: py314_ensure (provision), py314_run CMD... (run CMD with that Python first on PATH).

EMBYMEDIA_CACHE="${EMBYMEDIA_CACHE:-/var/cache/embymedia}"
PY314_ROOT="$EMBYMEDIA_CACHE/sid-py314"
PY314_MODE=""

_py314_host_ok() {
    command -v python3.14 >/dev/null 2>&1 &&
        python3.14 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)' 2>/dev/null
}

_py314_mirror() {
    # The first deb.debian.org-style URI of the host's apt sources.
    local uri
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
    [ -n "$uri" ] || uri=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
    echo "${uri:-http://deb.debian.org/debian}"
}

py314_ensure() {
    if _py314_host_ok; then
        PY314_MODE=host
        return 0
    fi
    PY314_MODE=chroot
    if [ -f "$PY314_ROOT/.embymedia-ready" ]; then
        _py314_build_tools
        return
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "error: Python >= 3.14.2 is not on PATH and provisioning one needs root (debootstrap)." >&2
        return 1
    fi
    echo "==> provisioning Python 3.14 (Debian sid root in $PY314_ROOT, once)"
    if ! command -v debootstrap >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    rm -rf "$PY314_ROOT.partial"
    mkdir -p "$PY314_ROOT.partial"
    debootstrap --variant=minbase --include=python3.14,python3.14-venv,ca-certificates \
        sid "$PY314_ROOT.partial" "$(_py314_mirror)" >"$EMBYMEDIA_CACHE/debootstrap.log" 2>&1 || {
        echo "error: debootstrap failed, see $EMBYMEDIA_CACHE/debootstrap.log" >&2
        return 1
    }
    cp /usr/local/share/ca-certificates/*.crt "$PY314_ROOT.partial/usr/local/share/ca-certificates/" 2>/dev/null || true
    chroot "$PY314_ROOT.partial" update-ca-certificates >/dev/null 2>&1
    cp /etc/resolv.conf "$PY314_ROOT.partial/etc/resolv.conf"
    touch "$PY314_ROOT.partial/.embymedia-ready"
    mv "$PY314_ROOT.partial" "$PY314_ROOT"
    _py314_build_tools
}

# Some pinned Home Assistant dependencies (lru-dict in 2026.3) ship no cp314 wheel: give pip a compiler.
_py314_build_tools() {
    [ -f "$PY314_ROOT/.embymedia-build-tools" ] && return 0
    echo "==> installing a C compiler and Python headers into the Python 3.14 root (once)"
    cp /etc/resolv.conf "$PY314_ROOT/etc/resolv.conf"
    ROOT="$PY314_ROOT" unshare --mount --propagation private /bin/bash -c '
        set -e; mount -t proc proc "$ROOT/proc"
        chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
            /bin/sh -c "apt-get -o Acquire::Check-Valid-Until=false update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev python3.14-dev >/dev/null"
    ' >"$EMBYMEDIA_CACHE/build-tools.log" 2>&1 || {
        echo "error: installing build tools failed, see $EMBYMEDIA_CACHE/build-tools.log" >&2
        return 1
    }
    touch "$PY314_ROOT/.embymedia-build-tools"
}

# py314_run [--bind DIR]... CMD ARGS...: runs CMD where python3.14 is the interpreter. The checkout
# (current git top level) and every --bind DIR are visible at their own paths.
py314_run() {
    local binds=()
    while [ "${1:-}" = "--bind" ]; do
        binds+=("$2")
        shift 2
    done
    if [ "$PY314_MODE" = host ]; then
        EMBYMEDIA_DISCOVERY_TARGET="${EMBYMEDIA_DISCOVERY_TARGET:-off}" "$@"
        return
    fi
    local top
    top=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
    binds+=("$top")
    cp /etc/resolv.conf "$PY314_ROOT/etc/resolv.conf"
    local script='set -e; mount -t proc proc "$ROOT/proc"; mount --rbind /dev "$ROOT/dev" 2>/dev/null || true;'
    local d
    for d in "${binds[@]}"; do
        mkdir -p "$PY314_ROOT$d"
        script+=" mount --bind '$d' \"\$ROOT$d\";"
    done
    # Only the variables a test needs cross into the root; the host's PIP_FIND_LINKS etc. do not exist there.
    script+=' cd "$PWD_IN"; exec chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}"'
    script+=' PATH=/usr/local/bin:/usr/bin:/bin PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180'
    # The root trusts the host's CAs (copied at provisioning); point pip and Python's ssl at that store.
    script+=' PIP_CERT=/etc/ssl/certs/ca-certificates.crt SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'
    # Nothing run here broadcasts: the integration's UDP discovery is off unless the caller
    # passes a loopback responder (scripts/develop, through EMBYMEDIA_PASS_ENV, which comes later
    # and wins).
    script+=' EMBYMEDIA_DISCOVERY_TARGET=off ${EMBYMEDIA_PASS_ENV:-}'
    script+=' ${CI:+CI=$CI} ${EMBY_URL:+EMBY_URL=$EMBY_URL} ${EMBY_API_KEY:+EMBY_API_KEY=$EMBY_API_KEY}'
    script+=' /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$PWD_IN" "$@"'
    ROOT="$PY314_ROOT" PWD_IN="$(pwd)" unshare --mount --propagation private /bin/bash -c "$script" py314 "$@"
}
