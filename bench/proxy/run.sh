#!/usr/bin/env bash
# bench/proxy: kernel forwarding vs Steer TProxy vs v2ray 4.34 TProxy through a gateway namespace,
# interleaved in one run (root: it builds network namespaces). Options go to the runner:
# --rounds N, --seconds S, --idle N, --no-v2ray. See bench/README.md and docs/proxy.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v v2ray >/dev/null; then
  echo "bench/proxy: v2ray is missing; installing the Debian package (apt-get install v2ray)" >&2
  apt-get install -y v2ray >/dev/null || echo "bench/proxy: could not install v2ray; measuring without it" >&2
fi
if ! log=$(dotnet build bench/Steer.Bench.Proxy -c Release --nologo -v quiet 2>&1); then
  echo "$log" >&2
  exit 1
fi
exec bench/Steer.Bench.Proxy/bin/Release/net10.0/Steer.Bench.Proxy "$@"
