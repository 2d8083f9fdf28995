#!/usr/bin/env bash
# Installs what Steer needs (Debian 12 packages; quick when they are already there), builds the
# steer command into artifacts/steer, links it as /usr/local/bin/steer, and with --demo runs
# `steer demo`. Run as root: Steer attaches eBPF programs and builds network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  clang-14 llvm-14 libbpf-dev libbpf1 linux-libc-dev   # eBPF programs: compile and load
  bpftool                                              # tests inspect programs and maps with it
  iproute2 nftables libnftables1                       # labs, tests; nft objects through libnftables
  dnsmasq-base bind9-dnsutils                          # a real resolver and dig in DNS lab tests
  socat curl hey iperf3 hyperfine dnsperf wrk          # test and benchmark clients
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null; then
  echo "bootstrap: the .NET 10 SDK (dotnet) is not installed; Steer is built with it" >&2
  exit 1
fi

echo "bootstrap: building steer (Release, self-contained, composite ReadyToRun)"
bash scripts/publish.sh
ln -sf "$PWD/artifacts/steer/steer" /usr/local/bin/steer
echo "bootstrap: steer is at /usr/local/bin/steer -> $PWD/artifacts/steer/steer"

if [[ "${1:-}" == "--demo" ]]; then
  exec artifacts/steer/steer demo
fi
