#!/usr/bin/env bash
# Builds the Poisk image: ops/container/build.sh [--local-base] [--tag NAME]
#   --local-base  build the base from Debian packages (mmdebstrap, bookworm minbase) plus this machine's
#                 Temurin JDK (the one scripts/jdk.sh finds), for machines that cannot reach a registry;
#                 without it the Containerfile's public base (eclipse-temurin:25-jdk) is pulled.
# Needs podman (Debian: podman, and mmdebstrap for --local-base) and Maven. Extra podman options for
# unusual hosts go in $PODMAN_OPTS (e.g. "--runtime runc" where crun cannot use a hybrid cgroup tree) and
# $PODMAN_BUILD_OPTS (e.g. "--ulimit nofile=20000:20000 --ulimit nproc=4096:4096" inside a sandbox that may
# not raise limits).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
TAG="localhost/poisk:0.1.0"
LOCAL_BASE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --local-base) LOCAL_BASE=1 ;;
    --tag) TAG="$2"; shift ;;
    *) echo "usage: $0 [--local-base] [--tag NAME]" >&2; exit 2 ;;
  esac
  shift
done
PODMAN=(podman ${PODMAN_OPTS:-})

source "$REPO/scripts/jdk.sh"
poisk_find_jdk
export JAVA_HOME="$POISK_JAVA_HOME"

# The app (target/lib, target/jvm.flags) and the default model (index-data/models/e5-small-v2).
(cd "$REPO" && mvn -q -B -ntp -DskipTests install)

CTX="$REPO/target/container"
rm -rf "$CTX" && mkdir -p "$CTX/models"
cp -r "$REPO/modules/app/target/lib" "$CTX/lib"
cp "$REPO/modules/app/target/jvm.flags" "$CTX/jvm.flags"
cp -r "$REPO/ops/container/bin" "$CTX/bin"
model_dir="$REPO/index-data/models/e5-small-v2"
mkdir -p "$CTX/models/e5-small-v2"
cp "$model_dir/card.json" "$model_dir/model.onnx" "$model_dir/tokenizer.json" "$CTX/models/e5-small-v2/"

BUILD_ARGS=()
if [ -n "$LOCAL_BASE" ]; then
  BASE_TAG="localhost/poisk-base:bookworm-temurin"
  tar="$REPO/target/poisk-base.tar"
  # minbase + what the Containerfile's RUN uses (passwd for useradd) and the JDK copied in where the
  # eclipse-temurin images keep theirs, so one Containerfile serves both bases.
  mmdebstrap --variant=minbase --include=ca-certificates,passwd,bash \
    --customize-hook="mkdir -p \"\$1/opt/java\"" \
    --customize-hook="copy-in $POISK_JAVA_HOME /opt/java" \
    --customize-hook="mv \"\$1/opt/java/$(basename "$POISK_JAVA_HOME")\" \"\$1/opt/java/openjdk\"" \
    --customize-hook="rm -rf \"\$1/opt/java/openjdk/lib/src.zip\" \"\$1/opt/java/openjdk/jmods\"" \
    bookworm "$tar" http://deb.debian.org/debian
  "${PODMAN[@]}" import --change 'ENV JAVA_HOME=/opt/java/openjdk' \
    --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tar" "$BASE_TAG"
  rm -f "$tar"
  BUILD_ARGS+=(--build-arg "BASE=$BASE_TAG")
fi

# --format docker keeps HEALTHCHECK (the OCI image format has no field for it).
# shellcheck disable=SC2086
"${PODMAN[@]}" build --format docker ${PODMAN_BUILD_OPTS:-} "${BUILD_ARGS[@]}" -t "$TAG" \
  -f "$REPO/ops/container/Containerfile" "$CTX"
echo "built $TAG"
