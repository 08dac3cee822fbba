#!/usr/bin/env bash
# Obtains the Terraform providers the stacks pin (aws, kubernetes, helm), the way a user gets them
# where possible, into one per-machine filesystem mirror that every clone (CI included) reuses:
#   1. already in the mirror, or in a plugin cache / local plugin directory: used as is;
#   2. else `terraform providers mirror` from the registry (what a machine with internet does, seconds);
#   3. else built from the newest source the Go module proxy serves (a stand-in for the pinned
#      version, which the proxy does not serve: provider repositories tag v6.x without a /v6 module path).
# Writes $PROVIDERS_DIR/terraform.rc (a CLI config using only the mirror) and $PROVIDERS_DIR/selected.json
# (selected-cdktn.json under MINDHIT_PROFILE=cdktn; {provider: {pinned, version, origin, commit}});
# prints one line per stand-in. Idempotent; concurrent runs for the same provider wait for each other,
# different providers build side by side (npm test starts the AWS build first, beside everything else).
# Usage: scripts/providers.sh [provider...] (default: all three).
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1

PROVIDERS_DIR="${MINDHIT_PROVIDERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mindhit-infra/providers}"
MIRROR="$PROVIDERS_DIR/mirror"
PLATFORM="linux_amd64"
# A stand-in build's first-run cost (seconds), printed before it starts: as measured by a cold npm test
# on this project's 2-core, 24 GiB machine, beside everything else; the AWS build also needs ~8 GB of memory.
declare -A BUILD_SECONDS=([aws]=2140 [kubernetes]=290 [helm]=280)
# Two compile jobs at most: the aws provider's largest packages need several GB each.
export GOFLAGS="-buildvcs=false -mod=mod -p=2" GOMAXPROCS=2
# Generated API code is most of each provider's compile time and runs little in the tests: the AWS
# SDK's ~300 service packages (request serializers), Kubernetes' API types and typed clients. It is
# compiled without optimization or inlining, which cuts its compile time by about 40 %; the
# providers' own code and the plugin frameworks, where schemas and plans are computed, stay optimized.
declare -A UNOPTIMIZED_PACKAGES=([aws]="github.com/aws/aws-sdk-go-v2/..." [kubernetes]="k8s.io/api/... k8s.io/client-go/..." [helm]="k8s.io/api/... k8s.io/client-go/...")

mkdir -p "$MIRROR" "$PROVIDERS_DIR/build"
bash scripts/tools.sh terraform
TERRAFORM="$TOOLS_DIR/bin/terraform"

# The versions the stacks pin, from the source of truth every stack is synthesized from: the
# prebuilt bindings' package.json (cdktf profile: @cdktf/provider-*; cdktn profile: @cdktn/provider-aws
# in its prefix), or for bindings the cdktn profile generates, the `cdktn get` config that names them.
pinned_version() { # provider
  local package="$REPO_ROOT/node_modules/@cdktf/provider-$1/package.json"
  if [ "$MINDHIT_PROFILE" = cdktn ]; then
    local generated
    generated=$(node -p 'require(process.argv[1]).terraformProviders.find((p) => p.startsWith("hashicorp/" + process.argv[2] + "@"))?.split("@")[1] ?? ""' \
      "$REPO_ROOT/profiles/cdktn/cdktf.json" "$1")
    if [ -n "$generated" ]; then echo "$generated" && return 0; fi
    package="$REPO_ROOT/.cache/cdktn-full/node_modules/@cdktn/provider-$1/package.json"
  fi
  node -e '
    const pkg = require(process.argv[1]);
    const v = (pkg.cdktf && pkg.cdktf.provider && pkg.cdktf.provider.version) || "";
    if (!v) process.exit(1);
    process.stdout.write(v);' "$package"
}

unpacked_dir() { echo "$MIRROR/registry.terraform.io/hashicorp/$1/$2/$PLATFORM"; }

