#!/usr/bin/env bash
# Runs every test: unit tests (normal and ASan+UBSan builds), the OpenAPI lint,
# API tests against a real `assist serve` on SQLite and PostgreSQL, and the
# browser tests. Ends with one line "N passed, N failed".
# PostgreSQL: uses ASSIST_TEST_PG when set, else starts a throwaway cluster.
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
ART=tests/artifacts
mkdir -p "$ART"
passed=0 failed=0
failures=()

count_cmocka() { # $1 name, $2 log
  local p f
  p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$2" | awk '{s+=$NF} END {print s+0}')
  f=$(grep -Eo '^\[  FAILED  \] [0-9]+ test' "$2" | awk '{s+=$3} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
  echo "check: $1: $p passed, $f failed"
}

count_tap() { # $1 name, $2 log, $3 exit status
  local p f
  p=$(grep -E '^# pass [0-9]+' "$2" | tail -n 1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$2" | tail -n 1 | awk '{print $3}')
  p=${p:-0}; f=${f:-0}
  if [ "$3" != 0 ] && [ "$f" = 0 ]; then f=1; fi # the runner itself failed
  passed=$((passed + p)); failed=$((failed + f))
  echo "check: $1: $p passed, $f failed"
  [ "$f" = 0 ] || failures+=("$1 (see $2)")
  if [ "$f" != 0 ]; then
    # CI keeps only what is printed: name the failing tests and their first
    # diagnostic lines here, not only in the log
    awk '/^ *not ok /{n=40} n>0{print "check:   " $0; n--}' "$2" | head -n 120
  fi
}

# ---- PostgreSQL ----
pg_dir=
cleanup() { [ -n "$pg_dir" ] && scripts/pg-tmp.sh stop "$pg_dir" && rm -rf "$pg_dir"; }
trap cleanup EXIT
if [ -z "${ASSIST_TEST_PG:-}" ]; then
  pg_dir=$(mktemp -d /tmp/assist-check-pg.XXXXXX)
  port=$((55000 + RANDOM % 5000))
  if url=$(scripts/pg-tmp.sh start "$pg_dir" "$port"); then
    export ASSIST_TEST_PG=$url
  else
    echo "check: cannot start PostgreSQL: the PostgreSQL tests fail" >&2
    failed=$((failed + 1)); failures+=("PostgreSQL cluster did not start")
  fi
fi
if [ -n "${ASSIST_TEST_PG:-}" ]; then
  psql "$ASSIST_TEST_PG" -qc "DROP DATABASE IF EXISTS assist_unit WITH (FORCE)" -c "CREATE DATABASE assist_unit" >/dev/null
  export ASSIST_TEST_PG_UNIT=${ASSIST_TEST_PG%/*}/assist_unit
fi

# ---- unit tests ----
export CMOCKA_MESSAGE_OUTPUT=stdout ASSIST_SRC=$PWD
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
for b in "$BUILD" "$ASAN_BUILD"; do
  for t in "$b"/tests/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    name="unit $(basename "$t")${b:+ ($b)}"
    log="$ART/$(basename "$b")-$(basename "$t").log"
    "$t" >"$log" 2>&1; rc=$?
    count_cmocka "$name" "$log"
    if [ $rc != 0 ]; then
      failures+=("$name (see $log)")
      grep -q 'FAILED  \] [0-9]' "$log" || { failed=$((failed + 1)); echo "check: $name crashed (exit $rc)"; }
    fi
  done
done

# ---- OpenAPI lint ----
log=$ART/openapi-lint.log
if REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx --no-install redocly lint docs/openapi.json --format=stylish >"$log" 2>&1; then
  passed=$((passed + 1)); echo "check: openapi lint: ok"
else
  failed=$((failed + 1)); failures+=("openapi lint (see $log)"); echo "check: openapi lint: FAILED"; tail -20 "$log"
fi

# ---- API tests: the sanitized server, on SQLite and PostgreSQL ----
log=$ART/api.log
ASSIST_BIN=$PWD/$ASAN_BUILD/assist node --test --test-reporter=tap --test-concurrency=2 tests/api/ >"$log" 2>&1
count_tap "api tests (sqlite${ASSIST_TEST_PG:+ + postgresql}, asan)" "$log" $?

# ---- browser tests ----
if ls tests/browser/*.test.mjs >/dev/null 2>&1; then
  log=$ART/browser.log
  ASSIST_BIN=$PWD/$BUILD/assist node --test --test-reporter=tap --test-concurrency=1 tests/browser/ >"$log" 2>&1
  count_tap "browser tests" "$log" $?
fi

if ((${#failures[@]})); then
  echo "check: failures:"; printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
