#!/usr/bin/env bash
# Parsing throughput: Watcher's whole process (start-up included) against python3-feedparser's
# parse calls alone, on the same generated feeds, side by side in one run.
#
# Usage: bench/parse-vs-feedparser.sh [FEEDS]   (default 200 feeds of 50 items, about 30 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
feeds="${1:-200}"

if ! /usr/bin/python3 -c "import feedparser" 2>/dev/null; then
  echo "installing python3-feedparser (apt)..."
  apt-get update -qq && apt-get install -y -qq python3-feedparser >/dev/null
fi

echo "building watcher (Release)..."
dotnet build src/Watcher.Local -c Release -v quiet -nologo >/dev/null
watcher="src/Watcher.Local/bin/Release/net10.0/watcher"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/generate-feeds.py "$work/feeds" --feeds "$feeds"
size_mb=$(du -sm "$work/feeds" | cut -f1)
echo "corpus: $feeds feeds x 50 items, ${size_mb} MB in $work/feeds"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo

# Warm the file cache so neither side pays for disk reads the other does not.
cat "$work/feeds"/* >/dev/null

best=""
for run in 1 2 3; do
  start=$(date +%s.%N)
  summary=$("$watcher" parse --summary "$work/feeds")
  end=$(date +%s.%N)
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.6f", b-a}')
  printf 'watcher run %d: whole process %.3f s  (%s)\n' "$run" "$wall" "$summary"
  if [ -z "$best" ] || awk -v w="$wall" -v b="$best" 'BEGIN{exit !(w<b)}'; then best=$wall; fi
done

fp=$(/usr/bin/python3 bench/feedparser-timing.py "$work/feeds")
echo "$fp" | grep -v '^RESULT'
read -r _ docs bytes items fp_seconds <<<"$(echo "$fp" | grep '^RESULT')"

awk -v docs="$docs" -v bytes="$bytes" -v w="$best" -v f="$fp_seconds" 'BEGIN {
  mb = bytes / 1048576
  printf "\n%-42s %10s %12s %12s\n", "", "seconds", "MB/s", "feeds/s"
  printf "%-42s %10.3f %12.1f %12.1f\n", "watcher parse (whole process, best of 3)", w, mb / w, docs / w
  printf "%-42s %10.3f %12.1f %12.1f\n", "feedparser.parse calls only", f, mb / f, docs / f
  printf "\nwatcher is %.1fx feedparser\n", f / w
}'
