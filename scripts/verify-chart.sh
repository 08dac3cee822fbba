#!/usr/bin/env bash
# Chart verification with the tools chart maintainers use: `helm lint --strict` and
# `helm template` for every values file and for the exact values each environment's Terraform
# release passes, then the rendered manifests against the Kubernetes API schemas of the
# cluster's version (kubernetes-validate, strict: unknown fields fail) and the custom resources
# against their operators' CRD schemas (scripts/validate_custom_resources.py, as strict); the
# alert rules through promtool (syntax, and unit tests of each alert's threshold).
# Needs `npm run test:unit` (or `tsc`) to have compiled dist/.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT" || exit 1
bash scripts/tools.sh helm helm-docs python promtool amtool
HELM="$TOOLS_DIR/bin/helm"
VALIDATE="$TOOLS_DIR/venv/bin/kubernetes-validate"
CHART=helm/mindhit
OUT="$REPO_ROOT/.cache/chart"
# rendered/ holds manifests only (the checkov and docs stages read every file in it).
rm -rf "$OUT" && mkdir -p "$OUT/rendered" "$OUT/custom-resources"

app_node "$APP_DIST/scripts/release-values.js" "$OUT/release-values"
# Where the controllers' CRDs come from (the controller table), for validate_custom_resources.py.
app_node "$APP_DIST/src/cli/chart-sources.js" >"$OUT/chart-sources.json"

# The README's values table is helm-docs' rendering of the `# --` comments, and every value has one
# (itself or a documented parent): a value added without a comment, or a stale table, fails here.
(cd "$CHART" && "$TOOLS_DIR/bin/helm-docs" --chart-search-root . --skip-version-footer --dry-run 2>/dev/null) >"$OUT/README.md"
diff -u "$CHART/README.md" "$OUT/README.md" >&2 ||
  die "$CHART/README.md is not helm-docs' output for values.yaml: run helm-docs --chart-search-root $CHART --skip-version-footer"
# Every value described, and values.schema.json carrying the same words (scripts/chart_value_docs.py).
"$TOOLS_DIR/venv/bin/python" scripts/chart_value_docs.py --check "$CHART" || die "chart value documentation is incomplete or stale"

# Every built-in kind against the Kubernetes API schemas (strict: unknown fields fail); the only
# kinds it may call unknown are those validate_custom_resources.py validated (listed in <kinds>).
validate_builtin_kinds() { # name kube-version manifests kinds
  local name="$1" kube="$2" manifests="$3" kinds="$4" report
  awk '{ printf "Couldn'\''t find schema for kind %s with api version %s for kubernetes version\n", $1, $2 }' \
    "$kinds" >"$kinds.warnings"
  report=$("$VALIDATE" --kubernetes-version "$kube.0" --strict --quiet "$manifests" 2>&1) ||
    { echo "$report" >&2; die "kubernetes-validate failed for $name"; }
  if echo "$report" | grep -v -F -f "$kinds.warnings" | grep -q .; then
    echo "$report" >&2
    die "kubernetes-validate reported a kind no CRD validated, or a warning, for $name"
  fi
}

render_and_validate() { # name kube-version values-files...
  local name="$1" kube="$2"
  shift 2
  local args=() f rendered="$OUT/rendered/$name.yaml" kinds="$OUT/custom-resources/$name.kinds"
  for f in "$@"; do args+=(-f "$f"); done
  "$HELM" lint --strict "$CHART" "${args[@]}" >/dev/null || die "helm lint --strict failed for $name"
  "$HELM" template mindhit "$CHART" --namespace mindhit --kube-version "$kube" "${args[@]}" >"$rendered" ||
    die "helm template failed for $name"
  # Custom resources (External Secrets, Prometheus Operator) against their CRDs' schemas; it lists
  # the kinds it validated, the only ones kubernetes-validate may report as unknown.
  "$TOOLS_DIR/venv/bin/python" scripts/validate_custom_resources.py --chart-sources "$OUT/chart-sources.json" --validated-kinds "$kinds" "$rendered" >&2 ||
    die "custom resources in $name do not match their CRDs"
  validate_builtin_kinds "$name" "$kube" "$rendered" "$kinds"
  log "chart ok: $name ($(grep -c '^kind:' "$rendered") objects, Kubernetes $kube)"
}

