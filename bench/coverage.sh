# The coverage engine (issue 3): lines evaluated per second on one core for a
# program with ~50 limits and a person with a year of stored consumption.
# Goal: >= 2,000,000 lines/s. Runs build/bench_coverage (bench/bench_coverage.c)
# BENCH_ROUNDS times and reports the median.
bench_coverage() {
	local exe=$ROOT/build/bench_coverage
	[ -x "$exe" ] || bench_die "$exe is missing: run make first"
	echo "== coverage engine, one core, ${BENCH_SECONDS}s x $BENCH_ROUNDS rounds"
	local rates=() i out
	for ((i = 1; i <= BENCH_ROUNDS; i++)); do
		out=$(taskset -c 0 "$exe" "$BENCH_SECONDS" 2>/dev/null || "$exe" "$BENCH_SECONDS")
		echo "  round $i: $out"
		rates+=("$(sed -n 's/.* = \([0-9]*\) lines\/s.*/\1/p' <<<"$out")")
	done
	local median
	median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	printf 'coverage engine: %s lines/s median (goal >= 2000000)\n' "$median"
}
