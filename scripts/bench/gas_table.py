"""Renders the e2e gas reports (JSON: action -> gas used), unpinned and
pinned, as one Markdown table."""
import json
import sys

unpinned = json.load(open(sys.argv[1]))
pinned = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else {}
print("| action | unpinned | pinned | saved |")
print("|---|---:|---:|---:|")
for action in sorted(unpinned):
    u, p = unpinned[action], pinned.get(action)
    if p is None:
        print(f"| {action} | {u:,} | | |")
    else:
        print(f"| {action} | {u:,} | {p:,} | {u - p:,} |")
