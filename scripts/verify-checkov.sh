#!/usr/bin/env bash
# checkov over every stack's synthesized Terraform and every rendered chart manifest
# (scripts/verify-chart.sh renders them into .cache/chart/rendered first).
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh python
fresh_stage_dir checkov
CDKTF_OUTDIR="$OUT/synth" app_node "$APP_DIST/main.js"
[ -d .cache/chart/rendered ] || die "no rendered manifests: run scripts/verify-chart.sh first"
"$TOOLS_DIR/venv/bin/python" scripts/checkov_gate.py "$OUT/synth" .cache/chart/rendered "$OUT/scan"
