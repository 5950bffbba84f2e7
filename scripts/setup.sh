#!/usr/bin/env sh
# Installs the workspace on a fresh machine: pnpm 12.4.2 when missing, then the locked dependencies.
set -eu
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "12.4.2" ]; then
  # corepack cannot verify registry signatures everywhere; npm can always install pnpm.
  npm install --global pnpm@12.4.2 >/dev/null
fi

# better-sqlite3 compiles against Node's headers when no prebuilt binary can be downloaded.
# pnpm does not read npm's `nodedir` setting, so hand it over when npm has one (offline machines).
if [ -z "${npm_config_nodedir:-}" ]; then
  nodedir=$(npm config get nodedir 2>/dev/null || true)
  if [ -n "$nodedir" ] && [ "$nodedir" != "undefined" ] && [ "$nodedir" != "null" ]; then
    export npm_config_nodedir="$nodedir"
  fi
fi

pnpm install --frozen-lockfile
