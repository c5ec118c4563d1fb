#!/bin/sh
# Builds stage1 kvm's guest kernel: Debian's linux-source-6.1 configured as `make tinyconfig` plus
# deploy/guest-kernel.config, built as an uncompressed vmlinux that qemu boots through its PVH note (docs/stage1.md,
# "The guest kernel"). The result is cached by the linux-source version and the fragment's hash, at
#   /var/cache/fleetpods/guest-kernel/VERSION-HASH12/vmlinux   (beside it: config, the full .config)
# where fleetpodsd looks for it. A second run with the same version and fragment builds nothing and prints the path.
# Built in a temporary directory beside the cache and renamed into place, so a half-built kernel is never taken.
# Needs: linux-source-6.1 gcc make flex bison bc libelf-dev (deploy/install-deps.sh installs them).
set -eu
cd "$(dirname "$0")/.."
fragment=$PWD/deploy/guest-kernel.config
tarball=/usr/src/linux-source-6.1.tar.xz
cache=${FLEETPODS_GUEST_KERNEL_CACHE:-/var/cache/fleetpods/guest-kernel}

fail() {
    echo "build-guest-kernel.sh: $*" >&2
    exit 1
}

version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || fail "linux-source-6.1 is not installed (apt install linux-source-6.1)"
[ -f "$tarball" ] || fail "$tarball is missing (reinstall linux-source-6.1)"
case "$version" in
*[!0-9A-Za-z.+~-]*) fail "linux-source-6.1's version '$version' is not a plain Debian version" ;;
esac
hash=$(sha256sum "$fragment" | cut -c1-12)
target=$cache/$version-$hash
if [ -f "$target/vmlinux" ]; then
    echo "$target/vmlinux"
    exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.build-XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
started=$(date +%s)
tar -xJf "$tarball" -C "$work"
source=$work/linux-source-6.1
[ -d "$source" ] || fail "$tarball has no linux-source-6.1 directory"

# tinyconfig, then the fragment over it, then the dependencies resolved; merge_config.sh only warns when a value did
# not survive, so every line of the fragment is checked against the result.
make -C "$source" -s tinyconfig >/dev/null
(cd "$source" && ./scripts/kconfig/merge_config.sh -m .config "$fragment" >/dev/null)
make -C "$source" -s olddefconfig >/dev/null
missing=""
while IFS= read -r line; do
    case "$line" in
    "# CONFIG_"*" is not set")
        name=${line#\# }
        name=${name%% *}
        if grep -q "^$name=" "$source/.config"; then missing="$missing
  $line (it is set)"; fi
        ;;
    CONFIG_*)
        grep -qxF "$line" "$source/.config" || missing="$missing
  $line"
        ;;
    esac
done <"$fragment"
[ -z "$missing" ] || fail "$fragment asks for what the kernel's configuration did not take:$missing"

make -C "$source" -s -j"$(nproc)" vmlinux
mkdir "$work/result"
cp "$source/vmlinux" "$work/result/vmlinux"
cp "$source/.config" "$work/result/config"
# A concurrent run may have finished first: its kernel is the same, keep it.
mv -T "$work/result" "$target" 2>/dev/null || [ -f "$target/vmlinux" ] || fail "could not move the kernel into $target"
echo "build-guest-kernel.sh: built in $(($(date +%s) - started)) s" >&2
echo "$target/vmlinux"
