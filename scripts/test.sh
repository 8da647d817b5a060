#!/usr/bin/env bash
# Runs every test (called by `./berth test`, which has installed and built first).
# Installs what the tests need and is missing, and starts Docker (scripts/prerequisites.sh).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

. "$root/scripts/prerequisites.sh" "berth test"

# The SDK warns on every client that Node 20 support ends in 2027; the tests know.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

mapfile -t files < <(find "$root/dist/test" -name '*.test.js' | sort)
if [ "$#" -gt 0 ]; then
  # ./berth test <name>...: only the test files whose path contains one of the names
  mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -F "$(printf '%s\n' "$@")")
fi
exec node --test --test-reporter=spec "${files[@]}"
