#!/usr/bin/env bash
# Installs Debian's chromium if it is missing (the console's browser tests drive it through playwright-core;
# `npx playwright install` cannot download browsers here) and prints its version.
# Usage: bash scripts/console/install-chromium.sh   (CHROMIUM_PATH overrides /usr/bin/chromium)
set -euo pipefail
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
fi
"$CHROMIUM_PATH" --version
