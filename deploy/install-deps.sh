#!/bin/sh
# Installs what building, trying and testing FleetPods need on Debian 12, as root.
# The .NET 10 SDK is a prerequisite (Debian does not package it); everything else comes from Debian.
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
for package in gcc libc6-dev busybox-static tar gzip bzip2 xz-utils util-linux procps umoci skopeo iproute2 nftables postgresql; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi

cd "$(dirname "$0")/.."
dotnet restore FleetPods.sln
