#!/usr/bin/env bash
# Runs the four public SCIM conformance suites that nobody here wrote against a gateway, and writes a summary
# (docs/conformance.md "Public conformance suites" says what each one is, and records the results):
#   microsoft    Microsoft's SCIM reference Postman collection (AzureAD/SCIMReferenceCode), with newman
#   scim2-tester scim2-tester through `scim2 ... test` (PyPI scim2-cli)
#   okta         Okta's SCIM 2.0 SPEC test (a Runscope export), with okta-runscope-runner.mjs
#   scim-sanity  `scim-sanity probe --strict` (PyPI scim-sanity)
#
# The runners are installed from the npm registry and PyPI into a scratch folder outside the project
# ($CONFORMANCE_DIR, default ~/.cache/scim-conformance), never into the project's package.json or node_modules.
# The two suites published as files (Microsoft's collection, Okta's test) are not kept in this repository: they
# are read from $CONFORMANCE_DIR/sources/, pinned below by commit and SHA-256 (the script says how to get them).
# That needs the registries, so this is not part of CI (.ci/run); run it by hand:
#
#   bash scripts/conformance/run.sh                       # build dist/, one fresh gateway per suite, all four
#   bash scripts/conformance/run.sh --suite okta          # one suite (repeat --suite for several)
#   bash scripts/conformance/run.sh --url https://host/scim/v2 --token T   # an already running server
#
# Without --url each suite gets its own gateway (npm run build once, then dist/apps/gateway/src/main.js on the pinned
# node_modules/.bin/node, on a free loopback port, a fresh DATA_DIR, embedded PGlite, Kafka off), so no suite sees
# another's leftovers.
# Results: $CONFORMANCE_DIR/results/<timestamp>/ (each suite's raw output and result JSON, summary.md).
# Exit status: 0 when every selected suite passed all its checks, 1 otherwise, 2 when a suite could not run.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${CONFORMANCE_DIR:-$HOME/.cache/scim-conformance}"

# Pinned so that a rerun measures the gateway, not a new version of a suite; change them here and in
# docs/conformance.md together.
NEWMAN_VERSION=6.2.2
SCIM2_CLI_VERSION=0.6.0
SCIM2_TESTER_VERSION=0.5.2   # the checks themselves; scim2-cli only asks for >=0.5.1
SCIM_SANITY_VERSION=0.7.4
ALL_SUITES=(microsoft scim2-tester okta scim-sanity)
# The published suite files: suite | file in $CONFORMANCE_DIR/sources | GitHub repository | commit | path | SHA-256.
# Set SCIMREFERENCECODE_GIT / OKTA_DEVELOPER_DOCS_GIT to a clone (its .git directory) of the repository and the
# script takes the file out of it at that commit.
SOURCES=(
  "microsoft|PostmanCollection.json|AzureAD/SCIMReferenceCode|d445ef901981fef684a220fe8cf6c97b588600fd|PostmanCollection.json|36ee6b9fb355cd6d438b7012ce266c05496caf494db4cb2a2be832f91fa56ccf"
  "okta|Okta-SCIM-20-SPEC-Test.json|okta/okta-developer-docs|468de9c511b5e4009bb5f06c25cbf4b85fecb8d0|packages/@okta/vuepress-site/.vuepress/public/standards/SCIM/SCIMFiles/Okta-SCIM-20-SPEC-Test.json|a118fed67320a2265909bde6b95cdaf4f6f085ff5a89a0deb88c87d443eae899"
  "okta|Initial_Script_Spec.txt|okta/okta-developer-docs|468de9c511b5e4009bb5f06c25cbf4b85fecb8d0|packages/@okta/vuepress-site/.vuepress/public/standards/SCIM/SCIMFiles/Initial_Script_Spec.txt|f5c50d5aca4be7c5d35276f4da665433885e3cc274654010f491ad5e3633fc46"
)

url=""
token=""
suites=()
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="${2%/}"; shift 2 ;;
    --token) token="$2"; shift 2 ;;
    --suite) suites+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#suites[@]} -gt 0 ] || suites=("${ALL_SUITES[@]}")
for suite in "${suites[@]}"; do
  case " ${ALL_SUITES[*]} " in *" $suite "*) ;; *) echo "unknown suite: $suite (one of: ${ALL_SUITES[*]})" >&2; exit 2 ;; esac
done
if [ -n "$url" ] && [ -z "$token" ]; then echo "--url needs --token" >&2; exit 2; fi

results="$dir/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$results"
echo "== results in $results"

