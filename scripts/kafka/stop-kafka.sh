#!/usr/bin/env bash
# Stops the broker start-kafka.sh started on $KAFKA_ROOT (default /tmp/scim-gateway-kafka-$KAFKA_PORT):
# SIGTERM (a clean shutdown), SIGKILL after 30 s. With --kill: SIGKILL at once (a crash, for failure tests).
set -uo pipefail
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_ROOT="${KAFKA_ROOT:-/tmp/scim-gateway-kafka-$KAFKA_PORT}"
PID_FILE="$KAFKA_ROOT/kafka.pid"
[ -f "$PID_FILE" ] || exit 0
pid="$(cat "$PID_FILE")"
# Only our broker: the pid must still be a java running kafka.Kafka on this root, not a recycled pid.
if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $KAFKA_ROOT/server.properties"; then
  if [ "${1:-}" = "--kill" ]; then
    kill -KILL "$pid"
  else
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  echo "stopped Kafka (pid $pid, $KAFKA_ROOT)" >&2
fi
rm -f "$PID_FILE"
exit 0
