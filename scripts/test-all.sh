#!/usr/bin/env bash
# `npm test`: typecheck, lint (ESLint), format check (Prettier), build (once), then every mocha tier (unit, integration, e2e). Each step runs even when an
# earlier one failed; failures are remembered. Each tier prints its own "N passed, N failed" line (the
# summary reporter); this script adds them up and closes with the one line CI reads:
#
#     TOTAL: N passed, N failed[, N skipped]
#
# and exits non-zero if any step or tier failed, or if no test ran at all.
# Per-tier wall-clock limits (minutes) can be overridden: TEST_TIMEOUT_UNIT / _INTEGRATION / _E2E.
set -uo pipefail
cd "$(dirname "$0")/.."

LOG_DIR=test-results/logs
mkdir -p "$LOG_DIR"
SUMMARY_RE='^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$'

total_pass=0
total_fail=0
total_skip=0
failures=()
recap=()

banner() { printf '\n==================== %s ====================\n' "$*"; }
now() { date +%s; }

# step NAME CMD... — a non-test step (typecheck, build): only its exit code matters.
step() {
  local name=$1; shift
  banner "$name"
  local t0; t0=$(now)
  "$@"
  local rc=$?
  local dt=$(($(now) - t0))
  if ((rc != 0)); then
    failures+=("$name (exit $rc)")
    recap+=("$(printf '%-12s FAILED (exit %d, %ds)' "$name" "$rc" "$dt")")
  else
    recap+=("$(printf '%-12s ok (%ds)' "$name" "$dt")")
  fi
}

# tier NAME MINUTES CMD... — a mocha tier; its output is shown and its summary line parsed.
tier() {
  local name=$1 minutes=$2; shift 2
  banner "tier: $name"
  local log="$LOG_DIR/$name.log" t0; t0=$(now)
  # `timeout` (without --foreground) signals the tier's whole process group when the limit is reached.
  timeout --kill-after=30s "${minutes}m" "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local dt=$(($(now) - t0))
  local line
  line=$(sed -e 's/\x1b\[[0-9;]*m//g' "$log" | grep -E "$SUMMARY_RE" | tail -n 1 || true)
  if [[ $line =~ $SUMMARY_RE ]]; then
    local p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]:-0}
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    total_skip=$((total_skip + s))
    recap+=("$(printf '%-12s %s (exit %d, %ds)' "$name" "$line" "$rc" "$dt")")
    if ((rc != 0 || f > 0)); then failures+=("$name ($f failed, exit $rc)"); fi
  else
    ((rc == 124 || rc == 137)) && echo "[test-all] tier $name hit its ${minutes}-minute limit" >&2
    recap+=("$(printf '%-12s no summary line (exit %d, %ds)' "$name" "$rc" "$dt")")
    failures+=("$name (no summary line, exit $rc)")
  fi
}

has_tests() { [[ -n $(find "$1" -name '*.test.ts' -print -quit 2>/dev/null) ]]; }

step typecheck npm run --silent typecheck
step lint npm run --silent lint
step format npm run --silent format:check
# Built once: the production bundles and the .vsix made of them (scripts/package.mjs, which also checks the
# package). Each tier's script starts with `node scripts/build.mjs --for-tests`, which SKIP_BUILD makes a no-op, and
# the e2e tier installs this .vsix instead of packaging its own.
step build node scripts/package.mjs
export SQLITE2MONGO_SKIP_BUILD=1
export SQLITE2MONGO_E2E_VSIX="$PWD/dist-vsix/sqlite2mongo.vsix"

if has_tests test/unit; then
  tier unit "${TEST_TIMEOUT_UNIT:-20}" npm run --silent test:unit
else
  recap+=("$(printf '%-12s no test files' unit)")
fi

if has_tests test/integration; then
  tier integration "${TEST_TIMEOUT_INTEGRATION:-30}" npm run --silent test:integration
else
  recap+=("$(printf '%-12s no test files' integration)")
fi

if has_tests test/e2e; then
  # Idempotent and quick when code-server/Chromium are already installed (.ci/run installs them up front).
  step setup-e2e bash scripts/setup-e2e.sh
  tier e2e "${TEST_TIMEOUT_E2E:-20}" npm run --silent test:e2e
else
  recap+=("$(printf '%-12s no test files' e2e)")
fi

banner summary
printf '  %s\n' "${recap[@]}"
status=0
if ((${#failures[@]})); then
  echo "Failed: ${failures[*]}"
  status=1
fi
if ((total_pass + total_fail == 0)); then
  echo "No test ran."
  status=1
fi
skipped=""
((total_skip > 0)) && skipped=", $total_skip skipped"
echo
echo "TOTAL: $total_pass passed, $total_fail failed$skipped"
exit $status
