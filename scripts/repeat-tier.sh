#!/usr/bin/env bash
# Repeats one test tier N times and prints how many runs passed — the way to show a tier is not flaky.
#
#   scripts/repeat-tier.sh e2e 10          # npm run test:e2e, ten times
#   scripts/repeat-tier.sh all 5           # npm test, five times
#
# Builds once up front, then runs the tier with SQLITE2MONGO_SKIP_BUILD=1. Each run's output goes to
# test-results/repeat/<tier>-<n>.log (failure screenshots and logs of an e2e run: test-results/e2e/, moved to
# test-results/repeat/<tier>-<n>-e2e/). Prints one line per run (result, duration, load average) and closes with
#
#     <tier>: P/N runs passed
#
# and exits non-zero unless every run passed.
set -uo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 unit|integration|e2e|all N" >&2; exit 2; }
(($# == 2)) || usage
tier=$1 runs=$2
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
case $tier in
  unit | integration | e2e) cmd=(npm run --silent "test:$tier") ;;
  all) cmd=(bash scripts/test-all.sh) ;;
  *) usage ;;
esac

out=test-results/repeat
mkdir -p "$out"
if [[ $tier != all ]]; then
  # As npm test builds: once, the production bundles and the .vsix the e2e tier installs.
  node scripts/package.mjs >/dev/null 2>&1 || { node scripts/package.mjs; exit 1; }
  export SQLITE2MONGO_SKIP_BUILD=1
  export SQLITE2MONGO_E2E_VSIX="$PWD/dist-vsix/sqlite2mongo.vsix"
fi

passed=0
for ((i = 1; i <= runs; i++)); do
  log="$out/$tier-$i.log"
  rm -rf test-results/e2e
  t0=$(date +%s)
  "${cmd[@]}" >"$log" 2>&1
  rc=$?
  dt=$(($(date +%s) - t0))
  [[ -d test-results/e2e ]] && rm -rf "$out/$tier-$i-e2e" && mv test-results/e2e "$out/$tier-$i-e2e"
  summary=$(sed -e 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(TOTAL: )?[0-9]+ passed, [0-9]+ failed' | tail -n 1)
  if ((rc == 0)); then passed=$((passed + 1)); result=PASS; else result="FAIL (exit $rc)"; fi
  printf '%s run %d/%d: %s, %s, %ds, load %s\n' "$(date -u +%H:%M:%S)" "$i" "$runs" "$result" "${summary:-no summary}" "$dt" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "$tier: $passed/$runs runs passed"
((passed == runs))
