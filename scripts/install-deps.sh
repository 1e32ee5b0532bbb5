#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of Consentry from Debian 12 packages.
# Idempotent: skips apt entirely when everything is already installed.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang clang-format clang-tidy libclang-rt-14-dev
  libevent-dev libnghttp2-dev libssl-dev libmaxminddb-dev libsimdjson-dev libyaml-cpp-dev
  libpcre2-dev librdkafka-dev zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev uap-core
  # tests: real clients, real origins, real tools
  curl wrk nghttp2-client nghttp2-proxy nginx-light haproxy kcat openssl netcat-openbsd
  libmaxmind-db-writer-perl mmdb-bin python3 python3-pytest python3-h2 python3-websockets
  python3-yaml procps ca-certificates
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian nginx/haproxy packages start system services; tests run their own instances.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now nginx haproxy >/dev/null 2>&1 || true
fi
echo "install-deps: done"
