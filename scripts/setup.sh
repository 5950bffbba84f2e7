#!/usr/bin/env sh
# Installs the workspace on a fresh machine: pnpm 12.4.2 when missing, then the locked dependencies, then
# builds the packages when any built file is missing. Run again, it repairs a workspace whose dist/ is gone.
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

# The install builds the packages (the root `prepare`) only when it changed something, so a dist/ removed
# since the last run would stay missing. A build takes about half a minute: run it only when a file is missing.
missing=$(node scripts/missing-builds.mjs) || {
  echo "Building the packages: $(printf '%s\n' "$missing" | head -n 1) is missing."
  pnpm build
}
