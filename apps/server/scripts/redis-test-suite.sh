#!/usr/bin/env bash
# Runs redis-server's own test suite (tests/unit/*.tcl from a Redis 7.0 source tree) against
# byor-server in the suite's external-server mode: each unit against a fresh byor-server, one
# test client, and a summary line per unit. Tests the suite tags external:skip do not run.
#
#   apps/server/scripts/redis-test-suite.sh <redis-source-dir> [unit/type/list unit/expire ...]
#
# A Redis 7.0 source tree: Debian's (`apt-get source redis` with deb-src enabled) or a release
# tarball. Needs tclsh. Without units it runs every unit under tests/unit but cluster and tls.
# Logs go to $OUT (default /tmp/byor-redis-suite): <unit>.log and byor-<unit>.log.
set -euo pipefail

source_dir=${1:?usage: redis-test-suite.sh <redis-source-dir> [unit ...]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/dist/bin.js"
[ -f "$bin" ] || { echo "build the server first: pnpm --filter @byor/server build" >&2; exit 1; }
port=${PORT:-7010}
out=${OUT:-/tmp/byor-redis-suite}
mkdir -p "$out"

if [ $# -eq 0 ]; then
  set -- $(cd "$source_dir/tests" && ls unit/*.tcl unit/type/*.tcl | sed 's/\.tcl$//' |
    grep -v -e cluster -e tls -e list-common)
fi

# the directives tests/assets/default.conf gives the suite's own servers
flags=(--port "$port" --save '' --appendonly no --enable-debug-command yes
  --enable-protected-configs yes --enable-module-command yes --latency-monitor-threshold 1
  --notify-keyspace-events KEA)

stop() { redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; }
trap stop EXIT
for unit in "$@"; do
  name=$(echo "$unit" | tr / _)
  stop
  sleep 0.3
  (cd "$out" && node "$bin" "${flags[@]}" >"$out/byor-$name.log" 2>&1 &)
  for _ in $(seq 30); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
  rc=0
  (cd "$source_dir" && timeout 600 ./runtest --host 127.0.0.1 --port "$port" --clients 1 \
    --timeout 60 --single "$unit") >"$out/$name.log" 2>&1 || rc=$?
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$out/$name.log")
  ok=$(grep -c '^\[ok\]' <<<"$plain" || true)
  err=$(grep -c '^\[err\]\|^\[exception\]' <<<"$plain" || true)
  echo "$unit: ${ok} ok, ${err} failed$([ "$rc" -ne 0 ] && echo " (exit $rc)")"
done
