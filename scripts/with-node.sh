#!/usr/bin/env bash
# Runs a command under another Node.js major, taken from the npm registry (its node-<os>-<arch>
# packages carry the official binaries) and kept in .local/node-<version>; npm itself is the
# machine's. CI runs the suite on the current LTS this way as well as on the machine's Node:
#   scripts/with-node.sh 24 npm test
set -euo pipefail
if [ $# -lt 2 ]; then echo "usage: scripts/with-node.sh <major> <command…>" >&2; exit 64; fi
major="$1"; shift
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "with-node.sh: unsupported system $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "with-node.sh: unsupported machine $(uname -m)" >&2; exit 1 ;; esac
package="node-$os-$arch"
# The newest release of that major (npm view lists every match, not in order); offline, the newest
# one fetched before.
newest='const v = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8") || "[]")); const n = (s) => s.split(".").map(Number); v.sort((a, b) => n(a)[1] - n(b)[1] || n(a)[2] - n(b)[2]); console.log(v.at(-1) ?? "")'
version="$(npm view "$package@$major" version --json 2>/dev/null | node -e "$newest" || true)"
if [ -z "$version" ]; then
  version="$(cd "$root/.local" 2>/dev/null && ls -d "node-$major".* 2>/dev/null | sed 's/^node-//' | sort -V | tail -1 || true)"
  [ -n "$version" ] || { echo "with-node.sh: cannot reach the npm registry for $package@$major, and none is cached in .local" >&2; exit 1; }
fi
dir="$root/.local/node-$version"
if [ ! -x "$dir/bin/node" ]; then
  echo "fetching Node $version ($package) from the npm registry…" >&2
  mkdir -p "$root/.local"
  work="$(mktemp -d "$root/.local/node-XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack "$package@$version" --silent >/dev/null && tar xzf ./*.tgz)
  rm -rf "$dir" && mv "$work/package" "$dir"
fi
PATH="$dir/bin:$PATH" "$@"
