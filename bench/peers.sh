#!/usr/bin/env bash
# Watcher vs rss2email side by side: installs rss2email (Debian) if it is missing, then runs
# `watcher-bench peers` with the given arguments (default: 200 feeds x 50 items).
#   bench/peers.sh [--feeds 200] [--items 50]
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION=${CONFIGURATION:-Release}

if ! command -v r2e >/dev/null 2>&1; then
  echo "rss2email not found; installing the Debian packages rss2email and python3-feedparser" >&2
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq rss2email python3-feedparser >/dev/null
fi

dotnet build tools/Watcher.Bench -c "$CONFIGURATION" -v q -nologo >/dev/null
exec dotnet "tools/Watcher.Bench/bin/$CONFIGURATION/net10.0/watcher-bench.dll" peers "$@"
