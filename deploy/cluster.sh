#!/bin/sh
# A FleetPods cluster of N nodes on this one machine, for trying cluster mode out: each node is a fleetpodsd
# with its own data directory, all on one PostgreSQL (this machine's, started by start-postgres.sh). By
# default each node runs in its own network namespace (ip netns) with its own address on a bridge, as
# separate machines would; --no-netns puts them all on 127.0.0.1 with ports of their own instead.
#
#   deploy/cluster.sh up N [--no-netns]   start nodes node1..nodeN (builds nothing: build Release first)
#   deploy/cluster.sh kill I              SIGKILL node I's daemon (its pods keep running, as on a lost machine)
#   deploy/cluster.sh cut I               cut node I off the network (netns only; its daemon and pods keep running)
#   deploy/cluster.sh heal I              connect node I again (the cluster has declared it dead: it stops itself)
#   deploy/cluster.sh start I             start node I again
#   deploy/cluster.sh endpoints           the --endpoint options that reach every node
#   deploy/cluster.sh env                 export lines for the CLI's admin certificate (eval "$(deploy/cluster.sh env)")
#   deploy/cluster.sh down                stop every node, its pods and namespaces
#
# $FLEETPODS_MEMBERSHIP (fast, the default, or orleans-default) is passed to every fleetpodsd as --membership.
# $FLEETPODS_SERVERS=S at `up` makes nodes 1..S `fleetpodsd --server` and the others `--agent --servers` of them
# (docs/daemon.md, "Servers and agents"); unset, every node is a silo and a machine (the default).
# State lives under $FLEETPODS_CLUSTER_DIR (default /tmp/fleetpods-cluster); the database is fleetpods_local,
# made anew by every `up`. The cluster's CA is $dir/ca (made by `fleetpods cert ca create`, with the admin
# certificate the CLI presents); each node's certificate (`fleetpods cert create --role node`) is in its pki/.
# Node I listens on 10.77.0.(10+I) ports 11111/30000 (netns) or 127.0.0.1 ports 11110+I/30000+I (--no-netns),
# and serves its API on port 30443+I: its socket /run/fleetpods/api-(30443+I).sock is this machine's in either mode,
# so `endpoints` names 127.0.0.1:(30443+I) and the CLI reaches every node over its socket.
set -eu
cd "$(dirname "$0")/.."

dir=${FLEETPODS_CLUSTER_DIR:-/tmp/fleetpods-cluster}
database=fleetpods_local
bridge=fpbr0
subnet=10.77.0
daemon=src/Silo/bin/Release/net10.0/fleetpodsd.dll
cli=src/Cli/FleetPods.Cli.Native/bin/Release/net10.0/fleetpods
# Over the Unix socket, which every network namespace of this machine shares.
connection="Host=/var/run/postgresql;Database=$database;Username=fleetpods;Password=fleetpods"