default_kube=$(awk 'NR==1 {print $3}' "$OUT/release-values/environments.txt")
render_and_validate defaults "$default_kube" "$CHART/values.yaml"
# Every monitoring object, the worker's PodMonitor included, whether or not a release turns it on.
printf 'monitoring: {enabled: true, labels: {release: kube-prometheus-stack}, worker: {enabled: true}}\n' >"$OUT/monitoring.yaml"
render_and_validate monitoring "$default_kube" "$CHART/values.yaml" "$OUT/monitoring.yaml"
while read -r env values_file kube overrides; do
  if [ "$values_file" = "-" ]; then # the environment runs on the chart's defaults plus what the stack sets
    render_and_validate "$env-release" "$kube" "$overrides"
  else
    render_and_validate "$env-values-file" "$kube" "$CHART/$values_file"
    render_and_validate "$env-release" "$kube" "$CHART/$values_file" "$overrides"
  fi
done <"$OUT/release-values/environments.txt"

# The alert rules as Prometheus reads them (the PrometheusRule's spec is a rules file): promtool
# checks them, then its unit tests show each alert firing above its default threshold and silent
# below (__tests__/helm/alert-rules.promtool.yaml, which names the rules file rules.yaml).
mkdir -p "$OUT/promtool"
"$TOOLS_DIR/venv/bin/python" - "$OUT/rendered/monitoring.yaml" >"$OUT/promtool/rules.yaml" <<'PY'
import sys, yaml
rules = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "PrometheusRule"]
assert len(rules) == 1, f"expected one PrometheusRule, found {len(rules)}"
yaml.safe_dump(rules[0]["spec"], sys.stdout, sort_keys=False)
PY
cp __tests__/helm/alert-rules.promtool.yaml "$OUT/promtool/"
report=$(cd "$OUT/promtool" && "$TOOLS_DIR/bin/promtool" check rules rules.yaml 2>&1) ||
  { echo "$report" >&2; die "promtool check rules failed on the chart's alert rules"; }
report=$(cd "$OUT/promtool" && "$TOOLS_DIR/bin/promtool" test rules alert-rules.promtool.yaml 2>&1) ||
  { echo "$report" >&2; die "the chart's alert rules fail their unit tests (__tests__/helm/alert-rules.promtool.yaml)"; }
log "alert rules ok: $(grep -c '^ *- alert:' "$OUT/promtool/rules.yaml") alerts pass promtool check and $(grep -c '^ *- interval:' __tests__/helm/alert-rules.promtool.yaml) unit tests"

# kube-prometheus-stack's values where an environment turns monitoring on: the objects it installs
# through extraManifests (Grafana's SecretStore and ExternalSecret) against their CRDs, and
# Alertmanager's configuration and notification through amtool (scripts/verify_alertmanager.py).
for values in "$OUT"/release-values/kube-prometheus-stack-*.json; do
  [ -e "$values" ] || continue
  # In rendered/ beside the chart's renders, so the checkov stage scans them too.
  name="$(basename "$values" .json)-extra-manifests" manifests="$OUT/rendered/$name.yaml" kinds="$OUT/custom-resources/$name.kinds"
  "$TOOLS_DIR/venv/bin/python" -c 'import json, sys, yaml; yaml.safe_dump_all(json.load(open(sys.argv[1]))["extraManifests"], sys.stdout)' "$values" >"$manifests"
  "$TOOLS_DIR/venv/bin/python" scripts/validate_custom_resources.py --chart-sources "$OUT/chart-sources.json" --validated-kinds "$kinds" "$manifests" >&2 ||
    die "kube-prometheus-stack's extraManifests in $(basename "$values") do not match their CRDs"
  validate_builtin_kinds "$name" "$default_kube" "$manifests" "$kinds"
  "$TOOLS_DIR/venv/bin/python" scripts/verify_alertmanager.py "$TOOLS_DIR/bin/amtool" "$values" || die "Alertmanager configuration check failed"
done
