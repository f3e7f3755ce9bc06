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

# keep_secret NAME WHAT COMMAND...: export NAME from the environment when set, else from .data/demo.env, else
# generate it once with COMMAND and keep it in .data/demo.env (mode 600), so every later run uses the same one.
keep_secret() {
    local name="$1" what="$2" file="$DATA_DIR/demo.env" value
    shift 2
    if [ -z "${!name:-}" ] && [ -s "$file" ]; then
        value="$(. "$file" && printf '%s' "${!name:-}")"
        [ -n "$value" ] && printf -v "$name" '%s' "$value"
    fi
    if [ -z "${!name:-}" ]; then
        mkdir -p "$DATA_DIR"
        value="$("$@")"
        (umask 077; printf '%s=%q\n' "$name" "$value" >>"$file")
        printf -v "$name" '%s' "$value"
        log "generated $what in ${file#"$REPO"/}"
    fi
    export "${name?}"
}

# Three random words and a number, easy to type.
random_demo_password() {
    local words=(amber basil cedar delta ember fjord garnet harbour indigo juniper kestrel lantern meadow nutmeg orchard pebble quartz russet saffron thistle umber velvet willow yarrow)
    local pick="" i
    for i in 1 2 3; do pick+="${words[$((RANDOM % ${#words[@]}))]} "; done
    printf '%s%s' "$pick" "$((RANDOM % 90 + 10))"
}

# load_demo_credentials: export CLUSTERFUND_DEMO_PASSWORD (every demo account), CLUSTERFUND_DEMO_TOTP_SECRET (the
# demo officer's authenticator key, base32) and CLUSTERFUND_SECRET_KEY (the server's key for device cookies), each
# kept by keep_secret.
load_demo_credentials() {
    keep_secret CLUSTERFUND_DEMO_TOTP_SECRET "a demo officer authenticator key" sh -c "head -c 20 /dev/urandom | base32 | tr -d '=\n'"
    keep_secret CLUSTERFUND_DEMO_PASSWORD "a demo password" random_demo_password
    keep_secret CLUSTERFUND_SECRET_KEY "a secret key (CLUSTERFUND_SECRET_KEY)" sh -c "head -c 32 /dev/urandom | base64 | tr -d '=\n'"
}
