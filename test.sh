#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: services on SQLite and PostgreSQL, every page in
# Streamlit's AppTest, and the browser journeys in Debian's Chromium against real servers.
# Extra arguments go to pytest (./test.sh -k signin).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh requirements-dev.txt

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used); the exam tests
# open exported documents in LibreOffice and pandoc and look at the PDF with poppler's tools; the
# deployment test puts Debian's nginx in front of two app servers.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v pandoc >/dev/null 2>&1 || missing+=(pandoc)
command -v pdfinfo >/dev/null 2>&1 || missing+=(poppler-utils)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} for the browser and document tests ..."
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "Could not install ${missing[*]}: the tests that need them will say why." >&2
fi

# The PostgreSQL half of the data tests: start the local server if it is installed but stopped.
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
fi

# The project's lint rules (ruff.toml) first: a second or so, and a finding stops the run with its place.
ruff check .

exec python -m pytest "$@"
