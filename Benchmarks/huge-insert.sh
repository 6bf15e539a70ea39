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
  python3 - "$dump" "$((size_mb * 1024 * 1024))" <<'PY'
import sys
path, target = sys.argv[1], int(sys.argv[2])
# An orders table: mostly non-personal columns, a customer e-mail and phone on one row in 20,
# free-text notes with MySQL escapes, NULLs, _binary and 0x literals.
head = (b"-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n"
        b"/*!40101 SET NAMES utf8mb4 */;\n"
        b"DROP TABLE IF EXISTS `orders`;\n"
        b"CREATE TABLE `orders` (\n  `id` bigint NOT NULL,\n  `created_at` datetime NOT NULL,\n"
        b"  `sku` varchar(32) NOT NULL,\n  `quantity` int NOT NULL,\n  `amount` decimal(10,2) NOT NULL,\n"
        b"  `status` varchar(16) NOT NULL,\n  `customer_email` varchar(255) DEFAULT NULL,\n"
        b"  `customer_phone` varchar(32) DEFAULT NULL,\n  `note` text,\n  `token` varbinary(16) DEFAULT NULL,\n"
        b"  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
        b"LOCK TABLES `orders` WRITE;\n"
        b"INSERT INTO `orders` VALUES ")
statuses = ["paid", "shipped", "refunded", "pending"]
with open(path, "wb", buffering=1 << 22) as f:
    f.write(head)
    written, i, parts = len(head), 0, []
    while written < target:
        i += 1
        if i % 20 == 0:
            email = f"'client{i}@example-shop.fr'"
            phone = f"'06 {i % 100:02d} {(i // 100) % 100:02d} {(i // 10000) % 100:02d} 45'"
        else:
            email, phone = "NULL", "NULL"
        note = "'livraison \\'express\\' demand\\u00e9e\\nrelais 12'" if i % 7 == 0 else "''"
        token = "_binary 'abc\\0def'" if i % 11 == 0 else "0x9F3A00B2"
        row = (f"({i},'2026-0{1 + i % 9}-{1 + i % 28:02d} 10:{i % 60:02d}:00','SKU-{i % 9973:05d}',"
               f"{1 + i % 5},{(i % 10000) / 100:.2f},'{statuses[i % 4]}',{email},{phone},{note},{token}),")
        parts.append(row)
        if len(parts) == 4096:
            chunk = "".join(parts).encode()
            f.write(chunk)
            written += len(chunk)
            parts = []
    f.write("".join(parts).encode())
    f.write(b"(0,'2026-01-01 00:00:00','SKU-00000',1,0.00,'paid',NULL,NULL,'',NULL);\nUNLOCK TABLES;\n")
PY
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
