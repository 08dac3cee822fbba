#!/usr/bin/env bash
# The single test command (README: `npm ci && npm test`; docs/testing.md says what each stage
# proves). Runs every verification stage in
# order and prints how long each took; any failing stage fails the run. `MINDHIT_PROFILE=cdktn
# npm test` runs them all on the full cdktn profile (scripts/lib.sh; docs/cdktn.md, "Full cdktn profile").
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

# Stages that mostly wait (on an emulator, on Terraform's provider waiters) run beside the
# CPU-bound ones; each writes its output to a log printed when it ends.
BG_DIR="$REPO_ROOT/.bench/stage-logs"
mkdir -p "$BG_DIR"
BG_PIDS=() BG_NAMES=()
run_stage_bg() {
  local name="$1"
  # Its own process group (job control on for the fork), so a failure elsewhere stops all of it:
  # Terraform, provider plugins and the emulator server included.
  set -m
  (run_stage "$@") >"$BG_DIR/$name.log" 2>&1 &
  BG_PIDS+=("$!") BG_NAMES+=("$name")
  set +m
}
wait_bg() {
  local i failed=0
  for i in "${!BG_PIDS[@]}"; do
    if wait "${BG_PIDS[$i]}"; then cat "$BG_DIR/${BG_NAMES[$i]}.log" >&2; else
      cat "$BG_DIR/${BG_NAMES[$i]}.log" >&2
      log "stage ${BG_NAMES[$i]} failed"
      failed=1
    fi
  done
  [ "$failed" = 0 ] || exit 1
}
stop_bg() {
  local pid
  for pid in "${BG_PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
}
trap stop_bg EXIT

# Every tool, provider and prefix a stage or a test uses is installed here, before any stage runs,
# and from then on tools.sh refuses to install (MINDHIT_TOOLS_FROZEN): which stage runs first can
# never decide whether another has its inputs. On a cold machine the AWS provider's build (the
# longest, ~35 minutes) starts first, as its own background stage; the stages that need it wait for
# it inside scripts/providers.sh while the others run.
run_stage_bg aws-provider bash scripts/providers.sh aws
run_stage setup bash scripts/setup.sh --aws-elsewhere
export MINDHIT_TOOLS_FROZEN=1
# tsc type-checks the whole project once and emits the JS jest runs.
if [ "$MINDHIT_PROFILE" = cdktf ]; then
  run_stage unit npm run --silent test:unit
else
  # The profile's unit suite on dist-cdktn/; dist/ is still compiled for the cdktn stage below.
  run_stage unit bash -c 'rm -rf dist/__tests__ && node node_modules/typescript/bin/tsc -p tsconfig.json && bash scripts/cdktn-profile.sh test'
fi
# dist/ as the later `tsc -b tsconfig.build.json` calls (synth.sh, cdktn-profile.sh) expect it, so
# they find it up to date and never rewrite it under the stages that start now.
run_stage build node node_modules/typescript/bin/tsc -b tsconfig.build.json
# The stages that mostly wait start as soon as dist/ exists (each synthesizes into its own
# directory), so their waiting overlaps the CPU-bound stages below; the emulator is the longest.
# Real Terraform, real AWS provider, AWS emulator: plan, apply, clean re-plan, refused destroys,
# the runbook's state procedures under faults (__tests__/integration/test_emulator.py).
run_stage_bg emulator bash scripts/verify-emulator.sh
# Real S3 + DynamoDB state locking against an AWS emulator on 127.0.0.1, with a real Terraform CLI.
run_stage_bg state-lock bash scripts/verify-state-lock.sh
# The -apps stacks against a real Kubernetes API (etcd + kube-apiserver on 127.0.0.1) with the AWS
# side in the emulator (__tests__/integration/test_cluster.py).
run_stage_bg cluster bash scripts/verify-cluster.sh
# The same dist/ on CDK Terrain's core (cdktn, in a per-machine prefix): identical synth of every stack, unit suite passes.
run_stage cdktn bash scripts/verify-cdktn.sh
# The full cdktn profile (cdktn providers, generated Helm/Kubernetes bindings): the source compiled
# against it, every stack's synth differing from cdktf's only as the fixture lists, unit suite passes
# (under MINDHIT_PROFILE=cdktn the unit stage ran that suite already).
run_stage cdktn-profile bash scripts/cdktn-profile.sh "$([ "$MINDHIT_PROFILE" = cdktf ] && echo all || echo diff)"
# Import rules (dependency-cruiser, .dependency-cruiser.mjs: nothing in main.ts, src/ or scripts/ imports __tests__/, no
# import circle), eslint (typescript-eslint strict, type-checked; a 160-column limit) and prettier (eslint.config.mjs, .prettierrc.json).
run_stage lint npm run --silent lint
run_stage synth npm run --silent synth
# Generated data (AWS regions and zones) matches the pinned source it is generated from.
run_stage data bash scripts/verify-data.sh
# HCL output of every stack through `terraform fmt -check` (Terraform on PATH, else OpenTofu built).
run_stage hcl bash scripts/verify-hcl.sh
# The chart: helm lint --strict, helm template, Kubernetes API schemas, promtool, amtool.
run_stage chart bash scripts/verify-chart.sh
# Every command and name in the operator docs against the synthesized stacks, chart, scripts and package.json.
run_stage docs bash scripts/verify-docs.sh
# checkov on every stack's Terraform JSON and every rendered manifest; suppressions in checkov/suppressions.yaml.
run_stage checkov bash scripts/verify-checkov.sh
# actionlint on the workflows, shellcheck on the scripts.
run_stage workflows bash scripts/verify-workflows.sh
# Like the emulator and cluster stages, validate needs the AWS provider; on a cold machine it waits
# here for the build, after every stage that does not need it has run.
# terraform validate of every stack (JSON, HCL, HCP Terraform synth) with the real providers; tflint.
run_stage validate bash scripts/verify-validate.sh

wait_bg
# The CI roles: every request Terraform made as a deploy or plan role in the emulator stage,
# evaluated against the roles' policies; trust policies against the workflows' tokens; the walls
# (__tests__/integration/test_iam.py). Reads the emulator stage's evidence, so it runs after it.
run_stage iam bash scripts/verify-iam.sh
log "all stages passed (profile $MINDHIT_PROFILE)"
printf 'stage\tseconds\n' >&2
cat "$STAGE_TIMES" >&2
