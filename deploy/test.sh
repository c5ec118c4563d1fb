#!/bin/sh
# Installs what the tests need and runs the whole suite (real namespaces, mounts and pods: as root).
set -eu
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
# The cluster tests run on a real PostgreSQL; each makes its own database under the fleetpods role.
./deploy/start-postgres.sh
dotnet build FleetPods.sln -c Release --nologo -v quiet
dotnet test FleetPods.sln -c Release --no-build --nologo --logger "console;verbosity=normal"
