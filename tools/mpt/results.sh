#!/usr/bin/env bash
# Reproduces RESULTS.md's table in one command: stage 1 + 2 once, then the targets split over
# two runner processes (tfjs-wasm in node uses one core each), then one merged table.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run --silent mpt -- tools/mpt/configs/results-stage12.json > results/stage12.log 2>&1
npm run --silent mpt -- tools/mpt/configs/results-targets-a.json > results/targets-a.log 2>&1 &
npm run --silent mpt -- tools/mpt/configs/results-targets-b.json > results/targets-b.log 2>&1
wait
{ head -2 results/targets-a/results.md; tail -n +3 results/targets-a/results.md; tail -n +3 results/targets-b/results.md; } > results/table.md
cat results/table.md
