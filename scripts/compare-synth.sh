#!/usr/bin/env bash
# Does a change alter what Terraform receives? Synthesizes every stack of REF (default HEAD) and of
# the working tree, for each backend (S3 and HCP Terraform), and prints one line per differing
# stack (the JSON paths that differ, scripts/synth_diff.py) and how many are identical. For
# refactors and dependency moves, whose synth must not move. Usage: scripts/compare-synth.sh [REF]
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
ref="${1:-HEAD}"
work="$(mktemp -d)"
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$ref" >/dev/null 2>&1 || die "cannot check out $ref"
# Same dependencies: the ref reuses the working tree's node_modules. Different ones (a dependency
# move, such as cdktf -> cdktn): the ref gets its own, or both sides would run on the same packages.
if git diff --quiet "$ref" -- package.json package-lock.json; then
  ln -s "$REPO_ROOT/node_modules" "$work/base/node_modules"
else
  log "package.json or package-lock.json differs from $ref: installing $ref's dependencies into its checkout (npm ci, about 30 s)"
  (cd "$work/base" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || die "npm ci of $ref's package-lock.json failed"
fi

synth_all() { # <tree> <out>
  (cd "$1" && node node_modules/typescript/bin/tsc -b tsconfig.build.json) || die "tsc failed in $1"
  synth_backends "$1" "$2"
}
synth_all "$work/base" "$work/before"
synth_all "$REPO_ROOT" "$work/after"
python3 scripts/synth_diff.py "$work/before" "$work/after" "compare-synth against $ref"
