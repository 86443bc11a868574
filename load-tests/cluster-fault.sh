#!/usr/bin/env bash
# A node killed under load, then a node wiped and rebuilt, on a 3-node cluster of this machine:
#   load-tests/cluster-fault.sh [seconds=60] [paragraphs=240]
# 1. ops/cluster/up 3 (a Kafka broker and three `poisk serve --cluster` nodes, replica groups 0, 1, 2 → 0, 1, 0),
#    a collection "xquad" with shards=3, replicas=2 and the default model, the first PARAGRAPHS XQuAD-ru paragraphs
#    ingested as NDJSON through node 1, every replica caught up.
# 2. ClusterFaultSimulation for SECONDS: 8 search users (hybrid) and 2 ingest users (one new document per request)
#    spread over the three nodes; 20 s in, ops/cluster/fault kills node 2 with SIGKILL and starts it again 15 s later.
# 3. cluster_verify.py: every acknowledged document is read through every node once all replicas have applied its
#    offset; 50 questions answered alike by every node, none partial.
# 4. Node 3's top 10 for those questions saved; node 3 killed, its data directory wiped, restarted; the time until its
#    shards are ready again; the same questions through node 3 must give the same top 10.
# Prints POISK-CLUSTER-* lines; exits 1 when a check fails. Everything stays under load-tests/target/runs/.
# Environment: GATLING_OPTS (extra -D for the simulation), POISK_UP_TIMEOUT_S (300).
set -euo pipefail
DURATION_S="${1:-60}"
PARAGRAPHS="${2:-240}"
[[ "$DURATION_S" =~ ^[1-9][0-9]*$ && "$PARAGRAPHS" =~ ^[1-9][0-9]*$ ]] || { sed -n '2,3p' "$0" >&2; exit 2; }

RUN_NAME=cluster-fault
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/cluster-lib.sh"

# --- 1. cluster and corpus -------------------------------------------------------------------
cluster_up
URLS="$N1,$N2,$N3"
echo "cluster-fault.sh: nodes $URLS, logs in $CLUSTER"

curl -fsS -X PUT -H 'content-type: application/json' -d '{"shards":3,"replicas":2}' "$N1/collections/xquad" >/dev/null
T=$(now)
load_corpus "$N1" xquad >"$RUN_DIR/corpus-ack.json"
echo "POISK-CLUSTER-CORPUS $(wc -l <"$RUN_DIR/corpus-ack.json") requests, $(tail -n1 "$RUN_DIR/corpus-ack.json") last, in $(since "$T") s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$HERE/cluster_verify.py" --urls "$URLS" --replicas 2 >"$RUN_DIR/verify-corpus.json" \
  || { echo "cluster-fault.sh: replicas did not catch up with the corpus: $(cat "$RUN_DIR/verify-corpus.json")" >&2; exit 1; }

# --- 2. load with a node killed and restarted ---------------------------------------------------
( sleep 20; "$REPO/ops/cluster/fault" "$CLUSTER" 2 15 >"$RUN_DIR/fault.json" 2>"$RUN_DIR/fault.err" ) &
FAULT_PID=$!
echo "cluster-fault.sh: load for $DURATION_S s; node 2 is killed 20 s in, restarted 15 s later (load average $(cut -d' ' -f1-3 /proc/loadavg))"
rc=0
# shellcheck disable=SC2086
(cd "$HERE" && mvn -B $OFFLINE test-compile gatling:test -Dgatling.simulationClass=io.poisk.load.ClusterFaultSimulation \
    -Dpoisk.urls="$URLS" -Dseconds="$DURATION_S" -Dpoisk.xquad="$XQUAD" -Dacked="$RUN_DIR/acked.jsonl" ${GATLING_OPTS:-}) \
    >"$RUN_DIR/gatling.log" 2>&1 || rc=$?
wait "$FAULT_PID" || { echo "cluster-fault.sh: the fault script failed: $(cat "$RUN_DIR/fault.err")" >&2; exit 1; }
echo "POISK-CLUSTER-FAULT $(cat "$RUN_DIR/fault.json")"
grep -E '^POISK-CLUSTER-RESULT' "$RUN_DIR/gatling.log" || { echo "cluster-fault.sh: gatling rc=$rc, see $RUN_DIR/gatling.log" >&2; tail -30 "$RUN_DIR/gatling.log" >&2; exit 1; }
python3 "$HERE/gatling_stats.py" "$RUN_DIR/gatling.log" || true
echo "load average after the load: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- 3. every acknowledged write on every replica ---------------------------------------------
STATUS=0
python3 "$HERE/cluster_verify.py" --urls "$URLS" --replicas 2 --acked "$RUN_DIR/acked.jsonl" --xquad "$XQUAD" \
  >"$RUN_DIR/verify-load.json" || STATUS=1
echo "POISK-CLUSTER-VERIFY $(cat "$RUN_DIR/verify-load.json")"

# --- 4. wipe node 3 and let it rebuild from Kafka --------------------------------------------------
python3 "$HERE/cluster_verify.py" --urls "$N3" --replicas 2 --xquad "$XQUAD" --save "$RUN_DIR/top10-before.json" \
  >/dev/null || STATUS=1
"$REPO/ops/cluster/fault" "$CLUSTER" 3 5 --wipe >"$RUN_DIR/wipe.json"
T=$(now)
python3 "$HERE/cluster_verify.py" --urls "$N3,$N1,$N2" --replicas 2 --xquad "$XQUAD" --compare "$RUN_DIR/top10-before.json" \
  >"$RUN_DIR/verify-wipe.json" || STATUS=1
echo "POISK-CLUSTER-WIPE $(cat "$RUN_DIR/wipe.json") rebuild+check $(since "$T") s: $(cat "$RUN_DIR/verify-wipe.json")"
exit "$STATUS"
