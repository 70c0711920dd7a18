# shellcheck shell=bash
# Roots in which scripts/wheels installs each built wheel with that platform's own Python and pip, and
# imports it: the platforms Home Assistant runs on, of which this Debian x86_64 host is only one.
#
#   musl (Home Assistant OS and its container are Alpine): Alpine's mirror is not reachable from here,
#     so the root is Debian's musl (the C library and its loader, from the `musl` package) with a
#     CPython 3.13 cross-built for musl by zig (the ziglang package scripts/wheels already links
#     with), from Debian's python3.13 and zlib sources. Python >= 3.13 and musl 1.2 as on Alpine.
#   aarch64 glibc: Debian trixie's own python3.13 for arm64, unpacked from its packages.
#   aarch64 runs under qemu-user (Debian's qemu-user package), registered with binfmt_misc inside a
#     private user namespace only: nothing is registered on the host.
#
# Everything is fetched with apt from Debian's mirror through a private apt state (no change to the
# host's apt) and built once into $EMBYMEDIA_CACHE/wheel-roots, outside the checkout.
#
# Functions (after common.sh and py314.sh): wheel_root_ensure TARGET (provision, or say why not and
# fail), wheel_root_check TARGET WHEEL VERSION, wheel_root_run TARGET WORK_DIR CMD...,
# wheel_root_describe TARGET.

WHEEL_ROOTS="$EMBYMEDIA_CACHE/wheel-roots"
_WR_APT="$WHEEL_ROOTS/apt"
_WR_SUITE=trixie
_WR_PYTHON=3.13

_wr_root() { echo "$WHEEL_ROOTS/root-$1"; }

_wr_apt() { APT_CONFIG="$_WR_APT/etc/apt.conf" apt-get -qq -o APT::Sandbox::User=root "$@"; }

# A private apt state for Debian $_WR_SUITE, amd64 and arm64, binaries and sources.
_wr_apt_ensure() {
    [ -f "$_WR_APT/.ready" ] && return 0
    mkdir -p "$_WR_APT/lists/partial" "$_WR_APT/archives/partial" "$_WR_APT/etc" "$_WR_APT/dpkg/updates" \
        "$_WR_APT/src"
    : >"$_WR_APT/dpkg/status"
    local mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    mirror=$(_py314_mirror)
    printf 'deb [signed-by=%s] %s %s main\ndeb-src [signed-by=%s] %s %s main\n' \
        "$keyring" "$mirror" "$_WR_SUITE" "$keyring" "$mirror" "$_WR_SUITE" >"$_WR_APT/etc/sources.list"
    cat >"$_WR_APT/etc/apt.conf" <<EOF
Dir::State "$_WR_APT";
Dir::State::Lists "$_WR_APT/lists";
Dir::State::status "$_WR_APT/dpkg/status";
Dir::Cache "$_WR_APT";
Dir::Cache::archives "$_WR_APT/archives";
Dir::Etc::SourceList "$_WR_APT/etc/sources.list";
Dir::Etc::SourceParts "/nonexistent";
APT::Architecture "amd64";
APT::Architectures { "amd64"; "arm64"; };
APT::Install-Recommends "false";
EOF
    _wr_apt update || return 1
    touch "$_WR_APT/.ready"
}

# qemu-aarch64 (static) from Debian's qemu-user, unpacked into the cache.
_wr_qemu_ensure() {
    [ -x "$WHEEL_ROOTS/qemu/qemu-aarch64" ] && return 0
    _wr_apt_ensure || return 1
    local tmp="$WHEEL_ROOTS/qemu.partial"
    rm -rf "$tmp" && mkdir -p "$tmp"
    (cd "$tmp" && _wr_apt download qemu-user) || return 1
    dpkg -x "$tmp"/qemu-user_*.deb "$tmp/x" || return 1
    mkdir -p "$WHEEL_ROOTS/qemu"
    dpkg-deb -f "$tmp"/qemu-user_*.deb Version >"$WHEEL_ROOTS/qemu/version"
    cp "$tmp/x/usr/bin/qemu-aarch64" "$WHEEL_ROOTS/qemu/qemu-aarch64"
    rm -rf "$tmp"
}

