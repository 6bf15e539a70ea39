#!/usr/bin/env python3
"""Writes a mysqldump of an `orders` table to standard output (or a file), deterministically.

Usage: python3 dump.py SIZE_BYTES [--statement-bytes N] [--out FILE] [--counts FILE]

Rows: ids, dates, SKUs, amounts, statuses, free-text notes with MySQL escapes, NULLs, `_binary`
and `0x` literals; one row in 20 holds a customer e-mail and a French mobile number. The rows go
into extended INSERT statements of about --statement-bytes each (default: one statement, the whole
dump on one line, what `mysqldump --extended-insert` writes with a large --max-allowed-packet).
With --statement-bytes, the first --distinct statements (default 64) are then repeated, so that
gigabytes are written at disk speed. --counts FILE receives {"rows", "emails", "phones", "bytes", "lines"} as JSON (no values).
"""
import argparse
import json
import sys

ap = argparse.ArgumentParser()
ap.add_argument("size", type=int)
ap.add_argument("--statement-bytes", type=int, default=0)
ap.add_argument("--out")
ap.add_argument("--counts")
ap.add_argument("--distinct", type=int, default=64,
                help="with --statement-bytes: after this many distinct statements, repeat them (fast)")
args = ap.parse_args()

head = (b"-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n"
        b"/*!40101 SET NAMES utf8mb4 */;\n"
        b"DROP TABLE IF EXISTS `orders`;\n"
        b"CREATE TABLE `orders` (\n  `id` bigint NOT NULL,\n  `created_at` datetime NOT NULL,\n"
        b"  `sku` varchar(32) NOT NULL,\n  `quantity` int NOT NULL,\n  `amount` decimal(10,2) NOT NULL,\n"
        b"  `status` varchar(16) NOT NULL,\n  `customer_email` varchar(255) DEFAULT NULL,\n"
        b"  `customer_phone` varchar(32) DEFAULT NULL,\n  `note` text,\n  `token` varbinary(16) DEFAULT NULL,\n"
        b"  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
        b"LOCK TABLES `orders` WRITE;\n")
insert = "INSERT INTO `orders` VALUES "
statuses = ["paid", "shipped", "refunded", "pending"]
out = open(args.out, "wb", buffering=1 << 22) if args.out else sys.stdout.buffer
out.write(head)
written, lines, rows, contacts = len(head), head.count(b"\n"), 0, 0
statement = 0  # bytes of the current statement, 0 when none is open
parts = []
done = []  # with --statement-bytes: (bytes, rows, contacts) of each finished statement
i = 0
while written < args.size:
    if args.statement_bytes and len(done) == args.distinct:
        # Repeat the distinct statements (ids repeat: a scanner does not care).
        for chunk, n, c in done:
            if written >= args.size:
                break
            out.write(chunk)
            written += len(chunk)
            rows += n
            contacts += c
            lines += 1
        continue
    i += 1
    if i % 20 == 0:
        contacts += 1
        email = f"'client{i}@example-shop.fr'"
        phone = f"'06 {i % 100:02d} {(i // 100) % 100:02d} {(i // 10000) % 100:02d} 45'"
    else:
        email, phone = "NULL", "NULL"
    note = "'livraison \\'express\\' demand\\u00e9e\\nrelais 12'" if i % 7 == 0 else "''"
    token = "_binary 'abc\\0def'" if i % 11 == 0 else "0x9F3A00B2"
    row = (f"({i},'2026-0{1 + i % 9}-{1 + i % 28:02d} 10:{i % 60:02d}:00','SKU-{i % 9973:05d}',"
           f"{1 + i % 5},{(i % 10000) / 100:.2f},'{statuses[i % 4]}',{email},{phone},{note},{token})")
    rows += 1
    row = (insert if statement == 0 else ",") + row
    statement += len(row)
    parts.append(row)
    if args.statement_bytes and statement >= args.statement_bytes:
        chunk = ("".join(parts) + ";\n").encode()
        out.write(chunk)
        written += len(chunk)
        lines += 1
        done.append((chunk, len(parts), sum(1 for p in parts if "@" in p)))
        parts, statement = [], 0
    elif not args.statement_bytes and len(parts) == 4096:
        chunk = "".join(parts).encode()
        out.write(chunk)
        written += len(chunk)
        parts = []
tail = "".join(parts) + (";\n" if statement else "") + "UNLOCK TABLES;\n"
lines += (1 if statement else 0) + 1
chunk = tail.encode()
out.write(chunk)
written += len(chunk)
out.flush()
if args.counts:
    with open(args.counts, "w") as f:
        json.dump({"rows": rows, "emails": contacts, "phones": contacts, "bytes": written, "lines": lines}, f)
