#!/usr/bin/env bash
# Starts a single-node Apache Kafka (KRaft: broker and controller in one JVM) on 127.0.0.1:$KAFKA_PORT for tests
# and CI, and prints the KAFKA_BROKERS to use. The broker's jars come from Maven Central through pom.xml (cached
# in ~/.m2; the resolved classpath in $KAFKA_CACHE_DIR), so only the first start downloads anything.
#
# Next to that PLAINTEXT listener (what every suite uses) the broker has two secured ones, for the TLS/SASL suite
# (libs/kafka/src/kafka.secured.int.spec.ts, docs/kafka.md "Connecting to a secured cluster"):
#   SASL_SSL on $KAFKA_SASL_SSL_PORT: TLS with a self-signed certificate (keytool), SASL PLAIN, SCRAM-SHA-256 and
#            SCRAM-SHA-512; users scim_plain (PLAIN) and scim_scram (SCRAM, added with `format --add-scram`);
#   SSL on $KAFKA_MTLS_PORT: TLS that requires a client certificate (mutual TLS; the client's key made by openssl).
# Certificates and random passwords are made once per $KAFKA_ROOT (in $KAFKA_ROOT/tls) and printed as exports.
#
# Usage: eval "$(bash scripts/kafka/start-kafka.sh)"            fresh storage (any old data is removed)
#        bash scripts/kafka/start-kafka.sh --keep-data          restart on the data of the last start
# Stop:  bash scripts/kafka/stop-kafka.sh
# Env:   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), KAFKA_ROOT (/tmp/scim-gateway-kafka-$KAFKA_PORT),
#        KAFKA_SASL_SSL_PORT (KAFKA_PORT+2; 0 = no SASL_SSL listener), KAFKA_MTLS_PORT (KAFKA_PORT+3; 0 = none),
#        KAFKA_HEAP_OPTS (-Xmx512m -Xms128m), KAFKA_VERSION (pom.xml's), KAFKA_START_TIMEOUT (seconds, 90)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-$((KAFKA_PORT + 2))}"
KAFKA_MTLS_PORT="${KAFKA_MTLS_PORT:-$((KAFKA_PORT + 3))}"
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
missing=()
if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then missing+=(openjdk-17-jre-headless maven); fi
if [ "$KAFKA_MTLS_PORT" != 0 ] && ! command -v openssl >/dev/null; then missing+=(openssl); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian's ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >&2
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

# The secured listeners' material, made once per root and kept with it (a --keep-data restart needs the same
# SCRAM passwords: they live in the metadata log). Test-only secrets: random, never a real credential.
TLS="$KAFKA_ROOT/tls"
random_secret() { od -An -tx1 -N12 /dev/urandom | tr -d ' \n'; }
if [ "$KAFKA_SASL_SSL_PORT" != 0 ] || [ "$KAFKA_MTLS_PORT" != 0 ]; then
  if [ ! -s "$TLS/secrets.env" ] || [ ! -s "$TLS/broker.p12" ] || [ ! -s "$TLS/ca.pem" ]; then
    rm -rf "$TLS" && mkdir -p "$TLS" && chmod 700 "$TLS"
    printf 'KEYSTORE_PASSWORD=%s\nPLAIN_PASSWORD=%s\nSCRAM_PASSWORD=%s\n' "$(random_secret)" "$(random_secret)" "$(random_secret)" > "$TLS/secrets.env.tmp"
    # shellcheck disable=SC1091
    . "$TLS/secrets.env.tmp"
    # The broker's self-signed certificate (EC P-256: quick to make), valid for the address clients dial; its PEM
    # is the CA file the clients trust (KAFKA_SSL_CA_FILE).
    keytool -genkeypair -alias broker -keyalg EC -groupname secp256r1 -validity 3650 -dname "CN=scim-gateway test broker" \
      -ext SAN=ip:127.0.0.1,dns:localhost -keystore "$TLS/broker.p12" -storetype PKCS12 -storepass "$KEYSTORE_PASSWORD" \
      -noprompt >"$TLS/keytool.log" 2>&1 || { cat "$TLS/keytool.log" >&2; exit 1; }
    keytool -exportcert -rfc -alias broker -keystore "$TLS/broker.p12" -storepass "$KEYSTORE_PASSWORD" -file "$TLS/ca.pem" \
      >>"$TLS/keytool.log" 2>&1 || { cat "$TLS/keytool.log" >&2; exit 1; }
    mv "$TLS/secrets.env.tmp" "$TLS/secrets.env"
  fi
  # shellcheck disable=SC1091
  . "$TLS/secrets.env"
fi
if [ "$KAFKA_MTLS_PORT" != 0 ] && { [ ! -s "$TLS/client.pem" ] || [ ! -s "$TLS/client.key" ]; }; then
  # The client's self-signed certificate and unencrypted PKCS#8 key (KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE);
  # the mutual-TLS listener trusts exactly this certificate. keytool cannot export a private key, openssl can.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=scim-gateway test client" \
    -keyout "$TLS/client.key.tmp" -out "$TLS/client.pem" >"$TLS/openssl.log" 2>&1 || { cat "$TLS/openssl.log" >&2; exit 1; }
  mv "$TLS/client.key.tmp" "$TLS/client.key"
fi

listeners="PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT"
advertised="PLAINTEXT://127.0.0.1:$KAFKA_PORT"
protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
secured=""
if [ "$KAFKA_SASL_SSL_PORT" != 0 ] || [ "$KAFKA_MTLS_PORT" != 0 ]; then
  secured+="ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS/broker.p12
