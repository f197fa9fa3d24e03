#!/usr/bin/env bash
# Measures what the Interleaving.At scheduling points cost: workload 1 on the pool, built without the calls
# (-p:AreaMallocNoInterleaving=true) and as shipped, alternated twice (off, on, off, on) so that a burst of load on
# this shared machine does not fall on one variant only. Writes artifacts/bench/hook-cost.json (per case the
# minimum over both runs of each variant). The last build is the shipped one. About 4 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
filter='*W1_LifoPairs.Pool*'
rm -rf artifacts/bench/hook-on* artifacts/bench/hook-off* artifacts/bench/hook-cost.json
for round in 1 2; do
  dotnet run -c Release --project bench -p:AreaMallocNoInterleaving=true -- --filter "$filter" --no-footprint --out "hook-off-$round"
  dotnet run -c Release --project bench -- --filter "$filter" --no-footprint --out "hook-on-$round"
done
