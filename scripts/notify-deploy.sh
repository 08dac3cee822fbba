#!/usr/bin/env bash
# Tells an environment's alert topic that a deploy or release started, succeeded, failed or was
# rolled back: its email subscribers, and its Slack channel through AWS Chatbot (the message is a
# Chatbot custom notification). The topic is the one the platform stack creates for the
# environment (identity.alertTopicName), in the environment's region and the caller's account;
# no webhook or address is in the repository.
#
# Usage: scripts/notify-deploy.sh <github-environment> <started|succeeded|failed|rolled-back> <what>
#   github-environment  an environment's identity.githubEnvironment (staging, production)
#   what                one line naming what ran, e.g. "deploy of mindhit-staging, mindhit-staging-apps"
# Needs AWS credentials allowed sns:Publish on the topic (CI's deploy role) and the AWS CLI.
# A notification that cannot be sent is a warning: it never fails the deploy it reports on.
# Misuse (an unknown environment or event) exits 2.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1

usage() {
  echo "Usage: scripts/notify-deploy.sh <github-environment> <started|succeeded|failed|rolled-back> <what>" >&2
  exit 2
}
[ "$#" -eq 3 ] || usage
github_environment="$1" event="$2" what="$3"
case "$event" in
  started) verb="started" ;;
  succeeded) verb="succeeded" ;;
  failed) verb="FAILED" ;;
  rolled-back) verb="failed and was ROLLED BACK" ;;
  *) printf 'error: unknown event %s (allowed: started, succeeded, failed, rolled-back)\n' "$event" >&2; exit 2 ;;
esac

# The environment as synth resolves it (validated first): topic name, region, long name.
[ -f dist/src/cli/environments.js ] || npm run --silent build >&2
fields="$(node dist/src/cli/environments.js --json | node -e '
  const wanted = process.argv[1];
  const all = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const env = all.find((e) => e.githubEnvironment === wanted);
  if (env) console.log([env.alertTopicName, env.region, env.environment].join(" "));
' "$github_environment")"
if [ -z "$fields" ]; then
  printf 'error: no environment in src/environments deploys from GitHub environment %s\n' "$github_environment" >&2
  exit 2
fi
read -r topic_name region environment <<<"$fields"

warn() {
  # A GitHub Actions annotation on the run; plain text elsewhere.
  printf '::warning::deploy notification not sent: %s\n' "$*"
  exit 0
}
caller_arn="$(aws sts get-caller-identity --query Arn --output text)" || warn "no AWS credentials"
partition="$(cut -d: -f2 <<<"$caller_arn")"
account="$(cut -d: -f5 <<<"$caller_arn")"
topic_arn="arn:${partition}:sns:${region}:${account}:${topic_name}"

run_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-local}/actions/runs/${GITHUB_RUN_ID:-0}"
title="${environment}: ${what} ${verb}"
# An AWS Chatbot custom notification (Slack renders it; email subscribers read the JSON).
# shellcheck disable=SC2016 # the ${…} are JavaScript's template literals, not the shell's
message="$(node -e '
  const [title, event, environment, commit, actor, run] = process.argv.slice(1);
  console.log(JSON.stringify({
    version: "1.0",
    source: "custom",
    content: { textType: "client-markdown", title, description: `Commit \`${commit}\` by ${actor}. Run: ${run}` },
    metadata: { summary: title, eventType: `deploy-${event}`, additionalContext: { environment, commit, run } },
  }));
' "$title" "$event" "$environment" "${GITHUB_SHA:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}" "${GITHUB_ACTOR:-$(id -un)}" "$run_url")"

aws sns publish --region "$region" --topic-arn "$topic_arn" --subject "${title:0:100}" --message "$message" \
  --query MessageId --output text >/dev/null || warn "sns publish to $topic_arn failed"
log "notified $topic_arn: $title"
