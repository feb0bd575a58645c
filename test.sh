#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: services on SQLite and PostgreSQL, every page in
# Streamlit's AppTest, and the browser journeys in Debian's Chromium against real servers.
# Extra arguments go to pytest (./test.sh -k signin).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh requirements-dev.txt

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests ..."
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || echo "Could not install chromium: the browser tests will say why they are skipped." >&2
fi

# The PostgreSQL half of the data tests: start the local server if it is installed but stopped.
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
fi

exec python -m pytest "$@"
