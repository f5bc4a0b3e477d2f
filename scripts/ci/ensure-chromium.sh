#!/usr/bin/env bash
# Installs Debian's chromium where /usr/bin/chromium is missing, then prints the version. The
# console's browser tests and `npm run bench:console` drive it with playwright-core (which brings
# no browser of its own). For CI and for running those by hand. Idempotent.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }  # -n: never wait for a password

if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium…"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
# Debian's wrapper script warns on stderr about memory checks on some machines: keep the version line only
/usr/bin/chromium --version 2>/dev/null | head -n 1
