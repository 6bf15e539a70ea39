"""Replaces one marked section of Benchmarks/RESULTS.md, keeping everything else.

Usage: python3 section.py NAME < section.md
The section lives between `<!-- NAME:begin -->` and `<!-- NAME:end -->`; it is appended when absent.
"""
import pathlib
import sys

name = sys.argv[1]
path = pathlib.Path(__file__).resolve().parent.parent / "RESULTS.md"
text = path.read_text() if path.exists() else "# Benchmark results\n"
begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
block = f"{begin}\n{sys.stdin.read().strip()}\n{end}"
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    text = head + block + rest.split(end, 1)[1]
else:
    text = text.rstrip() + "\n\n" + block + "\n"
path.write_text(text)
print(f"wrote section '{name}' of {path}")
