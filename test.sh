#!/usr/bin/env bash
# Every test, on a fresh machine: installs what the tests need (npm packages from
# package-lock.json, Debian's Chromium for the browser tests), then builds and runs the test
# project. The Functions app is not built here (its packages are not on this NuGet source);
# its source is checked against the core by a Roslyn test instead.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi
dotnet test tests/Watcher.Tests -c Release --nologo --logger "console;verbosity=normal" "$@"
