#!/usr/bin/env bash
# Search throughput of one node against three, on the same data, and what the fan-out costs per query:
#   load-tests/cluster-throughput.sh [seconds=30] [users=16] [paragraphs=240]
# ops/cluster/up 3, then on node 1 a plain collection "plain" (one node's local index, no fan-out) and a sharded one
# "xquad" (shards=3, replicas=2), both holding the same PARAGRAPHS XQuAD-ru paragraphs. For lexical search and for
# hybrid search with every query's embedding cached (each question sent once through every node first, so inference
# does not hide the fan-out), USERS closed-loop users for SECONDS against:
#   1. "plain" through node 1            (one node)
#   2. "xquad" through node 1            (scatter to one replica of each shard, gather, fuse on node 1)
#   3. "xquad" through nodes 1, 2 and 3  (every node coordinates in turn)
# Prints POISK-CLUSTER-THROUGHPUT lines (searches/s, the server's took_ms percentiles). The three nodes share this
# machine's cores, so 3 nodes cannot add capacity here: what this measures is the fan-out's cost.
set -euo pipefail
DURATION_S="${1:-30}"
USERS="${2:-16}"
PARAGRAPHS="${3:-240}"
[[ "$DURATION_S" =~ ^[1-9][0-9]*$ && "$USERS" =~ ^[1-9][0-9]*$ && "$PARAGRAPHS" =~ ^[1-9][0-9]*$ ]] || { sed -n '2,3p' "$0" >&2; exit 2; }

RUN_NAME=cluster-throughput
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/cluster-lib.sh"

cluster_up
for spec in 'plain {}' 'xquad {"shards":3,"replicas":2}'; do
  name="${spec%% *}"
  curl -fsS -X PUT -H 'content-type: application/json' -d "${spec#* }" "$N1/collections/$name" >/dev/null
  load_corpus "$N1" "$name" >"$RUN_DIR/ack-$name.json"
  echo "cluster-throughput.sh: $name loaded in $(wc -l <"$RUN_DIR/ack-$name.json") requests"
done
python3 "$HERE/cluster_verify.py" --urls "$N1" --collection xquad --replicas 2 >/dev/null

run() {   # label, collection, urls, mode, extra -D
  local label="$1" log="$RUN_DIR/gatling-$1-$4.log"
  # shellcheck disable=SC2086
  (cd "$HERE" && mvn -B $OFFLINE test-compile gatling:test -Dgatling.simulationClass=io.poisk.load.ClusterFaultSimulation \
      -Dpoisk.urls="$3" -Dcollection="$2" -Dmode="$4" -Dusers="$USERS" -DingestUsers=0 -Dseconds="$DURATION_S" \
      -Dpoisk.xquad="$XQUAD" -Dacked="$RUN_DIR/acked-unused.jsonl" "${@:5}") >"$log" 2>&1 || true
  echo "== $label, $4 (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
  grep -E '^POISK-CLUSTER-(THROUGHPUT|RESULT)' "$log" || tail -20 "$log"
}
for mode in lexical hybrid; do
  warm=()
  [ "$mode" = hybrid ] && warm=(-Dwarmup=true)
  run "one-node-plain" plain "$N1" "$mode" "${warm[@]}"
  run "sharded-via-node-1" xquad "$N1" "$mode" "${warm[@]}"
  run "sharded-via-3-nodes" xquad "$N1,$N2,$N3" "$mode" "${warm[@]}"
done
