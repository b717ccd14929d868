#!/bin/sh
# Install the Debian tools the integration tests and benchmarks drive.
# Runs apt-get only when a tool is missing; uses sudo when not root.
set -eu
PACKAGES="ddclient inadyn knot knot-dnsutils bind9-dnsutils dnsperf nsd openssl iproute2 systemd faketime"
# PostgreSQL (the shared store), unbound and ldnsutils (DNSSEC validation), wget (routers' fetchers).
PACKAGES="$PACKAGES postgresql unbound ldnsutils wget"
TOOLS="ddclient inadyn knotd kdig dig nsupdate nsd dnsperf openssl ip systemd-analyze faketime"
TOOLS="$TOOLS unbound ldns-verify-zone wget"
# Zone file checkers for `homing zone export` (tests/integration/test_zone_files.py).
PACKAGES="$PACKAGES knot-dnssecutils bind9-utils"
TOOLS="$TOOLS kzonecheck named-checkzone"
# ACME DNS-01 (tests/integration/test_acme.py): an offline CA and real clients.
PACKAGES="$PACKAGES pebble certbot python3-certbot-dns-rfc2136 lego curl chromium"
TOOLS="$TOOLS pebble certbot lego curl chromium"
# The certbot plugin is no command: a name that is never found asks for the install.
[ -d /usr/lib/python3/dist-packages/certbot_dns_rfc2136 ] || TOOLS="$TOOLS certbot-dns-rfc2136"
# Debian's PostgreSQL server binaries are not on PATH either.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || TOOLS="$TOOLS postgresql-initdb"
missing=""
for tool in $TOOLS; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing="$missing $tool"
done
[ -z "$missing" ] && exit 0
echo "installing Debian packages for:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "error: need root or sudo to install:$missing (apt-get install $PACKAGES)" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# Services must not start on install (containers have no init; tests start their own).
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    created_policy=yes
fi
$SUDO apt-get install -y -q --no-install-recommends $PACKAGES
[ -n "$created_policy" ] && $SUDO rm -f "$policy"
exit 0
