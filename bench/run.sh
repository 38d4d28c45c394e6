#!/usr/bin/env bash
# npm run bench: starts a throwaway PostgreSQL (scripts/pg-temp.sh) unless BENCH_DATABASE_URL is
# set, then runs the submission/lookup benchmark on PostgreSQL and PGlite, then stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
if [[ -n ${BENCH_DATABASE_URL:-} ]]; then
  exec npx tsx bench/submissions.ts
fi
exec bash scripts/pg-temp.sh run -- npx tsx bench/submissions.ts
