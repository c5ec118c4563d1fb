#!/bin/sh
# The signature check of a network fetch beside gpg's and beside the hash an import computes anyway, in the same run:
# a Debian minbase rootfs (~200 MB, made by debootstrap once: bench/minbase-rootfs.sh) as one ACI (tar.gz),
# signed with `gpg --armor --detach-sign` by a key made here; then, alternating, FleetPods' verifier (BouncyCastle,
# in-process and warm: the image-store-bench's `verify`), `gpg --verify`, and `sha512sum` (what every ACI import hashes).
# Usage (root): bench/signature-verify.sh [RUNS]   -> prints the figures and writes bench/out/signature-verify.json
set -eu
cd "$(dirname "$0")/.."
runs=${1:-7}
for tool in debootstrap gpg jq; do
    command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
done
dotnet build bench/ImageStore -c Release --nologo -v quiet >/dev/null
bench="dotnet bench/ImageStore/bin/Release/net10.0/image-store-bench.dll"

. bench/minbase-rootfs.sh
work=$(mktemp -d /var/tmp/fpsig-XXXXXX)
export GNUPGHOME="$work/gnupg"
mkdir -m 0700 "$GNUPGHOME"
trap 'gpgconf --kill gpg-agent; rm -rf "$work"' EXIT
mkdir "$work/aci"
printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"bench.example.com/minbase"}' >"$work/aci/manifest"
ln -s "$cache/rootfs" "$work/aci/rootfs"
tar -C "$work/aci" -czhf "$work/minbase.aci" manifest rootfs 2>/dev/null || true
gpg --batch --passphrase '' --quick-gen-key 'Bench <bench@example.com>' default default never 2>/dev/null
gpg --batch --armor --export bench@example.com >"$work/key.asc"
gpg --batch --yes --pinentry-mode loopback --passphrase '' --armor --detach-sign "$work/minbase.aci" 2>/dev/null
size=$(stat -c %s "$work/minbase.aci")

ms() { start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
: >"$work/ours"; : >"$work/gpg"; : >"$work/sha"
i=0
while [ "$i" -lt "$runs" ]; do
    # The fastest of 3 in one process: a daemon's verifier is warm (JIT, BouncyCastle's tables) after its first fetch.
    $bench verify "$work/minbase.aci" "$work/key.asc" 3 | jq -r .min_ms | cut -d. -f1 >>"$work/ours"
    ms gpg --batch --verify "$work/minbase.aci.asc" "$work/minbase.aci" >>"$work/gpg"
    ms sha512sum "$work/minbase.aci" >>"$work/sha"
    i=$((i + 1))
done
ours=$(median <"$work/ours"); theirs=$(median <"$work/gpg"); sha=$(median <"$work/sha")
jq -n --argjson size "$size" --argjson ours "$ours" --argjson gpg "$theirs" --argjson sha "$sha" --argjson runs "$runs" \
    '{aci_bytes: $size, runs: $runs, fleetpods_verify_ms: $ours, gpg_verify_ms: $gpg, sha512sum_ms: $sha}' | tee bench/out/signature-verify.json
