# shellcheck shell=bash
# Helpers shared by the benchmarks; sourced by bench/run.sh, not run on its own.
#
# Everything a benchmark starts goes through bench_spawn, so the EXIT trap of
# run.sh stops it; everything it writes goes under $BENCH_TMP, which the trap
# removes (BENCH_KEEP=1 keeps it and says where).

BENCH_PIDS=()
BENCH_WRK_PID=          # the wrk running now, if any
BENCH_ERRORS=0          # requests that failed, over every benchmark of the run

bench_log() { printf 'bench: %s\n' "$*" >&2; }
bench_die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# bench_spawn LOGFILE CMD...: start CMD in the background, output to LOGFILE; sets SPAWNED_PID.
bench_spawn() {
	local log=$1; shift
	"$@" >"$log" 2>&1 &
	SPAWNED_PID=$!
	BENCH_PIDS+=("$SPAWNED_PID")
}

# bench_stop PID: SIGTERM, then SIGKILL after 10 s; waits for it.
bench_stop() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

bench_cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	if [ -n "${BENCH_WRK_PID:-}" ]; then
		kill -TERM "$BENCH_WRK_PID" 2>/dev/null || true
		wait "$BENCH_WRK_PID" 2>/dev/null || true
	fi
	for pid in "${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}"; do
		bench_stop "$pid"
	done
	if [ -n "${BENCH_TMP:-}" ] && [ -d "$BENCH_TMP" ]; then
		# kept on request, and after a failure (not after Ctrl+C: rc 130)
		if [ "${BENCH_KEEP:-0}" = 1 ] ||
			{ [ "$rc" != 0 ] && [ "$rc" -lt 128 ] && [ "${BENCH_KEEP:-}" != 0 ]; }; then
			bench_log "kept $BENCH_TMP (logs, configs, databases)"
		else
			rm -rf "$BENCH_TMP"
		fi
	fi
	exit "$rc"
}

# bench_free_port: a TCP port on 127.0.0.1 that nobody listens on right now.
bench_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench_wait_port PORT PID LOG: wait up to 10 s until something answers on PORT,
# failing early if PID has exited.
bench_wait_port() {
	local port=$1 pid=$2 log=$3 i
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 20 "$log" >&2 || true
			bench_die "the server (pid $pid) exited before listening on $port; see above"
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	tail -n 20 "$log" >&2 || true
	bench_die "nothing listens on 127.0.0.1:$port after 10 s"
}

# ---- assist ----

# assist_start NAME [serve options...]: demo database with BENCH_PERSONS persons,
# `assist serve` on a free port. Sets ASSIST_URL, ASSIST_PID, ASSIST_LOG.
assist_start() {
	local name=$1; shift
	local dir=$BENCH_TMP/$name
	mkdir -p "$dir"
	"$ASSIST" demo --db "$dir/assist.db" --persons "${BENCH_PERSONS:-1000}" >"$dir/demo.log" 2>&1 ||
		{ cat "$dir/demo.log" >&2; bench_die "assist demo failed"; }
	assist_serve "$name" "$dir/assist.db" "$@"
}

# assist_serve NAME DB [serve options...]: `assist serve` of DB on a free port.
# Sets ASSIST_URL, ASSIST_PID, ASSIST_LOG.
assist_serve() {
	local name=$1 db=$2; shift 2
	local dir=$BENCH_TMP/$name
	mkdir -p "$dir"
	ASSIST_LOG=$dir/assist.log
	# Port 0: the kernel picks a free one and the "listening" log line says which.
	bench_spawn "$ASSIST_LOG" "$ASSIST" serve --db "$db" --listen 127.0.0.1:0 \
		--web "$ROOT/web" "$@"
	ASSIST_PID=$SPAWNED_PID
	local port="" i
	for ((i = 0; i < 100; i++)); do
		port=$(sed -n 's/.*"event":"listening".*"port":\([0-9][0-9]*\).*/\1/p' "$ASSIST_LOG" | head -n 1)
		[ -n "$port" ] && break
		kill -0 "$ASSIST_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$port" ]; then
		tail -n 20 "$ASSIST_LOG" >&2 || true
		bench_die "assist serve did not start; see above"
	fi
	ASSIST_URL=http://127.0.0.1:$port
}

