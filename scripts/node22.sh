# Sourced by .ci/run (and by anyone on a machine with an older Node.js): puts Node.js 22 first on
# PATH. When the system's node is older, Node.js 22 is installed from the npm registry's `node`
# package into the git-ignored .tools/ folder; the system's node is never replaced.
NODE22_VERSION="22.23.3"
project_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node22_bin="$project_root/.tools/node22/node_modules/node/bin"

system_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$system_major" -lt 22 ]; then
  if [ ! -x "$node22_bin/node" ] || [ "$("$node22_bin/node" --version)" != "v$NODE22_VERSION" ]; then
    echo "node22.sh: system Node.js is v$system_major; installing Node.js $NODE22_VERSION into .tools/node22" >&2
    npm install --no-save --no-audit --no-fund --prefix "$project_root/.tools/node22" "node@$NODE22_VERSION" >&2
  fi
  export PATH="$node22_bin:$PATH"
fi
