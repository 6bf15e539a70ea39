#!/usr/bin/env bash
# Baseline throughput and memory of a complete scan (every detector, validators, context, JSON
# report) on a corpus made by repeating Samples/ (decoys included) to SIZE_MB, one large file per
# format. Writes the figures to Benchmarks/RESULTS.md. Usage: Benchmarks/baseline.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-64}
out=Benchmarks/out
mkdir -p "$out"
swift build -c release >/dev/null
bin=.build/release/trawl

make_big() {  # make_big SRC DST HEADER_LINES
  local src=$1 dst=$2 header=$3
  head -n "$header" "$src" > "$dst"
  while [ "$(stat -c %s "$dst")" -lt $((size_mb * 1024 * 1024 / 4)) ]; do
    tail -n +"$((header + 1))" "$src" >> "$dst"
  done
}
make_big Samples/exports/etudiants.csv "$out/students.csv" 1
make_big Samples/logs/events.ndjson "$out/events.ndjson" 0
make_big Samples/support/tickets.log "$out/tickets.log" 0
make_big Samples/decoys/orders.csv "$out/orders.csv" 1
total=$(du -cb "$out"/students.csv "$out"/events.ndjson "$out"/tickets.log "$out"/orders.csv | tail -1 | cut -f1)

run() {  # run JOBS -> "seconds rss_kb findings"
  local jobs=$1
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$bin" scan "$out" --exclude time.txt --format json --jobs "$jobs" -o "$out/report.json" || true
  local findings
  findings=$(grep -c '"detector"' "$out/report.json" || true)
  echo "$(cat "$out/time.txt") $findings"
}

rows=""
for jobs in 1 2; do
  best=""
  for _ in 1 2 3; do
    r=$(run "$jobs")
    s=$(echo "$r" | cut -d' ' -f1)
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $(echo "$best" | cut -d' ' -f1))}"; then best=$r; fi
  done
  read -r secs rss findings <<<"$best"
  mbs=$(awk "BEGIN{printf \"%.1f\", $total/1000000/$secs}")
  rows+="| $jobs | $(awk "BEGIN{printf \"%.1f\", $total/1000000}") | $secs | $mbs | $((rss / 1024)) | $findings |"$'\n'
  echo "jobs=$jobs: ${secs}s, ${mbs} MB/s, peak RSS $((rss / 1024)) MB, $findings findings"
done

cat > Benchmarks/RESULTS.md <<MD
# Benchmark results

Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m), $(swift --version 2>&1 | head -1).
Date: $(date -u +%Y-%m-%d).

## Baseline: complete scan, no prefilter (\`Benchmarks/baseline.sh $size_mb\`)

Corpus: \`Samples/\` (students CSV, NDJSON events, ticket log, decoy orders CSV) repeated into four
files of about $((size_mb / 4)) MB each. Every default detector, validators, context words, field
attribution and the JSON report written to a file; best of 3 runs, warm page cache.

| jobs | MB | seconds | MB/s | peak RSS (MB) | findings |
|---:|---:|---:|---:|---:|---:|
$rows
MD
echo "wrote Benchmarks/RESULTS.md"
