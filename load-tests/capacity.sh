#!/usr/bin/env bash
# Serving capacity against raw inference, in one run (issue 14):
#   load-tests/capacity.sh [expected_capacity=20] [CONFIG ...]
# CONFIG is LABEL or LABEL:NAME=value,NAME=value (server environment), e.g. default batch32:POISK_EMBEDDING_MAX_BATCH=32;
# none given: "default". The corpus is loaded once; then for each of ROUNDS rounds, each CONFIG in turn (so the
# machine's changing load hits every config alike) gets a fresh server on the same data directory and:
#  1. unloaded hybrid p50: SearchSimulation, 1 closed-loop user, unique queries, 30 s
#  2. the ladder: CapacitySimulation, open arrivals at STEPS x expected_capacity searches/s, hybrid, unique
#     queries; capacity = highest step that kept up with p99 < 1 s; the batch sizes the batcher formed per step
#  3. p99 at 50% of that capacity (CapacitySimulation, one step of HALF_SECONDS)
#  (2 and 3 start with WARMUP_SECONDS of unmeasured arrivals at their first rate, while Gatling compiles itself, and
#  print per step where the machine's CPU went per search: POISK-CPU lines, load-tests/cpu_sampler.py)
# once, on the first config's first server: 4. lexical p99 at 16 closed-loop users (SearchSimulation), and
# 5. HTTP ingest: the first INGEST_DOCS XQuAD-ru paragraphs as one NDJSON request into a new collection;
# last, with no server running: 6. the peer, the model alone (modules/eval/bench/run-bench.sh raw-embed) on the same
# questions (RAW_QUERIES of them, spread over all) and the same paragraphs, at batch sizes 1..32 (queries) and 2 and 32 (passages), by 1 and 2 workers. Then the ratios (POISK-RATIO lines).
# Uses the packaged server (modules/app/target/lib: mvn -o -q install -DskipTests first). Gatling and the server
# share this machine's cores; the raw bench runs alone.
#
# Environment: ROUNDS (1), STEPS (fractions of expected capacity, 0.2,0.4,0.6,0.8,1.0,1.2,1.5), STEP_SECONDS (30),
#   HALF_SECONDS (45), WARMUP_SECONDS (10), INGEST_DOCS (32), RAW_QUERIES (192), RAW_ROUNDS (2), RAW_WORKERS (1,2: the model alone with
#   that many threads calling it at once, each call on cores / workers threads; the peer is the better), POISK_DATA_FILES.
set -euo pipefail

