#!/usr/bin/env bash
# Runs a command (an npm script's body) with Node.js 22 or later: the project's npm scripts start
# here, so `npm test` works on a machine whose system Node.js is older (see node22.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node22.sh"
exec "$@"
