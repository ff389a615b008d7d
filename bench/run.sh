#!/usr/bin/env bash
# assist benchmarks (`make bench`). Each benchmark is a function bench_NAME in
# bench/NAME.sh; this script prints the machine, runs the selected ones and
# stops everything they started when it exits, however it exits.
#
# Environment:
#   BENCH_ONLY         comma-separated benchmarks to run (default: all): http, coverage, import, search, outbox
#   BENCH_OUTBOX_SMS, BENCH_OUTBOX_EMAILS  messages of the outbox benchmark (default 20000, 2000)
#   BENCH_IMPORT_ROWS  rows of the import benchmark's policy list (default 1000000)
#   BENCH_IMPORT_ROUNDS  measured runs of each import (default 1; the best is shown)
#   BENCH_SEARCH_PERSONS persons in the search benchmark's demo database (default 1000000)
#   BENCH_SEARCH_CLIENTS concurrent clients of the search benchmark (default 8)
#   BENCH_SECONDS      length of each measured wrk run (default 10)
#   BENCH_ROUNDS       measured runs of each target, interleaved; the table shows
#                      medians (default 3: a shared 2-CPU VM varies by +-30% from
#                      one 10 s run to the next)
#   BENCH_CONNECTIONS  wrk connections (default 64)
#   BENCH_THREADS      wrk threads (default 2)
#   BENCH_WARMUP       seconds of unmeasured load before each run (default 1; 0: none)
#   BENCH_PERSONS      insured persons in the demo database (default 1000)
#   BENCH_RESULTS      also append tab-separated results to this file
#   BENCH_VERBOSE=1    print wrk's own output too
#   BENCH_KEEP=1       keep the temporary directory (it is kept on failure unless BENCH_KEEP=0)
#   ASSIST             the binary (default build/assist); NGINX: the nginx binary
#   BENCH_SERVE_ARGS   extra `assist serve` options, e.g. "--no-access-log --threads 2"
#
# Exit status: non-zero when a request failed (socket error or a status other
# than 2xx/3xx) or something could not be started. Missing a goal is reported,
# not failed: these are measurements, not tests.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=$ROOT/bench
ALL_BENCHES=(http coverage import search outbox)

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
ASSIST=${ASSIST:-$ROOT/build/assist}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
CLK_TCK=$(getconf CLK_TCK)

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

for v in BENCH_SECONDS BENCH_CONNECTIONS BENCH_THREADS BENCH_ROUNDS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || bench_die "$v must be a positive integer, not '${!v}'"
done
[ -x "$ASSIST" ] || bench_die "$ASSIST is missing: run make first"
command -v wrk >/dev/null || bench_die "wrk is missing: run scripts/deps.sh"
command -v curl >/dev/null || bench_die "curl is missing: run scripts/deps.sh"

selected=()
if [ -n "${BENCH_ONLY:-}" ]; then
	IFS=', ' read -r -a want <<<"$BENCH_ONLY"
	for b in "${want[@]}"; do
		[ -n "$b" ] || continue
		[ -f "$BENCH_DIR/$b.sh" ] || bench_die "no benchmark '$b' (there are: ${ALL_BENCHES[*]})"
		selected+=("$b")
	done
else
	selected=("${ALL_BENCHES[@]}")
fi

BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/assist-bench.XXXXXX")
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
[ -n "$cpu" ] || cpu=$(lscpu 2>/dev/null | awk -F': *' '/Model name/ { print $2; exit }' || true)
echo "== assist benchmarks"
echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr)"
echo "assist:  $("$ASSIST" version 2>/dev/null || "$ASSIST" --version) ($ASSIST)"
echo "load:    wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${BENCH_SECONDS}s, $BENCH_ROUNDS rounds" \
	"(warm-up ${BENCH_WARMUP:-1}s), on the same machine as the servers"

for b in "${selected[@]}"; do
	# shellcheck source=/dev/null
	. "$BENCH_DIR/$b.sh"
	BENCH_NAME=$b
	echo
	"bench_$b"
done

echo
if ((BENCH_ERRORS > 0)); then
	echo "FAILED: $BENCH_ERRORS requests failed (socket errors or non-2xx/3xx statuses)"
	exit 1
fi
echo "ok: no request failed"