# assist_sign_in LOGIN PASSWORD: prints the assist_session cookie value.
assist_sign_in() {
	local jar=$BENCH_TMP/cookies.$RANDOM code
	code=$(curl -s -o "$jar.body" -w '%{http_code}' -c "$jar" -X POST \
		-H 'Content-Type: application/json' \
		-d "{\"login\":\"$1\",\"password\":\"$2\"}" "$ASSIST_URL/api/v1/session")
	[ "$code" = 200 ] || { cat "$jar.body" >&2; echo >&2; bench_die "sign-in as $1 answered $code"; }
	awk '$6 == "assist_session" { print $7 }' "$jar"
}

# ---- nginx ----

# nginx_start DOCROOT: nginx serving DOCROOT on a free port of 127.0.0.1 with a
# configuration of its own in $BENCH_TMP/nginx. Sets NGINX_URL, NGINX_PID.
#
# The configuration is what one would run in production for static files:
# worker_processes auto, sendfile, open files cached (no open/fstat/close per
# request), an access log written line by line (assist writes one JSON line
# per request with one write(2) too, so both pay the same for logging), and
# keep-alive connections that are not cut after N requests (libmicrohttpd
# does not cut them either).
# shellcheck disable=SC2034 # NGINX_URL and NGINX_PID are for the benchmarks
nginx_start() {
	local docroot=$1
	local dir=$BENCH_TMP/nginx port user=""
	mkdir -p "$dir/tmp"
	port=$(bench_free_port)
	# Run as root, the master would switch its workers to "nobody", who may not
	# read the temporary directory (mktemp makes it 0700).
	[ "$(id -u)" = 0 ] && user="user root;"
	cat >"$dir/nginx.conf" <<-EOF
		$user
		worker_processes auto;
		pid $dir/nginx.pid;
		lock_file $dir/nginx.lock;
		error_log $dir/error.log warn;
		events { worker_connections 4096; }
		http {
			access_log $dir/access.log combined;
			sendfile on;
			open_file_cache max=64 inactive=60s;
			tcp_nopush on;
			tcp_nodelay on;
			keepalive_requests 1000000;
			keepalive_timeout 60s;
			server_tokens off;
			default_type application/json;
			client_body_temp_path $dir/tmp/body;
			proxy_temp_path $dir/tmp/proxy;
			fastcgi_temp_path $dir/tmp/fastcgi;
			uwsgi_temp_path $dir/tmp/uwsgi;
			scgi_temp_path $dir/tmp/scgi;
			server {
				listen 127.0.0.1:$port;
				root $docroot;
				location / { try_files \$uri =404; }
			}
		}
	EOF
	bench_spawn "$dir/stderr.log" "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" \
		-g 'daemon off;'
	NGINX_PID=$SPAWNED_PID
	bench_wait_port "$port" "$NGINX_PID" "$dir/error.log"
	NGINX_URL=http://127.0.0.1:$port
}

# ---- wrk ----

# to_ms VALUE: wrk's "812.00us", "1.10ms" or "2.01s" in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000
		else if (v ~ /ms$/) n = n
		else if (v ~ /m$/) n *= 60000
		else if (v ~ /s$/) n *= 1000
		printf "%.2f", n
	}'
}

# cpu_ticks PID: CPU time (user + system, in clock ticks) used so far by PID
# and its child processes (nginx's workers), all threads included.
cpu_ticks() {
	local pid total=0 t
	for pid in "$1" $(pgrep -P "$1" || true); do
		t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
		total=$((total + t))
	done
	echo "$total"
}

