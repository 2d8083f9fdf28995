#!/usr/bin/env bash
# bench/connect: builds what it needs and runs it (root: it builds network namespaces and runs
# steer). Options go to the runner: --rounds N, --no-ipv6, ... (--help lists them).
# STEER=PATH measures another steer binary; by default artifacts/steer/steer, built here the way
# scripts/bootstrap.sh builds it when it is missing. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

steer=${STEER:-artifacts/steer/steer}
if [[ ! -x "$steer" ]]; then
  if [[ -n "${STEER:-}" ]]; then
    echo "bench/connect: STEER=$STEER is not an executable file" >&2
    exit 2
  fi
  echo "bench/connect: building steer into artifacts/steer (scripts/publish.sh, as bootstrap does)" >&2
  bash scripts/publish.sh
fi

# The runner's build also compiles the C worker (clang-14 -O2) beside it.
if ! log=$(dotnet build bench/Steer.Bench.Connect -c Release --nologo -v quiet 2>&1); then
  echo "$log" >&2
  exit 1
fi
exec bench/Steer.Bench.Connect/bin/Release/net10.0/Steer.Bench.Connect --steer "$steer" "$@"