ssl.keystore.password=$KEYSTORE_PASSWORD
ssl.key.password=$KEYSTORE_PASSWORD
"
fi
if [ "$KAFKA_SASL_SSL_PORT" != 0 ]; then
  listeners+=",SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT"
  advertised+=",SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT"
  protocols+=",SASL_SSL:SASL_SSL"
  secured+="listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_scim_plain=\"$PLAIN_PASSWORD\";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
"
fi
if [ "$KAFKA_MTLS_PORT" != 0 ]; then
  listeners+=",SSL://127.0.0.1:$KAFKA_MTLS_PORT"
  advertised+=",SSL://127.0.0.1:$KAFKA_MTLS_PORT"
  protocols+=",SSL:SSL"
  secured+="listener.name.ssl.ssl.client.auth=required
listener.name.ssl.ssl.truststore.type=PEM
listener.name.ssl.ssl.truststore.location=$TLS/client.pem
"
fi

cat > "$KAFKA_ROOT/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=$listeners
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=$protocols
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
# The secured listeners (none when KAFKA_SASL_SSL_PORT and KAFKA_MTLS_PORT are 0); no authorizer: any
# authenticated client may do anything, as on the PLAINTEXT listener.
$secured
PROPERTIES
chmod 600 "$KAFKA_ROOT/server.properties"

JAVA_OPTS=(-Djava.awt.headless=true -XX:+ExitOnOutOfMemoryError "-Dlog4j2.configurationFile=$HERE/log4j2.properties" "-Dkafka.log.dir=$KAFKA_ROOT")
if [ ! -f "$KAFKA_ROOT/data/meta.properties" ]; then
  # Any fixed 16-byte id in Kafka's base64 form; the storage is thrown away with the broker.
  # The SCRAM users go into the metadata log as it is created (KRaft has no ZooKeeper to hold them).
  scram=()
  if [ "$KAFKA_SASL_SSL_PORT" != 0 ]; then
    for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do scram+=(--add-scram "$mechanism=[name=scim_scram,password=$SCRAM_PASSWORD]"); done
  fi
  java -Xmx256m "${JAVA_OPTS[@]}" -cp "$CLASSPATH" kafka.tools.StorageTool format \
    -t "MkU3OEVBNTcwNTJENDM2Qk" -c "$KAFKA_ROOT/server.properties" ${scram[@]+"${scram[@]}"} >"$KAFKA_ROOT/format.log" 2>&1 \
    || { cat "$KAFKA_ROOT/format.log" >&2; exit 1; }
fi

: > "$KAFKA_ROOT/server.log"
# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM options
setsid nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "${JAVA_OPTS[@]}" -cp "$CLASSPATH" \
  kafka.Kafka "$KAFKA_ROOT/server.properties" >"$KAFKA_ROOT/stdout.log" 2>&1 < /dev/null &
echo $! > "$KAFKA_ROOT/kafka.pid"
pid=$!

# Ready = the server logged its start and every listener's port takes connections.
ports=("$KAFKA_PORT")
[ "$KAFKA_SASL_SSL_PORT" = 0 ] || ports+=("$KAFKA_SASL_SSL_PORT")
[ "$KAFKA_MTLS_PORT" = 0 ] || ports+=("$KAFKA_MTLS_PORT")
ports_open() {
  local port
  for port in "${ports[@]}"; do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 1; done
}
deadline=$(( $(date +%s) + KAFKA_START_TIMEOUT ))
until grep -q "Kafka Server started" "$KAFKA_ROOT/server.log" 2>/dev/null && ports_open; do
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
secured_note=""
[ "$KAFKA_SASL_SSL_PORT" = 0 ] || secured_note+=", SASL_SSL on $KAFKA_SASL_SSL_PORT"
[ "$KAFKA_MTLS_PORT" = 0 ] || secured_note+=", mutual TLS on $KAFKA_MTLS_PORT"
echo "Apache Kafka $KAFKA_VERSION (KRaft, one node) on 127.0.0.1:$KAFKA_PORT$secured_note, pid $pid, in $KAFKA_ROOT; started in $(( $(date +%s) - started )) s" >&2
echo "export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
# What the secured suite needs; test-only names (KAFKA_TEST_*), never the gateway's own KAFKA_SSL*/KAFKA_SASL_*,
# so the other suites keep using the PLAINTEXT listener.
if [ "$KAFKA_SASL_SSL_PORT" != 0 ] || [ "$KAFKA_MTLS_PORT" != 0 ]; then
  printf 'export KAFKA_TEST_CA_FILE=%q\n' "$TLS/ca.pem"
fi
if [ "$KAFKA_SASL_SSL_PORT" != 0 ]; then
  echo "export KAFKA_SASL_SSL_BROKERS=127.0.0.1:$KAFKA_SASL_SSL_PORT"
  echo "export KAFKA_TEST_PLAIN_USERNAME=scim_plain KAFKA_TEST_PLAIN_PASSWORD=$PLAIN_PASSWORD"
  echo "export KAFKA_TEST_SCRAM_USERNAME=scim_scram KAFKA_TEST_SCRAM_PASSWORD=$SCRAM_PASSWORD"
fi
if [ "$KAFKA_MTLS_PORT" != 0 ]; then
  echo "export KAFKA_MTLS_BROKERS=127.0.0.1:$KAFKA_MTLS_PORT"
  printf 'export KAFKA_TEST_CLIENT_CERT_FILE=%q KAFKA_TEST_CLIENT_KEY_FILE=%q\n' "$TLS/client.pem" "$TLS/client.key"
fi
