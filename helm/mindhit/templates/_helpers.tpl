{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "mindhit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified release name. The release is called "mindhit" (as in the seed's
`helm upgrade --install mindhit`), which yields the seed's deployment names mindhit-api/mindhit-worker.
*/}}
{{- define "mindhit.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mindhit.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels; pass a dict with "root" (the top context) and "component". */}}
{{- define "mindhit.labels" -}}
helm.sh/chart: {{ include "mindhit.chart" .root }}
{{ include "mindhit.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: mindhit
mindhit.io/environment: {{ .root.Values.global.environment | quote }}
{{- end }}

{{- define "mindhit.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mindhit.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Name of one component's objects: <fullname>-<component>, e.g. mindhit-api. */}}
{{- define "mindhit.componentName" -}}
{{- printf "%s-%s" (include "mindhit.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mindhit.serviceAccountName" -}}
{{- $values := index .root.Values .component }}
{{- if $values.serviceAccount.create }}
{{- include "mindhit.componentName" . }}
{{- else }}
{{- default "default" $values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* <global.imageRegistry>/<repository>:<tag>; without a registry <repository>:<tag>; tag defaults to appVersion. */}}
{{- define "mindhit.image" -}}
{{- $registry := .root.Values.global.imageRegistry }}
{{- $image := .values.image }}
{{- $tag := default .root.Chart.AppVersion ($image.tag | toString) }}
{{- if $registry }}
{{- printf "%s/%s:%s" $registry $image.repository $tag }}
{{- else }}
{{- printf "%s:%s" $image.repository $tag }}
{{- end }}
{{- end }}

{{/* Labels of a monitoring object: the component's, plus monitoring.labels for a Prometheus that selects by label. */}}
{{- define "mindhit.monitoringLabels" -}}
{{ include "mindhit.labels" . }}
{{- with .root.Values.monitoring.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The app's contract with its secret, the same for every environment: each component's environment
variables and the key of `secrets.name` each comes from. The pods get them from the chart, never from
a values file, and the ExternalSecret copies exactly these keys.
*/}}
{{- define "mindhit.secretEnv" -}}
api:
  DATABASE_URL: database-url
  REDIS_ADDR: redis-addr
  JWT_SECRET: jwt-secret
worker:
  DATABASE_URL: database-url
  REDIS_ADDR: redis-addr
  OPENAI_API_KEY: openai-api-key
{{- end }}

{{/* Every key of the secret some component reads, sorted. */}}
{{- define "mindhit.secretKeys" -}}
{{- $keys := list }}
{{- range $component, $vars := include "mindhit.secretEnv" . | fromYaml }}
{{- range $var, $key := $vars }}
{{- $keys = append $keys $key }}
{{- end }}
{{- end }}
{{- $keys | uniq | sortAlpha | toJson }}
{{- end }}
