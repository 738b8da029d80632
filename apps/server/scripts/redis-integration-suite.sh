#!/usr/bin/env bash
# Runs redis-server's own integration tests (tests/integration/*.tcl from a Redis 7.0 source
# tree), which start their servers themselves: a copy of the tree gets a `src/redis-server` that
# runs byor-server, and with --cli a `src/redis-cli` that runs byor-cli (redis-cli's own test
# then tests byor-cli); the other tools are Debian's. A summary line per unit.
#
#   apps/server/scripts/redis-integration-suite.sh [--cli] <redis-source-dir> [rdb aof redis-cli ...]
#
# Needs tclsh and redis-tools (redis-cli, redis-benchmark, redis-check-aof, redis-check-rdb).
# Without units it runs rdb, aof, aof-multi-part, redis-cli, logging and the convert-* units.
# Logs go to $OUT (default /tmp/byor-redis-integration): <unit>.log.
set -euo pipefail
cli=false
if [ "${1:-}" = --cli ]; then
  cli=true
  shift
fi
source_dir=${1:?usage: redis-integration-suite.sh [--cli] <redis-source-dir> [unit ...]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
server_bin="$here/dist/bin.js"
cli_bin="$here/../cli/dist/bin.js"
[ -f "$server_bin" ] || { echo "build the server first: pnpm --filter @byor/server build" >&2; exit 1; }
out=${OUT:-/tmp/byor-redis-integration}
tree="$out/tree"
mkdir -p "$out"
rm -rf "$tree"
cp -r "$source_dir" "$tree"
mkdir -p "$tree/src"
printf '#!/bin/sh\nexec node %q "$@"\n' "$server_bin" >"$tree/src/redis-server"
if $cli; then
  [ -f "$cli_bin" ] || { echo "build the cli first: pnpm --filter @byor/cli build" >&2; exit 1; }
  printf '#!/bin/sh\nexec node %q "$@"\n' "$cli_bin" >"$tree/src/redis-cli"
else
  ln -sf "$(command -v redis-cli)" "$tree/src/redis-cli"
fi
chmod +x "$tree/src/redis-server" "$tree/src/redis-cli"
for tool in redis-benchmark redis-check-aof redis-check-rdb; do
  ln -sf "$(command -v "$tool")" "$tree/src/$tool"
done
if [ $# -eq 0 ]; then
  set -- rdb aof aof-multi-part redis-cli logging convert-zipmap-hash-on-load \
    convert-ziplist-hash-on-load convert-ziplist-zset-on-load
fi
for unit in "$@"; do
  rc=0
  (cd "$tree" && timeout 900 tclsh tests/test_helper.tcl --clients 1 --timeout 120 \
    --single "integration/$unit") >"$out/$unit.log" 2>&1 || rc=$?
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$out/$unit.log")
  ok=$(grep -c '^\[ok\]' <<<"$plain" || true)
  err=$(grep -c '^\[err\]\|^\[exception\]' <<<"$plain" || true)
  echo "integration/$unit: ${ok} ok, ${err} failed$([ "$rc" -ne 0 ] && echo " (exit $rc)")"
done