# zig's C compiler for ARCH-linux-musl (dynamically linked: the interpreter must dlopen extensions).
# The zig binary itself, not `python -m ziglang`: configure runs the compiler a thousand times.
# -Wno-date-time: zig makes __DATE__ an error (reproducible builds); CPython stamps its build with it.
_wr_zig_tools() {
    local dir="$WHEEL_ROOTS/zig" arch zig
    zig="$("$TOOLS_VENV/bin/python" -c 'import os, ziglang; print(os.path.dirname(ziglang.__file__))')/zig"
    [ -x "$zig" ] || { echo "no zig binary in the ziglang package ($zig)" >&2; return 1; }
    mkdir -p "$dir"
    for arch in x86_64 aarch64; do
        printf '#!/bin/sh\nexec "%s" cc -target %s-linux-musl -dynamic -Wno-date-time "$@"\n' "$zig" "$arch" >"$dir/cc-$arch"
    done
    printf '#!/bin/sh\nexec "%s" ar "$@"\n' "$zig" >"$dir/ar"
    printf '#!/bin/sh\nexec "%s" ranlib "$@"\n' "$zig" >"$dir/ranlib"
    chmod +x "$dir"/*
}

# A cross build of CPython runs the target's own Lib/ with a host CPython of exactly that version
# (3.13.0's interpreter cannot run 3.13.5's linecache): one built natively from the same source,
# kept in its build directory (where it finds its Lib/ by itself). Sets _WR_BUILD_PY.
_wr_build_python_ensure() {
    local dir="$WHEEL_ROOTS/host-python"
    if [ ! -f "$dir/.ready" ]; then
        rm -rf "$dir" && mkdir -p "$dir"
        tar -xf "$_WR_APT/src/python${_WR_PYTHON}_"*.orig.tar.xz -C "$dir" || return 1
        log "building CPython $_WR_PYTHON for this host, to cross-build it (once; log: $dir/build.log)"
        (cd "$dir"/Python-* && ./configure --disable-test-modules --with-ensurepip=no &&
            nice -n 19 make -j"$(nproc)") >"$dir/build.log" 2>&1 || {
            echo "the host CPython build failed (log: $dir/build.log)" >&2
            return 1
        }
        touch "$dir/.ready"
    fi
    _WR_BUILD_PY=$(echo "$dir"/Python-*/python)
}

# A musl root for ARCH: Debian's musl, and CPython with zlib built by zig, installed under /usr/local.
_wr_musl_root_ensure() {
    local arch="$1" deb_arch="$2" root
    root=$(_wr_root "$arch-unknown-linux-musl")
    [ -f "$root/.ready" ] && return 0
    _wr_apt_ensure && ensure_zig && _wr_zig_tools || return 1
    local src="$_WR_APT/src"
    if ! ls "$src/python${_WR_PYTHON}_"*.orig.tar.xz >/dev/null 2>&1; then
        (cd "$src" && _wr_apt source --download-only "python$_WR_PYTHON") || return 1
    fi
    _wr_build_python_ensure || return 1
    if ! ls "$src"/zlib_*.orig.tar.gz >/dev/null 2>&1; then
        # Only the upstream tarball is needed (Debian's own patches are for its packaging).
        (cd "$src" && _wr_apt source --download-only zlib) || ls "$src"/zlib_*.orig.tar.gz >/dev/null || return 1
    fi
    if [ ! -f "$src/musl_$deb_arch.deb" ]; then
        (cd "$src" && _wr_apt download "musl:$deb_arch" && mv musl_*_"$deb_arch".deb "musl_$deb_arch.deb") || return 1
    fi
    local build="$WHEEL_ROOTS/build-$arch-musl" cc="$WHEEL_ROOTS/zig/cc-$arch" jobs
    jobs=$(nproc)
    rm -rf "$build" "$root.partial" && mkdir -p "$build" "$root.partial"
    tar -xf "$src/python${_WR_PYTHON}_"*.orig.tar.xz -C "$build"
    tar -xzf "$src"/zlib_*.orig.tar.gz -C "$build"
    log "building zlib and CPython $_WR_PYTHON for $arch-linux-musl with zig (once; log: $build/build.log)"
    (
        cd "$build"/zlib-* &&
            CC="$cc" AR="$WHEEL_ROOTS/zig/ar" RANLIB="$WHEEL_ROOTS/zig/ranlib" CFLAGS="-O2 -fPIC" \
                ./configure --static --prefix="$build/zlib" &&
            nice -n 19 make -j"$jobs" install &&
            cd "$build"/Python-* &&
            # A cross build cannot run the target's probes: these are musl's and Linux's answers.
            printf '%s\n' ac_cv_file__dev_ptmx=yes ac_cv_file__dev_ptc=no ac_cv_buggy_getaddrinfo=no \
                >config.site &&
            mkdir -p "$build/no-pkgconfig" &&
            # The host's pkg-config would offer the host's libraries; the target has none but zlib.
            PKG_CONFIG_LIBDIR="$build/no-pkgconfig" PKG_CONFIG_PATH="" OPT="-DNDEBUG -O2" \
                CONFIG_SITE="$PWD/config.site" CC="$cc" AR="$WHEEL_ROOTS/zig/ar" \
                RANLIB="$WHEEL_ROOTS/zig/ranlib" ZLIB_CFLAGS="-I$build/zlib/include" \
                ZLIB_LIBS="$build/zlib/lib/libz.a" \
                ./configure --host="$arch-linux-musl" --build="$(uname -m)-linux-gnu" \
                --with-build-python="$_WR_BUILD_PY" --prefix=/usr/local --disable-test-modules \
                --with-ensurepip=no &&
            nice -n 19 make -j"$jobs" &&
            PKG_CONFIG_LIBDIR="$build/no-pkgconfig" make install DESTDIR="$root.partial"
    ) >"$build/build.log" 2>&1 || { echo "the musl CPython build failed (log: $build/build.log)" >&2; return 1; }
    dpkg -x "$src/musl_$deb_arch.deb" "$root.partial"
    ln -sfn usr/lib "$root.partial/lib"
    ln -sfn "python$_WR_PYTHON" "$root.partial/usr/local/bin/python3"
    mkdir -p "$root.partial/tmp" "$root.partial/dev" "$root.partial/proc" "$root.partial/mnt/work"
    # pip for installing the wheel, from CPython's own bundle (ensurepip's wheel).
    cp "$build"/Python-*/Lib/ensurepip/_bundled/pip-*.whl "$root.partial/usr/local/lib/"
    printf 'CPython %s (built with zig %s) on musl %s (Debian %s)' \
        "$(basename "$build"/Python-* | sed 's/^Python-//')" "$("$TOOLS_VENV/bin/python" -m ziglang version)" \
        "$(dpkg-deb -f "$src/musl_$deb_arch.deb" Version)" "$_WR_SUITE" >"$root.partial/.describe"
    rm -rf "$build"
    touch "$root.partial/.ready"
    rm -rf "$root" && mv "$root.partial" "$root"
}

