#!/usr/bin/env bash
# Every test, on a fresh machine: installs what the tests need (npm packages from
# package-lock.json; from Debian, Chromium for the browser tests and rss2email for the
# side-by-side benchmark's smoke test), then builds the whole solution (the Functions app
# included; warnings are errors by Directory.Build.props) and runs the tests, which also
# publish the Functions app and check what azd would deploy.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v r2e >/dev/null || missing="$missing rss2email"
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq $missing >/dev/null
fi
dotnet build Watcher.sln -c Release --nologo -v q
dotnet test tests/Watcher.Tests -c Release --no-build --nologo --logger "console;verbosity=normal" "$@"
