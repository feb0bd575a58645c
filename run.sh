#!/usr/bin/env bash
# Sets everything up and starts LEDPRO Journal on the embedded SQLite database (data/ledpro.db).
# LEDPRO_PORT, LEDPRO_ADDRESS and LEDPRO_DATABASE_URL change where it listens and which database it uses.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh requirements.txt
mkdir -p data
python -m ledpro_journal migrate
port="${LEDPRO_PORT:-8501}"
address="${LEDPRO_ADDRESS:-127.0.0.1}"
echo "LEDPRO Journal: http://${address}:${port}/"
exec streamlit run app.py --server.port "$port" --server.address "$address" "$@"
