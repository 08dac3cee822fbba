#!/usr/bin/env bash
# Does a change alter what Terraform receives? Synthesizes every stack of REF (default HEAD) and of
# the working tree, for each backend (S3 and HCP Terraform), and prints one
# line per stack: identical, or the resources and blocks that differ. For refactors, whose synth
# must not move. Usage: scripts/compare-synth.sh [REF]
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
ref="${1:-HEAD}"
work="$(mktemp -d)"
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$ref" >/dev/null 2>&1 || die "cannot check out $ref"
ln -s "$REPO_ROOT/node_modules" "$work/base/node_modules"

synth_all() { # <tree> <out>
  local tree="$1" out="$2" backend
  mkdir -p "$out"
  (cd "$tree" && node node_modules/typescript/bin/tsc -b tsconfig.build.json) || die "tsc failed in $tree"
  for backend in s3 cloud; do
    local organization=()
    [ "$backend" = cloud ] && organization=(TF_CLOUD_ORGANIZATION=compare-synth)
    (cd "$tree" && env MINDHIT_STATE_BACKEND="$backend" "${organization[@]}" CDKTF_OUTDIR="$out/$backend" node dist/main.js >/dev/null) || die "synth ($backend) failed in $tree"
  done
}
synth_all "$work/base" "$work/before"
synth_all "$REPO_ROOT" "$work/after"
python3 - "$work/before" "$work/after" "$ref" <<'EOF'
import json, os, sys
before, after, ref = sys.argv[1:]
changed = identical = 0
for backend in ("s3", "cloud"):
    names = sorted(set(os.listdir(os.path.join(before, backend, "stacks"))) | set(os.listdir(os.path.join(after, backend, "stacks"))))
    for name in names:
        paths = [os.path.join(d, backend, "stacks", name, "cdk.tf.json") for d in (before, after)]
        if not all(os.path.exists(p) for p in paths):
            print(f"{backend} {name}: only {'after' if os.path.exists(paths[1]) else 'before'}")
            changed += 1
            continue
        a, b = (json.load(open(p)) for p in paths)
        for doc in (a, b):
            doc.pop("//", None)  # cdktf's metadata (construct paths, versions)
        if a == b:
            identical += 1
            continue
        changed += 1
        diffs = []
        for section in sorted(set(a) | set(b)):
            sa, sb = a.get(section, {}), b.get(section, {})
            if sa == sb:
                continue
            if isinstance(sa, dict) and isinstance(sb, dict) and section in ("resource", "data"):
                for kind in sorted(set(sa) | set(sb)):
                    for key in sorted(set(sa.get(kind, {})) | set(sb.get(kind, {}))):
                        if sa.get(kind, {}).get(key) != sb.get(kind, {}).get(key):
                            state = "added" if key not in sa.get(kind, {}) else "removed" if key not in sb.get(kind, {}) else "changed"
                            diffs.append(f"{section}.{kind}.{key} {state}")
            else:
                diffs.append(f"{section} changed")
        print(f"{backend} {name}: {len(diffs)} differences: " + "; ".join(diffs[:20]) + (" …" if len(diffs) > 20 else ""))
print(f"compare-synth against {ref}: {identical} stack syntheses identical, {changed} differ (JSON, metadata aside)")
EOF
