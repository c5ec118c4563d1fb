#!/bin/sh
# Installs what the tests need and runs the whole suite (real namespaces, mounts and pods: as root).
# Every test must run here: FLEETPODS_TESTS_REQUIRE_ALL=1 turns a missing prerequisite (root, PostgreSQL, qemu)
# into a failure instead of a skip, and the run fails if the summary still counts a skipped test.
set -eu
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
# The guest kernel of stage1 kvm, which the kvm tests boot: built once per linux-source version and config (several
# minutes cold), then a no-op that prints its cached path.
./deploy/build-guest-kernel.sh
# The cluster tests run on a real PostgreSQL; each makes its own database under the fleetpods role.
./deploy/start-postgres.sh
dotnet build FleetPods.sln -c Release --nologo -v quiet

summary=$(mktemp)
trap 'rm -f "$summary" "$summary.rc"' EXIT
status=0
# tee keeps the output (errors too, which the summary below reads) on the terminal; the exit status of dotnet test is carried through a file,
# as POSIX sh has no pipefail.
{ FLEETPODS_TESTS_REQUIRE_ALL=1 dotnet test FleetPods.sln -c Release --no-build --nologo --logger "console;verbosity=normal" 2>&1 || echo $? >"$summary.rc"; } | tee "$summary"
if [ -s "$summary.rc" ]; then
    status=$(cat "$summary.rc")
fi

# The scheduler at scale, as a smoke test of placement (not of time): 10,000 pods on 1,000 simulated agents, every one
# placed and reported running, on the PostgreSQL started above (bench/Scheduling/README.md).
smoke=0
dotnet run -c Release --no-build --project bench/Scheduling -- --nodes 1000 --pods 10000 || smoke=$?
[ "$smoke" -eq 0 ] || status=$smoke

# One count per test assembly: "    Skipped: 3" under "Total tests:" at normal verbosity, or
# "Passed!  - Failed: 0, Passed: 457, Skipped: 0, Total: 457, ..." at minimal; per-test lines have no colon.
skipped=$(sed -n 's/.*Skipped: *\([0-9][0-9]*\).*/\1/p' "$summary" | awk '{ n += $1 } END { print n + 0 }')
if [ "$skipped" -ne 0 ]; then
    echo "deploy/test.sh: $skipped test(s) skipped; every test must run here (see the reasons above)"
    [ "$status" -ne 0 ] || status=1
fi
# CI keeps only the end of this output, so the end says what failed.
echo "deploy/test.sh: test assemblies: $(grep -E '^Test Run (Successful|Failed|Aborted)' "$summary" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
# Each failed test with the first lines of its error message (not its stack trace).
awk '/^ +Failed [A-Za-z]/ { sub(/^ */, ""); print "deploy/test.sh: failed: " $0; message = 1; lines = 0; next }
     message && /^ +(Stack Trace:|Passed |Skipped )/ { message = 0 }
     message && !/^ +Error Message:/ && lines < 4 { sub(/^ */, ""); print "deploy/test.sh:     " substr($0, 1, 300); lines++ }' "$summary" || true
grep -E 'The active test run was aborted|Test host process crashed' "$summary" | sed 's/^/deploy\/test.sh: /' || true
[ "$smoke" -eq 0 ] || echo "deploy/test.sh: the scheduling smoke exited $smoke"
echo "deploy/test.sh: exit $status"
exit "$status"
