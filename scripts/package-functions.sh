#!/usr/bin/env bash
# The zip `azd deploy` uploads to the Flex Consumption app, built the way azd builds it
# (`dotnet publish` of src/Watcher.Functions, Release, the publish folder's contents at the zip's
# root). For deploying without azd:
#   az functionapp deployment source config-zip -g <group> -n <app> --src watcher-functions.zip
# Usage: scripts/package-functions.sh [output.zip]   (default: artifacts/watcher-functions.zip)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="$(realpath -m "${1:-$root/artifacts/watcher-functions.zip}")"
publish="$(mktemp -d)"
trap 'rm -rf "$publish"' EXIT

dotnet publish "$root/src/Watcher.Functions" -c Release -o "$publish" --nologo -v q
mkdir -p "$(dirname "$output")"
rm -f "$output"
# python3's zipfile, since zip(1) is often not installed; zipping '.' keeps .azurefunctions/ (the
# host's extension assemblies), which a ./* glob would leave out.
(cd "$publish" && python3 -m zipfile -c "$output" .)
echo "$output ($(du -h "$output" | cut -f1))"
