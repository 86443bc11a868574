#!/usr/bin/env bash
# Runs the README walk-through against the Poisk image: ops/container/walkthrough.sh [IMAGE]
# Starts the container on the host network at a free loopback port with a volume for its data and an
# admin key, waits for its health check, runs the walk-through's requests with checks on each answer,
# restarts the container to show the volume keeps the data, and removes what it made. Exit 0 = all passed.
# Host quirks go in $PODMAN_OPTS / $PODMAN_RUN_OPTS as for build.sh.
set -euo pipefail
IMAGE="${1:-localhost/poisk:0.1.0}"
PODMAN=(podman ${PODMAN_OPTS:-})
NAME="poisk-walkthrough-$$"
VOLUME="poisk-walkthrough-$$"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
KEY="pk_walkthrough_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BASE="http://127.0.0.1:$PORT"
AUTH=(-H "Authorization: Bearer $KEY")

cleanup() {
  "${PODMAN[@]}" rm -f "$NAME" >/dev/null 2>&1 || true
  "${PODMAN[@]}" volume rm -f "$VOLUME" >/dev/null 2>&1 || true
}
trap cleanup EXIT

fail() { echo "walkthrough: FAIL: $*" >&2; "${PODMAN[@]}" logs --tail 40 "$NAME" >&2 || true; exit 1; }
check() { # check NAME EXPECTED-SUBSTRING ACTUAL
  case "$3" in *"$2"*) echo "ok   $1" ;; *) fail "$1: expected '$2' in: $3" ;; esac
}

start() {
  # shellcheck disable=SC2086
  "${PODMAN[@]}" run -d --name "$NAME" --network host ${PODMAN_RUN_OPTS:-} \
    -v "$VOLUME:/var/lib/poisk" -e POISK_PORT="$PORT" -e POISK_AUTH_ADMIN_KEY="$KEY" "$IMAGE" >/dev/null
  for _ in $(seq 1 90); do # the model loads in a few seconds; 3 minutes at most
    if "${PODMAN[@]}" healthcheck run "$NAME" >/dev/null 2>&1; then echo "ok   container healthy on :$PORT"; return; fi
    sleep 2
  done
  fail "no healthy container within 180 s"
}

"${PODMAN[@]}" volume create "$VOLUME" >/dev/null
start
check "runs as non-root" "uid=10001" "$("${PODMAN[@]}" exec "$NAME" id)"
check "health" '"status":"up"' "$(curl -s "$BASE/health")"
check "no key, no writes" '401' "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$BASE/collections/news" -H 'Content-Type: application/json' -d '{}')"

check "create collection" '' "$(curl -s -f "${AUTH[@]}" -X PUT "$BASE/collections/news" -H 'Content-Type: application/json' \
  -d '{"language": "auto", "fields": {"city": "keyword", "year": "long"}}')"
check "ingest JSON" '"indexed":2' "$(curl -s "${AUTH[@]}" -X POST "$BASE/collections/news/documents" -H 'Content-Type: application/json' -d '{
  "documents": [
    {"id": "1", "text": "The Moscow metro opened in 1935.", "fields": {"city": "Moscow", "year": 1935}},
    {"id": "2", "text": "Москва — столица России.", "fields": {"city": "Moscow"}}
  ]}')"
check "ingest NDJSON" '"indexed":1' "$(printf '%s\n' '{"id":"3","text":"Saint Petersburg was founded in 1703.","fields":{"city":"Saint Petersburg","year":1703}}' \
  | curl -s "${AUTH[@]}" -X POST "$BASE/collections/news/documents" -H 'Content-Type: application/x-ndjson' --data-binary @-)"
check "hybrid search with filter" '"hits":[{"id":"1"' "$(curl -s "${AUTH[@]}" -X POST "$BASE/collections/news/search" -H 'Content-Type: application/json' \
  -d '{"query": "when was the underground railway opened?", "k": 3, "filter": {"range": {"year": {"gte": 1900}}}}')"
check "lexical search" '"id":"2"' "$(curl -s "${AUTH[@]}" -X POST "$BASE/collections/news/search" -H 'Content-Type: application/json' \
  -d '{"query": "столица", "mode": "lexical"}')"
check "get document" 'столица' "$(curl -s "${AUTH[@]}" "$BASE/collections/news/documents/2")"
check "delete document" '' "$(curl -s -f "${AUTH[@]}" -X DELETE "$BASE/collections/news/documents/2")"
check "list collections" '"name":"news"' "$(curl -s "${AUTH[@]}" "$BASE/collections")"

# The volume keeps the data across a restart of the container (the log is replayed or the segments loaded).
"${PODMAN[@]}" restart "$NAME" >/dev/null
for _ in $(seq 1 90); do "${PODMAN[@]}" healthcheck run "$NAME" >/dev/null 2>&1 && break; sleep 2; done
check "documents after restart" '"id":"3"' "$(curl -s "${AUTH[@]}" "$BASE/collections/news/documents/3")"
check "deleted stays deleted" '404' "$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" "$BASE/collections/news/documents/2")"
echo "walkthrough: all passed against $IMAGE"
