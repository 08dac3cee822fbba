#!/usr/bin/env bash
# The bootstrap and platform stacks through real Terraform and the real AWS provider against an
# AWS emulator (moto) on 127.0.0.1: plan, apply, a clean second plan, refused destroys, and the
# runbook's state procedures under faults. See __tests__/integration/test_emulator.py.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh python awscli terraform
bash scripts/providers.sh
fresh_stage_dir emulator
MINDHIT_STATE_BACKEND=s3 CDKTF_OUTDIR="$OUT/synth" app_node "$APP_DIST/main.js" >/dev/null || die "synth failed"
MINDHIT_SYNTH_DIR="$OUT/synth" MINDHIT_TERRAFORM="$TOOLS_DIR/bin/terraform" MINDHIT_WORK_DIR="$OUT/work" \
  "$TOOLS_DIR/venv/bin/python" -m pytest -q -x -p no:cacheprovider --basetemp "$OUT/tmp" __tests__/integration/test_emulator.py
