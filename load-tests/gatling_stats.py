#!/usr/bin/env python3
"""Prints Gatling figures of one run on one line: request counts, mean and p50/p95/p99/max response times
in ms, throughput.

  gatling_stats.py LOG                  the last "Global Information" block of the console log (Gatling 3.15
                                        writes no stats.json any more and its simulation.log is binary, so the
                                        console summary is the stable source)
  gatling_stats.py LOG --request NAME   one request's OK figures, from the request's page of the HTML report
                                        named in LOG (the console prints percentiles for Global only)
"""
import html
import os
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

# Rows of a request page's "Stats" tables, in the order printed.
PAGE_ROWS = {
    "Mean count/s": "rps_rounded",
    "Mean": "mean_ms",
    "50th percentile": "p50_ms",
    "95th percentile": "p95_ms",
    "99th percentile": "p99_ms",
    "Max": "max_ms",
}


def global_stats(text, path):
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


def request_stats(text, path, name):
    reports = re.findall(r"following file: (?:file://)?(\S+)/index\.html", text)
    if not reports:
        sys.exit(f"no HTML report named in {path}")
    report = reports[-1]
    index = open(os.path.join(report, "index.html"), encoding="utf-8").read()
    # <a href="req_….html" class="withTooltip"> … <span … class="ellipsed-name">NAME</span>
    pages = [page for page, label in re.findall(
        r'<a href="(req_[^"]+\.html)" class="withTooltip">.*?class="ellipsed-name">([^<]*)</span>', index, re.S)
        if html.unescape(label) == name]
    if not pages:
        sys.exit(f"no request named '{name}' in {report}/index.html")
    page = open(os.path.join(report, pages[0]), encoding="utf-8").read()
    cells = {title: (total, ok, ko) for title, total, ok, ko in re.findall(
        r'<td class="title">([^<]+?)(?:</abbr>)?</td>\s*<td class="total">([^<]*)</td>\s*'
        r'<td class="ok">([^<]*)</td>\s*<td class="ko">([^<]*)</td>', page)}
    if "Total count" not in cells:
        sys.exit(f"no stats table in {report}/{pages[0]}")
    _, ok, ko = cells["Total count"]
    out = [f"ok={ok} ko={ko}"]
    for title, key in PAGE_ROWS.items():
        if title in cells:
            out.append(f"{key}={cells[title][1]}")
    print(f"gatling request '{name}' (OK): " + " ".join(out))


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--request"):
        sys.exit(__doc__)
    text = open(argv[1], encoding="utf-8", errors="replace").read()
    if len(argv) == 4:
        request_stats(text, argv[1], argv[3])
    else:
        global_stats(text, argv[1])


main(sys.argv)
