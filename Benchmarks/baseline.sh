#!/usr/bin/env bash
# Baseline throughput and memory of a complete scan (every detector, validators, context, JSON
# report) on a corpus made by repeating Samples/ (decoys included) to SIZE_MB, one large file per
# format. Writes the figures to Benchmarks/RESULTS.md. Usage: Benchmarks/baseline.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-64}
out=Benchmarks/out
corpus=$out/corpus
mkdir -p "$corpus"
swift build -c release >/dev/null
bin=.build/release/trawl

make_big() {  # make_big SRC DST HEADER_LINES: the body repeated until the file reaches SIZE_MB/4
  local src=$1 dst=$2 header=$3
  [ -f "$dst" ] && [ "$(stat -c %s "$dst")" -ge $((size_mb * 1024 * 1024 / 4)) ] && return
  python3 - "$src" "$dst" "$header" "$((size_mb * 1024 * 1024 / 4))" <<'PY'
import sys
src, dst, header, target = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lines = open(src, 'rb').read().splitlines(keepends=True)
head, body = b''.join(lines[:header]), b''.join(lines[header:])
with open(dst, 'wb') as f:
    f.write(head)
    f.write(body * (target // len(body) + 1))
PY
}
make_big Samples/exports/etudiants.csv "$corpus/students.csv" 1
make_big Samples/logs/events.ndjson "$corpus/events.ndjson" 0
make_big Samples/support/tickets.log "$corpus/tickets.log" 0
make_big Samples/decoys/orders.csv "$corpus/orders.csv" 1
total=$(du -cb "$corpus"/* | tail -1 | cut -f1)

run() {  # run JOBS -> "seconds rss_kb findings"
  local jobs=$1
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$bin" scan "$corpus" --format json --jobs "$jobs" -o "$out/report.json" || true
  local findings
  findings=$(grep -c '"detector"' "$out/report.json" || true)
  echo "$(tail -n 1 "$out/time.txt") $findings"
}

rows=""
for jobs in 1 2; do
  best=""
  for _ in $(seq "${RUNS:-3}"); do
    r=$(run "$jobs")
    s=$(echo "$r" | cut -d' ' -f1)
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $(echo "$best" | cut -d' ' -f1))}"; then best=$r; fi
  done
  read -r secs rss findings <<<"$best"
  mbs=$(awk "BEGIN{printf \"%.1f\", $total/1000000/$secs}")
  rows+="| $jobs | $(awk "BEGIN{printf \"%.1f\", $total/1000000}") | $secs | $mbs | $((rss / 1024)) | $findings |"$'\n'
  echo "jobs=$jobs: ${secs}s, ${mbs} MB/s, peak RSS $((rss / 1024)) MB, $findings findings"
done

python3 Benchmarks/lib/section.py baseline <<MD
Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m), $(swift --version 2>&1 | head -1).
Date: $(date -u +%Y-%m-%d).

## Baseline: complete scan, no prefilter (\`Benchmarks/baseline.sh $size_mb\`)

Corpus: \`Samples/\` (students CSV, NDJSON events, ticket log, decoy orders CSV) repeated into four
files of about $((size_mb / 4)) MB each. Every default detector, validators, context words, field
attribution and the JSON report written to a file; best of ${RUNS:-3} run(s), warm page cache.

| jobs | MB | seconds | MB/s | peak RSS (MB) | findings |
|---:|---:|---:|---:|---:|---:|
$rows
MD
