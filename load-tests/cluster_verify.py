#!/usr/bin/env python3
"""Checks a sharded collection after a cluster fault run (load-tests/cluster-fault.sh), over the public HTTP API only.

1. Waits (bounded) until GET /cluster shows every shard of the collection on --replicas ready replicas, each at an
   applied offset at least the highest offset any acknowledged write of that shard was given.
2. Reads every acknowledged document (--acked: ClusterFaultSimulation's JSON lines) through every node: each read is
   routed to a replica of the document's shard, so a document missing from a replica shows up as a miss.
3. Runs --questions XQuAD-ru questions on every node and compares their top 10 ids across nodes; with --save FILE it
   writes node 1's top 10s, with --compare FILE it compares them to an earlier --save (the wipe-and-rebuild check).

Prints one JSON line; exits 1 when an acknowledged document is missing, a reply is partial, or --compare differs.
"""
import argparse
import json
import sys
import time
import urllib.error
import urllib.request


def call(url, method="GET", body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_placement(url, collection, replicas, wanted, timeout_s):
    """Until each shard has `replicas` ready entries at offsets >= wanted[shard]; returns (seconds, placement)."""
    start = time.time()
    placement = []
    while time.time() - start < timeout_s:
        status, view = call(url + "/cluster")
        if status == 200:
            spec = view.get("collections", {}).get(collection, {})
            placement = spec.get("placement", [])
            shards = spec.get("shards", 0)
            ok = shards > 0
            for shard in range(shards):
                ready = [p for p in placement if p.get("shard") == shard and p.get("state") == "ready"
                         and p.get("offset", -1) >= wanted.get(shard, -1)]
                ok = ok and len(ready) >= replicas
            if ok:
                return time.time() - start, placement
        time.sleep(0.5)
    return None, placement


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--urls", required=True)
    ap.add_argument("--collection", default="xquad")
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--acked", help="JSON lines {id, offsets} of acknowledged writes")
    ap.add_argument("--xquad", help="XQuAD-ru SQuAD JSON, for the top-10 comparisons")
    ap.add_argument("--questions", type=int, default=50)
    ap.add_argument("--mode", default="hybrid")
    ap.add_argument("--save")
    ap.add_argument("--compare")
    ap.add_argument("--timeout", type=float, default=180)
    a = ap.parse_args()
    urls = [u.strip().rstrip("/") for u in a.urls.split(",") if u.strip()]

    acked = []
    if a.acked:
        with open(a.acked, encoding="utf-8") as f:
            acked = [json.loads(line) for line in f if line.strip()]
    wanted = {}
    for w in acked:
        for shard, offset in (w.get("offsets") or {}).items():
            wanted[int(shard)] = max(wanted.get(int(shard), -1), int(offset))

    out = {"acknowledged": len(acked)}
    waited, placement = wait_placement(urls[0], a.collection, a.replicas, wanted, a.timeout)
    out["replicas_caught_up_s"] = None if waited is None else round(waited, 1)
    out["placement"] = [{k: p.get(k) for k in ("shard", "node", "offset", "state")} for p in placement]

    missing = []
    for w in acked:
        for u in urls:
            status, _ = call(f"{u}/collections/{a.collection}/documents/{w['id']}")
            if status != 200:
                missing.append({"id": w["id"], "node": u, "status": status})
    out["reads"] = len(acked) * len(urls)
    out["missing"] = len(missing)
    out["missing_examples"] = missing[:5]

    partial = 0
    disagreements = 0
    top10 = {}
    if a.xquad:
        with open(a.xquad, encoding="utf-8-sig") as f:
            squad = json.load(f)
        questions = [qa["question"] for art in squad["data"] for p in art["paragraphs"] for qa in p["qas"]][: a.questions]
        for q in questions:
            seen = []
            for u in urls:
                status, reply = call(f"{u}/collections/{a.collection}/search", "POST", {"query": q, "k": 10, "mode": a.mode})
                if status != 200 or reply.get("partial"):
                    partial += 1
                ids = [h["id"] for h in reply.get("hits", [])] if status == 200 else None
                seen.append(ids)
            top10[q] = seen[0]
            if any(s != seen[0] for s in seen[1:]):
                disagreements += 1
        out["questions"] = len(questions)
        out["partial_or_failed"] = partial
        out["nodes_disagree"] = disagreements
    if a.save:
        with open(a.save, "w", encoding="utf-8") as f:
            json.dump(top10, f, ensure_ascii=False)
    changed = None
    if a.compare:
        with open(a.compare, encoding="utf-8") as f:
            before = json.load(f)
        changed = sum(1 for q, ids in before.items() if top10.get(q) != ids)
        out["top10_changed"] = changed
    print(json.dumps(out, ensure_ascii=False))
    bad = missing or partial or waited is None or (changed not in (None, 0))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
