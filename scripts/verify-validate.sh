#!/usr/bin/env bash
# Every stack through real Terraform with real provider binaries: `terraform validate` of the JSON
# synth, the HCL synth and the HCP Terraform synth (whose -apps stacks use the ephemeral token
# block), then tflint's Terraform ruleset on the HCL with no warning allowed.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh python terraform tflint
bash scripts/providers.sh
fresh_stage_dir validate
synth() { # dir env...
  local dir="$1"
  shift
  env "$@" CDKTF_OUTDIR="$dir" "${APP_NODE[@]}" "$APP_DIST/main.js" >/dev/null || die "synth failed for $dir"
}
synth "$OUT/synth-json" MINDHIT_STATE_BACKEND=s3
synth "$OUT/synth-hcl" MINDHIT_STATE_BACKEND=s3 SYNTH_HCL_OUTPUT=true
synth "$OUT/synth-cloud" MINDHIT_STATE_BACKEND=cloud TF_CLOUD_ORGANIZATION=mindhit-ci-check
"$TOOLS_DIR/venv/bin/python" scripts/validate_stacks.py "$TOOLS_DIR/bin/terraform" "$OUT/work" \
  "json=$OUT/synth-json" "hcl=$OUT/synth-hcl:$OUT/synth-json" "cloud=$OUT/synth-cloud"
count=0
for dir in "$OUT"/synth-hcl/stacks/*/; do
  "$TOOLS_DIR/bin/tflint" --config "$REPO_ROOT/.tflint.hcl" --chdir "$dir" --format compact ||
    die "tflint: warnings in $dir (fix the construct or the HCL repair in src/hcl.ts)"
  count=$((count + 1))
done
log "tflint ok: $count HCL stacks, 0 warnings (terraform ruleset, recommended preset)"
