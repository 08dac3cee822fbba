#!/usr/bin/env bash
# State locking for real: moto (AWS emulator) on 127.0.0.1, the environment stack's S3 backend
# block as synthesized, a real Terraform CLI, two concurrent runs.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh python terraform
fresh_stage_dir state-lock
CDKTF_OUTDIR="$OUT/synth" app_node "$APP_DIST/main.js"
MINDHIT_SYNTH_DIR="$OUT/synth" MINDHIT_TERRAFORM="$TOOLS_DIR/bin/terraform" \
  "$TOOLS_DIR/venv/bin/python" -m pytest -q -p no:cacheprovider --basetemp "$OUT/tmp" __tests__/integration/test_state_locking.py
