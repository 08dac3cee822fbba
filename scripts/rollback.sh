#!/usr/bin/env bash
# Roll the MindHit Helm release back to an earlier revision and wait until the API and worker
# deployments are rolled out again. Non-interactive by design (safe in CI and in a paged
# incident): everything comes from arguments, nothing is read from the terminal.
# See docs/operations/runbook.md ("Rollback") for when to use it and what to do afterwards.
set -euo pipefail

readonly PROG="rollback.sh"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly EXIT_USAGE=2
readonly EXIT_WRONG_CONTEXT=3
readonly EXIT_MISSING_TOOL=127

usage() {
  cat <<'EOF'
Usage: scripts/rollback.sh [options] <env> [revision]

Roll the Helm release of the MindHit app back and wait for the rollout.

Arguments:
  <env>        An environment of src/environments, by its name or its long name (staging;
               prod or production). Selects the EKS cluster (and region) the current kube
               context must point at, e.g. mindhit-staging or mindhit-production.
  [revision]   Helm revision to roll back to (see `helm history`). Default 0, which Helm
               treats as "the revision before the current one".

Options:
  --namespace <ns>     Kubernetes namespace of the release (default: mindhit)
  --release <name>     Helm release name (default: mindhit)
  --timeout <dur>      How long helm and kubectl wait, Go duration such as 10m, 600s, 1h
                       (default: 10m)
  --dry-run            Check the context and show the history, then print the commands
                       that would change something instead of running them
  -h, --help           Show this help

The script refuses to run unless `kubectl config current-context` is the chosen cluster
(the context name or its cluster ARN ends with cluster/<cluster-name>, or equals the name).
Switch with (prod shown; the profile assumes the MFA-guarded admin role, runbook §3, and is
written into the kubeconfig entry, so later commands keep using it):
  aws eks update-kubeconfig --name mindhit-production --region ap-northeast-2 --alias mindhit-production --profile mindhit-prod-admin

It runs:
  helm history <release> -n <ns> --max 5
  helm rollback <release> <revision> -n <ns> --wait --timeout <dur>
  kubectl rollout status deployment/mindhit-api -n <ns> --timeout <dur>
  kubectl rollout status deployment/mindhit-worker -n <ns> --timeout <dur>

The release is owned by Terraform (stack mindhit-<env>-apps), which deploys the image tags
recorded in SSM (/mindhit/<environment>/image-tags/api and .../worker): record the good tags
there (app-release.yml, or aws ssm put-parameter --overwrite), or the next deploy rolls forward again.

Examples:
  scripts/rollback.sh prod                 # back to the previous revision
  scripts/rollback.sh prod 41              # back to revision 41
  scripts/rollback.sh --dry-run staging    # show what would happen

Exit codes: 0 done; 2 usage error; 3 wrong kube context; 127 helm or kubectl missing;
otherwise the exit code of the helm or kubectl command that failed.
EOF
}

usage_error() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  printf "Run '%s --help' for usage.\n" "scripts/$PROG" >&2
  exit "$EXIT_USAGE"
}

# Print a command the way a shell would read it back.
quoted() {
  local out
  out=$(printf '%q ' "$@")
  printf '%s' "${out% }"
}

DRY_RUN=false

# Show and run one command; a failure stops the script with the command's own exit code.
execute() {
  printf '+ %s\n' "$(quoted "$@")"
  local rc=0
  "$@" || rc=$?
  if ((rc != 0)); then
    printf '%s: "%s" failed with exit code %d\n' "$PROG" "$(quoted "$@")" "$rc" >&2
    exit "$rc"
  fi
}

# A command that changes the cluster: printed instead of run under --dry-run.
run() {
  if [[ "$DRY_RUN" == true ]]; then
    printf '[dry-run] %s\n' "$(quoted "$@")"
  else
    execute "$@"
  fi
}

NAMESPACE="mindhit"
RELEASE="mindhit"
TIMEOUT="10m"
positional=()

while (($# > 0)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --dry-run)
      DRY_RUN=true
      shift
      ;;
    --namespace | --release | --timeout)
      (($# >= 2)) || usage_error "option $1 needs a value"
      case "$1" in
        --namespace) NAMESPACE="$2" ;;
        --release) RELEASE="$2" ;;
        --timeout) TIMEOUT="$2" ;;
      esac
      shift 2
      ;;
    --namespace=*) NAMESPACE="${1#*=}" && shift ;;
    --release=*) RELEASE="${1#*=}" && shift ;;
    --timeout=*) TIMEOUT="${1#*=}" && shift ;;
    --)
      shift
      positional+=("$@")
      break
      ;;
    -*) usage_error "unknown option: $1" ;;
    *)
      positional+=("$1")
      shift
      ;;
  esac
done

# name, environment, cluster, region per configured environment (src/cli/environments.ts).
environment_table() {
  local cli="$REPO_ROOT/dist/src/cli/environments.js"
  if [[ ! -f "$cli" ]]; then
    [[ -d "$REPO_ROOT/node_modules" ]] || { printf '%s: run npm ci in %s first (the environments come from its config)\n' "$PROG" "$REPO_ROOT" >&2; exit "$EXIT_MISSING_TOOL"; }
    node "$REPO_ROOT/node_modules/typescript/bin/tsc" -b "$REPO_ROOT/tsconfig.build.json" >&2
  fi
  node "$cli"
}

