#!/usr/bin/env bash
# Runs every benchmark (called by `./berth bench`, which has built first), or the ones named:
# ./berth bench placement. Each prints its figures beside a baseline from the same run and
# ends with one JSON line. --quick makes a fast smoke run.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# task-start runs real containers: the same packages and Docker Engine as the tests.
. "$root/scripts/prerequisites.sh" "berth bench"
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
names=()
flags=()
for arg in "$@"; do
  case "$arg" in --*) flags+=("$arg") ;; *) names+=("$arg") ;; esac
done
[ "${#names[@]}" -gt 0 ] || names=(startup api-throughput placement task-start convergence footprint log-ingestion logs-filter)
for name in "${names[@]}"; do
  echo "== $name"
  node "$root/dist/bench/$name.js" "${flags[@]}"
done
