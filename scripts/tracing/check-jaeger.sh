#!/usr/bin/env bash
# End-to-end check of tracing against a real OTLP receiver: starts Jaeger (start-jaeger.sh), runs the built gateway
# (dist/, `npm run build` first) on the embedded store exporting to it over OTLP/HTTP, sends a SCIM POST with a
# traceparent, stops the gateway with SIGTERM (which flushes the last spans), and asks Jaeger's HTTP API for the
# trace: it must hold the server span (a child of the client's span), the command, the append and SQL statements.
# Exit 0 and the span names when it does. Env: CHECK_PORT (39431).
set -euo pipefail
cd "$(dirname "$0")/../.."
eval "$(bash scripts/tracing/start-jaeger.sh)"
PORT="${CHECK_PORT:-39431}"
TOKEN=check-token-0123456789abcdef
DATA_DIR="$(mktemp -d)"
TRACE_ID="$(node -e "console.log(require('crypto').randomBytes(16).toString('hex'))")"
TRACEPARENT="00-$TRACE_ID-$(node -e "console.log(require('crypto').randomBytes(8).toString('hex'))")-01"
LOG="$DATA_DIR/gateway.log"

OTEL_SERVICE_NAME=scim-gateway-check DATA_DIR="$DATA_DIR" PORT="$PORT" HOST=127.0.0.1 SCIM_BEARER_TOKEN="$TOKEN" \
  node_modules/.bin/node dist/apps/gateway/src/main.js > "$LOG" 2>&1 &
GATEWAY=$!
trap 'kill "$GATEWAY" 2>/dev/null || true; rm -rf "$DATA_DIR"' EXIT
for _ in $(seq 1 120); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null && break; sleep 0.5; done
grep -o 'tracing: .*' "$LOG" | head -1 >&2

status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/scim/v2/Users" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/scim+json' -H "traceparent: $TRACEPARENT" \
  -d "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"jaeger-check-$TRACE_ID@contoso.com\"}")
[ "$status" = 201 ] || { echo "the POST answered $status" >&2; cat "$LOG" >&2; exit 1; }
kill -TERM "$GATEWAY"; wait "$GATEWAY" || true

# Jaeger stores what it received asynchronously: ask a few times.
for _ in $(seq 1 20); do
  if curl -fsS "http://127.0.0.1:16686/api/traces/$TRACE_ID" -o "$DATA_DIR/trace.json" 2>/dev/null; then break; fi
  sleep 0.5
done
node - "$DATA_DIR/trace.json" "$TRACEPARENT" <<'JS'
const [file, traceparent] = process.argv.slice(2);
const [, traceId, clientSpanId] = traceparent.split('-');
const { data } = JSON.parse(require('fs').readFileSync(file, 'utf8'));
const spans = (data ?? []).flatMap((trace) => trace.spans);
const names = spans.map((span) => span.operationName);
const tag = (span, key) => span.tags.find((candidate) => candidate.key === key)?.value;
const problems = [];
for (const name of ['POST /scim/v2/Users', 'command', 'event_store.append']) if (!names.includes(name)) problems.push(`no ${name} span`);
if (!spans.some((span) => tag(span, 'db.system.name') === 'postgresql')) problems.push('no SQL statement span');
const server = spans.find((span) => span.operationName === 'POST /scim/v2/Users');
if (server && server.references?.[0]?.spanID !== clientSpanId) problems.push("the server span is not a child of the client's span");
if (spans.some((span) => span.traceID !== traceId)) problems.push('spans of other traces');
console.log(`Jaeger has ${spans.length} spans in trace ${traceId}: ${[...new Set(names)].sort().join(', ')}`);
if (problems.length > 0) {
  console.error(problems.join('; '));
  process.exit(1);
}
JS
