#!/usr/bin/env bash
# Runs one Gatling simulation against a fresh Poisk server on this machine:
#   load-tests/run.sh SIMULATION [users] [seconds]        e.g. run.sh SearchSimulation 16 60
# SIMULATION: SearchSimulation | LiveSearchSimulation | IngestSimulation. It builds the server if needed
# (through ./poisk), starts it on 127.0.0.1 on a free port with a temporary data directory, loads the 240
# XQuAD-ru paragraphs through HTTP (collection "xquad", the two search simulations), runs the simulation,
# prints throughput and p50/p95/p99 (Gatling's console summary; for LiveSearchSimulation its "final" request
# from the HTML report; the simulations print exact throughput as POISK-* lines), then stops the server
# and removes the data directory. Exits with Gatling's status
# (non-zero when an assertion such as SearchSimulation's p99 target failed).
#
# Environment:
#   GATLING_OPTS="-Dk=10 -Dp99TargetMs=40 ..."  extra simulation properties (see each simulation's Javadoc)
#   INGEST_FORMATS="json ndjson"                formats IngestSimulation runs, one after the other
#   POISK_LOAD_NO_BUILD=1                       start the already packaged server (modules/app/target/lib)
#                                               directly instead of through ./poisk, never rebuilding it
#   POISK_THREAD_DUMPS=N                        take N jcmd Thread.print dumps of the server during the load
#   POISK_SERVER_ENV="POISK_EMBEDDING_WORKERS=2" extra environment for the server (config overrides)
#   POISK_DATA_FILES                            where xquad-ru/xquad.ru.json lives (default: the repository's data/)
set -euo pipefail

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
SIM="$1"
case "$SIM" in
  SearchSimulation|LiveSearchSimulation) DEFAULT_USERS=16 ;;
  IngestSimulation) DEFAULT_USERS=2 ;;
  *) echo "run.sh: unknown simulation '$SIM' (SearchSimulation, LiveSearchSimulation or IngestSimulation)" >&2; usage ;;
