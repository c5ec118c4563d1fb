#!/bin/sh
# Installs what building, trying and testing FleetPods need on Debian 12, as root.
# The .NET 10 SDK is a prerequisite (Debian does not package it); everything else comes from Debian (libjson-c-dev:
# the static json-c that the pod supervisor and the kvm guest init read the pod manifest with).
set -eu

if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh: run as root (pods need namespaces and mounts)" >&2
    exit 1
fi

if ! command -v dotnet >/dev/null 2>&1; then
    echo "install-deps.sh: the .NET 10 SDK (dotnet) is not installed; see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
    exit 1
fi

missing=""
for package in gcc libc6-dev libjson-c-dev busybox-static tar gzip bzip2 xz-utils util-linux procps umoci skopeo docker-registry gnupg iproute2 nftables postgresql; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
# Stage1 kvm: qemu, the guest kernel (its /lib/modules too) and GNU cpio, which packs the initramfs FleetPods builds;
# linux-source-6.1 and what building it needs, for the guest kernel deploy/build-guest-kernel.sh builds (Debian's stays
# the fallback). Without recommends: qemu's would bring a GUI, UEFI firmware and block drivers the microvm never uses.
missing_kvm=""
for package in qemu-system-x86 linux-image-amd64 cpio linux-source-6.1 make flex bison bc libelf-dev; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing_kvm="$missing_kvm $package"
done
if [ -n "$missing$missing_kvm" ]; then
    apt-get update -qq
fi
if [ -n "$missing" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi
# docker-registry is for the tests, which start their own on loopback ports; the service its package enables (on
# :5000, where systemd runs) is stopped when this script installed it, so no registry listens unasked.
case " $missing " in
*" docker-registry "*) if command -v systemctl >/dev/null 2>&1; then systemctl disable --now docker-registry.service >/dev/null 2>&1 || true; fi ;;
esac
if [ -n "$missing_kvm" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing_kvm
fi

# The groups whose members fleetpodsd's API socket takes as operators and readers (docs/cli.md: who may do what), as
# Docker's package makes its docker group; empty until an admin adds someone.
for group in fleetpods-operators fleetpods-readers; do
    getent group "$group" >/dev/null || groupadd --system "$group"
done

cd "$(dirname "$0")/.."
dotnet restore FleetPods.sln
