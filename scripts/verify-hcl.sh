#!/usr/bin/env bash
# The main job's HCL output (`npm run synth:hcl`) for every stack, through Terraform's own
# parser and formatter: `terraform fmt -check` fails on a file that does not parse or is not
# canonical. (The jest HCL tests prove each stack's HCL says exactly what its JSON says.)
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh terraform
OUT="$REPO_ROOT/.cache/hcl"
rm -rf "$OUT" && mkdir -p "$OUT"
CDKTF_OUTDIR="$OUT" SYNTH_HCL_OUTPUT=true node dist/main.js
count=0
for dir in "$OUT"/stacks/*/; do
  [ -f "$dir/cdk.tf" ] || die "no cdk.tf in $dir"
  [ ! -f "$dir/cdk.tf.json" ] || die "HCL synth also wrote JSON in $dir"
  "$TOOLS_DIR/bin/terraform" fmt -check -list=false "$dir/cdk.tf" || die "terraform fmt -check failed: $dir/cdk.tf"
  count=$((count + 1))
done
[ "$count" -ge 5 ] || die "expected at least 5 stacks, found $count"
log "HCL ok: $count stacks parse and are canonically formatted"
