#!/usr/bin/env bash
# Installs the Debian packages assist needs to build, test and benchmark, and the
# npm packages for the tests. Idempotent: apt-get runs only when something is missing,
# npm ci only when package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

# libminizip-dev does not pull in zlib1g-dev, whose zlib.h its unzip.h includes.
# cairo + pango render PDF documents; the Noto fonts cover Latin, Cyrillic and
# Chinese (also needed at run time, so they are in the build list too);
# poppler-utils' pdftotext lets the tests read the text back.
# libicu-dev: ICU transliterates names for the search index (Cyrillic and
# Han to Latin).
# libsmpp34-dev packs and unpacks SMPP 3.4 PDUs (the SMS gateway link);
# libcurl4-openssl-dev sends email over SMTP (STARTTLS, auth, MIME).
# openssl makes the test SMTP relay's self-signed certificate (STARTTLS tests).
# libreoffice-calc-nogui: the XLSX import tests save CSV as XLSX with
# `libreoffice --headless --convert-to xlsx`, as a user's spreadsheet would.
want=(build-essential pkg-config meson ninja-build clang libclang-rt-14-dev
      libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev libsodium-dev
      libminizip-dev zlib1g-dev libexpat1-dev libcairo2-dev libpango1.0-dev libicu-dev
      libsmpp34-dev libcurl4-openssl-dev libcmocka-dev postgresql postgresql-client nodejs npm chromium libreoffice-calc-nogui
      fonts-noto-core fonts-noto-cjk poppler-utils wrk nginx-light curl python3 time openssl)
case "${1:-all}" in
  build) want=(build-essential pkg-config meson ninja-build libmicrohttpd-dev libjansson-dev
               libsqlite3-dev sqlite3 libpq-dev libsodium-dev libminizip-dev zlib1g-dev
               libexpat1-dev libcairo2-dev libpango1.0-dev libicu-dev libsmpp34-dev
               libcurl4-openssl-dev fonts-noto-core fonts-noto-cjk) ;;
  all) ;;
  *) echo "usage: $0 [build|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node may come from elsewhere than Debian on a developer's machine: accept any node/npm on PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-all}" = all ]; then
  stamp=node_modules/.assist-lock
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    echo "deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
fi
