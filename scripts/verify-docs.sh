#!/usr/bin/env bash
# The operator documentation against what the code builds (src/cli/check-docs.ts): every fenced
# command and named resource in README.md, SECURITY.md, CONTRIBUTING.md, docs/, the chart README,
# the workflows README and the scripts' --help, checked against both backends' synthesized stacks,
# the rendered chart, package.json and the scripts. Needs dist/ (the unit stage) and the chart
# stage's renders.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
RENDERED="$REPO_ROOT/.cache/chart/rendered"
[ -d "$RENDERED" ] || bash scripts/verify-chart.sh || die "could not render the chart for the docs check"
app_node "$APP_DIST/src/cli/check-docs.js" --rendered "$RENDERED" || die "the documentation names commands or resources the code does not have (lines above)"
