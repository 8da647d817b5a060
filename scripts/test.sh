#!/usr/bin/env bash
# Runs every test (called by `./berth test`, which has installed and built first).
# Installs what the tests need and is missing: the AWS CLI v2 from Debian's awscli.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

if [ ! -x /usr/bin/aws ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "berth test: installing the AWS CLI (Debian's awscli)..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli) >&2
fi

# The SDK warns on every client that Node 20 support ends in 2027; the tests know.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

mapfile -t files < <(find "$root/dist/test" -name '*.test.js' | sort)
if [ "$#" -gt 0 ]; then
  # ./berth test <name>...: only the test files whose path contains one of the names
  mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -F "$(printf '%s\n' "$@")")
fi
exec node --test --test-reporter=spec "${files[@]}"