# ---- the published suite files, checked against their pinned SHA-256 ----
missing_sources=false
for entry in "${SOURCES[@]}"; do
  IFS='|' read -r suite file repo commit path sha <<< "$entry"
  case " ${suites[*]} " in *" $suite "*) ;; *) continue ;; esac
  target="$dir/sources/$file"
  case "$repo" in AzureAD/SCIMReferenceCode) git_dir="${SCIMREFERENCECODE_GIT:-}" ;; *) git_dir="${OKTA_DEVELOPER_DOCS_GIT:-}" ;; esac
  if [ ! -f "$target" ] && [ -n "$git_dir" ]; then
    mkdir -p "$dir/sources"
    git --git-dir="$git_dir" show "$commit:$path" > "$target.part" && mv "$target.part" "$target"
  fi
  if [ ! -f "$target" ] || [ "$(sha256sum "$target" | cut -d' ' -f1)" != "$sha" ]; then
    echo "$suite needs $target (SHA-256 $sha): file $path of github.com/$repo at commit $commit," >&2
    echo "  e.g. git --git-dir=<clone>/.git show $commit:'$path' > '$target'" >&2
    missing_sources=true
  fi
done
$missing_sources && exit 2

# ---- install (idempotent: reuses what is already there at the pinned versions) ----
needs_node=false; needs_python=false
for suite in "${suites[@]}"; do
  case "$suite" in microsoft) needs_node=true ;; scim2-tester|scim-sanity) needs_python=true ;; esac
done
if $needs_node && [ "$(node -p "try{require('$dir/node/node_modules/newman/package.json').version}catch{''}" 2>/dev/null)" != "$NEWMAN_VERSION" ]; then
  echo "== installing newman $NEWMAN_VERSION into $dir/node"
  mkdir -p "$dir/node"
  [ -f "$dir/node/package.json" ] || echo '{"private":true}' > "$dir/node/package.json"
  (cd "$dir/node" && npm install --no-audit --no-fund --loglevel=error "newman@$NEWMAN_VERSION")
fi
if $needs_python; then
  [ -x "$dir/venv/bin/python" ] || { echo "== creating $dir/venv"; python3 -m venv "$dir/venv"; }
  installed() { "$dir/venv/bin/pip" show "$1" 2>/dev/null | sed -n 's/^Version: //p'; }
  if [ "$(installed scim2-cli)" != "$SCIM2_CLI_VERSION" ] || [ "$(installed scim2-tester)" != "$SCIM2_TESTER_VERSION" ] \
    || [ "$(installed scim-sanity)" != "$SCIM_SANITY_VERSION" ]; then
    echo "== installing scim2-cli $SCIM2_CLI_VERSION, scim2-tester $SCIM2_TESTER_VERSION, scim-sanity $SCIM_SANITY_VERSION into $dir/venv"
    "$dir/venv/bin/pip" install --quiet "scim2-cli==$SCIM2_CLI_VERSION" "scim2-tester==$SCIM2_TESTER_VERSION" \
      "scim-sanity==$SCIM_SANITY_VERSION"
  fi
fi

# ---- a gateway per suite, unless --url ----
gateway_pid=""
gateway_data=""
stop_gateway() {
  if [ -n "$gateway_pid" ]; then
    kill "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
    gateway_pid=""
  fi
  if [ -n "$gateway_data" ]; then rm -rf "$gateway_data"; gateway_data=""; fi
}
trap stop_gateway EXIT

start_gateway() { # $1 = suite name; sets url and token
  local suite="$1" port data
  port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  data="$(mktemp -d "${TMPDIR:-/tmp}/scim-conformance-data.XXXXXX")"
  gateway_data="$data"
  token="conformance-$(node -p "require('crypto').randomBytes(18).toString('base64url')")"
  # Embedded PGlite in a fresh DATA_DIR and no Kafka, whatever the calling shell has set.
  (cd "$root" && exec env -u DATABASE_URL -u KAFKA_BROKERS -u EVENTSTORE_URL -u EVENT_STORE -u PROJECTIONS \
    PORT="$port" HOST=127.0.0.1 DATA_DIR="$data" SCIM_BEARER_TOKEN="$token" \
    ADMIN_TOKEN="conformance-admin-$(node -p "require('crypto').randomBytes(12).toString('hex')")" \
    LOG_LEVEL=warn "$root/node_modules/.bin/node" dist/apps/gateway/src/main.js) > "$results/$suite.gateway.log" 2>&1 &
  gateway_pid=$!
  for _ in $(seq 1 360); do  # up to 3 minutes: a loaded 2-core machine starts it in ~20 s
    if curl -fsS "http://127.0.0.1:$port/ready" > /dev/null 2>&1; then
      url="http://127.0.0.1:$port/scim/v2"
      echo "== $suite: gateway (pid $gateway_pid) at $url, DATA_DIR $data"
      return 0
    fi
    kill -0 "$gateway_pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "the gateway did not become ready; its log: $results/$suite.gateway.log" >&2
  tail -n 20 "$results/$suite.gateway.log" >&2
  exit 2
}

