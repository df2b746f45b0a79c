#!/usr/bin/env bash
# Every test, from a fresh Debian machine (as root) or a developer's checkout:
# installs what the tests need (Chromium from Debian, the npm packages), then runs them.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
# `npm ci` refuses this lock file: the registry mirror here serves only this platform's builds of
# rollup/esbuild, so their other-platform optional packages are absent from the lock, which npm ci
# reads as "out of sync". `npm install` installs the locked versions all the same.
npm install --no-audit --no-fund
npm test
