#!/bin/sh
# Starts the machine's PostgreSQL (Debian's package, installed by install-deps.sh) and makes sure the role the
# tests and the local cluster script use exists: fleetpods / fleetpods, allowed to create databases (each test
# run makes its own and drops it). For trying FleetPods out on one machine; a real cluster has its own server.
set -eu

if [ "$(id -u)" != 0 ]; then
    echo "start-postgres.sh: run as root" >&2
    exit 1
fi

version=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
name=$(pg_lsclusters -h | awk 'NR==1 {print $2}')
if [ -z "$version" ]; then
    echo "start-postgres.sh: no PostgreSQL cluster found (is the postgresql package installed?)" >&2
    exit 1
fi
if ! pg_lsclusters -h | awk 'NR==1 {print $4}' | grep -q online; then
    pg_ctlcluster "$version" "$name" start
fi

# Wait until it accepts connections (a fresh start takes a moment).
i=0
until su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt 60 ]; then
        echo "start-postgres.sh: PostgreSQL did not accept connections within 30 s" >&2
        exit 1
    fi
    sleep 0.5
done

# The fleetpods role logs in with its password over the Unix socket too, which every network namespace of
# this machine shares (deploy/cluster.sh runs nodes in namespaces of their own); Debian's default would ask
# the operating system user to be called fleetpods.
hba=$(su postgres -c "psql -qtAc 'SHOW hba_file'" 2>/dev/null || true)
if [ -n "$hba" ] && ! grep -q '^local all fleetpods scram-sha-256' "$hba"; then
    sed -i '0,/^local/s//local all fleetpods scram-sha-256\nlocal/' "$hba"
    su postgres -c "psql -qtAc 'SELECT pg_reload_conf()'" >/dev/null
fi

su postgres -c "psql -qtAc \"DO \\\$\\\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fleetpods') THEN
        CREATE ROLE fleetpods LOGIN CREATEDB PASSWORD 'fleetpods';
    END IF;
END \\\$\\\$;\""