EXPECTED="${1:-20}"
shift || true
CONFIGS=("$@")
[ ${#CONFIGS[@]} -gt 0 ] || CONFIGS=(default)
ROUNDS="${ROUNDS:-1}"
STEPS="${STEPS:-0.2,0.4,0.6,0.8,1.0,1.2,1.5}"
STEP_SECONDS="${STEP_SECONDS:-30}"
HALF_SECONDS="${HALF_SECONDS:-45}"
WARMUP_SECONDS="${WARMUP_SECONDS:-10}"
INGEST_DOCS="${INGEST_DOCS:-32}"
RAW_QUERIES="${RAW_QUERIES:-192}"
RAW_ROUNDS="${RAW_ROUNDS:-2}"
RAW_WORKERS="${RAW_WORKERS:-1,2}"
# Unique texts per phase start at these passes (a pass is 1190 searches): no phase on one server reuses another's
# cached query vectors (a restarted server starts with an empty cache).
LADDER_PASS=10
HALF_PASS=30

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(dirname "$HERE")"
source "$REPO/scripts/jdk.sh"
poisk_find_jdk
export JAVA_HOME="$POISK_JAVA_HOME"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
DATA_FILES="${POISK_DATA_FILES:-$REPO/data}"
XQUAD="$DATA_FILES/xquad-ru/xquad.ru.json"
[ -f "$XQUAD" ] || { echo "capacity.sh: XQuAD-ru not found at $XQUAD (set POISK_DATA_FILES)" >&2; exit 1; }
LIB="$REPO/modules/app/target/lib"
[ -d "$LIB" ] || { echo "capacity.sh: $LIB missing; build with mvn -o -q install -DskipTests" >&2; exit 1; }

RUN_DIR="$HERE/target/runs/$(date +%Y%m%d-%H%M%S)-capacity"
mkdir -p "$RUN_DIR"
DATA_DIR="$(mktemp -d -t poisk-capacity-XXXXXX)"
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"   # SIGTERM: the shutdown hook closes collections cleanly
    for _ in $(seq 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -9 "$SERVER_PID"
  fi
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$DATA_DIR"; }
trap cleanup EXIT
load() { echo "LOAD $1: $(uptime | sed 's/.*load average: //')"; }
SUMMARY="$RUN_DIR/summary.txt"
say() { echo "$@" | tee -a "$SUMMARY"; }

start_server() {   # $1: label, $2: comma-separated NAME=value list
  local label="$1" env_list="$2" log="$RUN_DIR/server-$1.log"
  : >"$log"
  # shellcheck disable=SC2046  # the config's NAME=value words on purpose
  env POISK_HOST=127.0.0.1 POISK_MODELS_DIR="${POISK_MODELS_DIR:-$REPO/index-data/models}" \
      DJL_CACHE_DIR="${DJL_CACHE_DIR:-$REPO/index-data/.djl-cache}" $(tr ',' ' ' <<<"$env_list") \
      "$JAVA_HOME/bin/java" $(cat "$REPO/modules/app/target/jvm.flags") -cp "$LIB/*" io.poisk.app.Main \
      serve --port 0 --data "$DATA_DIR" >>"$log" 2>&1 &
  SERVER_PID=$!
  local port=""
  for _ in $(seq 240); do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "capacity.sh: server exited; see $log" >&2; tail -20 "$log" >&2; exit 1; }
    port="$(sed -n 's|.*Poisk listening on http://[^:]*:\([0-9]*\).*|\1|p' "$log" | head -n1 || true)"
    [ -n "$port" ] && break
    sleep 0.5
  done
  [ -n "$port" ] || { echo "capacity.sh: server did not start within 2 minutes; see $log" >&2; exit 1; }
  URL="http://127.0.0.1:$port"
  for _ in $(seq 120); do curl -fsS "$URL/health" >/dev/null 2>&1 && break; sleep 0.5; done
  say "== server $label (env: ${env_list:-defaults}) pid $SERVER_PID on $URL, $(nproc) cores"
}

# --- builds first, so no compiler runs beside a measurement ------------------------------------
OFFLINE=""   # Gatling and its plugin come from Maven Central the first time
[ -d "$HOME/.m2/repository/io/gatling/gatling-maven-plugin" ] && OFFLINE=-o
(cd "$HERE" && mvn -B -q $OFFLINE test-compile gatling:help >"$RUN_DIR/load-tests-build.log" 2>&1) \
  || { echo "capacity.sh: load-tests do not compile; see $RUN_DIR/load-tests-build.log" >&2; exit 1; }
OFFLINE=-o
say "capacity.sh: expected capacity $EXPECTED/s, configs ${CONFIGS[*]}, rounds $ROUNDS, logs in $RUN_DIR"
say "$(load start)"

# The first N XQuAD paragraphs (ingest check) and questions in the ladder's second-pass form (raw peer).
python3 "$HERE/xquad_ndjson.py" "$XQUAD" >"$RUN_DIR/xquad.ndjson"
head -n "$INGEST_DOCS" "$RUN_DIR/xquad.ndjson" | sed 's/"id": "/"id": "ingest-/' >"$RUN_DIR/ingest.ndjson"
python3 -c 'import json,sys; [print(json.dumps(json.loads(l)["text"], ensure_ascii=False)) for l in open(sys.argv[1], encoding="utf-8")]' \
  "$RUN_DIR/ingest.ndjson" >"$RUN_DIR/raw-docs.jsonl"
# Spread over all the questions, as the ladder's arrivals are: the first 192 are 10% shorter than the rest (59
# characters against 66 on average), and a forward call's cost follows its length.
python3 - "$XQUAD" "$RAW_QUERIES" "$((LADDER_PASS + 2))" >"$RUN_DIR/raw-queries.jsonl" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8-sig"))["data"]
qs = [qa["question"].replace("\ufeff", "").strip() for a in data for p in a["paragraphs"] for qa in p["qas"]]
n = min(int(sys.argv[2]), len(qs))
for i in range(n):
    print(json.dumps(f"{qs[i * len(qs) // n]} ({sys.argv[3]})", ensure_ascii=False))
PY

gatling() {   # $1: label, $2: simulation, rest: -D properties
  local label="$1" sim="$2"; shift 2
  local log="$RUN_DIR/gatling-$label.log" rc=0
  say "$(load "$label start")"
  (cd "$HERE" && mvn -B $OFFLINE gatling:test -Dgatling.simulationClass="io.poisk.load.$sim" -Dpoisk.url="$URL" \
      -Dpoisk.xquad="$XQUAD" "$@") >"$log" 2>&1 || rc=$?
  say "$(load "$label end")"
  say "-- $label ($sim $*; gatling rc=$rc)"
  grep -E '^POISK-' "$log" | tee -a "$SUMMARY" || true
  python3 "$HERE/gatling_stats.py" "$log" | sed "s/^/$label /" | tee -a "$SUMMARY" || tail -30 "$log"
}
# CPU per search in each step of a ladder run (load-tests/cpu_sampler.py): inference, the rest of the server, others.
cpu_steps() {   # $1: gatling label, $2: samples file
  grep '^POISK-STEP' "$RUN_DIR/gatling-$1.log" | while read -r line; do
    python3 "$HERE/cpu_sampler.py" report "$2" "$(field "$line" from_ms)" "$(field "$line" to_ms)" "$(field "$line" ok)" \
      | sed "s/^POISK-CPU/POISK-CPU $1 step=$(sed 's/^POISK-STEP \([0-9]*\).*/\1/' <<<"$line")/" | tee -a "$SUMMARY"
  done
}
sampled_gatling() {   # as gatling, with the server's CPU sampled meanwhile
  local label="$1" samples="$RUN_DIR/cpu-$1.jsonl"
  python3 "$HERE/cpu_sampler.py" record "$SERVER_PID" "$samples" &
  local sampler=$!
  gatling "$@"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  cpu_steps "$label" "$samples"
}
field() { sed -n "s/.*[ -]$2=\([0-9.]*\).*/\1/p" <<<"$1" | head -n1; }

# --- corpus, once, on the first config's server ---------------------------------------------------
first_label="${CONFIGS[0]%%:*}"; first_env="${CONFIGS[0]#*:}"; [ "$first_env" = "${CONFIGS[0]}" ] && first_env=""
start_server "$first_label-load" "$first_env"
curl -fsS -X PUT -H 'content-type: application/json' -d '{}' "$URL/collections/xquad" >/dev/null
# In parts of 24: one request of all 240 paragraphs (with passages, ~1-4 docs/s here) can outlast the server's
# 60 s idle timeout, since the reply's first byte comes only when every document is durable.
T0=$(date +%s.%N)
split -l 24 "$RUN_DIR/xquad.ndjson" "$RUN_DIR/corpus-part-"
for part in "$RUN_DIR"/corpus-part-*; do
  curl -fsS --max-time 900 -X POST -H 'content-type: application/x-ndjson' --data-binary @"$part" \
       "$URL/collections/xquad/documents" >/dev/null
done
DOCS="$(curl -fsS "$URL/collections/xquad" | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])')"
say "corpus: $DOCS documents in $(python3 -c "print(f'{$(date +%s.%N)-$T0:.1f}')") s (first model use included)"
[ "$DOCS" = 240 ] || { echo "capacity.sh: expected 240 documents in xquad, got $DOCS" >&2; exit 1; }

# --- 4. lexical at 16 users, 5. HTTP ingest (first server, after the corpus) ----------------------------
gatling lexical SearchSimulation -Dusers=16 -Dseconds=30 -Dmode=lexical -Dp99TargetMs=40
metrics_batches() { curl -fsS "$URL/metrics" | awk '/^poisk_embedding_batch_size_count/ {c+=$2} /^poisk_embedding_batch_size_sum/ {s+=$2} END {print c, s}'; }
curl -fsS -X PUT -H 'content-type: application/json' -d '{}' "$URL/collections/ingest-check" >/dev/null
read -r B0 S0 < <(metrics_batches)
say "$(load "ingest start")"
T0=$(date +%s.%N)
INDEXED="$(curl -fsS --max-time 900 -X POST -H 'content-type: application/x-ndjson' --data-binary @"$RUN_DIR/ingest.ndjson" \
           "$URL/collections/ingest-check/documents")"
T1=$(date +%s.%N)
say "$(load "ingest end")"
read -r B1 S1 < <(metrics_batches)
say "POISK-INGEST-HTTP docs=$INGEST_DOCS reply=$INDEXED seconds=$(python3 -c "print(f'{$T1-$T0:.1f}')") docs_per_s=$(python3 -c "print(f'{$INGEST_DOCS/($T1-$T0):.2f}')") batches=$(python3 -c "print(int($B1-$B0))") texts=$(python3 -c "print(int($S1-$S0))") mean_batch=$(python3 -c "b=$B1-$B0; print(f'{($S1-$S0)/b:.1f}' if b else 0)")"
stop_server

# --- 1-3 per round and config --------------------------------------------------------------------
RATES="$(python3 -c "import sys; print(','.join(f'{float(f)*$EXPECTED:.2f}' for f in sys.argv[1].split(',')))" "$STEPS")"
for round in $(seq "$ROUNDS"); do
  for config in "${CONFIGS[@]}"; do
    label="${config%%:*}"; env_list="${config#*:}"; [ "$env_list" = "$config" ] && env_list=""
    tag="$label-r$round"
    start_server "$tag" "$env_list"
    gatling "unloaded-$tag" SearchSimulation -Dusers=1 -Dseconds=30 -Dmode=hybrid -Dqueries=unique -Dwarmup=10 -Dp99TargetMs=600000
    sampled_gatling "ladder-$tag" CapacitySimulation -Drates="$RATES" -DstepSeconds="$STEP_SECONDS" -DpassOffset="$LADDER_PASS" \
        -DwarmupSeconds="$WARMUP_SECONDS"
    capacity="$(field "$(grep '^POISK-CAPACITY' "$RUN_DIR/gatling-ladder-$tag.log" | tail -n1 || true)" searches_per_s)"
    if [ -n "$capacity" ] && python3 -c "import sys; sys.exit(0 if float('$capacity') > 0 else 1)"; then
      sampled_gatling "half-$tag" CapacitySimulation -Drates="$(python3 -c "print(f'{float(\"$capacity\")/2:.2f}')")" \
          -DstepSeconds="$HALF_SECONDS" -DpassOffset="$HALF_PASS" -DwarmupSeconds="$WARMUP_SECONDS"
    fi
    stop_server
  done
done

# --- 6. the model alone, same texts, no server ------------------------------------------------------
say "$(load "raw start")"
"$REPO/modules/eval/bench/run-bench.sh" raw-embed --queries "$RUN_DIR/raw-queries.jsonl" --docs "$RUN_DIR/raw-docs.jsonl" \
  --rounds "$RAW_ROUNDS" --doc-batches 2,32 --workers "$RAW_WORKERS" >"$RUN_DIR/raw.log" 2>&1 || { echo "capacity.sh: raw bench failed; see $RUN_DIR/raw.log" >&2; tail -20 "$RUN_DIR/raw.log" >&2; exit 1; }
say "$(load "raw end")"
grep -E '^(RAW-|# raw)' "$RUN_DIR/raw.log" | tee -a "$SUMMARY"

# --- ratios ----------------------------------------------------------------------------------------
python3 "$HERE/capacity_ratios.py" "$RUN_DIR" | tee -a "$SUMMARY"
say "$(load end)"
echo "summary: $SUMMARY"
