# Puts Node.js 22 first on PATH when the system's node is older, for the rest of the shell that
# sources it (bash or zsh: `source scripts/node22.sh`), and says so in one line on stderr.
# Node.js 22 comes from the npm registry's `node` package, installed into the git-ignored .tools/
# folder; the system's node is never replaced. The npm scripts run through scripts/with-node22.sh,
# which sources this file, so `npm test` on an older Node.js needs no step of its own.
NODE22_VERSION="22.23.3"
if [ -n "${BASH_SOURCE:-}" ]; then
  node22_script="${BASH_SOURCE[0]}"
elif [ -n "${ZSH_VERSION:-}" ]; then
  # zsh has no BASH_SOURCE; %x expands to the file being sourced. eval keeps bash from parsing it.
  eval 'node22_script="${(%):-%x}"'
else
  node22_script="$0"
fi
project_root="$(cd "$(dirname "$node22_script")/.." && pwd)"
node22_bin="$project_root/.tools/node22/node_modules/node/bin"

system_version=$(node --version 2>/dev/null || echo "absent")
system_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$system_major" -lt 22 ]; then
  if [ ! -x "$node22_bin/node" ] || [ "$("$node22_bin/node" --version)" != "v$NODE22_VERSION" ]; then
    echo "node22.sh: system Node.js is $system_version: installing Node.js $NODE22_VERSION from the npm registry into .tools/node22 (once)" >&2
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$project_root/.tools/node22" "node@$NODE22_VERSION" >/dev/null ||
      { echo "node22.sh: could not install node@$NODE22_VERSION; install Node.js 22 or later yourself" >&2; return 1 2>/dev/null || exit 1; }
  else
    echo "node22.sh: system Node.js is $system_version: using Node.js $NODE22_VERSION from .tools/node22" >&2
  fi
  export PATH="$node22_bin:$PATH"
fi
unset node22_script system_version system_major
