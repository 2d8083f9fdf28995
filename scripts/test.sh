#!/usr/bin/env bash
# Runs every test: unit and property tests, and the kernel tests that build throw-away network
# namespaces (root required; without root those are skipped with the reason). Prints one line
# "N passed, N failed, N skipped" at the end and exits non-zero if any test failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
dotnet test Steer.slnx -c Release --nologo --logger "trx" --results-directory "$results" "$@" 2>&1 | tee "$results/log"
status=${PIPESTATUS[0]}

# Totals over every test project, from the TRX files.
read -r passed failed skipped < <(cat "$results"/*.trx 2>/dev/null |
  grep -o '<Counters [^>]*' |
  awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"/, "", kv[2]); c[kv[1]] += kv[2] } }
       END { print c["passed"] + 0, c["failed"] + 0, c["total"] - c["executed"] }')
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [[ $status -eq 0 && "${passed:-0}" -eq 0 ]]; then
  echo "test: no test ran" >&2
  exit 1
fi
exit "$status"
