#!/usr/bin/env bash
# Fuzzes the real allocator against the model with AFL++ and SharpFuzz for a bounded time.
# Usage: fuzz/run.sh [seconds]        (default 600)
# Installs what is missing (afl++ from Debian, the pinned dotnet tools), builds Release, instruments a copy of
# AreaMalloc.dll, and runs afl-fuzz with the seed corpus fuzz/corpus/. Findings: artifacts/fuzz/findings/.
# Exits 1 when afl-fuzz saved a crash (each one is replayed and printed; keep it in fuzz/regressions/ once fixed).
set -euo pipefail
seconds="${1:-600}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v afl-fuzz >/dev/null 2>&1; then
  sudo_="" ; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get install -y afl++ || { $sudo_ apt-get update && $sudo_ apt-get install -y afl++; }
fi
dotnet tool restore >/dev/null

out="artifacts/fuzz"
bin="$out/bin"
rm -rf "$bin" && mkdir -p "$bin"
dotnet build fuzz/AreaMalloc.Fuzz.csproj -c Release -nologo -v quiet
cp -r fuzz/bin/Release/net10.0/. "$bin/"
dotnet tool run sharpfuzz -- "$bin/AreaMalloc.dll"

findings="$out/findings"
rm -rf "$findings"
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export DOTNET_TieredPGO=0 DOTNET_CLI_TELEMETRY_OPTOUT=1
afl-fuzz -i fuzz/corpus -o "$findings" -V "$seconds" -t 10000 -m none -- dotnet "$bin/AreaMalloc.Fuzz.dll" || true

stats="$findings/default/fuzzer_stats"
[ -f "$stats" ] || { echo "afl-fuzz wrote no fuzzer_stats: it did not run"; exit 2; }
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)' "$stats"
crashes=$(find "$findings/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
hangs=$(find "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
echo "fuzz: crashes=$crashes hangs=$hangs"
if [ "$crashes" -gt 0 ]; then
  dotnet fuzz/bin/Release/net10.0/AreaMalloc.Fuzz.dll --replay "$findings"/default/crashes/id:* || true
  exit 1
fi
