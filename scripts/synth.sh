#!/usr/bin/env bash
# The synth command (npm run synth, npm run synth:hcl, and cdktf.json's app for `cdktf synth`):
# compile, then run main.ts. If compilation fails, the previous output is invalidated first, so
# nothing in the output directory looks current (main.ts does the same for its own failures).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
if ! node node_modules/typescript/bin/tsc -b tsconfig.build.json; then
  outdir="${CDKTF_OUTDIR:-cdktf.out}"
  rm -f "$outdir/manifest.json" "$outdir"/stacks/*/cdk.tf.json "$outdir"/stacks/*/cdk.tf
  echo "cdktf synth: TypeScript compilation failed (above); removed the generated files in $outdir" >&2
  exit 1
fi
exec node dist/main.js
