#!/usr/bin/env python3
"""Prints the last "Global Information" block of a Gatling console log on one line: request counts,
mean and p50/p95/p99/max response times in ms (Gatling 3.15 writes no stats.json any more, and its
simulation.log is binary, so the console summary is the stable source)."""
import re
import sys

ROWS = {
    "request count": "requests",
    "mean response time (ms)": "mean_ms",
    "response time 50th percentile (ms)": "p50_ms",
    "response time 95th percentile (ms)": "p95_ms",
    "response time 99th percentile (ms)": "p99_ms",
    "max response time (ms)": "max_ms",
    "mean throughput (rps)": "rps_rounded",
}


def main(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    blocks = text.split("---- Global Information")
    if len(blocks) < 2:
        sys.exit(f"no Gatling summary in {path}")
    out = []
    for row in blocks[-1].splitlines()[1:]:
        m = re.match(r"> (.+?)\s*\|\s*([\d,.\-]+)\s*\|\s*([\d,.\-]+)\s*\|\s*([\d,.\-]+)", row)
        if not m:
            if row.startswith("----"):
                break
            continue
        name, total, ok, ko = m.groups()
        if name in ROWS:
            if name == "request count":
                out.append(f"ok={ok.replace(',', '')} ko={ko.replace(',', '') if ko != '-' else 0}")
            else:
                out.append(f"{ROWS[name]}={ok.replace(',', '')}")
    print("gatling (OK requests): " + " ".join(out))


main(sys.argv[1])
