#!/usr/bin/env bash
# Starts Jaeger (all in one: an OTLP receiver on 127.0.0.1:4318 (HTTP) and :4317 (gRPC), in-memory storage, the UI and
# its HTTP API on http://127.0.0.1:16686) as a real OTLP receiver for the gateway's and the projector's traces
# (docs/observability.md "Tracing"). Jaeger is built once from the Go module proxy (github.com/jaegertracing/jaeger,
# a Go module like any other) into $JAEGER_CACHE_DIR; the first build takes many minutes on two cores.
#
# Usage: bash scripts/tracing/start-jaeger.sh          prints the OTEL_EXPORTER_OTLP_ENDPOINT to use
#        bash scripts/tracing/check-jaeger.sh          a gateway's traced request, found in Jaeger
# Stop:  kill "$(cat "$JAEGER_ROOT/jaeger.pid")"
# Env:   JAEGER_VERSION (v1.75.0), JAEGER_CACHE_DIR (~/.cache/scim-gateway/jaeger), JAEGER_ROOT (/tmp/scim-gateway-jaeger),
#        JAEGER_START_TIMEOUT (seconds, 60)
set -euo pipefail
JAEGER_VERSION="${JAEGER_VERSION:-v1.75.0}"
JAEGER_CACHE_DIR="${JAEGER_CACHE_DIR:-$HOME/.cache/scim-gateway/jaeger}"
JAEGER_ROOT="${JAEGER_ROOT:-/tmp/scim-gateway-jaeger}"
JAEGER_START_TIMEOUT="${JAEGER_START_TIMEOUT:-60}"
BINARY="$JAEGER_CACHE_DIR/jaeger-$JAEGER_VERSION"

if [ ! -x "$BINARY" ]; then
  command -v go >/dev/null || { echo "Go is needed to build Jaeger (Debian: golang-go)" >&2; exit 1; }
  echo "building Jaeger $JAEGER_VERSION from the Go module proxy (once; minutes)" >&2
  module="$JAEGER_CACHE_DIR/module-$JAEGER_VERSION"
  mkdir -p "$module"
  (
    cd "$module"
    [ -f go.mod ] || go mod init local/jaeger-tool >/dev/null 2>&1
    go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" >&2
    go build -o "$BINARY.tmp" github.com/jaegertracing/jaeger/cmd/jaeger >&2
    mv "$BINARY.tmp" "$BINARY"
  )
fi

mkdir -p "$JAEGER_ROOT"
if [ -f "$JAEGER_ROOT/jaeger.pid" ] && kill -0 "$(cat "$JAEGER_ROOT/jaeger.pid")" 2>/dev/null; then
  echo "Jaeger already runs (pid $(cat "$JAEGER_ROOT/jaeger.pid"))" >&2
else
  # No --config: Jaeger's own all-in-one configuration (memory storage, OTLP on 4317/4318, query on 16686).
  nohup "$BINARY" > "$JAEGER_ROOT/jaeger.log" 2>&1 &
  echo $! > "$JAEGER_ROOT/jaeger.pid"
fi

deadline=$(( $(date +%s) + JAEGER_START_TIMEOUT ))
until curl -fsS -o /dev/null http://127.0.0.1:16686/api/services 2>/dev/null; do
  if [ "$(date +%s)" -gt "$deadline" ] || ! kill -0 "$(cat "$JAEGER_ROOT/jaeger.pid")" 2>/dev/null; then
    echo "Jaeger did not start; its log:" >&2
    tail -n 30 "$JAEGER_ROOT/jaeger.log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "Jaeger is up: UI http://127.0.0.1:16686, log $JAEGER_ROOT/jaeger.log" >&2
echo "export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318"
