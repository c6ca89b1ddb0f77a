#!/usr/bin/env python3
"""Seed corpora for the fuzz targets from the recorded cassettes."""
import json
import os
import sys

cassettes, out = sys.argv[1], sys.argv[2]
sse_dir = os.path.join(out, "fuzz-sse")
delta_dir = os.path.join(out, "fuzz-delta")
os.makedirs(sse_dir, exist_ok=True)
os.makedirs(delta_dir, exist_ok=True)

n = 0
for name in sorted(os.listdir(cassettes)):
    if not name.endswith(".json"):
        continue
    with open(os.path.join(cassettes, name)) as f:
        cassette = json.load(f)
    for interaction in cassette["interactions"]:
        body = interaction["response"]["body"].encode()
        n += 1
        # fuzz-sse: first byte picks the split pattern.
        with open(os.path.join(sse_dir, f"seed-{n}"), "wb") as f:
            f.write(b"\x03\x05\x01\x0b" + body)
        with open(os.path.join(sse_dir, f"seed-{n}-crlf"), "wb") as f:
            f.write(b"\x00" + body.replace(b"\n", b"\r\n"))
        # fuzz-delta: one data payload per line.
        lines = [l[6:] for l in body.split(b"\n") if l.startswith(b"data: ")]
        with open(os.path.join(delta_dir, f"seed-{n}"), "wb") as f:
            f.write(b"\n".join(lines))
        # fuzz-mcp: nothing from cassettes; its seeds live in fuzz/corpus-mcp.

mcp_seeds = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus-mcp")
if os.path.isdir(mcp_seeds):
    mcp_dir = os.path.join(out, "fuzz-mcp")
    os.makedirs(mcp_dir, exist_ok=True)
    for name in os.listdir(mcp_seeds):
        with open(os.path.join(mcp_seeds, name), "rb") as src, open(os.path.join(mcp_dir, name), "wb") as dst:
            dst.write(src.read())