# wrk_run TARGET SERVER_PID URL [wrk options...]: one wrk run of BENCH_SECONDS,
# preceded by an uncounted warm-up of BENCH_WARMUP seconds the first time
# TARGET is run. Records a row in $BENCH_TMP/results.tsv (bench, target, rps,
# p50 ms, p99 ms, errors, server CPU us per request) and sets WRK_RPS,
# WRK_P50, WRK_P99, WRK_ERRORS, WRK_CPU.
#
# The server's CPU time per request is the steadier figure on a shared
# machine: requests/s moves with whatever else the host runs, and wrk itself
# competes with the server for the same CPUs.
wrk_run() {
	local target=$1 spid=$2 url=$3; shift 3
	local out key
	key=$(printf '%s' "$BENCH_NAME.$target" | tr -c 'A-Za-z0-9._-' '_')
	out=$BENCH_TMP/wrk.$key.txt
	local common=(-t "$BENCH_THREADS" -c "$BENCH_CONNECTIONS")
	if [ "${BENCH_WARMUP:-1}" != 0 ] && [ ! -e "$BENCH_TMP/warm.$key" ]; then
		wrk "${common[@]}" -d "${BENCH_WARMUP:-1}s" "$@" "$url" >/dev/null 2>&1 || true
		: >"$BENCH_TMP/warm.$key"
	fi
	local c0 c1
	c0=$(cpu_ticks "$spid")
	# in the background, so that a signal reaches the traps at once, not when
	# wrk is done
	local wrc=0
	wrk "${common[@]}" -d "${BENCH_SECONDS}s" --latency "$@" "$url" >"$out" 2>&1 &
	BENCH_WRK_PID=$!
	wait "$BENCH_WRK_PID" || wrc=$?
	BENCH_WRK_PID=
	if [ "$wrc" != 0 ]; then
		cat "$out" >&2
		bench_die "wrk failed against $url"
	fi
	c1=$(cpu_ticks "$spid")
	[ "${BENCH_VERBOSE:-0}" = 1 ] && cat "$out" >&2
	WRK_RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
	WRK_P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	WRK_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	local sock non2xx total
	# "Socket errors: connect 0, read 0, write 0, timeout 0"
	sock=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	WRK_ERRORS=$(( ${sock:-0} + ${non2xx:-0} ))
	total=$(awk '/requests in/ { print $1 }' "$out")
	if [ -z "$WRK_RPS" ] || [ -z "$total" ] || [ "$total" = 0 ]; then
		cat "$out" >&2
		bench_die "no requests completed against $url"
	fi
	if ((WRK_ERRORS > 0)); then
		bench_log "$target: $WRK_ERRORS failed requests of $total:"
		grep -E 'Socket errors|Non-2xx' "$out" >&2 || true
	fi
	WRK_CPU=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$total" \
		'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
	BENCH_ERRORS=$((BENCH_ERRORS + WRK_ERRORS))
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$BENCH_NAME" "$target" "$WRK_RPS" "$WRK_P50" \
		"$WRK_P99" "$WRK_ERRORS" "$WRK_CPU" | tee -a "${BENCH_RESULTS:-/dev/null}" \
		>>"$BENCH_TMP/results.tsv"
	if [ "${BENCH_ROUNDS:-1}" -gt 1 ]; then
		printf '  %-22s %8s req/s  p99 %7s ms  cpu %6s us/req  errors %s\n' "$target" \
			"$WRK_RPS" "$WRK_P99" "$WRK_CPU" "$WRK_ERRORS"
	fi
}

# bench_median TARGET FIELD: the median over the rounds of the current benchmark
# of rps (FIELD 3), p50 (4), p99 (5) or CPU us per request (7); the sum for
# errors (6).
bench_median() {
	awk -F'\t' -v b="$BENCH_NAME" -v t="$1" -v f="$2" '
		$1 == b && $2 == t { v[n++] = $f + 0; sum += $f }
		END {
			if (!n) { print 0; exit }
			if (f == 6) { print sum; exit }
			for (i = 1; i < n; i++)   # insertion sort: a handful of rounds
				for (j = i; j > 0 && v[j - 1] > v[j]; j--) { x = v[j]; v[j] = v[j - 1]; v[j - 1] = x }
			m = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
			print (f == 3 ? sprintf("%.0f", m) : f == 7 ? sprintf("%.1f", m) : sprintf("%.2f", m))
		}' "$BENCH_TMP/results.tsv"
}

# bench_ratios A B [FIELD]: "0.61 0.58 0.66", A's requests/s (or FIELD) over
# B's, round by round.
bench_ratios() {
	awk -F'\t' -v bn="$BENCH_NAME" -v a="$1" -v b="$2" -v f="${3:-3}" '
		$1 == bn && $2 == a { x[na++] = $f }
		$1 == bn && $2 == b { y[nb++] = $f }
		END { for (i = 0; i < na && i < nb; i++) printf "%s%.2f", (i ? " " : ""), (y[i] > 0 ? x[i] / y[i] : 0) }
	' "$BENCH_TMP/results.tsv"
}

# bench_table TARGET...: one line per target, medians over the rounds.
bench_table() {
	local rounds=${BENCH_ROUNDS:-1} t
	if ((rounds > 1)); then
		echo "medians of $rounds rounds of ${BENCH_SECONDS}s (errors: all rounds)"
	fi
	printf '%-22s %12s %10s %10s %8s %14s\n' target requests/s p50_ms p99_ms errors \
		server_cpu_us
	for t in "$@"; do
		printf '%-22s %12s %10s %10s %8s %14s\n' "$t" "$(bench_median "$t" 3)" \
			"$(bench_median "$t" 4)" "$(bench_median "$t" 5)" "$(bench_median "$t" 6)" \
			"$(bench_median "$t" 7)"
	done
}
