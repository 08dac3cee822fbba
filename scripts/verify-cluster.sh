#!/usr/bin/env bash
# The -apps stacks against a real Kubernetes API (etcd + kube-apiserver on 127.0.0.1, built once per
# machine from the Go module proxy) with the AWS side in the emulator. See __tests__/integration/test_cluster.py.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh python terraform etcd kube-apiserver
bash scripts/providers.sh
fresh_stage_dir cluster
MINDHIT_STATE_BACKEND=s3 CDKTF_OUTDIR="$OUT/synth" app_node "$APP_DIST/main.js" >/dev/null || die "synth failed"
# Where each third-party chart comes from here: the controller table's cluster-stage sources.
app_node "$APP_DIST/src/cli/chart-sources.js" >"$OUT/chart-sources.json" || die "chart sources (src/cli/chart-sources.ts) failed"
# One pytest per environment, side by side: each has its own control plane and emulator, and most
# of a run is waiting on Helm and the API server.
pids=()
# Every environment's -apps stack, as synthesized from config.
for dir in "$OUT"/synth/stacks/*-apps/; do
  stack="$(basename "$dir")"
  MINDHIT_SYNTH_DIR="$OUT/synth" MINDHIT_CHART_SOURCES="$OUT/chart-sources.json" MINDHIT_TERRAFORM="$TOOLS_DIR/bin/terraform" MINDHIT_WORK_DIR="$OUT/work-$stack" MINDHIT_TOOLS_BIN="$TOOLS_DIR/bin" \
    "$TOOLS_DIR/venv/bin/python" -m pytest -q -x -p no:cacheprovider --basetemp "$OUT/tmp-$stack" -k "$stack" \
    __tests__/integration/test_cluster.py >"$OUT/$stack.log" 2>&1 &
  pids+=("$!")
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
cat "$OUT"/*-apps.log
[ "$failed" = 0 ] || die "cluster stage failed"