usage() {
    sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

address() { if [ -f "$dir/netns" ]; then echo "$subnet.$((10 + $1))"; else echo 127.0.0.1; fi; }
silo_port() { if [ -f "$dir/netns" ]; then echo 11111; else echo $((11110 + $1)); fi; }
gateway_port() { if [ -f "$dir/netns" ]; then echo 30000; else echo $((30000 + $1)); fi; }
api_port() { echo $((30443 + $1)); }

# Node I's PKI directory: the cluster's ca.crt and a node certificate for its name and address.
node_certificate() {
    i=$1
    [ -f "$dir/node$i/pki/node.crt" ] && return 0
    mkdir -p "$dir/node$i"
    mkdir -m 0700 "$dir/node$i/pki"
    cp "$dir/ca/ca.crt" "$dir/node$i/pki/ca.crt"
    "$cli" cert create --role node --name "node$i" --ip "$(address "$i")" --dns localhost --dir "$dir/ca" --out "$dir/node$i/pki/node" >/dev/null
}

# How many of the nodes are servers (0: every node is a silo and a machine).
servers() { cat "$dir/servers" 2>/dev/null || echo 0; }
is_agent() { [ "$(servers)" -gt 0 ] && [ "$1" -gt "$(servers)" ]; }

start_node() {
    i=$1
    node_certificate "$i"
    run=""
    [ -f "$dir/netns" ] && run="ip netns exec fp-node$i"
    if is_agent "$i"; then
        gateways=$(for s in $(seq 1 "$(servers)"); do printf '%s:%s,' "$(address "$s")" "$(gateway_port "$s")"; done)
        set -- --agent --servers "${gateways%,}" --metadata "index=$i"
    else
        set -- --cluster "$connection" --silo-port "$(silo_port "$i")" --gateway-port "$(gateway_port "$i")" --membership "${FLEETPODS_MEMBERSHIP:-fast}"
        if [ "$(servers)" -gt 0 ]; then set -- "$@" --server; else set -- "$@" --metadata "index=$i"; fi
    fi
    # setsid: the daemon outlives this script; its pods outlive the daemon.
    setsid $run dotnet "$daemon" --data-dir "$dir/node$i" --node-name "node$i" \
        --advertised-address "$(address "$i")" --api-port "$(api_port "$i")" "$@" >"$dir/node$i.log" 2>&1 </dev/null &
    echo $! >"$dir/node$i.pid"
}

wait_ready() {
    i=$1
    for _ in $(seq 1 480); do
        grep -Eq "(Node|Server) node$i ready" "$dir/node$i.log" 2>/dev/null && return 0
        sleep 0.25
    done
    echo "cluster.sh: node$i did not become ready within 120 s; the end of $dir/node$i.log:" >&2
    tail -20 "$dir/node$i.log" >&2
    exit 1
}

make_netns() {
    i=$1
    ip netns add "fp-node$i"
    ip link add "fpv$i" type veth peer name eth0 netns "fp-node$i"
    ip link set "fpv$i" master "$bridge" up
    ip netns exec "fp-node$i" ip addr add "$subnet.$((10 + i))/24" dev eth0
    ip netns exec "fp-node$i" ip link set eth0 up
    ip netns exec "fp-node$i" ip link set lo up
    ip netns exec "fp-node$i" ip route add default via "$subnet.1"
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
up)
    [ $# -ge 1 ] || usage
    count=$1
    [ -f "$daemon" ] || { echo "cluster.sh: $daemon is not built (dotnet build FleetPods.sln -c Release)" >&2; exit 1; }
    [ -e "$dir/count" ] && { echo "cluster.sh: a cluster is up already ($dir); run down first" >&2; exit 1; }
    case ${FLEETPODS_SERVERS:-0} in *[!0-9]* | "") echo "cluster.sh: \$FLEETPODS_SERVERS '$FLEETPODS_SERVERS' is not a number of servers" >&2; exit 2 ;; esac
    mkdir -p "$dir"
    "$cli" cert ca create --dir "$dir/ca" >/dev/null
    "$cli" cert create --role admin --name cluster-admin --dir "$dir/ca" --out admin >/dev/null
    ./deploy/start-postgres.sh
    # A try-out cluster starts empty: units and pods of an earlier one would refer to nodes that are gone.
    su postgres -c "psql -qc 'DROP DATABASE IF EXISTS $database WITH (FORCE)'"
    su postgres -c "psql -qc 'CREATE DATABASE $database OWNER fleetpods'"
    dotnet "$daemon" --init-db --cluster "$connection"
    if [ "${2:-}" != "--no-netns" ]; then
        touch "$dir/netns"
        ip link add "$bridge" type bridge 2>/dev/null || true
        ip addr add "$subnet.1/24" dev "$bridge" 2>/dev/null || true
        ip link set "$bridge" up
        for i in $(seq 1 "$count"); do make_netns "$i"; done
    fi
    echo "$count" >"$dir/count"
    echo "${FLEETPODS_SERVERS:-0}" >"$dir/servers"
    for i in $(seq 1 "$count"); do start_node "$i"; done
    for i in $(seq 1 "$count"); do wait_ready "$i"; done
    echo "cluster of $count nodes up; try: eval \"\$($0 env)\"; $cli $("$0" endpoints) list-machines"
    ;;
kill)
    [ $# -ge 1 ] || usage
    kill -KILL "$(cat "$dir/node$1.pid")"
    ;;
cut | heal)
    [ $# -ge 1 ] || usage
    [ -f "$dir/netns" ] || { echo "cluster.sh: $command needs nodes in network namespaces" >&2; exit 1; }
    if [ "$command" = cut ]; then ip link set "fpv$1" down; else ip link set "fpv$1" up; fi
    ;;
start)
    [ $# -ge 1 ] || usage
    : >"$dir/node$1.log"
    start_node "$1"
    wait_ready "$1"
    ;;
endpoints)
    for i in $(seq 1 "$(cat "$dir/count")"); do printf -- '--endpoint 127.0.0.1:%s ' "$(api_port "$i")"; done
    echo
    ;;
env)
    echo "export FLEETPODS_CLIENT_CERT=$dir/ca/admin.crt FLEETPODS_CLIENT_KEY=$dir/ca/admin.key FLEETPODS_CA_CERT=$dir/ca/ca.crt"
    ;;
down)
    [ -f "$dir/count" ] || exit 0
    for i in $(seq 1 "$(cat "$dir/count")"); do
        [ -f "$dir/node$i.pid" ] && kill -KILL "$(cat "$dir/node$i.pid")" 2>/dev/null || true
        # Each node's pods run under its data directory; their supervisors name it on their command line.
        pkill -KILL -f -- "$dir/node$i/" 2>/dev/null || true
        grep -F " $dir/node$i/" /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l
        if [ -f "$dir/netns" ]; then
            ip netns del "fp-node$i" 2>/dev/null || true
            ip link del "fpv$i" 2>/dev/null || true
        fi
    done
    [ -f "$dir/netns" ] && ip link del "$bridge" 2>/dev/null || true
    rm -rf "$dir"
    ;;
*)
    usage
    ;;
esac
