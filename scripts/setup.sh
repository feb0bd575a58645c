#!/usr/bin/env bash
# Shared by run.sh and test.sh: a virtual environment with the project's dependencies, created or
# brought up to date when requirements change. Usage: source scripts/setup.sh [requirements file]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

requirements="${1:-requirements.txt}"
python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "LEDPRO Journal needs Python 3.11 or newer (found: $("$python_bin" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv ..."
  "$python_bin" -m venv .venv
fi
stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$requirements")"
if [ ! -f "$stamp" ]; then
  echo "Installing dependencies from $requirements ..."
  # The grep drops this machine's notes about package folders it does not have; real errors still show.
  {
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  } 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
