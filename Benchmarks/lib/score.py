#!/usr/bin/env python3
"""Precision and recall of a Trawl JSON report against a corpus's groundtruth.json.

Usage: python3 Benchmarks/lib/score.py REPORT.json DIR/groundtruth.json [--json OUT] [--examples N]

Findings and planted values are matched as multisets on (path, line, category): every planted
value can be matched by one finding at most, and a finding with no planted counterpart (another
category, another line, a second finding of the same category on the same line) is a false
positive. Paths are compared relative to the scanned folder, so `DIR`, `DIR/` and `./DIR` agree.
"""
import argparse
import collections
import json
import os
import sys


def rel(path, root):
    p = os.path.normpath(path)
    r = os.path.normpath(root)
    if p == r:
        return "."
    if p.startswith(r + os.sep):
        return p[len(r) + 1:]
    return p


def score(report, truth):
    root = truth["root"]
    planted = collections.Counter()
    planted_items = collections.defaultdict(list)
    for item in truth["planted"]:
        k = (rel(item["path"], root), item["line"], item["category"])
        planted[k] += 1
        planted_items[k].append(item)
    found = collections.Counter()
    found_items = collections.defaultdict(list)
    for f in report.get("findings", []):
        k = (rel(f["path"], root), f.get("line"), f["category"])
        found[k] += 1
        found_items[k].append(f)
    tp = planted & found
    fn = planted - found
    fp = found - planted
    cats = sorted(set(k[2] for k in planted) | set(k[2] for k in found))
    rows = []
    for c in cats:
        t = sum(v for k, v in tp.items() if k[2] == c)
        n = sum(v for k, v in fn.items() if k[2] == c)
        p = sum(v for k, v in fp.items() if k[2] == c)
        rows.append({"category": c, "planted": t + n, "reported": t + p, "tp": t, "fp": p, "fn": n,
                     "precision": t / (t + p) if t + p else None, "recall": t / (t + n) if t + n else None})
    T, N, P = sum(tp.values()), sum(fn.values()), sum(fp.values())
    overall = {"category": "all", "planted": T + N, "reported": T + P, "tp": T, "fp": P, "fn": N,
               "precision": T / (T + P) if T + P else None, "recall": T / (T + N) if T + N else None}
    # Which planted value went unmatched and which finding is the false positive only matters for
    # the examples: within one (path, line, category), pair findings and planted values of the same
    # length first (masked values keep the length), so the leftovers are the likely culprits.
    misses, false_pos = [], []
    for k in set(fn) | set(fp):
        items, fs = list(planted_items.get(k, [])), list(found_items.get(k, []))
        free = collections.Counter(it.get("length") for it in items)
        paired_lengths = collections.Counter()
        leftover, paired = [], []
        for f in fs:
            n = len(f.get("masked") or "")
            if free[n] > 0:
                free[n] -= 1
                paired_lengths[n] += 1
                paired.append(f)
            else:
                leftover.append(f)
        unpaired_items = []
        taken = collections.Counter(paired_lengths)
        for it in items:
            if taken[it.get("length")] > 0:
                taken[it.get("length")] -= 1
            else:
                unpaired_items.append(it)
        others = [f for (p, l, c), fl in found_items.items() if p == k[0] and l == k[1] for f in fl]
        for it in (unpaired_items + items)[:fn.get(k, 0)]:
            misses.append({"path": k[0], "line": k[1], "category": k[2], "form": it.get("form"),
                           "where": it.get("where"), "length": it.get("length"),
                           "same_line_findings": dict(collections.Counter(f["category"] for f in others))})
        planted_here = dict(collections.Counter(it["category"] for (p, l, c), its in planted_items.items()
                                                if p == k[0] and l == k[1] for it in its))
        for f in (leftover + paired)[:fp.get(k, 0)]:
            false_pos.append({"path": k[0], "line": k[1], "category": k[2], "detector": f.get("detector"),
                              "field": f.get("field"), "masked": f.get("masked"), "confidence": f.get("confidence"),
                              "signals": f.get("signals"), "planted_on_line": planted_here})
    misses.sort(key=lambda m: (m["path"], m["line"]))
    false_pos.sort(key=lambda m: (m["path"], m["line"]))
    return rows, overall, misses, false_pos


def fmt(x):
    return "n/a" if x is None else f"{100 * x:.2f} %"


def short(c):
    return c.replace("user.government_id.national_identification_number.", "nid.").replace("user.", "")


def table(rows, overall):
    lines = ["| category | planted | reported | TP | FP | FN | precision | recall |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows + [overall]:
        name = "**all**" if r["category"] == "all" else f"`{short(r['category'])}`"
        lines.append(f"| {name} | {r['planted']} | {r['reported']} | {r['tp']} | {r['fp']} | {r['fn']} | "
                     f"{fmt(r['precision'])} | {fmt(r['recall'])} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("truth")
    ap.add_argument("--json", help="write the figures (and every miss and false positive) to this file")
    ap.add_argument("--examples", type=int, default=0, help="print up to N misses and N false positives per category")
    args = ap.parse_args()
    report = json.load(open(args.report))
    truth = json.load(open(args.truth))
    rows, overall, misses, false_pos = score(report, truth)
    print(table(rows, overall))
    if report.get("errors"):
        print(f"warning: the report lists {len(report['errors'])} error(s)", file=sys.stderr)
    if args.examples:
        by = collections.defaultdict(list)
        for m in misses:
            by[("miss", m["category"])].append(m)
        for f in false_pos:
            by[("false positive", f["category"])].append(f)
        for (kind, c), items in sorted(by.items()):
            print(f"\n{kind}: {short(c)} ({len(items)})")
            for it in items[:args.examples]:
                print("  " + json.dumps(it, ensure_ascii=False))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"per_category": rows, "overall": overall, "misses": misses, "false_positives": false_pos},
                      f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
