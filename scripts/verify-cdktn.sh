#!/usr/bin/env bash
# CDK Terrain (cdktn, the community fork of the deprecated CDKTF) as a drop-in core, proven on
# every run: the unchanged dist/ runs with cdktn installed as `cdktf` (the cdktn-core profile of
# profiles/redirects.js; pins: profiles/cdktn-core/package.json and its lock) in a per-machine prefix,
# never in node_modules. Every stack of both backends must synthesize to the same JSON as with cdktf,
# metadata aside, and the whole jest unit suite must pass on cdktn. Needs the unit stage's dist/ (or
# `npx tsc -p tsconfig.json`). `scripts/verify-cdktn.sh install` only installs the prefix (the setup stage).
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
started=$(date +%s%N)


# The prefix is keyed on the pins and their lock: a bump installs beside the old one, never over it.
PINS=(profiles/cdktn-core/package.json profiles/cdktn-core/package-lock.json)
key="$(cat "${PINS[@]}" | sha256sum | cut -c1-16)"
CDKTN_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mindhit-infra/cdktn"
export MINDHIT_CDKTN_PROFILE=cdktn-core MINDHIT_CDKTN_PREFIX="$CDKTN_ROOT/$key"
mkdir -p "$CDKTN_ROOT"
(
  # Concurrent runs: one installs, the others wait and reuse it.
  flock 9
  [ "$(cat "$MINDHIT_CDKTN_PREFIX/.installed" 2>/dev/null)" = "$key" ] && exit 0
  cost="$(cat "$CDKTN_ROOT/.install-seconds" 2>/dev/null || echo 5)"
  log "installing profiles/cdktn-core/package.json's pins into $MINDHIT_CDKTN_PREFIX (first run only, about $cost s)"
  install_start=$(date +%s%N)
  rm -rf "$MINDHIT_CDKTN_PREFIX" && mkdir -p "$MINDHIT_CDKTN_PREFIX"
  cp "${PINS[@]}" "$MINDHIT_CDKTN_PREFIX/"
  # --ignore-scripts: nothing of the fork runs at install time.
  (cd "$MINDHIT_CDKTN_PREFIX" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || die "npm ci of profiles/cdktn-core/package-lock.json failed"
  install_ms=$((($(date +%s%N) - install_start) / 1000000))
  echo $(((install_ms + 999) / 1000)) >"$CDKTN_ROOT/.install-seconds"
  log "installed in $((install_ms / 1000)).$((install_ms % 1000 / 100)) s"
  echo "$key" >"$MINDHIT_CDKTN_PREFIX/.installed"
) 9>"$CDKTN_ROOT/.lock"
[ "${1:-}" != install ] || exit 0

# The tests' setup file: `npm run synth` compiles only part of __tests__/ (a fixture the docs check reads).
[ -f dist/main.js ] && [ -f dist/src/cdktf.js ] && [ -f dist/__tests__/helpers/setup.js ] ||
  die "no compiled tests in dist/: run npm run test:unit (or npx tsc -p tsconfig.json) first"

# The preload refuses to start unless `cdktf` is the pinned cdktn from the prefix, also as required
# from inside @cdktf/provider-aws, and fails at exit if another copy of cdktf or constructs loaded.
preload=(-r "$REPO_ROOT/profiles/preload.js")
MINDHIT_CDKTN_REPORT=1 node "${preload[@]}" -e 'require("@cdktf/provider-aws/lib/provider")' || die "cdktn is not what loads as cdktf"

fresh_stage_dir cdktn
# The synth comparison runs beside jest: jest's two workers leave a core idle while they start and
# while the last files finish, which hides most of the comparison's 3-4 s.
compare_synth() {
  local started upstream
  started=$(date +%s%N)
  synth_backends "$REPO_ROOT" "$OUT/cdktf" &
  upstream=$!
  MINDHIT_CDKTN_REPORT=1 synth_backends "$REPO_ROOT" "$OUT/cdktn" "${preload[@]}"
  wait "$upstream" || die "synth with cdktf failed"
  python3 scripts/synth_diff.py "$OUT/cdktf" "$OUT/cdktn" "cdktf -> cdktn" --strict || die "cdktn synthesizes differently (above; both trees under $OUT)"
  echo $((($(date +%s%N) - started) / 1000000)) >"$OUT/compare-ms"
}
compare_synth >"$OUT/compare.log" 2>&1 &
comparison=$!
trap 'kill "$comparison" 2>/dev/null || true' EXIT

jest_ok=1
node node_modules/jest/bin/jest.js --config profiles/jest.config.js || jest_ok=0
compare_ok=1
wait "$comparison" || compare_ok=0
cat "$OUT/compare.log" >&2
[ "$compare_ok" = 1 ] || die "the synth comparison failed (above)"
[ "$jest_ok" = 1 ] || die "the unit suite fails on cdktn"
synth_ms=$(cat "$OUT/compare-ms")
total_ms=$((($(date +%s%N) - started) / 1000000))
log "cdktn ok: identical synth and the unit suite passes; $((total_ms / 1000)).$((total_ms % 1000 / 100)) s (synth and compare $((synth_ms / 1000)).$((synth_ms % 1000 / 100)) s, beside jest)"
