#!/usr/bin/env bash
# Fetch ReplayWeb.page's static files (index.html, ui.js, sw.js) from the npm registry into
# .cache/replaywebpage/VERSION/package, for tests/test_wacz_replaywebpage.py (tests never
# download). `npm pack` checks the tarball against the registry's integrity hash.
#
#   .ci/replaywebpage.sh [VERSION]        (default: the version the test was written against)
#
# Exit 0 when the files are there (already or now); 1 when npm failed; 2 on bad usage.
set -euo pipefail
version="${1:-2.5.3}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "usage: $0 [VERSION like 2.5.3]" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/replaywebpage/$version"
if [ -f "$dest/package/sw.js" ] && [ -f "$dest/package/ui.js" ] && [ -f "$dest/package/index.html" ]; then
  echo "ReplayWeb.page $version: already in $dest"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm is not installed: cannot fetch ReplayWeb.page" >&2; exit 1; }
mkdir -p "$root/.cache/replaywebpage"
work="$(mktemp -d "$root/.cache/replaywebpage/.fetch-XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "replaywebpage@$version" > pack.out)
tarball="$work/$(tail -1 "$work/pack.out")"
[ -f "$tarball" ] || { echo "npm pack gave no tarball" >&2; exit 1; }
mkdir "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
for f in index.html ui.js sw.js; do
  [ -f "$work/unpacked/package/$f" ] || { echo "replaywebpage@$version has no package/$f" >&2; exit 1; }
done
rm -rf "$dest"
mv "$work/unpacked" "$dest"  # whole or not at all: the test looks for sw.js
echo "ReplayWeb.page $version: unpacked into $dest"
