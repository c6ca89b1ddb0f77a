#!/usr/bin/env python3
"""Builds a large SSE body from the recorded cassettes' chunks (content deltas, a tool call,
usage), repeated until it reaches the requested size, ending with a finish reason and [DONE].
Usage: make-sse.py CASSETTES_DIR OUTPUT [MEGABYTES]"""
import json
import os
import sys

cassettes, output = sys.argv[1], sys.argv[2]
megabytes = float(sys.argv[3]) if len(sys.argv) > 3 else 50

events = []
for name in sorted(os.listdir(cassettes)):
    if not name.endswith(".json"):
        continue
    with open(os.path.join(cassettes, name)) as f:
        for interaction in json.load(f)["interactions"]:
            for line in interaction["response"]["body"].split("\n"):
                if not line.startswith("data: {"):
                    continue
                chunk = json.loads(line[6:])
                choices = chunk.get("choices") or []
                # Keep content deltas only: tool calls and finish reasons would end the answer.
                if choices and choices[0].get("finish_reason") is None and "tool_calls" not in choices[0].get("delta", {}):
                    events.append(line + "\n\n")

finish = None
with open(os.path.join(cassettes, "simple_streaming_openrouter-groq-kimi-k2.json")) as f:
    body = json.load(f)["interactions"][0]["response"]["body"]
    tail = [l + "\n\n" for l in body.split("\n") if l.startswith("data: ") and '"finish_reason":"stop"' in l]
    usage = [l + "\n\n" for l in body.split("\n") if l.startswith("data: ") and '"usage"' in l]

target = int(megabytes * 1024 * 1024)
block = "".join(events).encode()
with open(output, "wb") as out:
    written = 0
    while written < target:
        out.write(block)
        written += len(block)
    for line in tail + usage:
        out.write(line.encode())
    out.write(b"data: [DONE]\n\n")