# A provider already on this machine at the pinned version: the mirror, the plugin cache, ~/.terraform.d/plugins.
find_local() { # provider version
  local p="$1" v="$2" dir candidate build
  FOUND_COMMIT=""
  dir=$(unpacked_dir "$p" "$v")
  if [ -x "$dir/terraform-provider-${p}_v$v" ]; then
    # A stand-in this script built earlier (for another profile's pin) carries that version's number:
    # say it is a build from the Go module proxy, not the release.
    for build in "$PROVIDERS_DIR/build/terraform-provider-${p}_"*; do
      if [ "$build" -ef "$dir/terraform-provider-${p}_v$v" ]; then FOUND_COMMIT="${build##*-}"; fi
    done
    return 0
  fi
  ls "$MIRROR/registry.terraform.io/hashicorp/$p/terraform-provider-${p}_${v}_${PLATFORM}.zip" >/dev/null 2>&1 && return 0
  for candidate in "${TF_PLUGIN_CACHE_DIR:-/nonexistent}" "$HOME/.terraform.d/plugin-cache" "$HOME/.terraform.d/plugins" "$HOME/.local/share/terraform/plugins"; do
    local found="$candidate/registry.terraform.io/hashicorp/$p/$v/$PLATFORM"
    if [ -d "$found" ] && ls "$found"/terraform-provider-"$p"* >/dev/null 2>&1; then
      mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && cp -r "$found" "$dir"
      return 0
    fi
  done
  return 1
}

from_registry() { # provider version
  local p="$1" v="$2" work
  work=$(mktemp -d)
  printf '{"terraform":{"required_providers":{"%s":{"source":"hashicorp/%s","version":"%s"}}}}' "$p" "$p" "$v" >"$work/main.tf.json"
  printf 'disable_checkpoint = true\n' >"$work/direct.rc"
  # Offline, the registry lookup fails within seconds; the timeout bounds a hanging network.
  if (cd "$work" && TF_CLI_CONFIG_FILE="$work/direct.rc" timeout 300 "$TERRAFORM" providers mirror -platform="$PLATFORM" "$MIRROR" >"$work/log" 2>&1); then
    rm -rf "$work"
    return 0
  fi
  log "$p $v: registry not reachable ($(grep -m1 -o 'Failed to query[^:]*\|could not connect[^;]*\|no such host' "$work/log" || echo "see terraform providers mirror"))"
  rm -rf "$work"
  return 1
}

# The newest commit the Go module proxy serves for the provider's module (by commit time).
newest_served() { # module
  local proxy list
  proxy="$(go env GOPROXY | tr ',' '\n' | grep -m1 '^http')"
  list=$(curl -fsS --max-time 60 "$proxy/$1/@v/list") || return 1
  local best="" best_time="" v t
  for v in $list; do
    t=$(curl -fsS --max-time 60 "$proxy/$1/@v/$v.info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Time"])') || continue
    if [[ -z "$best_time" || "$t" > "$best_time" ]]; then best="$v" best_time="$t"; fi
  done
  [ -n "$best" ] && echo "$best"
}

build_standin() { # provider pinned-version
  local p="$1" pinned="$2" module="github.com/hashicorp/terraform-provider-$1" modver dir version commit binary
  command -v go >/dev/null || die "$p $pinned: not in the mirror, no registry, and no go to build it"
  modver=$(newest_served "$module") || die "$p: the Go module proxy serves no version of $module"
  commit="${modver##*-}"
  binary="$PROVIDERS_DIR/build/terraform-provider-${p}_$modver"
  dir=$(go mod download -json "$module@$modver" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  # The provider's own changelog names the release this commit leads to ("## 6.48.0 (Unreleased)").
  version=$(sed -n '1,20{s/^## \([0-9][0-9.]*\)\( (Unreleased)\)\{0,1\}.*$/\1\2/p}' "$dir/CHANGELOG.md" | head -1)
  case "$version" in
    *"(Unreleased)") version="${version%% *}-dev" ;;
    "") die "$p: cannot read a version from $dir/CHANGELOG.md" ;;
  esac
  if [ ! -x "$binary" ]; then
    log "$p $pinned is not obtainable here; building $version (commit $commit) from the Go module proxy, first run only: about $((BUILD_SECONDS[$p] / 60)) minutes"
    local start
    start=$(date +%s)
    local gcflags=() pattern
    for pattern in ${UNOPTIMIZED_PACKAGES[$p]}; do gcflags+=("-gcflags=$pattern=-N -l"); done
    (cd "$dir" && go build -trimpath "${gcflags[@]}" -ldflags "-s -w" -o "$binary.tmp" .)
    mv "$binary.tmp" "$binary"
    echo "$(($(date +%s) - start))" >"$PROVIDERS_DIR/build/$p.seconds"
    log "$p $version built in $(cat "$PROVIDERS_DIR/build/$p.seconds") s"
  fi
  local target
  target=$(unpacked_dir "$p" "$version")
  mkdir -p "$target"
  ln -f "$binary" "$target/terraform-provider-${p}_v$version" 2>/dev/null || cp "$binary" "$target/terraform-provider-${p}_v$version"
  STANDIN_VERSION="$version" STANDIN_COMMIT="$commit"
}