# Debian's own python3.13 for arm64 (with venv and pip), unpacked from its packages: no package
# scripts run, none are needed to start Python.
_wr_debian_root_ensure() {
    local deb_arch="$1" root
    root=$(_wr_root "aarch64-unknown-linux-gnu")
    [ -f "$root/.ready" ] && return 0
    _wr_apt_ensure || return 1
    local debs="$WHEEL_ROOTS/debs-$deb_arch"
    rm -rf "$debs" "$root.partial" && mkdir -p "$debs/partial" "$root.partial"
    log "unpacking Debian $_WR_SUITE's python$_WR_PYTHON for $deb_arch (once)"
    _wr_apt -o APT::Architecture="$deb_arch" -o Dir::Cache::archives="$debs" install --download-only -y \
        "python$_WR_PYTHON-venv:$deb_arch" "ca-certificates:$deb_arch" >/dev/null || return 1
    local deb
    for deb in "$debs"/*.deb; do
        dpkg -x "$deb" "$root.partial" || return 1
    done
    printf 'Debian %s python%s %s, glibc %s, %s' "$_WR_SUITE" "$_WR_PYTHON" \
        "$(dpkg-deb -f "$debs/python${_WR_PYTHON}-minimal_"*.deb Version)" \
        "$(dpkg-deb -f "$debs"/libc6_*.deb Version)" "$deb_arch" >"$root.partial/.describe"
    # Debian's pip loads the CA bundle update-ca-certificates would write (even with --no-index).
    mkdir -p "$root.partial/etc/ssl/certs"
    cat "$root.partial"/usr/share/ca-certificates/*/*.crt >"$root.partial/etc/ssl/certs/ca-certificates.crt"
    # Debian is merged-/usr: the base-files links that no unpacked package carries.
    local d
    for d in bin lib sbin; do
        [ -e "$root.partial/$d" ] || ln -s "usr/$d" "$root.partial/$d"
    done
    mkdir -p "$root.partial/tmp" "$root.partial/dev" "$root.partial/proc" "$root.partial/mnt/work"
    rm -rf "$debs"
    touch "$root.partial/.ready"
    rm -rf "$root" && mv "$root.partial" "$root"
}

