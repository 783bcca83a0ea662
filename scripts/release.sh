#!/usr/bin/env bash
# Builds luaserve's release binaries: static (CGO_ENABLED=0), one archive per
# platform with the README and LICENSE, and a SHA256SUMS file. No make.
#
#   scripts/release.sh [version]      version: default from `git describe`
#
# Environment:
#   TARGETS  the os/arch pairs to build (default: linux, darwin, freebsd and
#            windows, each amd64 and arm64)
#   OUT      the output folder (default: release/)
#
# The version, the commit and the commit's time are stamped in with
# -ldflags -X, so that `luaserve version` (and -version, --version) tells
# which build it is. The build time is the commit's, not the clock's, and
# -trimpath drops local paths, so that the same commit builds the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)}
version=${version#v}
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then
    commit="$commit-dirty"
fi
built=$(TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
targets=${TARGETS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 freebsd/amd64 freebsd/arm64 windows/amd64 windows/arm64"}
out=${OUT:-release}

case $version in
    *[!A-Za-z0-9._+-]*) echo "release.sh: version $version has characters a file name should not" >&2; exit 2 ;;
esac

ldflags="-s -w -X github.com/luaserve/luaserve/engine.Version=$version -X main.commit=$commit -X main.built=$built"
mkdir -p "$out"
for target in $targets; do
    os=${target%/*}
    arch=${target#*/}
    name="luaserve-$version-$os-$arch"
    exe=luaserve
    [ "$os" = windows ] && exe=luaserve.exe
    rm -rf "${out:?}/$name"
    mkdir -p "$out/$name"
    echo "building $name"
    CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$out/$name/$exe" ./cmd/luaserve
    cp README.md LICENSE "$out/$name/"
    # tar.gz everywhere: Windows 10 and later have tar too.
    tar -C "$out" -czf "$out/$name.tar.gz" "$name"
    rm -rf "${out:?}/$name"
done
sum="sha256sum"
command -v sha256sum >/dev/null 2>&1 || sum="shasum -a 256" # macOS
(cd "$out" && $sum luaserve-"$version"-*.tar.gz > SHA256SUMS)
echo "release $version ($commit) in $out/"
