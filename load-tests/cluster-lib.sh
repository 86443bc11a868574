# Sourced by cluster-fault.sh and cluster-throughput.sh: a 3-node cluster of this machine and an XQuAD-ru corpus.
# Needs RUN_NAME (the run folder's suffix) and PARAGRAPHS set; sets HERE, REPO, XQUAD, RUN_DIR, CLUSTER, N1..N3.

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(dirname "$HERE")"
source "$REPO/scripts/jdk.sh"
poisk_find_jdk
export JAVA_HOME="$POISK_JAVA_HOME"
XQUAD="${POISK_DATA_FILES:-$REPO/data}/xquad-ru/xquad.ru.json"
[ -f "$XQUAD" ] || { echo "$RUN_NAME: XQuAD-ru not found at $XQUAD" >&2; exit 1; }
[ -d "$REPO/modules/app/target/lib" ] && [ -d "$REPO/modules/kafka-broker/target/lib" ] || "$REPO/poisk" help >/dev/null

RUN_DIR="$HERE/target/runs/$(date +%Y%m%d-%H%M%S)-$RUN_NAME"
CLUSTER="$RUN_DIR/cluster"
mkdir -p "$RUN_DIR"
trap '"$REPO/ops/cluster/down" "$CLUSTER" >/dev/null 2>&1 || true' EXIT
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

# ops/cluster/up 3: a broker and three nodes; their URLs in N1, N2, N3.
cluster_up() {
  "$REPO/ops/cluster/up" 3 "$CLUSTER" >"$RUN_DIR/up.jsonl"
  local port i
  for i in 1 2 3; do
    port="$(sed -n "s/^{\"node\":$i,.*\"http_port\":\([0-9]*\).*/\1/p" "$RUN_DIR/up.jsonl")"
    eval "N$i=http://127.0.0.1:$port"
  done
  python3 "$HERE/xquad_ndjson.py" "$XQUAD" >"$RUN_DIR/xquad-all.ndjson"
  head -n "$PARAGRAPHS" "$RUN_DIR/xquad-all.ndjson" >"$RUN_DIR/xquad.ndjson"
}

# The corpus into collection $2 through node URL $1 in NDJSON requests of 16 paragraphs, each acknowledged (with
# its offsets on a sharded collection) within seconds; one reply line per request on standard output.
load_corpus() {
  local part
  rm -f "$RUN_DIR"/corpus-part-*
  split -l 16 "$RUN_DIR/xquad.ndjson" "$RUN_DIR/corpus-part-"
  for part in "$RUN_DIR"/corpus-part-*; do
    curl -fsS --max-time 600 -X POST -H 'content-type: application/x-ndjson' --data-binary @"$part" "$1/collections/$2/documents"
    echo
  done
}

# Gatling's tool chain offline when it is already in the local repository.
OFFLINE=-o
[ -d "$HOME/.m2/repository/io/gatling/highcharts/gatling-charts-highcharts" ] || OFFLINE=""
