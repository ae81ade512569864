#!/usr/bin/env bash
# Installs everything the tests need and runs them: the one test command of the README.
#   tests/run-all.sh [pytest args...]    (as root; sudo tests/run-all.sh from another account)
# Debian packages: python3-venv (a fresh Debian has no venv module), the real parts the tests
# start themselves (OpenSSH, Tomcat 10, httpd with
# mod_jk, chrony, tcpdump, libfaketime, nftables/iptables, Chromium for the HTML report,
# PostgreSQL 15 for the history's server; a JDK,
# the javax servlet API and the Jakarta EE migration tool for the real Tomcat 10 of CC704).
# Python packages: into .venv, from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  python3-venv openssh-server openssh-client sudo
  tomcat10 apache2 libapache2-mod-jk chrony tcpdump faketime
  openjdk-17-jdk-headless libservlet-api-java tomcat-jakartaee-migration
  iproute2 nftables iptables curl
  chromium postgresql
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "run-all: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    [[ "${CI:-}" == "true" ]] && exit 1
  else
    # Packages must not start their daemons: the tests start their own instances.
    [[ -e /usr/sbin/policy-rc.d ]] || printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]' > .venv/pip.log 2>&1 \
  || { cat .venv/pip.log >&2; exit 1; }
exec .venv/bin/python -m pytest "$@"
