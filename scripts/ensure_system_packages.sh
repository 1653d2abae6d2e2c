#!/usr/bin/env bash
# Make sure the Debian packages the test suite needs are installed:
#   - chromium                 (headless browser tests)
#   - PostgreSQL server (15)   (the PostgreSQL pass; btree_gist ships in it,
#                               so no separate postgresql-contrib is needed)
#
# Silent and quick (no apt-get update) when everything is already present.
# Installs what is missing as root, or through passwordless sudo; otherwise
# prints what to install and exits 1.
set -euo pipefail

log() { echo "ensure_system_packages: $*" >&2; }

have_chromium() { command -v chromium >/dev/null 2>&1; }

have_postgres_server() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }

# Prefer the versioned package the project targets; fall back to the
# distribution's default "postgresql" metapackage. An unavailable package shows
# "Candidate: (none)" or nothing at all. (The output is captured rather than
# piped into `grep -q`, which can fail with SIGPIPE under pipefail.)
postgres_package() {
    local policy
    policy=$(apt-cache policy postgresql-15 2>/dev/null || true)
    if [[ $policy =~ Candidate:[[:space:]]+[0-9] ]]; then
        echo postgresql-15
    else
        echo postgresql
    fi
}

need_chromium=false
need_postgres=false
have_chromium || need_chromium=true
have_postgres_server || need_postgres=true
if ! $need_chromium && ! $need_postgres; then
    exit 0
fi

if [[ $EUID -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    # Can't install: report with the best package names the current apt cache gives.
    packages=()
    $need_chromium && packages+=(chromium)
    $need_postgres && packages+=("$(postgres_package)")
    log "missing system packages: ${packages[*]}"
    log "install them with: sudo apt-get install -y --no-install-recommends ${packages[*]}"
    exit 1
fi

# Update first, so the postgresql-15 lookup below sees a fresh package list.
log "refreshing the apt package lists"
"${as_root[@]}" apt-get update -qq

packages=()
$need_chromium && packages+=(chromium)
$need_postgres && packages+=("$(postgres_package)")
log "installing: ${packages[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${packages[@]}"

# Fail loudly if the packages did not provide what we check for.
if ! have_chromium; then
    log "chromium is still not on PATH after installing"
    exit 1
fi
if ! have_postgres_server; then
    log "no /usr/lib/postgresql/*/bin/initdb after installing"
    exit 1
fi
