#!/usr/bin/env bash
# The main job's HCL output (`npm run synth:hcl`) for every stack, through Terraform's own
# parser and formatter: `terraform fmt -check` fails on a file that does not parse or is not
# canonical. (The jest HCL tests prove each stack's HCL says exactly what its JSON says.)
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh terraform
# Both ways of running: state in S3 (the default), and HCP Terraform (other backend, the
# in-cluster providers authenticated by an ephemeral token block, the bootstrap's extra roles).
check_mode() {
  local mode="$1"
  shift
  local out="$REPO_ROOT/.cache/hcl/$mode"
  rm -rf "$out" && mkdir -p "$out"
  env "$@" CDKTF_OUTDIR="$out" SYNTH_HCL_OUTPUT=true "${APP_NODE[@]}" "$APP_DIST/main.js" >/dev/null || die "HCL synth failed ($mode)"
  local count=0
  for dir in "$out"/stacks/*/; do
    [ -f "$dir/cdk.tf" ] || die "no cdk.tf in $dir"
    [ ! -f "$dir/cdk.tf.json" ] || die "HCL synth also wrote JSON in $dir"
    "$TOOLS_DIR/bin/terraform" fmt -check -list=false "$dir/cdk.tf" || die "terraform fmt -check failed: $dir/cdk.tf"
    count=$((count + 1))
  done
  [ "$count" -ge 5 ] || die "expected at least 5 stacks ($mode), found $count"
  log "HCL ok ($mode): $count stacks parse and are canonically formatted"
}
check_mode s3 MINDHIT_STATE_BACKEND=s3
check_mode hcp-terraform MINDHIT_STATE_BACKEND=cloud TF_CLOUD_ORGANIZATION=mindhit-ci-check
for apps in "$REPO_ROOT"/.cache/hcl/hcp-terraform/stacks/*-apps/cdk.tf; do
  grep -q '^ephemeral "aws_eks_cluster_auth"' "$apps" || die "HCP Terraform mode: no ephemeral aws_eks_cluster_auth block in $apps"
  ! grep -q 'exec' "$apps" || die "HCP Terraform mode: $apps still runs a command to authenticate"
done
