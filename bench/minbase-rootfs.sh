# Sourced by the benchmark scripts that need a real distribution's tree: sets $cache to the directory whose rootfs/ is
# Debian bookworm minbase, made once by debootstrap (about 200 MB) and kept in /var/tmp for every later run.
cache=/var/tmp/fleetpods-bench-minbase
if [ ! -d "$cache/rootfs/usr" ]; then
    rm -rf "$cache"
    mkdir -p "$cache"
    debootstrap --variant=minbase bookworm "$cache/rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log"
fi
