#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (Playwright drives it through
# executable_path; no browser is ever downloaded). Installs it from Debian's packages when missing and root.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-browser.sh: /usr/bin/chromium is missing and this user cannot apt-get install it" >&2
  exit 1
fi
echo "install-browser.sh: installing chromium from Debian's packages" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-noto-core >/dev/null
test -x /usr/bin/chromium
