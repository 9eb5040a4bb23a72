#!/usr/bin/env bash
# The whole test suite, on a fresh machine with only Rust and Python:
# installs the Python test peers into .venv, then runs every test of the
# workspace (unit, integration, property and doc tests).
#
# The reference data is read from ../shared/reference (or $AWSSTS_REFERENCE_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/test-env.sh
export AWSSTS_VENV="$PWD/.venv"
cargo test --workspace --exclude awssts-bench --locked "$@"
