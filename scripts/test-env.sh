#!/usr/bin/env bash
# Creates .venv (ignored by git) with the Python test peers listed in
# requirements-test.txt. Re-installs only when that file changes.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements-test.txt | cut -d' ' -f1)

if [[ -x .venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]]; then
    exit 0
fi
echo "test-env: installing Python test peers into .venv" >&2
"$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
echo "$want" > "$stamp"
