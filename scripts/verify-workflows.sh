#!/usr/bin/env bash
# GitHub Actions workflows through actionlint (with shellcheck on their run: steps), and the
# project's shell scripts through shellcheck.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh actionlint python
SHELLCHECK="$TOOLS_DIR/venv/bin/shellcheck"
"$TOOLS_DIR/bin/actionlint" -shellcheck "$SHELLCHECK" .github/workflows/*.yml
"$SHELLCHECK" --external-sources --source-path=. scripts/*.sh .ci/run
log "workflows and scripts ok"
