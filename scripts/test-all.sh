#!/usr/bin/env bash
# The single test command (README: `npm ci && npm test`). Runs every verification stage in
# order and prints how long each took; any failing stage fails the run.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1

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

# tsc type-checks the whole project once and emits the JS jest runs; the rendered-chart tests use helm.
run_stage tools bash scripts/tools.sh helm
run_stage unit npm run --silent test:unit
run_stage synth npm run --silent synth
# Generated data (AWS regions and zones) matches the pinned source it is generated from.
run_stage data bash scripts/verify-data.sh
# HCL output of every stack through `terraform fmt -check` (Terraform on PATH, else OpenTofu built).
run_stage hcl bash scripts/verify-hcl.sh
# The chart: helm lint --strict, helm template, Kubernetes API schemas (installs helm + Python tools on first run).
run_stage chart bash scripts/verify-chart.sh
# Every command and name in the operator docs against the synthesized stacks, chart, scripts and package.json.
run_stage docs bash scripts/verify-docs.sh
# checkov on every stack's Terraform JSON and every rendered manifest; suppressions in checkov/suppressions.yaml.
run_stage checkov bash scripts/verify-checkov.sh
# Real S3 + DynamoDB state locking against an AWS emulator on 127.0.0.1, with a real Terraform CLI.
run_stage state-lock bash scripts/verify-state-lock.sh
# actionlint on the workflows, shellcheck on the scripts.
run_stage workflows bash scripts/verify-workflows.sh

log "all stages passed"
printf 'stage\tseconds\n' >&2
cat "$STAGE_TIMES" >&2
