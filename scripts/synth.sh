#!/usr/bin/env bash
# The synth command (npm run synth, npm run synth:hcl, and cdktf.json's app for `cdktf synth`):
# compile, then run main.ts. If compilation fails, the previous output is invalidated first, so
# nothing in the output directory looks current (main.ts does the same for its own failures).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
invalidate() {
  outdir="${CDKTF_OUTDIR:-cdktf.out}"
  rm -f "$outdir/manifest.json" "$outdir"/stacks/*/cdk.tf.json "$outdir"/stacks/*/cdk.tf
  echo "cdktf synth: $1; removed the generated files in $outdir" >&2
  exit 1
}
# MINDHIT_PROFILE=cdktn: the full cdktn profile (README "Full cdktn profile"), compiled to dist-cdktn/.
case "${MINDHIT_PROFILE:-cdktf}" in
  cdktf)
    node node_modules/typescript/bin/tsc -b tsconfig.build.json || invalidate "TypeScript compilation failed (above)"
    exec node dist/main.js
    ;;
  cdktn)
    bash scripts/cdktn-profile.sh build || invalidate "the cdktn profile failed to install or compile (above)"
    MINDHIT_CDKTN_PROFILE=cdktn exec node -r ./profiles/preload.js dist-cdktn/main.js
    ;;
  *) invalidate "MINDHIT_PROFILE=$MINDHIT_PROFILE: expected cdktf (package.json) or cdktn (profiles/cdktn/)" ;;
esac
