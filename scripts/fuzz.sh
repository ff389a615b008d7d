#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build (`make fuzz`).
#
#   scripts/fuzz.sh BUILD_DIR [SECONDS]
#
# Each executable BUILD_DIR/tests/fuzz_* runs for SECONDS (default 60) on a
# working corpus BUILD_DIR/fuzz/corpus/<target>/, which starts as a copy of the
# seeds in tests/fuzz/corpus/<target>/ and keeps what earlier runs found (the
# repository is never written to). tests/fuzz/corpus/<target>.dict, if there
# is one, is passed as a dictionary. Findings go to BUILD_DIR/fuzz/artifacts/
# <target>/, the full output to BUILD_DIR/fuzz/<target>.log.
#
# Environment: FUZZ_TARGETS (space- or comma-separated names, default all),
# FUZZ_MAX_LEN (default 65536), FUZZ_ARGS (more libFuzzer flags).
#
# Exits non-zero when a target crashed, leaked, timed out or ran out of memory,
# printing the reproducer: BUILD_DIR/tests/<target> <artifact>.
set -euo pipefail

usage() { echo "usage: $0 BUILD_DIR [SECONDS]" >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" 2>/dev/null && pwd) || { echo "fuzz: no directory $1" >&2; exit 2; }
seconds=${2:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: SECONDS must be a positive integer" >&2; exit 2; }
max_len=${FUZZ_MAX_LEN:-65536}

targets=()
if [ -n "${FUZZ_TARGETS:-}" ]; then
	IFS=', ' read -r -a names <<<"$FUZZ_TARGETS"
	for n in "${names[@]}"; do
		[ -n "$n" ] || continue
		[ -x "$build/tests/$n" ] || { echo "fuzz: no target $build/tests/$n" >&2; exit 2; }
		targets+=("$build/tests/$n")
	done
else
	for f in "$build"/tests/fuzz_*; do
		# meson also makes fuzz_*.p/ directories of object files
		[ -f "$f" ] && [ -x "$f" ] && targets+=("$f")
	done
fi
if ((${#targets[@]} == 0)); then
	echo "fuzz: no fuzz_* executables in $build/tests (configured with -Dfuzz=true?)" >&2
	exit 1
fi

# Undefined behaviour is a finding too: stop at the first report instead of
# printing it and going on. Leaks are reported by libFuzzer itself.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=0:symbolize=1

work=$build/fuzz
failed=()
blind=()
echo "fuzz: ${#targets[@]} target(s), ${seconds}s each, max_len $max_len"
for exe in "${targets[@]}"; do
	name=$(basename "$exe")
	corpus=$work/corpus/$name
	artifacts=$work/artifacts/$name
	log=$work/$name.log
	mkdir -p "$corpus" "$artifacts"
	seeds=$ROOT/tests/fuzz/corpus/$name
	nseeds=0
	if [ -d "$seeds" ]; then
		# libFuzzer names what it finds by SHA-1, so seeds never clash with it;
		# a seed edited in the repository replaces its older copy
		cp -f "$seeds"/* "$corpus"/ 2>/dev/null || true
		nseeds=$(find "$seeds" -maxdepth 1 -type f | wc -l)
	else
		echo "fuzz: $name has no seed corpus in tests/fuzz/corpus/$name/" >&2
	fi
	before=$(find "$corpus" -maxdepth 1 -type f | wc -l)
	old_list=$(find "$artifacts" -maxdepth 1 -type f | sort)
	old_artifacts=$(grep -c . <<<"$old_list" || true)
	args=(-max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
	      -print_final_stats=1 -artifact_prefix="$artifacts/")
	dict=$ROOT/tests/fuzz/corpus/$name.dict
	[ -f "$dict" ] && args+=(-dict="$dict")
	# shellcheck disable=SC2206 # FUZZ_ARGS is a list of flags
	[ -n "${FUZZ_ARGS:-}" ] && args+=(${FUZZ_ARGS})

	echo "fuzz: $name: $before inputs ($nseeds seeds), log $log"
	rc=0
	"$exe" "${args[@]}" "$corpus" >"$log" 2>&1 || rc=$?

	after=$(find "$corpus" -maxdepth 1 -type f | wc -l)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
	status=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 || true)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
	# "INFO: Loaded 1 modules   (528 inline 8-bit counters): ..." - the edges
	# libFuzzer can see; a handful means only the harness itself is instrumented
	edges=$(sed -n 's/^INFO: Loaded [0-9]* modules* *(\([0-9]*\) inline 8-bit counters).*/\1/p' \
		"$log" | awk '{ s += $1 } END { print s + 0 }')
	# what this run wrote: crash-, leak-, timeout-, oom- (not slow-unit-) files
	new=$(comm -13 <(printf '%s\n' "$old_list") \
		<(find "$artifacts" -maxdepth 1 -type f \
			\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort) |
		sed '/^$/d')
	if [ "$rc" = 0 ]; then
		verdict=ok
	else
		verdict="FAILED (exit $rc)"
		failed+=("$name")
	fi
	printf 'fuzz: %s: %s: %s runs (%s/s), cov %s of %s edges, ft %s, corpus %s -> %s inputs, peak rss %s MB\n' \
		"$name" "$verdict" "${runs:-?}" "${speed:-?}" "${cov:-?}" "$edges" "${ft:-?}" "$before" \
		"$after" "${rss:-?}"
	if ((edges < 100)); then
		echo "fuzz: $name: WARNING: only $edges instrumented edges: the code under test is not" \
			"compiled with -fsanitize=fuzzer-no-link (nor checked by ASan/UBSan), so libFuzzer" \
			"fuzzes blind; build the libraries with the sanitizers too" >&2
		blind+=("$name")
	fi
	if [ "$rc" != 0 ]; then
		# the sanitizer's report and libFuzzer's last words
		grep -E '^(==[0-9]+==ERROR|SUMMARY:|.*runtime error:|artifact_prefix=|Test unit written to)' \
			"$log" | head -n 20 >&2 || true
		if [ -z "$new" ]; then
			new=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
		fi
		if [ -n "$new" ]; then
			while IFS= read -r a; do
				echo "fuzz: $name: reproduce with: $exe $a" >&2
			done <<<"$new"
		else
			echo "fuzz: $name: no reproducer was written; see $log" >&2
		fi
	fi
	if [ "$rc" = 0 ] && ((old_artifacts > 0)); then
		echo "fuzz: $name: note: $artifacts holds $old_artifacts file(s) from earlier runs" >&2
	fi
done

if ((${#blind[@]})); then
	echo "fuzz: WARNING: blind (uninstrumented code under test): ${blind[*]}" >&2
fi
if ((${#failed[@]})); then
	echo "fuzz: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "fuzz: all ${#targets[@]} target(s) ran ${seconds}s without a finding"
