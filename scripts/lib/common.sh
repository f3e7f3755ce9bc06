# shellcheck shell=bash
# Shared helpers for scripts/*. Source it; do not run it.
#   REPO      the repository root (the directory holding scripts/), resolved from this file's path
#   DATA_DIR  <repo>/.data (git-ignored): database cluster, venv, logs
#   log/warn/die, as_root, apt_install PKG..., ensure_swift_on_path, ensure_build_libraries, ensure_qr_test_tools

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
DATA_DIR="$REPO/.data"
export REPO DATA_DIR

# Every script prints what it does on stderr, so stdout stays clean for `eval "$(scripts/db env)"`.
_cf_prog="$(basename "${0:-clusterfund}")"
log()  { printf '%s: %s\n' "$_cf_prog" "$*" >&2; }
warn() { printf '%s: WARNING: %s\n' "$_cf_prog" "$*" >&2; }
die()  { printf '%s: ERROR: %s\n' "$_cf_prog" "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as root: directly when root, through sudo when that exists, else fail.
as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run: $* (not root and no sudo); install it by hand and retry"
    fi
}

_cf_apt_updated=0
# apt_install PKG...: install Debian packages non-interactively; `apt-get update` once per process first.
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these packages by hand: $*"
    local apt_opts=(-y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
    if [ "$_cf_apt_updated" -eq 0 ]; then
        log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update >&2 \
            || die "apt-get update failed"
        _cf_apt_updated=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" --no-install-recommends "$@" >&2 \
        || die "apt-get install $* failed"
}

# Swift 6.3 is preinstalled at /opt/swift; make sure it is on PATH.
ensure_swift_on_path() {
    if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="$PATH:/opt/swift/usr/bin"
    fi
    command -v swift >/dev/null 2>&1 \
        || die "swift not found on PATH (expected the Swift toolchain at /opt/swift/usr/bin)"
}

# ensure_build_libraries: the C libraries the Swift code links through pkg-config (CLibPQ, CQREncode), with their
# headers: libpq-dev and libqrencode-dev. Installs what is missing.
ensure_build_libraries() {
    local missing=()
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
    pkg-config --exists libqrencode 2>/dev/null || missing+=(libqrencode-dev)
    if [ "${#missing[@]}" -gt 0 ]; then
        log "missing build libraries: ${missing[*]}; installing"
        apt_install pkg-config libpq-dev libqrencode-dev
    fi
}

# ensure_qr_test_tools: rsvg-convert (librsvg2-bin) and zbarimg (zbar-tools), with which the Swift tests render the
# enrolment QR code to PNG and scan it back.
ensure_qr_test_tools() {
    local missing=()
    command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
    command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
    if [ "${#missing[@]}" -gt 0 ]; then
        log "missing QR test tools: ${missing[*]}; installing"
        apt_install "${missing[@]}"
    fi
}

# port_in_use PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# load_demo_credentials: export CLUSTERFUND_DEMO_PASSWORD (every demo account) and CLUSTERFUND_DEMO_TOTP_SECRET (the
# demo officer's authenticator key, base32). Each is taken from the environment when set; otherwise generated once
# and kept in .data/demo.env, so every later run prints and uses the same ones.
load_demo_credentials() {
    local file="$DATA_DIR/demo.env"
    if [ -z "${CLUSTERFUND_DEMO_TOTP_SECRET:-}" ]; then
        [ -s "$file" ] && . "$file"
        if [ -z "${CLUSTERFUND_DEMO_TOTP_SECRET:-}" ]; then
            mkdir -p "$DATA_DIR"
            CLUSTERFUND_DEMO_TOTP_SECRET="$(head -c 20 /dev/urandom | base32 | tr -d '=\n')"
            (umask 077; printf 'CLUSTERFUND_DEMO_TOTP_SECRET=%q\n' "$CLUSTERFUND_DEMO_TOTP_SECRET" >>"$file")
            log "generated a demo officer authenticator key in ${file#"$REPO"/}"
        fi
    fi
    export CLUSTERFUND_DEMO_TOTP_SECRET
    if [ -z "${CLUSTERFUND_DEMO_PASSWORD:-}" ]; then
        [ -s "$file" ] && . "$file"
        if [ -z "${CLUSTERFUND_DEMO_PASSWORD:-}" ]; then
            mkdir -p "$DATA_DIR"
            local words=(amber basil cedar delta ember fjord garnet harbour indigo juniper kestrel lantern meadow nutmeg orchard pebble quartz russet saffron thistle umber velvet willow yarrow)
            local pick="" i
            for i in 1 2 3; do pick+="${words[$((RANDOM % ${#words[@]}))]} "; done
            pick+="$((RANDOM % 90 + 10))"
            CLUSTERFUND_DEMO_PASSWORD="$pick"
            (umask 077; printf 'CLUSTERFUND_DEMO_PASSWORD=%q\n' "$pick" >>"$file")
            log "generated a demo password in ${file#"$REPO"/}"
        fi
    fi
    export CLUSTERFUND_DEMO_PASSWORD
}
