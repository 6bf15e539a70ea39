#!/usr/bin/env bash
# Memory bound on a multi-gigabyte mysqldump whose data is one enormous INSERT line (what
# `mysqldump --extended-insert` writes for a big table with a large --max-allowed-packet).
# Generates Benchmarks/out/huge-insert.sql of SIZE_MB (default 2048), scans it with the release
# build, and records time, throughput and peak resident memory in Benchmarks/RESULTS.md.
# Target: peak RSS under 200 MB. Usage: Benchmarks/huge-insert.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-2048}
jobs=${JOBS:-1}  # JOBS=2: a second worker helps detect the batches of the one input
out=Benchmarks/out
dump=$out/huge-insert.sql
mkdir -p "$out"
swift build -c release >/dev/null
bin=.build/release/trawl

if [ ! -f "$dump" ] || [ "$(stat -c %s "$dump")" -lt $((size_mb * 1024 * 1024)) ]; then
  echo "generating $dump ($size_mb MB, one INSERT line)"
  python3 Benchmarks/lib/dump.py "$((size_mb * 1024 * 1024))" --out "$dump"
fi
bytes=$(stat -c %s "$dump")
lines=$(wc -l <"$dump")
longest=$(python3 - "$dump" <<'PY'
import sys
longest = current = 0
with open(sys.argv[1], "rb") as f:
    while chunk := f.read(1 << 24):
        parts = chunk.split(b"\n")
        for part in parts[:-1]:
            longest = max(longest, current + len(part))
            current = 0
        current += len(parts[-1])
print(max(longest, current))
PY
)
echo "scanning $dump: $bytes bytes, $lines lines, longest line $longest bytes"
/usr/bin/time -f "%e %M" -o "$out/time.txt" "$bin" scan "$dump" --format json --jobs "$jobs" >"$out/huge-report.json" || true
read -r secs rss_kb < <(tail -n 1 "$out/time.txt")
findings=$(grep -c '"detector"' "$out/huge-report.json" || true)
columns=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(', '.join(f\"{c['field']}={c['category']} ({c['hits'].get(c['category'] or '', 0)}/{c['non_empty']} of {c['rows']} rows)\" for c in d['fields'] if c['category']))" "$out/huge-report.json")
errors=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['errors']))" "$out/huge-report.json")
mbs=$(awk "BEGIN{printf \"%.1f\", $bytes/1000000/$secs}")
rss_mb=$((rss_kb / 1024))
verdict=$([ "$rss_mb" -lt 200 ] && echo "under the 200 MB target" || echo "OVER the 200 MB target")
echo "${secs}s, ${mbs} MB/s, peak RSS ${rss_mb} MB ($verdict), $findings findings, $errors errors"

python3 Benchmarks/lib/section.py huge-insert <<MD
## A $((bytes / 1000000)) MB mysqldump with one INSERT line (\`JOBS=$jobs Benchmarks/huge-insert.sh $size_mb\`)

Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m). Date: $(date -u +%Y-%m-%d).
The dump: $bytes bytes in $lines lines; its INSERT line is $longest bytes long. An \`orders\` table
(ids, dates, SKUs, amounts, statuses, escaped notes, \`_binary\` and \`0x\` literals) with a customer
e-mail and phone on one row in 20. Release build, $jobs job(s), every default detector, JSON report
to a pipe.

| seconds | MB/s | peak RSS (MB) | findings | errors |
|---:|---:|---:|---:|---:|
| $secs | $mbs | $rss_mb | $findings | $errors |

Peak resident memory is **$rss_mb MB, $verdict**: the reader resumes between values and inside
long strings, so the line is never held; batches stay near 1 MiB.
Columns classified: $columns.
MD