# wheel_root_ensure TARGET: the root (and qemu) TARGET's wheel is checked in; fails saying why not.
wheel_root_ensure() {
    local target="$1"
    if [ "$(id -u)" != 0 ]; then
        echo "needs root (chroot, unshare)" >&2
        return 1
    fi
    command -v unshare >/dev/null || { echo "no unshare (util-linux)" >&2; return 1; }
    case "$target" in
        x86_64-unknown-linux-gnu) echo "checked in the Home Assistant venv instead" >&2; return 1 ;;
        x86_64-unknown-linux-musl) _wr_musl_root_ensure x86_64 amd64 ;;
        aarch64-unknown-linux-musl) _wr_qemu_ensure && _wr_musl_root_ensure aarch64 arm64 ;;
        aarch64-unknown-linux-gnu) _wr_qemu_ensure && _wr_debian_root_ensure arm64 ;;
        *) echo "no root for $target" >&2; return 1 ;;
    esac
}

# wheel_root_run TARGET WORK_DIR CMD ARGS...: runs CMD (a path inside the root) in TARGET's root,
# WORK_DIR at /mnt/work, in private user, mount and PID namespaces. The musl roots have no shell:
# CMD is exec'd directly. For aarch64, qemu-aarch64 is registered with binfmt_misc in that user
# namespace only (flag F: the emulator is opened now, so it works inside the chroot).
wheel_root_run() {
    local target="$1" work="$2"
    shift 2
    local root qemu=""
    root=$(_wr_root "$target")
    [[ "$target" == aarch64-* ]] && qemu="$WHEEL_ROOTS/qemu/qemu-aarch64"
    # shellcheck disable=SC2016 # the script expands its variables inside the namespaces
    CHROOT=$(command -v chroot) ROOT="$root" WORK="$work" QEMU="$qemu" \
        unshare --user --map-root-user --mount --pid --fork --propagation private /bin/bash -c '
        set -e
        if [ -n "$QEMU" ]; then
            mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
            # Debian qemu-user binfmt.d/qemu-aarch64.conf, with flags OCF instead of its OCP.
            printf "%s" ":qemu-aarch64:M::\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:$QEMU:OCF" \
                >/proc/sys/fs/binfmt_misc/register
        fi
        mount -t proc proc "$ROOT/proc"
        for dev in null zero urandom random; do
            touch "$ROOT/dev/$dev" && mount --bind "/dev/$dev" "$ROOT/dev/$dev"
        done
        mount --bind "$WORK" "$ROOT/mnt/work"
        exec env -i HOME=/tmp LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin \
            PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INDEX=1 "$CHROOT" "$ROOT" "$@"
    ' wheel-root "$@"
}

# wheel_root_check TARGET WHEEL VERSION: in TARGET's root, a venv of that platform's Python, the
# wheel installed into it by that platform's pip (which refuses a wheel whose tags the platform does
# not accept), then scripts/lib/wheel_import.py (import, versions, one request through the core).
wheel_root_check() {
    local target="$1" wheel="$2" version="$3" root work python pip
    root=$(_wr_root "$target")
    python=/usr/bin/python$_WR_PYTHON
    [[ "$target" == *-musl ]] && python=/usr/local/bin/python$_WR_PYTHON
    local candidate
    pip=""
    for candidate in "$root"/usr/local/lib/pip-*.whl "$root"/usr/share/python-wheels/pip-*.whl; do
        [ -f "$candidate" ] && pip=${candidate#"$root"} && break
    done
    [ -n "$pip" ] || { echo "no pip wheel in $root" >&2; return 1; }
    work="$WHEELS_CACHE/root-check-$target"
    rm -rf "$work" "$root/tmp/venv" && mkdir -p "$work"
    cp "$wheel" scripts/lib/wheel_import.py "$work/"
    wheel_root_run "$target" "$work" "$python" -m venv --without-pip /tmp/venv &&
        wheel_root_run "$target" "$work" /tmp/venv/bin/python "$pip/pip" install --quiet --no-index \
            --no-deps "/mnt/work/$(basename "$wheel")" &&
        wheel_root_run "$target" "$work" /tmp/venv/bin/python /mnt/work/wheel_import.py "$version"
}

# wheel_root_describe TARGET: what TARGET's root is, for the summary of scripts/wheels.
wheel_root_describe() {
    local target="$1"
    cat "$(_wr_root "$target")/.describe"
    [[ "$target" == aarch64-* ]] && printf ', under qemu-user %s' "$(cat "$WHEEL_ROOTS/qemu/version")"
    return 0
}
