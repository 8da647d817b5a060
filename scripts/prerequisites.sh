# Sourced by scripts/test.sh and scripts/bench.sh with the caller's name ("berth test"):
# installs the Debian packages the tests and benchmarks drive when missing, and starts
# dockerd when Docker Engine is not running.
# Debian packages the tests and benchmarks drive: the AWS CLI v2, Docker Engine, nftables, HAProxy, a static busybox from
# which the tests (and berth's pause container) build their images (no registry is reachable), and wrk, the load
# balancer bench's client.
missing=()
[ -x /usr/bin/aws ] || missing+=(awscli)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
{ command -v nft || [ -x /usr/sbin/nft ]; } >/dev/null 2>&1 || missing+=(nftables)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || missing+=(busybox-static)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "$1: installing ${missing[*]}..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >&2
fi

if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null 2>&1; then
    echo "$1: starting dockerd..." >&2
    nohup dockerd >/tmp/berth-test-dockerd.log 2>&1 &
    for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.25; done
  fi
  docker info >/dev/null 2>&1 || { echo "$1: Docker Engine is needed and not running" >&2; exit 1; }
fi

