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
markdown_dir = os.path.join(out, "fuzz-markdown")
mcp_dir = os.path.join(out, "fuzz-mcp")
os.makedirs(markdown_dir, exist_ok=True)
os.makedirs(mcp_dir, exist_ok=True)

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
        # fuzz-markdown: the assistant text the stream assembles (first byte: piece size
        # and render cadence), and the user prompts of the request.
        text = ""
        for l in lines:
            try:
                chunk = json.loads(l)
            except ValueError:
                continue
            for choice in chunk.get("choices") or []:
                piece = (choice.get("delta") or {}).get("content")
                if isinstance(piece, str):
                    text += piece
        if text:
            with open(os.path.join(markdown_dir, f"seed-{n}"), "wb") as f:
                f.write(b"\x07" + text.encode())
        # fuzz-mcp: tool results as an MCP server would send them (the tool messages of the
        # request), as an answer to the pending tools/call (id 1).
        request = interaction["request"].get("body")
        if isinstance(request, str):
            try:
                request = json.loads(request)
            except ValueError:
                request = None
        for message in (request or {}).get("messages", []) if isinstance(request, dict) else []:
            if message.get("role") == "tool" and isinstance(message.get("content"), str):
                answer = {"jsonrpc": "2.0", "id": 1,
                          "result": {"content": [{"type": "text", "text": message["content"]}],
                                     "isError": False}}
                n_mcp = len(os.listdir(mcp_dir))
                with open(os.path.join(mcp_dir, f"cassette-{n_mcp}"), "wb") as f:
                    f.write(b"\x00" + json.dumps(answer).encode() + b"\n")
            if message.get("role") == "user" and isinstance(message.get("content"), str):
                with open(os.path.join(markdown_dir, f"prompt-{n}"), "wb") as f:
                    f.write(b"\x00" + message["content"].encode())
        # The hand-made seeds in fuzz/corpus-* are copied below.

here = os.path.dirname(os.path.abspath(__file__))
mcphttp_dir = os.path.join(out, "fuzz-mcphttp")
os.makedirs(mcphttp_dir, exist_ok=True)
import_dir = os.path.join(out, "fuzz-import")
os.makedirs(import_dir, exist_ok=True)
attachment_dir = os.path.join(out, "fuzz-attachment")
os.makedirs(attachment_dir, exist_ok=True)
mcpoauth_dir = os.path.join(out, "fuzz-mcpoauth")
os.makedirs(mcpoauth_dir, exist_ok=True)
for seeds, target in (("corpus-mcp", mcp_dir), ("corpus-markdown", markdown_dir),
                      ("corpus-delta", delta_dir), ("corpus-mcphttp", mcphttp_dir),
                      ("corpus-import", import_dir), ("corpus-attachment", attachment_dir),
                      ("corpus-mcpoauth", mcpoauth_dir)):
    seeds = os.path.join(here, seeds)
    if not os.path.isdir(seeds):
        continue
    for name in os.listdir(seeds):
        with open(os.path.join(seeds, name), "rb") as src, open(os.path.join(target, name), "wb") as dst:
            dst.write(src.read())
