# shellcheck shell=bash
# Benchmark "search" (issue 4): the search box over a large demo database.
#
# Builds a demo database of BENCH_SEARCH_PERSONS insured persons (default
# 1,000,000) with `assist demo` and reports how long that took (it writes the
# search index too), then serves it and sends GET /api/v1/search with an API
# token from BENCH_SEARCH_CLIENTS concurrent clients (default 8; wrk, two
# threads), cycling through a mix of what operators type: surnames, surname
# and first name, full names with patronymics, in Latin and Cyrillic letters;
# Chinese names in pinyin, joined pinyin and characters; typos; phones in
# several formats and policy numbers taken from the database; birth dates
# with a surname. BENCH_ROUNDS rounds of BENCH_SECONDS each; the table shows
# medians.
#
# Goal (issue): p99 <= 10 ms on SQLite.

_search_queries() { # DB OUT: the URL-encoded query mix, one a line
	local db=$1 out=$2 ids="1, 7, 4242, 31337, 99999, 123456, 500000, 777777, 999999"
	local phones policies dates
	phones=$(sqlite3 "$db" "SELECT phone FROM persons WHERE id IN ($ids) ORDER BY id") ||
		bench_die "cannot read phones from $db"
	policies=$(sqlite3 "$db" "SELECT number FROM policies WHERE person_id IN ($ids) ORDER BY id")
	dates=$(sqlite3 "$db" "SELECT birth_date || ' ' || last_name FROM persons WHERE id IN ($ids) ORDER BY id")
	PHONES=$phones POLICIES=$policies DATES=$dates python3 - "$out" <<-'PY'
		import os, random, sys, urllib.parse
		names = [
		    # surnames, Latin and Cyrillic
		    "ivanov", "Смирнова", "kuznetsov", "Попова", "sokolov", "Волкова",
		    # surname and first name
		    "ivanov aleksandr", "Смирнова Ольга", "petrov ivan", "Кузнецова Анна",
		    "morozov dmitriy", "Новикова Мария", "volkov sergey", "Lebedeva Yelena",
		    "kozlov andrey", "Орлова Татьяна", "Sidorov Pavel", "makarova irina",
		    # full names with patronymics
		    "Петрова Мария Ивановна", "ivanov aleksandr sergeyevich",
		    "Кузнецов Дмитрий Сергеевич", "sokolova anna nikolayevna",
		    # Chinese: pinyin, joined pinyin, characters
		    "zhang wei", "wang fang", "李娜", "张伟", "liu yang", "chenjing", "王秀英", "zhao lei",
		    # English
		    "smith john", "Brown Emma", "wilson",
		    # typos: a letter wrong, missing, swapped
		    "ivnaov aleksandr", "smirnva olga", "kuznetsof", "wnag fang", "petrva mariya",
		    "Иваноф Иван", "zhnag wei",
		]
		lines = list(names)
		phones = os.environ["PHONES"].split()
		for i, p in enumerate(phones):
		    d = p[1:]
		    if p.startswith("+7"):
		        forms = [p, "8" + d[1:], "+7 (%s) %s-%s-%s" % (d[1:4], d[4:7], d[7:9], d[9:11]),
		                 "8 %s %s %s" % (d[1:4], d[4:7], d[7:])]
		    else:
		        forms = [p, "00" + d, "+%s %s %s" % (d[:2], d[2:5], d[5:])]
		    lines.append(forms[i % len(forms)])
		for i, n in enumerate(os.environ["POLICIES"].split()):
		    lines.append(n.lower() if i % 2 else n)
		for d in os.environ["DATES"].splitlines():
		    lines.append(d)
		random.Random(4).shuffle(lines)
		with open(sys.argv[1], "w") as f:
		    for q in lines:
		        f.write(urllib.parse.quote(q, safe="") + "\n")
	PY
}

bench_search() {
	local persons=${BENCH_SEARCH_PERSONS:-1000000} clients=${BENCH_SEARCH_CLIENTS:-8}
	[[ $persons =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_SEARCH_PERSONS must be a positive integer"
	[[ $clients =~ ^[1-9][0-9]*$ ]] || bench_die "BENCH_SEARCH_CLIENTS must be a positive integer"
	command -v sqlite3 >/dev/null || bench_die "sqlite3 is missing: run scripts/deps.sh"
	[ -x /usr/bin/time ] || bench_die "/usr/bin/time is missing: run scripts/deps.sh"
	local dir=$BENCH_TMP/search secs kib
	mkdir -p "$dir"
	echo "== search: $persons insured persons, $clients concurrent clients"
	/usr/bin/time -o "$dir/demo.time" -f '%e %M' "$ASSIST" demo --db "$dir/assist.db" \
		--persons "$persons" >"$dir/demo.log" 2>&1 || { cat "$dir/demo.log" >&2; bench_die "assist demo failed"; }
	read -r secs kib <"$dir/demo.time"
	echo "demo database: ${secs}s to build $persons persons with policies and the search index" \
		"(peak $((kib / 1024)) MiB), $(($(stat -c %s "$dir/assist.db") / 1048576)) MiB"
	printf 'search\tdemo_build_s\t%s\n' "$secs" >>"${BENCH_RESULTS:-/dev/null}"

	_search_queries "$dir/assist.db" "$dir/queries.txt"
	local token
	token=$("$ASSIST" user token --login operator --name bench --db "$dir/assist.db" 2>"$dir/token.err") ||
		{ cat "$dir/token.err" >&2; bench_die "cannot make an API token"; }
	# shellcheck disable=SC2086 # BENCH_SERVE_ARGS is a list of options
	assist_serve search "$dir/assist.db" --no-access-log ${BENCH_SERVE_ARGS:-}
	local code
	code=$(curl -s -o "$dir/probe.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
		"$ASSIST_URL/api/v1/search?q=$(head -n 1 "$dir/queries.txt")")
	[ "$code" = 200 ] || { cat "$dir/probe.json" >&2; bench_die "GET /api/v1/search answered $code"; }
	echo "assist $ASSIST_URL (pid $ASSIST_PID), $(wc -l <"$dir/queries.txt") queries in the mix" \
		"($dir/queries.txt)"

	local target="search mix" round
	# shellcheck disable=SC2034 # wrk_run reads it (dynamic scope)
	local BENCH_CONNECTIONS=$clients
	for ((round = 1; round <= BENCH_ROUNDS; round++)); do
		((BENCH_ROUNDS > 1)) && echo "round $round/$BENCH_ROUNDS"
		SEARCH_QUERIES=$dir/queries.txt wrk_run "$target" "$ASSIST_PID" "$ASSIST_URL" \
			-s "$BENCH_DIR/search.lua" -H "Authorization: Bearer $token"
		kill -0 "$ASSIST_PID" 2>/dev/null || bench_die "assist exited during the benchmark"
	done
	echo
	bench_table "$target"
	local p99
	p99=$(bench_median "$target" 5)
	echo "search p50 $(bench_median "$target" 4) ms, p99 $p99 ms (goal p99 <= 10 ms)$(awk -v p="$p99" \
		'BEGIN { if (p > 10) printf "  -- above the goal" }'), $(bench_median "$target" 3) requests/s," \
		"demo build ${secs}s"
}
