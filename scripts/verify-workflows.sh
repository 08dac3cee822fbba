#!/usr/bin/env bash
# GitHub Actions workflows through actionlint (with shellcheck on their run: steps) and zizmor
# (the Actions security auditor: unpinned actions, persisted credentials, excessive permissions,
# template injection …; offline, so its four network audits do not run), and the project's shell
# scripts through shellcheck. Any finding fails the stage; there are no zizmor ignores.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh actionlint python
SHELLCHECK="$TOOLS_DIR/venv/bin/shellcheck"
"$TOOLS_DIR/bin/actionlint" -shellcheck "$SHELLCHECK" .github/workflows/*.yml
"$TOOLS_DIR/venv/bin/zizmor" --offline --no-progress --no-config --persona=pedantic .github/workflows
"$SHELLCHECK" --external-sources --source-path=. scripts/*.sh .ci/run
log "workflows and scripts ok"
