#!/usr/bin/env bash
# Installs the project's verification tools, pinned, into .tools/ (git-ignored), from the
# registries this project may reach: the Go module proxy and PyPI. Idempotent: a tool already
# built at its pinned version is reused. Usage: scripts/tools.sh <tool>... ; prints nothing on success.
source "$(dirname "$0")/lib.sh"

HELM_VERSION="v3.22.0"
ACTIONLINT_VERSION="v1.7.12"
# Python tools share one venv; the stamp file records the exact pins it was built from.
PY_REQUIREMENTS="checkov==3.3.30 moto[server]==5.2.5 kubernetes-validate==1.37.0"

BIN_DIR="$TOOLS_DIR/bin"
mkdir -p "$BIN_DIR"

go_tool() { # name module version
  local name="$1" module="$2" version="$3" stamp="$BIN_DIR/.$1.version"
  if [ -x "$BIN_DIR/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then return 0; fi
  command -v go >/dev/null || die "go is required to build $name (Go module proxy)"
  log "building $name $version from the Go module proxy (first run only)"
  GOBIN="$BIN_DIR" GOFLAGS="-mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" \
    go install -trimpath -ldflags "-s -w" "$module@$version"
  echo "$version" >"$stamp"
}

python_tools() {
  local venv="$TOOLS_DIR/venv" stamp="$TOOLS_DIR/venv/.requirements"
  if [ -x "$venv/bin/checkov" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PY_REQUIREMENTS" ]; then return 0; fi
  command -v python3 >/dev/null || die "python3 is required for the Python tools"
  log "installing $PY_REQUIREMENTS into $venv (first run only)"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086 # the list is word-split on purpose
  "$venv/bin/pip" install --quiet --disable-pip-version-check $PY_REQUIREMENTS
  echo "$PY_REQUIREMENTS" >"$stamp"
}

for tool in "$@"; do
  case "$tool" in
    helm) go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" ;;
    actionlint) go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" ;;
    python) python_tools ;;
    *) die "unknown tool: $tool (known: helm, actionlint, python)" ;;
  esac
done
