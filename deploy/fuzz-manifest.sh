#!/bin/sh
# Fuzzes the C reader of the pod manifest (src/NodeRuntime/Native/manifest.c) with afl++ for SECONDS (default 600),
# from the seeds in tests/NodeRuntime.Tests/Manifest/Seeds, and exits 1 if afl++ found an input that crashes or hangs
# it. By hand (apt install afl++), not in CI: the tests run the reader over random damage for a few seconds instead.
# Usage: deploy/fuzz-manifest.sh [SECONDS] [OUTPUT_DIR]
set -eu
seconds=${1:-600}
output=${2:-$(mktemp -d /tmp/fleetpods-fuzz-XXXXXX)}
cd "$(dirname "$0")/.."
command -v afl-fuzz >/dev/null 2>&1 || { echo "fuzz-manifest.sh: afl-fuzz is missing (apt install afl++)" >&2; exit 2; }

mkdir -p "$output"
# The whole supervisor, instrumented (clang: Debian's afl-gcc-fast plugin refuses its own gcc); --check-manifest runs the reader alone.
afl-clang-fast -O2 -o "$output/fleetpods-shim" src/NodeRuntime/Native/*.c -ljson-c
AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    afl-fuzz -V "$seconds" -i tests/NodeRuntime.Tests/Manifest/Seeds -o "$output/findings" \
    -- "$output/fleetpods-shim" --check-manifest @@ >"$output/afl.log" 2>&1 || true

stats="$output/findings/default/fuzzer_stats"
[ -f "$stats" ] || { echo "fuzz-manifest.sh: afl-fuzz did not run; see $output/afl.log" >&2; exit 2; }
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg) ' "$stats"
crashes=$(awk '$1 == "saved_crashes" { print $3 }' "$stats")
hangs=$(awk '$1 == "saved_hangs" { print $3 }' "$stats")
if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
    echo "fuzz-manifest.sh: $crashes crashes and $hangs hangs in $output/findings/default" >&2
    exit 1
fi
echo "no crash and no hang in $seconds s (findings in $output)"
