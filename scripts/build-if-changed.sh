#!/usr/bin/env bash
# `npm start` compiles only when the sources differ from those dist/ was built from, so a start on an unchanged
# tree serves in seconds instead of recompiling the project (about 20 s on 2 cores). The fingerprint is a hash of
# the contents (not the times) of every TypeScript source and stylesheet, the tsconfig files and the package files: a checkout,
# an edit or an upgrade of a dependency rebuilds; a copy that keeps old timestamps cannot fool it.
#
# BUILD_ROOT and BUILD_COMMAND exist for its test (test/build-if-changed.int.spec.ts); npm start sets neither.
set -euo pipefail
root="${BUILD_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
build="${BUILD_COMMAND:-npm run build}"
cd "$root"

stamp=dist/.sources.sha256
entry=dist/apps/gateway/src/main.js
fingerprint() {
  {
    local dirs=() dir file
    for dir in apps libs bench scripts examples; do
      if [[ -d $dir ]]; then dirs+=("$dir"); fi
    done
    if ((${#dirs[@]} > 0)); then
      find "${dirs[@]}" -type f \( -name '*.ts' -o -name '*.css' -o -name 'tsconfig*.json' \) ! -name '*.spec.ts' -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    fi
    for file in package.json package-lock.json tsconfig.json tsconfig.build.json; do
      if [[ -f $file ]]; then sha256sum "$file"; fi
    done
  } | sha256sum | cut -d' ' -f1
}

# Taken before the build: a file edited while it runs makes the next start build again, never the reverse.
current="$(fingerprint)"
if [[ -f $entry && -f $stamp && "$(cat "$stamp")" == "$current" ]]; then
  exit 0
fi
echo "compiling (the sources changed since dist/ was built) ..."
bash -c "$build"
mkdir -p dist
printf '%s\n' "$current" > "$stamp"
