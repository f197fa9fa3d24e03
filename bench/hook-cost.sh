#!/usr/bin/env bash
# Measures what the Interleaving.At scheduling points cost: workload 1 on the pool, built without the calls
# (-p:AreaMallocNoInterleaving=true) and as shipped, one after the other. Writes artifacts/bench/hook-cost.json.
# Usage: bench/hook-cost.sh [--quick]   (rebuilds the allocator twice; the second build restores the shipped one)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
filter='*W1_LifoPairs.Pool*'
dotnet run -c Release --project bench -p:AreaMallocNoInterleaving=true -- $mode --filter "$filter" --no-footprint --out hook-off
dotnet run -c Release --project bench -- $mode --filter "$filter" --no-footprint --out hook-on
