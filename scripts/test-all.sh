#!/usr/bin/env bash
# The single test command (README: `npm ci && npm test`). Runs every verification stage in
# order and prints how long each took; any failing stage fails the run.
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

STAGE_TIMES="${MINDHIT_STAGE_TIMES:-$REPO_ROOT/.bench/stage-times.tsv}"
mkdir -p "$(dirname "$STAGE_TIMES")"
: >"$STAGE_TIMES"

run_stage() {
  local name="$1"
  shift
  log "stage $name: $*"
  local start elapsed_ms
  start=$(date +%s%N)
  "$@"
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  printf '%s\t%d.%03d\n' "$name" $((elapsed_ms / 1000)) $((elapsed_ms % 1000)) >>"$STAGE_TIMES"
}

# tsc type-checks the whole project once and emits the JS jest runs.
run_stage unit npm run --silent test:unit
run_stage synth npm run --silent synth
# The chart: helm lint --strict, helm template, Kubernetes API schemas (installs helm + Python tools on first run).
run_stage chart bash scripts/verify-chart.sh
# checkov on every stack's Terraform JSON and every rendered manifest; suppressions in checkov/suppressions.yaml.
run_stage checkov bash scripts/verify-checkov.sh

log "all stages passed"
printf 'stage\tseconds\n' >&2
cat "$STAGE_TIMES" >&2
