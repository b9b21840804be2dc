#!/usr/bin/env bash
# Starts a single-node Apache Kafka (KRaft: broker and controller in one JVM) on 127.0.0.1:$KAFKA_PORT for tests
# and CI, and prints the KAFKA_BROKERS to use. The broker's jars come from Maven Central through pom.xml (cached
# in ~/.m2; the resolved classpath in $KAFKA_CACHE_DIR), so only the first start downloads anything.
#
# Usage: eval "$(bash scripts/kafka/start-kafka.sh)"            fresh storage (any old data is removed)
#        bash scripts/kafka/start-kafka.sh --keep-data          restart on the data of the last start
# Stop:  bash scripts/kafka/stop-kafka.sh
# Env:   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), KAFKA_ROOT (/tmp/scim-gateway-kafka-$KAFKA_PORT),
#        KAFKA_HEAP_OPTS (-Xmx512m -Xms128m), KAFKA_VERSION (pom.xml's), KAFKA_START_TIMEOUT (seconds, 90)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_ROOT="${KAFKA_ROOT:-/tmp/scim-gateway-kafka-$KAFKA_PORT}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms128m}"
KAFKA_CACHE_DIR="${KAFKA_CACHE_DIR:-$HOME/.cache/scim-gateway/kafka}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
POM="$HERE/pom.xml"
KAFKA_VERSION="${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")}"
KEEP_DATA=false
[ "${1:-}" = "--keep-data" ] && KEEP_DATA=true
started=$(date +%s)

# Like start-postgres.sh: install what is missing from Debian's packages (CI machines may be new).
if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  echo "installing Debian's openjdk-17-jre-headless and maven" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq openjdk-17-jre-headless maven >&2
fi

# The runtime classpath, resolved once per pom and version; Maven runs again only if a jar went missing.
mkdir -p "$KAFKA_CACHE_DIR"
CLASSPATH_FILE="$KAFKA_CACHE_DIR/classpath-$KAFKA_VERSION-$(sha1sum "$POM" | cut -c1-12).txt"
classpath_complete() {
  [ -s "$CLASSPATH_FILE" ] || return 1
  local jar
  while IFS= read -r jar; do [ -f "$jar" ] || return 1; done < <(tr ':' '\n' < "$CLASSPATH_FILE")
}
if ! classpath_complete; then
  echo "fetching Apache Kafka $KAFKA_VERSION with mvn (first start only)" >&2
  mvn -q -B -Dstyle.color=never -f "$POM" -Dkafka.version="$KAFKA_VERSION" \
    dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$CLASSPATH_FILE.tmp" >"$KAFKA_CACHE_DIR/mvn.log" 2>&1 \
    || { cat "$KAFKA_CACHE_DIR/mvn.log" >&2; exit 1; }
  mv "$CLASSPATH_FILE.tmp" "$CLASSPATH_FILE"
fi
CLASSPATH="$(cat "$CLASSPATH_FILE")"

# A broker left running on this root by an earlier start is stopped first.
KAFKA_ROOT="$KAFKA_ROOT" bash "$HERE/stop-kafka.sh" >&2
mkdir -p "$KAFKA_ROOT"
if ! $KEEP_DATA; then rm -rf "$KAFKA_ROOT/data"; fi
cat > "$KAFKA_ROOT/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_ROOT/data
# Topics come from the projection's admin client (with their partitions); an unknown topic is a bug, not a default.
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# One node: no reason to wait for more consumers before the first rebalance; tests start and stop groups often.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
background.threads=2
log.flush.interval.messages=9223372036854775807
PROPERTIES

JAVA_OPTS=(-Djava.awt.headless=true -XX:+ExitOnOutOfMemoryError "-Dlog4j2.configurationFile=$HERE/log4j2.properties" "-Dkafka.log.dir=$KAFKA_ROOT")
if [ ! -f "$KAFKA_ROOT/data/meta.properties" ]; then
  # Any fixed 16-byte id in Kafka's base64 form; the storage is thrown away with the broker.
  java -Xmx256m "${JAVA_OPTS[@]}" -cp "$CLASSPATH" kafka.tools.StorageTool format \
    -t "MkU3OEVBNTcwNTJENDM2Qk" -c "$KAFKA_ROOT/server.properties" >"$KAFKA_ROOT/format.log" 2>&1 \
    || { cat "$KAFKA_ROOT/format.log" >&2; exit 1; }
fi

: > "$KAFKA_ROOT/server.log"
# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM options
setsid nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "${JAVA_OPTS[@]}" -cp "$CLASSPATH" \
  kafka.Kafka "$KAFKA_ROOT/server.properties" >"$KAFKA_ROOT/stdout.log" 2>&1 < /dev/null &
echo $! > "$KAFKA_ROOT/kafka.pid"
pid=$!

# Ready = the server logged its start and the port takes connections.
deadline=$(( $(date +%s) + KAFKA_START_TIMEOUT ))
until grep -q "Kafka Server started" "$KAFKA_ROOT/server.log" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "Kafka exited during start; last lines of its logs:" >&2
    tail -n 40 "$KAFKA_ROOT/stdout.log" "$KAFKA_ROOT/server.log" >&2
    exit 1
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "Kafka did not start within ${KAFKA_START_TIMEOUT}s; last lines of its log:" >&2
    tail -n 40 "$KAFKA_ROOT/server.log" >&2
    kill -KILL "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done
echo "Apache Kafka $KAFKA_VERSION (KRaft, one node) on 127.0.0.1:$KAFKA_PORT, pid $pid, in $KAFKA_ROOT; started in $(( $(date +%s) - started )) s" >&2
echo "export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
