# shellcheck shell=bash
# A real Home Assistant for scripts/develop and scripts/e2e: the packages it needs in the Python 3.14
# root, a venv of its own with Home Assistant and the core wheel, and its configuration.yaml.
# Source after common.sh and py314.sh, and call py314_ensure first.

# Home Assistant always sets up assist_satellite, whose assist_pipeline needs pymicro-vad and
# pyspeex-noise: no cp314 wheels, so they build from source, which takes a C++ compiler (without it
# every start retries the builds, ~10 s, and logs errors). The camera base loads libturbojpeg; tts
# (set up with assist) runs ffmpeg, whose absence logs an error with a traceback at every start.
HASS_ROOT_PACKAGES="g++ libturbojpeg0 ffmpeg"

# ensure_hass_root_packages: HASS_ROOT_PACKAGES in the Python 3.14 root (once; nothing on a host
# Python, which is the developer's to equip).
ensure_hass_root_packages() {
    [ "$PY314_MODE" = chroot ] || return 0
    [ "$(cat "$PY314_ROOT/.embymedia-develop-packages" 2>/dev/null)" != "$HASS_ROOT_PACKAGES" ] || return 0
    log "installing $HASS_ROOT_PACKAGES into the Python 3.14 root (once)"
    cp /etc/resolv.conf "$PY314_ROOT/etc/resolv.conf"
    ROOT="$PY314_ROOT" PACKAGES="$HASS_ROOT_PACKAGES" unshare --mount --propagation private /bin/bash -c '
        set -e; mount -t proc proc "$ROOT/proc"
        chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
            /bin/sh -c "apt-get -o Acquire::Check-Valid-Until=false update -qq && apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null"
    ' >"$EMBYMEDIA_CACHE/develop-packages.log" 2>&1 || {
        echo "error: installing $HASS_ROOT_PACKAGES failed, see $EMBYMEDIA_CACHE/develop-packages.log" >&2
        return 1
    }
    echo "$HASS_ROOT_PACKAGES" >"$PY314_ROOT/.embymedia-develop-packages"
}

# hass_venv_path NAME: where the venv NAME lives as the Python 3.14 environment sees it
# (/opt/venvs/NAME in the root; $EMBYMEDIA_CACHE/NAME/venv with a host Python, since /opt may not
# be writable there).
hass_venv_path() {
    if [ "$PY314_MODE" = chroot ]; then
        echo "/opt/venvs/$1"
    else
        echo "$EMBYMEDIA_CACHE/$1/venv"
    fi
}

# hass_host_prefix: prefix that turns a path of the Python 3.14 environment into a host path.
hass_host_prefix() {
    if [ "$PY314_MODE" = chroot ]; then echo "$PY314_ROOT"; fi
}

# ensure_hass_venv VENV VERSION: VENV (a path from hass_venv_path) holds Home Assistant VERSION;
# created once per version.
ensure_hass_venv() {
    local venv="$1" version="$2" prefix stamp
    prefix=$(hass_host_prefix)
    stamp="homeassistant==$version"
    [ "$(cat "$prefix$venv/.embymedia-stamp" 2>/dev/null)" != "$stamp" ] || return 0
    log "creating $venv (Home Assistant $version; once)"
    rm -rf "$prefix$venv"
    py314_run python3.14 -m venv "$venv"
    py314_run "$venv/bin/pip" install -q "homeassistant==$version"
    echo "$stamp" >"$prefix$venv/.embymedia-stamp"
}

# install_core_wheel VENV WHEEL: installs the core from WHEEL into VENV, as Home Assistant installs a
# manifest requirement (it then sees embymedia-core==0.1.0 present and never looks for it on PyPI).
# Reinstalled only when the build changed: a hash of what gets installed, since each build's SBOM
# carries a fresh serial number and timestamp.
install_core_wheel() {
    local venv="$1" wheel="$2" prefix wheel_sum
    prefix=$(hass_host_prefix)
    wheel_sum=$(python3 - "$wheel" <<'PY'
import hashlib, sys, zipfile
digest = hashlib.sha256()
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for name in sorted(wheel.namelist()):
        if "/sboms/" not in name and not name.endswith("/RECORD"):
            digest.update(name.encode() + b"\0" + wheel.read(name))
print(digest.hexdigest())
PY
)
    [ "$(cat "$prefix$venv/.embymedia-core-wheel" 2>/dev/null)" != "$wheel_sum" ] || return 0
    log "installing the core into $venv"
    py314_run "$venv/bin/pip" install -q --force-reinstall --no-deps "$wheel"
    echo "$wheel_sum" >"$prefix$venv/.embymedia-core-wheel"
}

# write_hass_configuration FILE [YAML]: Home Assistant's configuration.yaml, with YAML (e.g. an
# http: block) first.
write_hass_configuration() {
    local file="$1" extra="${2:-}"
    {
        [ -z "$extra" ] || printf '%s\n\n' "$extra"
        cat <<'YAML'
# default_config without what reaches beyond this machine or needs hardware: no network discovery
# (zeroconf, ssdp, dhcp), no bluetooth or usb, no cloud, no go2rtc or stream. Home Assistant loads
# the frontend, config panels, automations and the like on its own.
history:
logbook:
media_source:

logger:
  default: warning
  logs:
    custom_components.embymedia: info
    embymedia_core: info
YAML
    } >"$file"
}

# port_busy PORT: something already listens on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
