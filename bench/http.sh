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

	wrk_run "assist /healthz" "$ASSIST_URL/healthz"
	local h_rps=$WRK_RPS
	wrk_run "nginx ${hsize}B file" "$NGINX_URL/healthz.json"
	local ngh_rps=$WRK_RPS
	wrk_run "assist /api/v1/me" "$ASSIST_URL/api/v1/me" -H "Cookie: assist_session=$cookie"
	local me_rps=$WRK_RPS
	wrk_run "nginx ${msize}B file" "$NGINX_URL/me.json"
	local ng_rps=$WRK_RPS

	kill -0 "$ASSIST_PID" 2>/dev/null || bench_die "assist exited during the benchmark"
	kill -0 "$NGINX_PID" 2>/dev/null || bench_die "nginx exited during the benchmark"

	echo
	bench_table
	awk -v a="$h_rps" -v b="$ngh_rps" 'BEGIN {
		printf "healthz/nginx ratio: %.2f\n", (b > 0 ? a / b : 0)
	}'
	awk -v a="$me_rps" -v b="$ng_rps" 'BEGIN {
		r = (b > 0 ? a / b : 0)
		printf "me/nginx ratio: %.2f (goal >= 0.50)%s\n", r, (r >= 0.5 ? "" : "  -- below the goal")
	}'
}
