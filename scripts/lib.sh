# Shared by the project's scripts: repo root, tool cache, and CI strictness.
# shellcheck shell=bash
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Built tools are cached per machine, outside the clone, so fresh clones (CI included) reuse them.
TOOLS_DIR="${MINDHIT_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mindhit-infra/tools}"
export REPO_ROOT TOOLS_DIR
# Offline-friendly defaults: no version checks phoning home, a project-local Terraform CLI config.
export CHECKPOINT_DISABLE=1
export TF_CLI_CONFIG_FILE="${MINDHIT_TF_CLI_CONFIG:-$REPO_ROOT/terraform.rc}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The dependency profile the compiled code runs on (docs/cdktn.md, "Full cdktn profile"): `cdktf`, the
# packages in package.json (default), or `cdktn`, profiles/cdktn/ compiled to dist-cdktn/ and run
# with its preload. Every script runs the project's code as `app_node "$APP_DIST/…"`, so
# `MINDHIT_PROFILE=cdktn npm test` runs every stage on the profile.
MINDHIT_PROFILE="${MINDHIT_PROFILE:-cdktf}"
case "$MINDHIT_PROFILE" in
  cdktf) APP_DIST="dist" APP_NODE=(node) ;;
  cdktn) APP_DIST="dist-cdktn" APP_NODE=(env -u MINDHIT_CDKTN_PREFIX MINDHIT_CDKTN_PROFILE=cdktn node -r "$REPO_ROOT/profiles/preload.js") ;; # prefix: the .cache/cdktn-full link
  *) die "MINDHIT_PROFILE=$MINDHIT_PROFILE: expected cdktf (package.json) or cdktn (profiles/cdktn/)" ;;
esac
export MINDHIT_PROFILE APP_DIST
app_node() { "${APP_NODE[@]}" "$@"; }

# A stage's working directory under .cache/, emptied of the last run's files, as OUT.
fresh_stage_dir() {
  OUT="$REPO_ROOT/.cache/$1"
  rm -rf "$OUT" && mkdir -p "$OUT"
}

# In CI a missing tool is a failure; locally a stage may be skipped with a loud notice.
is_ci() { [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; }

# Synthesizes every stack of <tree>'s dist/ for both backends (state in S3; HCP Terraform) into
# <out>/s3 and <out>/cloud, for scripts/synth_diff.py to compare; node options (a preload) may follow.
synth_backends() { # <tree> <out> [node-option...]
  local tree="$1" out="$2" backend
  shift 2
  mkdir -p "$out"
  for backend in s3 cloud; do
    local organization=()
    [ "$backend" = cloud ] && organization=(TF_CLOUD_ORGANIZATION=compare-synth)
    (cd "$tree" && env MINDHIT_STATE_BACKEND="$backend" "${organization[@]}" CDKTF_OUTDIR="$out/$backend" node "$@" dist/main.js >/dev/null) ||
      die "synth ($backend${*:+, node $*}) failed in $tree"
  done
}
