#!/usr/bin/env python3
"""Prints capacity.sh's ratios from the logs of one run directory (POISK-RATIO lines).

  capacity_ratios.py RUN_DIR

capacity / raw throughput at the mean batch size the batcher formed at the capacity step (linear between the
batch sizes the raw bench measured; at each size the better of its worker arrangements, 1 or 2 threads calling the
model at once, so the peer is the most the bare model did), also against raw batch 1 and the best batch; p99 at half capacity / the
unloaded p50; the CPU ceiling at the capacity step (cores / CPU ms per search, POISK-CPU lines of capacity.sh) against
the raw peer; HTTP ingest docs/s / raw docs/s; the lexical p99 at 16 users.
"""
import glob
import os
import re
import sys


def last(pattern, text, cast=float):
    found = re.findall(pattern, text, re.M)
    return cast(found[-1]) if found else None


def main(run):
    raw = open(os.path.join(run, "raw.log"), encoding="utf-8").read()
    by_workers = {}
    for b, r, w in re.findall(r"^RAW-QUERY median batch=(\d+) per_s=([\d.]+)(?: workers=(\d+))?", raw, re.M):
        by_workers.setdefault(int(w or 1), {})[int(b)] = float(r)
    q = {}
    for rates in by_workers.values():
        for b, r in rates.items():
            q[b] = max(q.get(b, 0.0), r)
    sizes = sorted(q)

    def raw_at(b):
        if b <= sizes[0]:
            return q[sizes[0]]
        for lo, hi in zip(sizes, sizes[1:]):
            if b <= hi:
                return q[lo] + (q[hi] - q[lo]) * (b - lo) / (hi - lo)
        return q[sizes[-1]]

    best = max(q, key=q.get)
    for w, rates in sorted(by_workers.items()):
        print(f"POISK-RAW query texts/s, {w} worker(s): " + " ".join(f"b{b}={rates[b]:.2f}" for b in sorted(rates)))
    print(f"POISK-RAW query texts/s, the better arrangement: " + " ".join(f"b{b}={q[b]:.2f}" for b in sizes) + f" (best: batch {best})")
    summary = open(os.path.join(run, "summary.txt"), encoding="utf-8").read()
    for ladder in sorted(glob.glob(os.path.join(run, "gatling-ladder-*.log")), key=os.path.getmtime):
        tag = os.path.basename(ladder)[len("gatling-ladder-"):-len(".log")]
        text = open(ladder, encoding="utf-8", errors="replace").read()
        cap = last(r"^POISK-CAPACITY searches_per_s=([\d.]+)", text)
        step = last(r"^POISK-CAPACITY .* step=(\d+)", text, int)
        if not cap or step is None:
            print(f"POISK-RATIO {tag} no capacity (no step kept up)")
            continue
        batch = last(rf"^POISK-STEP {step} .*mean_batch=([\d.]+)", text) or 1.0
        r = raw_at(batch)
        print(f"POISK-RATIO {tag} capacity/raw_at_formed_batch={cap / r:.2f} (capacity {cap:.2f} searches/s at step {step}, "
              f"raw {r:.2f}/s at its mean batch {batch:.2f}; goal >= 0.90); capacity/raw_batch1={cap / q[sizes[0]]:.2f} "
              f"capacity/raw_best={cap / q[best]:.2f}")
        cpu = re.findall(rf"^POISK-CPU ladder-{re.escape(tag)} step={step} .*inference=([\d.]+) server_rest=([\d.]+) "
                         rf"others=([\d.]+) all=([\d.]+) .*ceiling_searches_per_s=([\d.]+)", summary, re.M)
        if cpu:
            inf, rest, others, total, ceiling = (float(v) for v in cpu[-1])
            print(f"POISK-RATIO {tag} cpu_ceiling/raw_at_formed_batch={ceiling / r:.2f} (CPU ms per search at step {step}: inference "
                  f"{inf} + server rest {rest} + others, mostly the load generator, {others} = {total}; {os.cpu_count()} cores / that "
                  f"= {ceiling} searches/s); capacity/cpu_ceiling={cap / ceiling:.2f}")
        unloaded = os.path.join(run, f"gatling-unloaded-{tag}.log")
        half = os.path.join(run, f"gatling-half-{tag}.log")
        if os.path.exists(unloaded) and os.path.exists(half):
            u = open(unloaded, encoding="utf-8", errors="replace").read()
            p50 = last(r"response time 50th percentile \(ms\)\s*\|\s*[\d,]+\s*\|\s*([\d,]+)", u, lambda s: float(s.replace(",", "")))
            h = open(half, encoding="utf-8", errors="replace").read()
            p99 = last(r"^POISK-STEP 1 .* p99=(\d+)", h)
            rate = last(r"^POISK-STEP 1 target=([\d.]+)", h)
            if p50 and p99:
                print(f"POISK-RATIO {tag} p99_at_half_capacity/unloaded_p50={p99 / p50:.2f} ({p99:.0f} ms at {rate} searches/s "
                      f"/ {p50:.0f} ms; goal <= 3)")
    docs = {}
    for b, r in re.findall(r"^RAW-DOCS median batch=(\d+) docs_per_s=([\d.]+)", raw, re.M):
        docs[int(b)] = max(docs.get(int(b), 0.0), float(r))
    summary = open(os.path.join(run, "summary.txt"), encoding="utf-8").read()
    ingest = last(r"^POISK-INGEST-HTTP .* docs_per_s=([\d.]+)", summary)
    ingest_batch = last(r"^POISK-INGEST-HTTP .* mean_batch=([\d.]+)", summary) or 0
    if docs and ingest:
        # the raw batch size nearest to the batches the server formed for this ingest
        b = min(docs, key=lambda size: abs(size - ingest_batch))
        print(f"POISK-RATIO ingest_http/raw_docs={ingest / docs[b]:.2f} ({ingest:.2f} / {docs[b]:.2f} docs/s at batch {b}, the server's "
              f"mean batch {ingest_batch}; goal >= 0.90); raw docs/s: " + " ".join(f"b{k}={v:.2f}" for k, v in sorted(docs.items())))
    lexical = os.path.join(run, "gatling-lexical.log")
    if os.path.exists(lexical):
        t = open(lexical, encoding="utf-8", errors="replace").read()
        p99 = last(r"response time 99th percentile \(ms\)\s*\|\s*[\d,]+\s*\|\s*([\d,]+)", t, lambda s: float(s.replace(",", "")))
        rps = last(r"^POISK-THROUGHPUT .* searches_per_s=([\d.]+)", t)
        print(f"POISK-LEXICAL p99_ms={p99:.0f} at {rps} searches/s (16 users; bar 40 ms)")


if len(sys.argv) != 2:
    sys.exit(__doc__)
main(sys.argv[1])
