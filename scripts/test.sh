#!/usr/bin/env bash
# The whole test suite, on a fresh machine with only Rust and Python:
# installs the Python test peers into .venv, then runs every test of the
# workspace (unit, integration, property and doc tests), and ends with one
# summary line for the whole run.
#
# The reference data is read from ../shared/reference (or $AWSSTS_REFERENCE_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/test-env.sh
export AWSSTS_VENV="$PWD/.venv"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --exclude awssts-bench --locked "$@" 2>&1 | tee "$log" || status=$?
# The optional interop with the official SDK's credential traits and the
# bundled roots are features; their tests run with the features on (only the
# library rebuilds).
cargo test -p awssts --features aws-sdk,webpki-roots --lib --locked "$@" -- \
    credentials::aws_sdk transport::tls 2>&1 | tee -a "$log" || status=$?

# cargo prints one "test result" line per test binary; the last of them is
# often a crate with no doc tests, so sum them all into one closing line.
sum() { grep "^test result:" "$log" | grep -oE "[0-9]+ $1" | awk '{s += $1} END {print s + 0}'; }
if grep -q '^test result:' "$log"; then
    echo "tests: $(sum passed) passed, $(sum failed) failed"
fi
exit "$status"
