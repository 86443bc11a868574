#!/usr/bin/env python3
"""Percentiles of what a server did between two scrapes of its GET /metrics (Prometheus text):

  metrics_delta.py BEFORE AFTER

For each *_seconds histogram (search, index search, inference, queue wait, HTTP routes): the count and the
p50/p95/p99/p99.9 of the observations made in between, as the upper bound of the bucket holding them (ms).
Where a latency tail comes from: scrape, run a load step (e.g. CapacitySimulation), scrape again.
"""
import re, sys, collections
def parse(path):
    b = collections.defaultdict(dict)
    for line in open(path):
        m = re.match(r'^(\w+)_seconds_bucket\{(.*)\} ([\d.eE+-]+)$', line.strip())
        if not m: continue
        name, labels, v = m.groups()
        le = re.search(r'le="([^"]+)"', labels).group(1)
        rest = re.sub(r',?le="[^"]+"', '', labels)
        b[(name, rest)][float('inf') if le == '+Inf' else float(le)] = float(v)
    return b
a, z = parse(sys.argv[1]), parse(sys.argv[2])
for key in sorted(z):
    d = {le: z[key][le] - a.get(key, {}).get(le, 0) for le in z[key]}
    les = sorted(d); total = d[les[-1]]
    if total <= 0: continue
    out = []
    for q in (0.5, 0.95, 0.99, 0.999):
        for le in les:
            if d[le] >= q * total: out.append(f"p{q*100:g}<={le*1000:.0f}ms"); break
    print(f"{key[0]}{{{key[1]}}} n={total:.0f} " + " ".join(out))
