#!/usr/bin/env bash
# Everything the test stages need, installed into the per-machine cache before any of them runs:
# every tool in scripts/tools.sh, the three Terraform providers (scripts/providers.sh) and the two
# cdktn prefixes. Idempotent: on a warm machine it checks and returns in seconds. On a cold one it
# prints what it will build and the measured cost of each, then starts the longest build, the AWS
# provider, first, beside the rest.
#   scripts/setup.sh                   everything, waiting for the AWS provider at the end
#   scripts/setup.sh --aws-elsewhere   everything but the AWS provider (npm test builds it as its
#                                      own background stage, so stages that do not need it run meanwhile)
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
[ -f node_modules/typescript/package.json ] || die "node_modules is missing or incomplete: run npm ci first"

aws_here=1
case "${1:-}" in
  "") ;;
  --aws-elsewhere) aws_here=0 ;;
  *) die "unknown option '$1' (usage: scripts/setup.sh [--aws-elsewhere])" ;;
esac
started=$SECONDS
PROVIDERS_DIR="${MINDHIT_PROVIDERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mindhit-infra/providers}"

# The plan: what this machine still lacks, each with its measured first-run cost (they overlap).
minutes() { if [ "$1" -lt 90 ]; then echo "$1 s"; else echo "$((($1 + 30) / 60)) min"; fi; }
plan=()
while IFS=$'\t' read -r tool seconds; do
  [ "$seconds" = 0 ] || plan+=("$tool ($(minutes "$seconds"))")
done < <(bash scripts/tools.sh --missing)
while IFS=$'\t' read -r provider seconds; do plan+=("the $provider provider ($(minutes "$seconds"))"); done < <(bash scripts/providers.sh --missing)
[ "${#plan[@]}" = 0 ] ||
  log "setup: first run on this machine; installing into the per-machine cache: $(printf '%s, ' "${plan[@]}" | sed 's/, $//'). Measured on 2 cores; the AWS provider builds beside everything else, and a cold npm test takes about 48 minutes (CONTRIBUTING.md \"The tool cache\")"

# Two lanes beside the AWS build (each in its own process group, stopped if setup fails): the
# tools, and the other providers then the cdktn prefixes (whose bindings are generated from them).
# Downloads in one lane overlap compiles in the others.
pids=()
stop_lanes() { local pid; for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done; }
trap stop_lanes EXIT
set -m
[ "$aws_here" = 0 ] || { bash scripts/providers.sh aws & pids+=("$!"); }
bash scripts/tools.sh all &
pids+=("$!")
{ bash scripts/providers.sh kubernetes helm && bash scripts/verify-cdktn.sh install && bash scripts/cdktn-profile.sh install; } &
pids+=("$!")
set +m
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
pids=()
[ "$failed" = 0 ] || die "setup failed (above)"

# What the first run cost on this machine, as each install recorded it.
costs=()
for record in "$TOOLS_DIR"/bin/.*.seconds; do
  [ -e "$record" ] || continue
  name="$(basename "$record" .seconds)"
  costs+=("${name#.} $(cat "$record") s")
done
for record in "$PROVIDERS_DIR"/build/*.seconds; do
  [ -e "$record" ] || continue
  costs+=("$(basename "$record" .seconds) provider $(cat "$record") s")
done
summary=""
[ "${#costs[@]}" = 0 ] || summary="; first-run installs recorded on this machine: $(printf '%s, ' "${costs[@]}")"
log "setup ok in $((SECONDS - started)) s${summary%, }"
