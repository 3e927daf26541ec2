#!/usr/bin/env python3
"""Lists the shell commands of README.md's ```sh blocks, one per line as LINE<TAB>COMMAND.

Continuation lines (ending in a backslash) are joined, comments (from ' #' to the end of a
line, or whole-line) are dropped. tests/release/readme-commands.sh runs what this lists.
"""
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "README.md"
inside = False
pending, start = "", 0
for number, line in enumerate(open(path, encoding="utf-8"), 1):
    text = line.rstrip("\n")
    if text.startswith("```"):
        inside = text.strip() == "```sh" if not inside else False
        continue
    if not inside:
        continue
    if not pending:
        start = number
    stripped = text.strip()
    if stripped.startswith("#") or not stripped:
        continue
    if " #" in text:
        text = text[: text.index(" #")]
    text = text.rstrip()
    if text.endswith("\\"):
        pending += text[:-1].strip() + " "
        continue
    print(f"{start}\t{(pending + text.strip()).strip()}")
    pending = ""
