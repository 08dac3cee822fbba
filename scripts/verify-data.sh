#!/usr/bin/env bash
# Generated data matches its source: src/config/aws-zones.json (regions and zone letters, used
# by synth-time validation) equals what scripts/aws_zones.py derives from the pinned moto and
# botocore. A moto or botocore bump that adds a region fails here until the file is regenerated.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh aws-data
"$TOOLS_DIR/aws-data-venv/bin/python" scripts/aws_zones.py --check
log "data ok: src/config/aws-zones.json matches $("$TOOLS_DIR/aws-data-venv/bin/python" -c 'import json; print(json.load(open("src/config/aws-zones.json"))["source"])')"
