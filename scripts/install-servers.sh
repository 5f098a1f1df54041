#!/usr/bin/env bash
# Installs the servers that the demo, the tests and the benchmarks run privately:
# redis-server and Dovecot (dovecot-imapd), and Chromium for the dashboard's browser tests, all
# from Debian's packages (no test tool ever downloads a browser). Does nothing when all are there.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}"
