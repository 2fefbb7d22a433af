"""Renders the e2e gas report (JSON: action -> gas used) as Markdown."""
import json
import sys

gas = json.load(open(sys.argv[1]))
print("| action | gas used |")
print("|---|---:|")
for action in sorted(gas):
    print(f"| {action} | {gas[action]:,} |")
