# Policy list import (issue 3): a BENCH_IMPORT_ROWS-row list (default
# 1,000,000) as CSV and as XLSX, made by bench/gen_policies.py, imported with
# `assist import policies` into a fresh demo database; beside it, `sqlite3
# .import` of the same CSV into a bare table. Wall time (best of
# BENCH_IMPORT_ROUNDS, default 1) and peak memory (max RSS, from GNU time).
# Goals: CSV within 2x of sqlite3 .import, peak memory under 200 MB.
bench_import() {
	local rows=${BENCH_IMPORT_ROWS:-1000000} rounds=${BENCH_IMPORT_ROUNDS:-1}
	[[ $rows =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_IMPORT_ROWS must be a positive integer"
	command -v sqlite3 >/dev/null || bench_die "sqlite3 is missing: run scripts/deps.sh"
	[ -x /usr/bin/time ] || bench_die "/usr/bin/time is missing: run scripts/deps.sh"
	local dir=$BENCH_TMP/import csv xlsx
	mkdir -p "$dir"
	csv=$dir/policies.csv
	xlsx=$dir/policies.xlsx
	echo "== policy list import, $rows rows, best of $rounds"
	python3 "$BENCH_DIR/gen_policies.py" "$rows" "$csv" --xlsx "$xlsx" ||
		bench_die "cannot generate the policy list"
	"$ASSIST" demo --db "$dir/base.db" --persons 10 >/dev/null 2>&1 || bench_die "assist demo failed"
	echo "  files: CSV $(($(stat -c %s "$csv") / 1048576)) MiB, XLSX $(($(stat -c %s "$xlsx") / 1048576)) MiB"

	# one measured run: prints "seconds max-rss-KiB"; the database is fresh each time
	_import_once() {
		local out=$dir/time.txt
		rm -f "$dir"/run.db*
		if [ "$1" = sqlite3 ]; then
			/usr/bin/time -o "$out" -f '%e %M' sqlite3 "$dir/run.db" -cmd '.mode csv' \
				".import $csv policies" >/dev/null 2>"$dir/err.txt" || return 1
		else
			cp "$dir/base.db" "$dir/run.db"
			/usr/bin/time -o "$out" -f '%e %M' "$ASSIST" import policies "$1" --db "$dir/run.db" \
				>/dev/null 2>"$dir/err.txt" || return 1
		fi
		cat "$out"
	}
	local name target best_s best_m s m i
	declare -A secs mem
	for name in sqlite3 csv xlsx; do
		case $name in sqlite3) target=sqlite3 ;; csv) target=$csv ;; xlsx) target=$xlsx ;; esac
		best_s='' best_m=''
		for ((i = 1; i <= rounds; i++)); do
			read -r s m < <(_import_once "$target") ||
				bench_die "$name import failed: $(tail -3 "$dir/err.txt")"
			echo "  $name round $i: ${s}s, $((m / 1024)) MiB"
			if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
				best_s=$s best_m=$m
			fi
		done
		secs[$name]=$best_s
		mem[$name]=$best_m
	done
	printf '\n| import of %s rows | seconds | rows/s | peak MiB | vs sqlite3 .import |\n| --- | --- | --- | --- | --- |\n' "$rows"
	for name in sqlite3 csv xlsx; do
		awk -v n="$name" -v s="${secs[$name]}" -v m="${mem[$name]}" -v base="${secs[sqlite3]}" -v rows="$rows" \
			'BEGIN { printf "| %s | %.2f | %d | %d | %.2fx |\n", n, s, rows / s, m / 1024, s / base }'
	done
	awk -v s="${secs[csv]}" -v base="${secs[sqlite3]}" -v m="${mem[csv]}" -v mx="${mem[xlsx]}" 'BEGIN {
		printf "CSV import: %.2fx sqlite3 .import (goal <= 2x); peak memory CSV %d MiB, XLSX %d MiB (goal < 200 MB)\n",
			s / base, m / 1024, mx / 1024 }'
}
