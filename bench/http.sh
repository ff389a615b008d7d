# shellcheck shell=bash
# Benchmark "http": plain HTTP throughput of assist next to nginx on the same
# machine, in the same run.
#
#   assist /healthz      public, one "SELECT 1" in a read transaction
#   assist /api/v1/me    authenticated by the session cookie: session lookup + JSON
#   nginx  static files of exactly the same bodies (so the same sizes)
#
# Goal (issue): authenticated GET /api/v1/me at >= 0.5x nginx's requests/s,
# with zero errors.

bench_http() {
	echo "== http: assist next to nginx serving files of the same size"
	# shellcheck disable=SC2086 # BENCH_SERVE_ARGS is a list of options
	assist_start http ${BENCH_SERVE_ARGS:-}
	local cookie
	cookie=$(assist_sign_in admin assist-demo)
	[ -n "$cookie" ] || bench_die "sign-in gave no assist_session cookie"

	# The static files are assist's own bodies, byte for byte.
	local docroot=$BENCH_TMP/http/www code
	mkdir -p "$docroot"
	code=$(curl -s -o "$docroot/healthz.json" -w '%{http_code}' "$ASSIST_URL/healthz")
	[ "$code" = 200 ] || bench_die "GET /healthz answered $code"
	code=$(curl -s -o "$docroot/me.json" -w '%{http_code}' \
		-H "Cookie: assist_session=$cookie" "$ASSIST_URL/api/v1/me")
	[ "$code" = 200 ] || bench_die "GET /api/v1/me answered $code"
	chmod -R a+rX "$BENCH_TMP/http"
	local hsize msize
	hsize=$(wc -c <"$docroot/healthz.json")
	msize=$(wc -c <"$docroot/me.json")

	nginx_start "$docroot"
	echo "assist $ASSIST_URL (pid $ASSIST_PID${BENCH_SERVE_ARGS:+, $BENCH_SERVE_ARGS})," \
		"nginx $("$NGINX" -v 2>&1 | sed 's/.*version: //') $NGINX_URL (pid $NGINX_PID)"

	local th="assist /healthz" tnh="nginx ${hsize}B file"
	local tm="assist /api/v1/me" tnm="nginx ${msize}B file"
	local cookie_h="Cookie: assist_session=$cookie" round
	# Rounds interleave assist and nginx so that both see the same noise of a
	# shared machine; even rounds start with nginx.
	for ((round = 1; round <= BENCH_ROUNDS; round++)); do
		((BENCH_ROUNDS > 1)) && echo "round $round/$BENCH_ROUNDS"
		if ((round % 2)); then
			wrk_run "$th" "$ASSIST_PID" "$ASSIST_URL/healthz"
			wrk_run "$tnh" "$NGINX_PID" "$NGINX_URL/healthz.json"
			wrk_run "$tm" "$ASSIST_PID" "$ASSIST_URL/api/v1/me" -H "$cookie_h"
			wrk_run "$tnm" "$NGINX_PID" "$NGINX_URL/me.json"
		else
			wrk_run "$tnh" "$NGINX_PID" "$NGINX_URL/healthz.json"
			wrk_run "$th" "$ASSIST_PID" "$ASSIST_URL/healthz"
			wrk_run "$tnm" "$NGINX_PID" "$NGINX_URL/me.json"
			wrk_run "$tm" "$ASSIST_PID" "$ASSIST_URL/api/v1/me" -H "$cookie_h"
		fi
		kill -0 "$ASSIST_PID" 2>/dev/null || bench_die "assist exited during the benchmark"
		kill -0 "$NGINX_PID" 2>/dev/null || bench_die "nginx exited during the benchmark"
	done

	echo
	bench_table "$th" "$tnh" "$tm" "$tnm"
	local h_ratio m_ratio
	h_ratio=$(awk -v a="$(bench_median "$th" 3)" -v b="$(bench_median "$tnh" 3)" \
		'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	m_ratio=$(awk -v a="$(bench_median "$tm" 3)" -v b="$(bench_median "$tnm" 3)" \
		'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	local per_h="" per_m=""
	if ((BENCH_ROUNDS > 1)); then
		per_h="  (rounds: $(bench_ratios "$th" "$tnh"))"
		per_m="  (rounds: $(bench_ratios "$tm" "$tnm"))"
	fi
	echo "healthz/nginx ratio: $h_ratio$per_h"
	echo "me/nginx ratio: $m_ratio (goal >= 0.50)$per_m$(awk -v r="$m_ratio" \
		'BEGIN { if (r < 0.5) printf "  -- below the goal" }')"
	# The same comparison by the servers' own CPU time per request (nginx's over
	# assist's, so that higher is better here too): steadier than requests/s on
	# a shared machine, and blind to what wrk costs.
	awk -v a="$(bench_median "$tm" 7)" -v b="$(bench_median "$tnm" 7)" 'BEGIN {
		printf "me/nginx by server CPU per request: %.2f (assist %.1f us, nginx %.1f us)\n",
			(a > 0 ? b / a : 0), a, b
	}'
}
