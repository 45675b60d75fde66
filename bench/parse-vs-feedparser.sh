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

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Published ReadyToRun, as it would be deployed; a plain Release build where the registry lacks
# the ReadyToRun compiler package.
echo "building watcher (Release)..."
if dotnet publish src/Watcher.Local -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
     -o "$work/watcher" -v quiet -nologo >/dev/null 2>&1; then
  watcher="$work/watcher/watcher"; build="Release, ReadyToRun"
else
  dotnet build src/Watcher.Local -c Release -v quiet -nologo >/dev/null
  watcher="src/Watcher.Local/bin/Release/net10.0/watcher"; build="Release, JIT"
fi
/usr/bin/python3 bench/generate-feeds.py "$work/feeds" --feeds "$feeds"
size_mb=$(du -sm "$work/feeds" | cut -f1)
echo "corpus: $feeds feeds x 50 items, ${size_mb} MB in $work/feeds"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC'); watcher build: $build"
echo

# Warm the file cache so neither side pays for disk reads the other does not.
cat "$work/feeds"/* >/dev/null

# Wall time is what the target is about; CPU time (user+sys) is printed too because on a shared
# machine other processes' load inflates wall time unevenly.
best=""; best_cpu=""
for run in 1 2 3; do
  start=$(date +%s.%N)
  summary=$( { /usr/bin/time -f "CPU %U %S" "$watcher" parse --summary "$work/feeds"; } 2>&1 )
  end=$(date +%s.%N)
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.6f", b-a}')
  cpu=$(echo "$summary" | awk '/^CPU/{printf "%.6f", $2+$3}')
  printf 'watcher run %d: whole process %.3f s wall, %.3f s cpu  (%s)\n' "$run" "$wall" "$cpu" "$(echo "$summary" | grep -v '^CPU')"
  if [ -z "$best" ] || awk -v w="$wall" -v b="$best" 'BEGIN{exit !(w<b)}'; then best=$wall; fi
  if [ -z "$best_cpu" ] || awk -v w="$cpu" -v b="$best_cpu" 'BEGIN{exit !(w<b)}'; then best_cpu=$cpu; fi
done

fp=$(/usr/bin/python3 bench/feedparser-timing.py "$work/feeds")
echo "$fp" | grep -v '^RESULT'
read -r _ docs bytes items fp_seconds fp_cpu <<<"$(echo "$fp" | grep '^RESULT')"

awk -v docs="$docs" -v bytes="$bytes" -v w="$best" -v wc="$best_cpu" -v f="$fp_seconds" -v fc="$fp_cpu" 'BEGIN {
  mb = bytes / 1048576
  printf "\n%-42s %9s %9s %10s %9s\n", "", "wall s", "cpu s", "MB/s wall", "feeds/s"
  printf "%-42s %9.3f %9.3f %10.1f %9.1f\n", "watcher parse (whole process, best of 3)", w, wc, mb / w, docs / w
  printf "%-42s %9.3f %9.3f %10.1f %9.1f\n", "feedparser.parse calls only", f, fc, mb / f, docs / f
  printf "\nwatcher is %.1fx feedparser by wall time, %.1fx by CPU time\n", f / w, fc / wc
}'
