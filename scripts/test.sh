#!/usr/bin/env bash
# Runs every test (called by `./berth test`, which has installed and built first).
# Installs what the tests need and is missing: the AWS CLI v2 from Debian's awscli.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

# Debian packages the tests drive: the AWS CLI v2, Docker Engine, and a static busybox from
# which the tests (and berth's pause container) build their images: no registry is reachable.
missing=()
[ -x /usr/bin/aws ] || missing+=(awscli)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || missing+=(busybox-static)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "berth test: installing ${missing[*]}..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >&2
fi

if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null 2>&1; then
    echo "berth test: starting dockerd..." >&2
    nohup dockerd >/tmp/berth-test-dockerd.log 2>&1 &
    for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.25; done
  fi
  docker info >/dev/null 2>&1 || { echo "berth test: Docker Engine is needed and not running" >&2; exit 1; }
fi

# The SDK warns on every client that Node 20 support ends in 2027; the tests know.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

mapfile -t files < <(find "$root/dist/test" -name '*.test.js' | sort)
if [ "$#" -gt 0 ]; then
  # ./berth test <name>...: only the test files whose path contains one of the names
  mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -F "$(printf '%s\n' "$@")")
fi
exec node --test --test-reporter=spec "${files[@]}"
