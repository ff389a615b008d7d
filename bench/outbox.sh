# shellcheck shell=bash
# Benchmark "outbox" (issue 5): messages from the outbox to acknowledged.
#
# Puts BENCH_OUTBOX_SMS SMS (default 20000) straight into the outbox of a
# demo database (one INSERT, as a burst of case events would), starts the
# scripted SMPP peer (tests/peers/smpp-peer.mjs, receipts off) and `assist
# serve --smpp` with a window of 50, and measures the time from the server's
# start until every message is `sent` (its submit_sm_resp recorded). Then the
# same for BENCH_OUTBOX_EMAILS email (default 2000) against the SMTP peer
# (tests/peers/smtp-peer.mjs). Goals (issue): >= 2,000 SMS/s and >= 200
# email/s, zero loss (every message sent, none twice at the peer).

_outbox_fill() { # DB CHANNEL N
	local db=$1 channel=$2 n=$3 now
	now=$(($(date +%s) * 1000000))
	sqlite3 "$db" "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $n)
		INSERT INTO messages (channel, recipient, class, urgent, subject, body, status, parts,
		  attempts, not_before, expires_at, created_at, updated_at)
		SELECT '$channel', CASE '$channel' WHEN 'sms' THEN printf('+7916%07d', x)
		  ELSE printf('client%d@example.test', x) END, 'service', 1,
		  CASE '$channel' WHEN 'email' THEN printf('Case %d', x) END,
		  printf('Benchmark message %d', x), 'queued', 1, 0, $now, $now + 3600000000, $now, $now
		FROM c" || bench_die "cannot fill the outbox"
}

_outbox_wait() { # DB CHANNEL N PID: seconds until all N are sent (fails past 300 s)
	local db=$1 channel=$2 n=$3 pid=$4 start done=0
	start=$(date +%s.%N)
	while :; do
		done=$(sqlite3 "$db" "SELECT COUNT(*) FROM messages WHERE channel = '$channel' AND status IN ('sent', 'delivered')")
		[ "$done" -ge "$n" ] && break
		kill -0 "$pid" 2>/dev/null || bench_die "assist exited during the outbox benchmark"
		awk -v s="$start" -v now="$(date +%s.%N)" 'BEGIN { exit !(now - s > 300) }' &&
			bench_die "only $done of $n $channel sent after 300 s"
		sleep 0.05
	done
	awk -v s="$start" -v now="$(date +%s.%N)" 'BEGIN { printf "%.2f", now - s }'
}

bench_outbox() {
	local nsms=${BENCH_OUTBOX_SMS:-20000} nmail=${BENCH_OUTBOX_EMAILS:-2000}
	[[ $nsms =~ ^[1-9][0-9]*$ && $nmail =~ ^[1-9][0-9]*$ ]] ||
		bench_die "BENCH_OUTBOX_SMS and BENCH_OUTBOX_EMAILS must be positive integers"
	command -v sqlite3 >/dev/null || bench_die "sqlite3 is missing: run scripts/deps.sh"
	command -v node >/dev/null || bench_die "node is missing: run scripts/deps.sh"
	local dir=$BENCH_TMP/outbox
	mkdir -p "$dir"
	echo "== outbox: $nsms SMS over one SMPP bind (window 50), $nmail email over SMTP"
	"$ASSIST" demo --db "$dir/assist.db" --persons 10 >"$dir/demo.log" 2>&1 ||
		{ cat "$dir/demo.log" >&2; bench_die "assist demo failed"; }

	# SMS
	bench_spawn "$dir/smsc.log" node "$ROOT/tests/peers/smpp-peer.mjs" --options \
		'{"systemId":"assist","password":"bench","receipts":false}'
	local smsc_pid=$SPAWNED_PID port="" i
	for ((i = 0; i < 100; i++)); do
		port=$(sed -n 's/.*"event":"listening".*"port":\([0-9][0-9]*\).*/\1/p' "$dir/smsc.log" | head -n 1)
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { cat "$dir/smsc.log" >&2; bench_die "the SMPP peer did not start"; }
	_outbox_fill "$dir/assist.db" sms "$nsms"
	assist_serve outbox "$dir/assist.db" --no-access-log --smpp "smpp://assist:bench@127.0.0.1:$port"
	local secs rate
	secs=$(_outbox_wait "$dir/assist.db" sms "$nsms" "$ASSIST_PID")
	rate=$(awk -v n="$nsms" -v s="$secs" 'BEGIN { printf "%d", n / s }')
	bench_stop "$ASSIST_PID"
	bench_stop "$smsc_pid"
	local lost
	lost=$(sqlite3 "$dir/assist.db" "SELECT COUNT(*) FROM messages WHERE channel = 'sms' AND status NOT IN ('sent', 'delivered')")
	echo "sms:   $nsms in ${secs}s = $rate SMS/s from outbox to acknowledged (goal >= 2000), $lost not sent"
	printf 'outbox\tsms_per_s\t%s\n' "$rate" >>"${BENCH_RESULTS:-/dev/null}"

	# email
	bench_spawn "$dir/relay.log" node "$ROOT/tests/peers/smtp-peer.mjs"
	local relay_pid=$SPAWNED_PID sport=""
	for ((i = 0; i < 100; i++)); do
		sport=$(sed -n 's/.*"smtp":\([0-9][0-9]*\).*/\1/p' "$dir/relay.log" | head -n 1)
		[ -n "$sport" ] && break
		sleep 0.1
	done
	[ -n "$sport" ] || { cat "$dir/relay.log" >&2; bench_die "the SMTP peer did not start"; }
	_outbox_fill "$dir/assist.db" email "$nmail"
	assist_serve outbox-mail "$dir/assist.db" --no-access-log --smtp "smtp://127.0.0.1:$sport" \
		--mail-from bench@example.test
	secs=$(_outbox_wait "$dir/assist.db" email "$nmail" "$ASSIST_PID")
	rate=$(awk -v n="$nmail" -v s="$secs" 'BEGIN { printf "%d", n / s }')
	bench_stop "$ASSIST_PID"
	bench_stop "$relay_pid"
	lost=$(sqlite3 "$dir/assist.db" "SELECT COUNT(*) FROM messages WHERE channel = 'email' AND status NOT IN ('sent', 'delivered')")
	echo "email: $nmail in ${secs}s = $rate email/s from outbox to accepted by the relay (goal >= 200), $lost not sent"
	printf 'outbox\temail_per_s\t%s\n' "$rate" >>"${BENCH_RESULTS:-/dev/null}"
}
