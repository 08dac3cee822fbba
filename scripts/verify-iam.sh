#!/usr/bin/env bash
# The GitHub CI roles against what they must and must not do: every request Terraform made as a
# deploy or plan role in the emulator stage, mapped to IAM requests and evaluated against the
# policies the account holds (@cloud-copilot/iam-simulate); the trust policies against the
# workflows' tokens; the walls between roles and environments. Needs the emulator stage's
# evidence (scripts/verify-emulator.sh writes it). See __tests__/integration/test_iam.py.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh python
EVIDENCE="${MINDHIT_IAM_EVIDENCE:-$REPO_ROOT/.cache/emulator/work/iam-evidence}"
[ -s "$EVIDENCE/states.json" ] || die "no evidence in $EVIDENCE: run scripts/verify-emulator.sh first (npm test runs it before this stage)"
MINDHIT_IAM_EVIDENCE="$EVIDENCE" "$TOOLS_DIR/venv/bin/python" -m pytest -q -p no:cacheprovider -s __tests__/integration/test_iam.py