((${#positional[@]} >= 1)) || usage_error "missing <env> (an environment name, e.g. staging or prod)"
((${#positional[@]} <= 2)) || usage_error "too many arguments: ${positional[*]}"

ENV_ARG="${positional[0]}"
REVISION="${positional[1]:-0}"

ENV_NAME="" CLUSTER="" REGION="" known=()
while IFS=$'\t' read -r name environment cluster region _namespace _release; do
  known+=("$name")
  if [[ "$ENV_ARG" == "$name" || "$ENV_ARG" == "$environment" ]]; then
    # Synth refuses a name one environment shares with another's long name; refuse here too.
    [[ -z "$ENV_NAME" ]] || usage_error "'$ENV_ARG' matches environments $ENV_NAME and $name"
    ENV_NAME="$name" CLUSTER="$cluster" REGION="$region"
  fi
done < <(environment_table)
[[ -n "$ENV_NAME" ]] || usage_error "unknown environment '$ENV_ARG' (allowed: ${known[*]})"

[[ "$REVISION" =~ ^[0-9]+$ ]] ||
  usage_error "revision '$REVISION' is not a whole number (0 = the previous revision)"
[[ "$NAMESPACE" =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] ||
  usage_error "namespace '$NAMESPACE' is not a Kubernetes namespace name"
[[ "$RELEASE" =~ ^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$ ]] ||
  usage_error "release '$RELEASE' is not a Helm release name"
[[ "$TIMEOUT" =~ ^([0-9]+(ms|s|m|h))+$ ]] ||
  usage_error "timeout '$TIMEOUT' is not a duration such as 10m, 600s or 1h30m"

for tool in helm kubectl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    printf '%s: %s not found on PATH; install it first\n' "$PROG" "$tool" >&2
    exit "$EXIT_MISSING_TOOL"
  fi
done

# The chart names its objects <fullname>-<component>; fullname is the release name when it
# contains the chart name "mindhit" (the default release), else <release>-mindhit.
if [[ "$RELEASE" == *mindhit* ]]; then
  FULLNAME="$RELEASE"
else
  FULLNAME="$RELEASE-mindhit"
fi
DEPLOYMENTS=("$FULLNAME-api" "$FULLNAME-worker")

# --- Refuse to touch the wrong cluster ------------------------------------------------------
wrong_context() {
  printf '%s: %s\n' "$PROG" "$1" >&2
  cat >&2 <<EOF
Refusing to roll back: the current kube context must point at EKS cluster $CLUSTER ($ENV_NAME).
Switch to it with (a profile that assumes the role in the platform stack's output
eks_cluster_admin_role_arn, with MFA; runbook §3):
  aws eks update-kubeconfig --name $CLUSTER --region $REGION --alias $CLUSTER --profile <admin profile>
then check with: kubectl config current-context
EOF
  exit "$EXIT_WRONG_CONTEXT"
}

matches_cluster() {
  [[ -n "$1" && ("$1" == "$CLUSTER" || "$1" == *"cluster/$CLUSTER") ]]
}

CONTEXT=""
if ! CONTEXT=$(kubectl config current-context 2>/dev/null) || [[ -z "$CONTEXT" ]]; then
  wrong_context "no current kube context is set"
fi
CONTEXT_CLUSTER=$(kubectl config view --minify -o 'jsonpath={.contexts[0].context.cluster}' 2>/dev/null || true)

if ! matches_cluster "$CONTEXT" && ! matches_cluster "$CONTEXT_CLUSTER"; then
  wrong_context "current context '$CONTEXT' (cluster '${CONTEXT_CLUSTER:-unknown}') is not $CLUSTER"
fi

if [[ "$REVISION" == 0 ]]; then
  TARGET="the previous revision"
else
  TARGET="revision $REVISION"
fi

printf '== MindHit rollback: release %s in namespace %s on %s (context %s)\n' \
  "$RELEASE" "$NAMESPACE" "$CLUSTER" "$CONTEXT"
if [[ "$DRY_RUN" == true ]]; then
  printf '== dry run: nothing will be changed\n'
fi
printf '== recent history:\n'
execute helm history "$RELEASE" -n "$NAMESPACE" --max 5

printf '== rolling back to %s (timeout %s)\n' "$TARGET" "$TIMEOUT"
run helm rollback "$RELEASE" "$REVISION" -n "$NAMESPACE" --wait --timeout "$TIMEOUT"

for deployment in "${DEPLOYMENTS[@]}"; do
  run kubectl rollout status "deployment/$deployment" -n "$NAMESPACE" --timeout "$TIMEOUT"
done

if [[ "$DRY_RUN" == true ]]; then
  printf '== dry run finished; run again without --dry-run to roll back\n'
  exit 0
fi

printf '== history after the rollback:\n'
execute helm history "$RELEASE" -n "$NAMESPACE" --max 3
cat <<EOF
== rollback to $TARGET finished.
Next: the release is managed by Terraform (stack mindhit-$ENV_NAME-apps). Set the
good image tags in config, or deploy with --var api_image_tag=<sha> --var worker_image_tag=<sha>,
before the next deploy, or it will roll forward to the tags in config again.
EOF