# Obtains one provider (under its own lock) and prints its record, {pinned, version, origin, commit}.
obtain() { # provider
  local p="$1" pinned
  pinned=$(pinned_version "$p") || die "cannot read the pinned $p version ($MINDHIT_PROFILE profile: run npm ci, or scripts/cdktn-profile.sh install)"
  if find_local "$p" "$pinned" || { FOUND_COMMIT="" && from_registry "$p" "$pinned"; }; then
    if [ -n "$FOUND_COMMIT" ]; then
      log "$p: pinned $pinned, validated with a build of $pinned from commit $FOUND_COMMIT (built from the Go module proxy)"
      printf '{"pinned":"%s","version":"%s","origin":"go-module-proxy","commit":"%s"}' "$pinned" "$pinned" "$FOUND_COMMIT"
    else
      printf '{"pinned":"%s","version":"%s","origin":"mirror"}' "$pinned" "$pinned"
    fi
  else
    build_standin "$p" "$pinned"
    log "$p: pinned $pinned, validated with $STANDIN_VERSION from commit $STANDIN_COMMIT (built from the Go module proxy)"
    printf '{"pinned":"%s","version":"%s","origin":"go-module-proxy","commit":"%s"}' "$pinned" "$STANDIN_VERSION" "$STANDIN_COMMIT"
  fi
}

# One record per profile: the profiles pin different versions of the same providers.
SELECTED="$PROVIDERS_DIR/$([ "$MINDHIT_PROFILE" = cdktf ] && echo selected.json || echo "selected-$MINDHIT_PROFILE.json")"
[ "$#" -gt 0 ] || set -- aws kubernetes helm
if [ "$1" = --missing ]; then # providers with no binary here yet, each with its first-run build cost in seconds
  for p in aws kubernetes helm; do
    compgen -G "$MIRROR/registry.terraform.io/hashicorp/$p/*/$PLATFORM/terraform-provider-*" >/dev/null || printf '%s\t%s\n' "$p" "${BUILD_SECONDS[$p]}"
  done
  exit 0
fi
for p in "$@"; do
  case "$p" in aws | kubernetes | helm) ;; *) die "unknown provider: $p (known: aws, kubernetes, helm)" ;; esac
  entry=$(
    exec 9>"$PROVIDERS_DIR/.lock-$p"
    flock 9
    obtain "$p"
  ) || die "could not obtain the $p provider (above)"
  # The record, under a short lock every provider shares.
  (
    flock 9
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d[sys.argv[2]]=json.loads(sys.argv[3]); print(json.dumps(d, sort_keys=True))' \
      "$(cat "$SELECTED" 2>/dev/null || echo "{}")" "$p" "$entry" >"$SELECTED.tmp" && mv "$SELECTED.tmp" "$SELECTED"
  ) 9>"$PROVIDERS_DIR/.lock"
done

# Only the mirror: a run never reaches for the network, and never gets another build. Written whole,
# then moved into place, so a run beside this one never reads half a file.
cat >"$PROVIDERS_DIR/terraform.rc.$$" <<EOF
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
mv "$PROVIDERS_DIR/terraform.rc.$$" "$PROVIDERS_DIR/terraform.rc"
