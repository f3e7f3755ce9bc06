#!/usr/bin/env bash
# API conformance: schemathesis 4 against the server's own OpenAPI document.
#
#   Tests/e2e/api_check.sh BASE_URL [EXTRA_SCHEMATHESIS_ARGS...]
#
# Loads BASE_URL/openapi.json, sends generated requests (examples, coverage, fuzzing and stateful
# phases) to BASE_URL, and fails (exit non-zero) on any 5xx, any response that does not match the
# schema (status code, content type, headers, body) and every other check of `--checks all`.
# Bounded: a fixed number of examples per operation, a per-request timeout, and a hard wall-clock
# limit on the whole run.
#
# Env:
#   API_CHECK_MAX_EXAMPLES  test cases per operation and phase (default 20)
#   API_CHECK_TIMEOUT       hard limit for the whole run, seconds (default 170)
#   API_CHECK_SEED          fixed random seed, to replay a run (schemathesis prints the seed it used)
#   API_CHECK_EXCLUDE       comma-separated checks to skip (default: none)
# Settings that belong with the project (auth for the demo accounts, per-operation options) can go
# in Tests/e2e/schemathesis.toml, which is passed with --config-file when it exists.
set -euo pipefail
REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
VENV="$REPO/.data/venv"

[ $# -ge 1 ] || { echo "usage: $0 BASE_URL [EXTRA_SCHEMATHESIS_ARGS...]" >&2; exit 2; }
BASE_URL="${1%/}"
shift

if [ ! -x "$VENV/bin/schemathesis" ]; then
    "$REPO/scripts/e2e-tools"
fi

max_examples="${API_CHECK_MAX_EXAMPLES:-20}"
limit="${API_CHECK_TIMEOUT:-170}"
# schemathesis keeps a cache (.schemathesis/: past failures, replayed first by the next run and by
# `schemathesis replay`) in its working directory: keep it in the git-ignored .data/.
work_dir="$REPO/.data/schemathesis"
report_dir="$work_dir/report"
mkdir -p "$report_dir"
cd "$work_dir"

args=()
# Optional project settings (auth, per-operation tweaks): Tests/e2e/schemathesis.toml when it exists.
[ -f "$REPO/Tests/e2e/schemathesis.toml" ] && args+=(--config-file "$REPO/Tests/e2e/schemathesis.toml")
args+=(
    run "$BASE_URL/openapi.json"
    # Send requests to BASE_URL whatever servers[] the document declares (its base path is kept).
    --origin "$BASE_URL"
    # Every check: not_a_server_error, status/content-type/headers/body conformance, negative data
    # rejection, positive data acceptance, unsupported methods, use-after-free, ...
    --checks all
    --max-examples "$max_examples"
    --request-timeout 10
    --wait-for-schema 30
    # No Hypothesis example database (it would grow in the working directory).
    --generation-database none
    --report junit --report-junit-path "$report_dir/junit.xml"
)
[ -n "${API_CHECK_EXCLUDE:-}" ] && args+=(--exclude-checks "$API_CHECK_EXCLUDE")
# With a bearer token (scripts/test signs in as the demo officer), every operation is exercised signed in, and
# schemathesis's ignored_auth check still strips the header to prove each one refuses anonymous callers.
# Signing out is left out: it would end the token halfway through the run.
if [ -n "${API_CHECK_BEARER:-}" ]; then
    args+=(--header "Authorization: Bearer $API_CHECK_BEARER" --exclude-operation-id signOut)
fi
[ -n "${API_CHECK_SEED:-}" ] && args+=(--seed "$API_CHECK_SEED")
[ -t 1 ] || args+=(--no-color)

echo "api: schemathesis $("$VENV/bin/schemathesis" --version | awk '{print $NF}') against $BASE_URL/openapi.json (max $max_examples examples per operation, hard limit ${limit}s)"
echo "+ schemathesis ${args[*]} $*"
set +e
timeout --kill-after=10 "$limit" "$VENV/bin/schemathesis" "${args[@]}" "$@"
rc=$?
set -e
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "api: FAILED: schemathesis did not finish within ${limit}s (API_CHECK_TIMEOUT)"
elif [ "$rc" -ne 0 ]; then
    echo "api: FAILED (schemathesis exit $rc); JUnit report in $report_dir"
else
    echo "api: passed"
fi
exit "$rc"
