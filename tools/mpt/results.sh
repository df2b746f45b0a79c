#!/usr/bin/env bash
# Reproduces RESULTS.md's tables in one command. tfjs-wasm in node trains on one core, so every
# phase runs as two runner processes side by side: stage 1 (three sources each), stage 2 (the MPT
# variants), then the targets (one each); each later phase reuses the earlier phases' vectors.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p results
pair() {
  npm run --silent mpt -- "tools/mpt/configs/results-$1.json" > "results/$1.log" 2>&1 &
  npm run --silent mpt -- "tools/mpt/configs/results-$2.json" > "results/$2.log" 2>&1
  wait $!
}
pair stage1-a stage1-b
pair stage2-a stage2-b
pair targets-a targets-b
pair targets-c targets-d
# Spam as a held-out target (the one task plain prompt tuning learns here): stage 2 again on the
# other five sources, then 300 target steps.
npm run --silent mpt -- tools/mpt/configs/results-spam-loo-stage2.json > results/spam-loo-stage2.log 2>&1
pair spam-loo-a spam-loo-b
# The same target: MPT with u, v from the sources' average (targetStart), MPT without distillation.
pair spam-loo-c spam-loo-d
# The default prompt length of now, l = d / 2 = 64 (the runs above are at l = 16): stage 1, then
# held-out spam with every method; each lane runs its configs one after the other. Last, stage 2 on
# all six sources and sotu-party (k = 32, 300 steps) with MPT and prompt tuning.
pair l64-stage1-a l64-stage1-b
lane() { for c in "$@"; do npm run --silent mpt -- "tools/mpt/configs/results-$c.json" > "results/$c.log" 2>&1; done; }
lane l64-spam-loo-stage2 l64-spam-loo-a l64-spam-loo-d &
lane l64-spam-loo-c l64-spam-loo-b l64-stage2 l64-sotu-party
wait $!
# Seeds 4-6 of held-out spam at l = 64 for MPT, prompt tuning, SPoT (best) and MPT w/o distillation.
pair l64-spam-loo-e l64-spam-loo-f
# λ = 0.1 and λ = 3 (stage 2 again on the five sources, then MPT on spam, seeds 1-6).
pair l64-spam-loo-lambda-01 l64-spam-loo-lambda-3
# Temperature 2 and L_Hidden on the decoder's states (λ = 1), the same way.
pair l64-spam-loo-temperature-2 l64-spam-loo-decoder-hidden
# u, v from the sources' average (targetStart) at l = 64, seeds 1-3 and 4-6.
pair l64-spam-loo-source-average-a l64-spam-loo-source-average-b
# Plain prompt tuning on the targets and generative tasks with all their data (stage 1 only).
pair l64-all-data-a l64-all-data-b
# Sotu-era, the other source that plain prompt tuning learns a little, as a second held-out target.
pair l64-sotu-era-loo-a l64-sotu-era-loo-b
{ head -2 results/targets-a/results.md; for t in targets-a targets-b targets-c targets-d spam-loo-a spam-loo-b spam-loo-c spam-loo-d l64-sotu-party; do tail -n +3 "results/$t/results.md"; done; } > results/table.md
# Held-out spam at l = 64: seeds 1-3 and 4-6 come from different processes, pooled into one table.
npm run --silent mpt:pool -- results/l64-spam-loo-{a,b,c,d,e,f}/results.json > results/table-l64-spam.md
# The variants below are all method "mpt": one table each.
for v in lambda-01 lambda-3 temperature-2 decoder-hidden source-average-a,source-average-b; do
  echo; echo "MPT variant: $v"; npm run --silent mpt:pool -- $(for r in ${v//,/ }; do echo "results/l64-spam-loo-$r/results.json"; done)
done >> results/table-l64-spam.md
npm run --silent mpt:pool -- results/l64-sotu-era-loo-{a,b}/results.json > results/table-l64-sotu-era.md
grep -h "validation" results/stage1-a.log results/stage1-b.log results/l64-stage1-a.log results/l64-stage1-b.log results/l64-all-data-a.log results/l64-all-data-b.log
cat results/table.md results/table-l64-spam.md results/table-l64-sotu-era.md
npm run --silent mpt:inspect -- results/l64-spam-loo-stage2/vectors.safetensors
npm run --silent mpt:inspect -- results/l64-spam-loo-d/vectors.safetensors no-distillation
