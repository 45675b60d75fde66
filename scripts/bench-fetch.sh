#!/usr/bin/env bash
# Fetch benchmark: 1,000 local feeds (50 ms per answer) against Azurite, two passes, side by side
# with Debian's python3-feedparser fetching them one by one as rss2email does.
# Usage: scripts/bench-fetch.sh [--feeds N] [--ports N] [--items N] [--delay-ms N] [--concurrency N]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import feedparser' 2>/dev/null; then
  apt-get install -y python3-feedparser || sudo apt-get install -y python3-feedparser
fi
dotnet build tools/Watcher.Bench -c Release -v quiet -nologo
exec tools/Watcher.Bench/bin/Release/net10.0/watcher-bench fetch "$@"
