#!/usr/bin/env bash
# Regenerates the Swift client modules from the committed OpenAPI documents:
#   openapi/store.json    -> Sources/LeopardStoreAPI/Generated
#   openapi/platform.json -> Sources/LeopardPlatformAPI/Generated
# with Apple's swift-openapi-generator, built by the package beside this script (the main package
# never compiles the generator). `--check` regenerates into a scratch folder and fails if the
# committed output differs: CI runs that, so the client always matches the documents, and the
# documents match the server (OpenAPITests.committedFiles).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
check=false
[ "${1:-}" = "--check" ] && check=true

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

swift build -c release --package-path "$here" --product swift-openapi-generator >&2
generator="$here/.build/release/swift-openapi-generator"

status=0
for pair in store:LeopardStoreAPI platform:LeopardPlatformAPI; do
  document=${pair%%:*}
  module=${pair#*:}
  committed="$root/Sources/$module/Generated"
  output="$scratch/$module"
  log="$scratch/$module.log"
  mkdir -p "$output"
  if ! "$generator" generate --config "$here/$document.yaml" --output-directory "$output" \
    "$root/openapi/$document.json" >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
  if grep -q "warning:" "$log"; then
    echo "swift-openapi-generator warned about openapi/$document.json:" >&2
    grep "warning:" "$log" >&2
    status=1
  fi
  # Swift 6.3 warns about each `public import` a file does not use, and the generator silences
  # those only from Swift 6.4 on (`@diagnose`). A plain import is public too in Swift 6 mode.
  # (perl, not sed -i: the two seds of Linux and macOS disagree about -i.)
  perl -pi -e 's/^(\@_spi\(Generated\) )?public import /$1import /' "$output"/*.swift
  if $check; then
    if ! diff -r "$committed" "$output" >&2; then
      echo "Sources/$module/Generated is not what openapi/$document.json generates:" \
        "run bash Tools/openapi-generator/generate.sh and commit the result" >&2
      status=1
    fi
  else
    # Replaced whole: a file the generator no longer writes does not linger.
    rm -rf "$committed"
    mkdir -p "$(dirname "$committed")"
    cp -R "$output" "$committed"
  fi
done
exit $status
