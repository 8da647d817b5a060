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
if [ "${#files[@]}" -eq 0 ]; then
  echo "berth test: no test file matches: $*" >&2
  exit 1
fi
status=0
if [ "$#" -eq 0 ]; then
  # The whole run also holds the code to the layout's import rules, the linter and the
  # formatter (their configurations: .dependency-cruiser.cjs, eslint.config.js, .prettierrc.json).
  cd "$root"
  echo "berth test: checking imports (dependency-cruiser), lint (ESLint) and format (Prettier)..." >&2
  node node_modules/dependency-cruiser/bin/dependency-cruise.mjs src --config .dependency-cruiser.cjs --output-type err || status=1
  node node_modules/eslint/bin/eslint.js . || status=1
  node node_modules/prettier/bin/prettier.cjs --check --log-level warn "src/**/*.ts" "test/**/*.ts" "bench/**/*.ts" "*.js" "*.cjs" "*.json" || status=1
  [ "$status" -eq 0 ] || echo "berth test: the checks above failed; the tests run anyway" >&2
fi
node --test --test-reporter=spec "${files[@]}" || status=$?
# The whole run, prerequisites included (bash counts SECONDS from this script's start).
printf 'berth test: %d test files in %dm%02ds, exit status %d\n' "${#files[@]}" $((SECONDS / 60)) $((SECONDS % 60)) "$status"
exit "$status"
