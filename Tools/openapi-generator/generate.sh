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

swift build -c release --package-path "$here" --product swift-openapi-generator >&2
generator="$here/.build/release/swift-openapi-generator"

status=0
for pair in store:LeopardStoreAPI platform:LeopardPlatformAPI; do
  document=${pair%%:*}
  module=${pair#*:}
  committed="$root/Sources/$module/Generated"
  output=$committed
  if $check; then output=$(mktemp -d); fi
  mkdir -p "$output"
  "$generator" generate --config "$here/$document.yaml" --output-directory "$output" \
    "$root/openapi/$document.json" > "$output.log" 2>&1 || { cat "$output.log" >&2; exit 1; }
  if grep -q "warning:" "$output.log"; then
    echo "swift-openapi-generator warned about openapi/$document.json:" >&2
    grep "warning:" "$output.log" >&2
    status=1
  fi
  rm -f "$output.log"
  # Swift 6.3 warns about each `public import` a file does not use, and the generator silences
  # those only from Swift 6.4 on (`@diagnose`). A plain import is public too in Swift 6 mode.
  sed -i -E 's/^(@_spi\(Generated\) )?public import /\1import /' "$output"/*.swift
  if $check; then
    if ! diff -r "$committed" "$output" >&2; then
      echo "Sources/$module/Generated is not what openapi/$document.json generates:" \
        "run bash Tools/openapi-generator/generate.sh and commit the result" >&2
      status=1
    fi
    rm -rf "$output"
  fi
done
exit $status
