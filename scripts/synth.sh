#!/usr/bin/env bash
# The synth command (npm run synth, npm run synth:hcl, and cdktf.json's app for `cdktf synth`):
# compile, then run main.ts. If compilation fails, the previous output is invalidated first, so
# nothing in the output directory looks current (main.ts does the same for its own failures).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
outdir="${CDKTF_OUTDIR:-cdktf.out}"
# Exits 1 with the synth's own message already printed above.
remove_output() {
  rm -f "$outdir/manifest.json" "$outdir"/stacks/*/cdk.tf.json "$outdir"/stacks/*/cdk.tf
  exit 1
}
invalidate() {
  echo "cdktf synth: $1; removed the generated files in $outdir" >&2
  remove_output
}
[ -f node_modules/typescript/package.json ] || invalidate "node_modules is missing or incomplete: run npm ci first"
# MINDHIT_PROFILE=cdktn: the full cdktn profile (docs/cdktn.md, "Full cdktn profile"), compiled to dist-cdktn/.
case "${MINDHIT_PROFILE:-cdktf}" in
  cdktf)
    node node_modules/typescript/bin/tsc -b tsconfig.build.json || invalidate "TypeScript compilation failed (above)"
    exec node dist/main.js
    ;;
  cdktn)
    bash scripts/cdktn-profile.sh build || invalidate "the cdktn profile failed to install or compile (above)"
    # Never an inherited core prefix (scripts/verify-cdktn.sh's): the full profile's is its .cache/cdktn-full
    # link. No exec: when the preload refuses to start (its one line), the old output must not look current.
    env -u MINDHIT_CDKTN_PREFIX MINDHIT_CDKTN_PROFILE=cdktn node -r ./profiles/preload.js dist-cdktn/main.js || remove_output
    ;;
  *) invalidate "MINDHIT_PROFILE=$MINDHIT_PROFILE: expected cdktf (package.json) or cdktn (profiles/cdktn/)" ;;
esac