own_gateway=false
if [ -z "$url" ]; then
  own_gateway=true
  echo "== npm run build"
  (cd "$root" && npm run build --silent)
fi

# ---- the suites; each writes $results/<suite>.json: {suite, passed, total, failures: [name...]} ----
run_microsoft() {
  node "$here/postman-prepare.mjs" "$dir/sources/PostmanCollection.json" "$url" "$token" \
    "$results/microsoft.collection.json" "$results/microsoft.environment.json"
  "$dir/node/node_modules/.bin/newman" run "$results/microsoft.collection.json" \
    --environment "$results/microsoft.environment.json" \
    --reporters cli,json --reporter-json-export "$results/microsoft.newman.json" \
    --color off --disable-unicode > "$results/microsoft.out.txt" 2>&1 || true
  node "$here/summarize.mjs" newman "$results/microsoft.newman.json" > "$results/microsoft.json"
}

run_scim2_tester() {
  local out="$results/scim2-tester.out.txt"
  SCIM_CLI_HEADERS="Authorization: Bearer $token" "$dir/venv/bin/scim2" --url "$url" test --verbose > "$out" 2>&1 || true
  if grep -q '^Error: Could not discover the server.*payload validation error' "$out" && grep -q 'for ServiceProviderConfig' "$out"; then
    # scim2-tester's discovery (scim2-models) refuses a ServiceProviderConfig with attributes outside RFC 7643 §5
    # and stops before its first check. Record that, then run the checks with a copy of the server's document
    # restricted to its core schema (scim2 -c); the tester still checks the live /ServiceProviderConfig itself.
    mv "$out" "$results/scim2-tester.discovery-refused.txt"
    curl -fsS -H "Authorization: Bearer $token" "$url/ServiceProviderConfig" | node -e '
      const core = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
      let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => {
        const spc = JSON.parse(text);
        for (const urn of spc.schemas.filter((s) => s !== core)) delete spc[urn];
        spc.schemas = [core];
        console.log(JSON.stringify(spc));
      });' > "$results/scim2-tester.spc-core.json"
    SCIM_CLI_HEADERS="Authorization: Bearer $token" "$dir/venv/bin/scim2" --url "$url" \
      -c "$results/scim2-tester.spc-core.json" test --verbose > "$out" 2>&1 || true
    node "$here/summarize.mjs" scim2-tester "$out" \
      "discovery refused the server's /ServiceProviderConfig (scim2-tester.discovery-refused.txt); counted with scim2 -c and a core-only copy" \
      > "$results/scim2-tester.json"
  else
    node "$here/summarize.mjs" scim2-tester "$out" > "$results/scim2-tester.json"
  fi
}

run_okta() {
  node "$here/okta-runscope-runner.mjs" --test "$dir/sources/Okta-SCIM-20-SPEC-Test.json" \
    --initial-script "$dir/sources/Initial_Script_Spec.txt" --base-url "$url" --auth "Bearer $token" \
    --seed-user --json "$results/okta.checks.json" > "$results/okta.out.txt" 2>&1 || true
  node "$here/summarize.mjs" okta "$results/okta.checks.json" "$results/okta.out.txt" > "$results/okta.json"
}

run_scim_sanity() {
  "$dir/venv/bin/scim-sanity" probe "$url" --token "$token" --strict --json-output --i-accept-side-effects \
    > "$results/scim-sanity.out.json" 2> "$results/scim-sanity.err.txt" || true
  node "$here/summarize.mjs" scim-sanity "$results/scim-sanity.out.json" > "$results/scim-sanity.json"
}

could_not_run=false
for suite in "${suites[@]}"; do
  $own_gateway && start_gateway "$suite"
  echo "== $suite"
  if ! "run_${suite//-/_}"; then
    echo "   $suite could not run; see $results/$suite.*" >&2
    could_not_run=true
  fi
  $own_gateway && stop_gateway
done

node "$here/summarize.mjs" report "$results" "${suites[@]}" | tee "$results/summary.md"
# 2 when a suite ran no check (its runner failed, or the server refused it before the first one), else 0 or 1.
node -e '
  const [dir, ...suites] = process.argv.slice(1);
  const results = suites.map((suite) => require(`${dir}/${suite}.json`));
  process.exit(results.some((r) => r.total === 0) ? 2 : results.every((r) => r.passed === r.total) ? 0 : 1);
' "$results" "${suites[@]}" || status=$?
$could_not_run && exit 2
exit "${status:-0}"
