#!/usr/bin/env bash
# Runs a Poisk benchmark harness (not a test) with the engine's JVM flags on the newest JDK.
#   modules/eval/bench/run-bench.sh ann   [--data fashion|europarl|both --queries N ...]  two runs: JVector native (its default on JDK 22+), then panama provider
#   modules/eval/bench/run-bench.sh ann-one [...]        one run; pass -Djvector.vectorization_provider=... in BENCH_JAVA_OPTS
#   modules/eval/bench/run-bench.sh embed [--rounds 3 --texts N --batches 1,8,16,32,64 ...]   Poisk embedder vs sentence-transformers
#   modules/eval/bench/run-bench.sh raw-embed --queries FILE --docs FILE [--batches 1,2,4,8,16,32 --doc-batches 2,32 --rounds 2]   the model alone on a serving run's texts (load-tests/capacity.sh)
#   modules/eval/bench/run-bench.sh snapshot [--docs 100000 --dim 384 --work DIR]   snapshot/archive/restore time and size vs a cold copy
#   modules/eval/bench/run-bench.sh scale [--sizes 100000,300000 --real 20000 --xmx 2g --streams 4 ...]   N vectors over HTTP into a real server: ingest, settle, heap/vector, disk, HTTP latency; CPU QPS@0.95 vs Lucene; slopes
# Builds the module's classes and classpath first (offline Maven). Extra JVM options: BENCH_JAVA_OPTS (e.g. -Xmx8g).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$REPO"
# shellcheck source=/dev/null
source scripts/jdk.sh
poisk_find_jdk
export JAVA_HOME="$POISK_JAVA_HOME"
export OMP_WAIT_POLICY=PASSIVE
export DJL_CACHE_DIR="$REPO/index-data/.djl-cache"

what="${1:-}"; shift || true
case "$what" in
  ann|ann-one) main=io.poisk.eval.bench.AnnBenchmark ;;
  embed) main=io.poisk.eval.bench.EmbeddingBenchmark ;;
  raw-embed) main=io.poisk.eval.bench.RawEmbeddingBenchmark ;;
  snapshot) main=io.poisk.eval.bench.SnapshotBenchmark ;;
  scale) main=io.poisk.eval.bench.ScaleBenchmark ;;
  *) echo "usage: $0 ann|ann-one|embed|raw-embed|snapshot|scale [options]" >&2; exit 2 ;;
esac

cpfile="$REPO/modules/eval/target/bench.classpath"
# The modules eval measures are built from this tree too (-am): from ~/.m2 they would be whatever was
# last installed, and a change here would not be measured.
mvn -q -o -pl modules/eval -am compile dependency:build-classpath -Dmdep.outputFile="$cpfile" >/dev/null
cp="$REPO/modules/eval/target/classes:$(cat "$cpfile")"

if [ -f "$REPO/modules/app/target/jvm.flags" ]; then
  flags="$(tr '\n' ' ' < "$REPO/modules/app/target/jvm.flags")"
else # the one list in the parent pom
  flags="$(sed -n 's:.*<poisk.jvm.flags>\(.*\)</poisk.jvm.flags>.*:\1:p' "$REPO/pom.xml")"
fi
props=(-Dpoisk.models.dir="$REPO/index-data/models" -Dpoisk.data.dir="$REPO/data" -Dpoisk.repo.dir="$REPO"
       -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.log.net.openhft=warn)

run() { # $@: extra JVM options
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" $flags ${BENCH_JAVA_OPTS:-} "${props[@]}" "$@" -cp "$cp" "$main" "${ARGS[@]}"
}
ARGS=("$@")
if [ "$what" = ann ]; then
  echo "=== JVector provider: native ==="
  run -Djvector.vectorization_provider=native
  echo "=== JVector provider: panama ==="
  run -Djvector.vectorization_provider=panama
else
  run
fi