esac
USERS="${2:-$DEFAULT_USERS}"
DURATION_S="${3:-60}"
[[ "$USERS" =~ ^[1-9][0-9]*$ && "$DURATION_S" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: users and seconds must be positive integers" >&2; exit 2; }

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(dirname "$HERE")"
source "$REPO/scripts/jdk.sh"
poisk_find_jdk
export JAVA_HOME="$POISK_JAVA_HOME"
DATA_FILES="${POISK_DATA_FILES:-$REPO/data}"
XQUAD="$DATA_FILES/xquad-ru/xquad.ru.json"
[ -f "$XQUAD" ] || { echo "run.sh: XQuAD-ru not found at $XQUAD (set POISK_DATA_FILES)" >&2; exit 1; }

RUN_DIR="$HERE/target/runs/$(date +%Y%m%d-%H%M%S)-$SIM"
mkdir -p "$RUN_DIR"
DATA_DIR="$(mktemp -d -t poisk-load-XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"   # SIGTERM: the server's shutdown hook closes collections cleanly
    for _ in $(seq 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -9 "$SERVER_PID"
  fi
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT

# --- server ----------------------------------------------------------------------------------
SERVER_LOG="$RUN_DIR/server.log"
: >"$SERVER_LOG"   # exists before the server writes, so the port poll below can read it at once
export POISK_HOST=127.0.0.1
# shellcheck disable=SC2086  # POISK_SERVER_ENV is a list of NAME=value words on purpose
if [ "${POISK_LOAD_NO_BUILD:-0}" = 1 ]; then
  LIB="$REPO/modules/app/target/lib"
  [ -d "$LIB" ] || { echo "run.sh: $LIB missing; build with ./poisk or mvn install -DskipTests" >&2; exit 1; }
  env OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" POISK_MODELS_DIR="${POISK_MODELS_DIR:-$REPO/index-data/models}" \
      DJL_CACHE_DIR="${DJL_CACHE_DIR:-$REPO/index-data/.djl-cache}" ${POISK_SERVER_ENV:-} \
      "$JAVA_HOME/bin/java" $(cat "$REPO/modules/app/target/jvm.flags") -cp "$LIB/*" io.poisk.app.Main \
      serve --port 0 --data "$DATA_DIR" >"$SERVER_LOG" 2>&1 &
else
  env ${POISK_SERVER_ENV:-} "$REPO/poisk" serve --port 0 --data "$DATA_DIR" >"$SERVER_LOG" 2>&1 &
fi
SERVER_PID=$!

# ./poisk may build first (minutes); the port is read from the server's own log line.
PORT=""
for _ in $(seq 1200); do
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "run.sh: server exited; see $SERVER_LOG" >&2; tail -20 "$SERVER_LOG" >&2; exit 1; }
  PORT="$(sed -n 's|.*Poisk listening on http://[^:]*:\([0-9]*\).*|\1|p' "$SERVER_LOG" | head -n1 || true)"
  [ -n "$PORT" ] && break
  sleep 0.5
done
[ -n "$PORT" ] || { echo "run.sh: server did not start within 10 minutes; see $SERVER_LOG" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
for _ in $(seq 120); do curl -fsS "$URL/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "$URL/health" >/dev/null || { echo "run.sh: $URL/health never answered" >&2; exit 1; }
echo "run.sh: server pid $SERVER_PID on $URL, data in $DATA_DIR, logs in $RUN_DIR"

# --- corpus (search simulations only: IngestSimulation writes to its own collection) ---------
if [ "$SIM" != IngestSimulation ]; then
  curl -fsS -X PUT -H 'content-type: application/json' -d '{}' "$URL/collections/xquad" >/dev/null
  python3 "$HERE/xquad_ndjson.py" "$XQUAD" >"$RUN_DIR/xquad.ndjson"
  LOAD_START=$(date +%s.%N)
  INDEXED="$(curl -fsS --max-time 900 -X POST -H 'content-type: application/x-ndjson' --data-binary @"$RUN_DIR/xquad.ndjson" \
             "$URL/collections/xquad/documents")"
  LOAD_END=$(date +%s.%N)
  echo "run.sh: XQuAD corpus loaded: $INDEXED in $(python3 -c "print(f'{$LOAD_END-$LOAD_START:.1f}')") s (includes first model use)"
  python3 -c "import json,sys; n=json.loads(sys.argv[1])['indexed']; sys.exit(0 if n==240 else 1)" "$INDEXED" \
    || { echo "run.sh: expected 240 indexed paragraphs, got $INDEXED" >&2; exit 1; }
fi

# --- load ------------------------------------------------------------------------------------
OFFLINE=-o
[ -d "$HOME/.m2/repository/io/gatling/highcharts/gatling-charts-highcharts" ] || OFFLINE=""

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

thread_dumps() {
  local n="$1" i
  for i in $(seq "$n"); do
    sleep "$(( DURATION_S / (n + 1) + (i == 1 ? 10 : 0) ))"   # the first one also waits out Gatling's start
    "$JAVA_HOME/bin/jcmd" "$SERVER_PID" Thread.print >"$RUN_DIR/threads-$i.txt" 2>&1 || true
  done
}

run_gatling() {   # $1: label, rest: extra -D properties
  local label="$1"; shift
  local log="$RUN_DIR/gatling-$label.log" dumps_pid="" rc=0 before after
  before=$(cpu_ticks)
  local started=$(date +%s.%N)
  if [ "${POISK_THREAD_DUMPS:-0}" -gt 0 ]; then thread_dumps "$POISK_THREAD_DUMPS" & dumps_pid=$!; fi
  # shellcheck disable=SC2086  # GATLING_OPTS is a list of -D words on purpose
  (cd "$HERE" && mvn -B $OFFLINE test-compile gatling:test -Dgatling.simulationClass="io.poisk.load.$SIM" \
      -Dpoisk.url="$URL" -Dusers="$USERS" -Dseconds="$DURATION_S" -Dpoisk.xquad="$XQUAD" "$@" ${GATLING_OPTS:-}) \
      >"$log" 2>&1 || rc=$?
  [ -n "$dumps_pid" ] && wait "$dumps_pid"
  after=$(cpu_ticks)
  local ended=$(date +%s.%N)
  local report
  report="$(sed -n 's|.*following file: \(file://\)\{0,1\}\(.*\)/index.html.*|\2|p' "$log" | tail -n1)"
  echo "== $SIM $label: users=$USERS seconds=$DURATION_S (gatling rc=$rc, log $log)"
  grep -E '^POISK-' "$log" || true
  grep -E '^Global: ' "$log" || true
  python3 "$HERE/gatling_stats.py" "$log" || tail -30 "$log"
  if [ "$SIM" = LiveSearchSimulation ]; then
    # Its Global mixes in the 0 ms keystroke sends; the latency that matters is the "final" request alone.
    grep -E '^final: ' "$log" || true
    python3 "$HERE/gatling_stats.py" "$log" --request final || true
  fi
  [ -n "$report" ] && echo "report: $report/index.html"
  python3 -c "import os; t=os.sysconf('SC_CLK_TCK'); print(f'server CPU: {($after-$before)/t:.1f} s over {$ended-$started:.1f} s wall (incl. Gatling start-up)')"
  return "$rc"
}

STATUS=0
if [ "$SIM" = IngestSimulation ]; then
  for fmt in ${INGEST_FORMATS:-json ndjson}; do run_gatling "$fmt" -Dformat="$fmt" || STATUS=$?; done
elif [ "$SIM" = LiveSearchSimulation ]; then
  run_gatling live || STATUS=$?
else
  run_gatling search || STATUS=$?
fi
grep -E 'WARN|ERROR' "$SERVER_LOG" | head -5 || true
exit "$STATUS"
