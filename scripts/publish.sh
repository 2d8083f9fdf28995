#!/usr/bin/env bash
# Builds the steer command into artifacts/steer: the one way it is built (bootstrap and the
# benchmarks call this). Self-contained with a composite ReadyToRun image of Steer and the .NET
# runtime together: precompiled across assembly boundaries, `steer run` starts about 8 % faster
# than framework-dependent ReadyToRun (docs/run.md, "Start-up cost"), and every script that calls
# it pays start-up each time. Intermediate files go to artifacts/build, apart from the obj/
# directories of ordinary builds and tests, which must not pick up composite images.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish src/Steer.Cli -c Release -r linux-x64 --self-contained true \
  -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true \
  --artifacts-path artifacts/build -o artifacts/steer --nologo -v quiet
