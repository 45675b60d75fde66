#!/usr/bin/env bash
# The main job on the embedded default: installs the local services (Azurite, MailDev) from
# package-lock.json, builds Watcher, starts both services on loopback on their default ports,
# runs a cycle over the shipped sample feeds, shows where the mail can be read, and keeps Watcher
# running (with the preferences page) until Ctrl+C. Data stays in .watcher/demo for the next start.
set -euo pipefail
cd "$(dirname "$0")"
# Azurite and MailDev need Node.js 20 or later (Azurite's package asks for 22 and runs on 20,
# with an engine warning from npm).
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "demo.sh: Node.js 20 or later is needed for Azurite and MailDev; found: $(node --version 2>/dev/null || echo none). Install it (https://nodejs.org) and run ./demo.sh again." >&2
  exit 2
fi
if [ ! -d node_modules/azurite ] || [ ! -d node_modules/maildev ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
dotnet build src/Watcher.Local -c Release --nologo -v quiet
exec dotnet src/Watcher.Local/bin/Release/net10.0/watcher.dll demo "$@"
