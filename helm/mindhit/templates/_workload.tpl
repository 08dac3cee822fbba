{{/*
One component's Deployment, shared by api and worker so their security settings cannot drift.
Call with a dict: root (the top context), component (name), values (the component's values).
*/}}
{{- define "mindhit.deployment" -}}
{{- $ctx := dict "root" .root "component" .component }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "mindhit.componentName" $ctx }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "mindhit.labels" $ctx | nindent 4 }}
spec:
  {{- if not .values.hpa.enabled }}
  replicas: {{ .values.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "mindhit.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "mindhit.labels" $ctx | nindent 8 }}
      {{- with .values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "mindhit.serviceAccountName" $ctx }}
      # The app never calls the Kubernetes API. IRSA does not need this token: EKS's pod identity
      # webhook mounts its own projected, STS-audience token.
      automountServiceAccountToken: false
      securityContext:
        {{- toYaml .root.Values.podSecurityContext | nindent 8 }}
      {{- if .root.Values.topologySpread.enabled }}
      topologySpreadConstraints:
        {{- range $key := list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
        - maxSkew: {{ $.root.Values.topologySpread.maxSkew }}
          topologyKey: {{ $key }}
          whenUnsatisfiable: {{ $.root.Values.topologySpread.whenUnsatisfiable }}
          labelSelector:
            matchLabels:
              {{- include "mindhit.selectorLabels" $ctx | nindent 14 }}
        {{- end }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "mindhit.image" . | quote }}
          imagePullPolicy: {{ .values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .values.containerPort }}
              protocol: TCP
          env:
            - name: ENVIRONMENT
              value: {{ .root.Values.global.environment | quote }}
            - name: PORT
              value: {{ .values.containerPort | quote }}
            {{- $secretEnv := index (include "mindhit.secretEnv" .root | fromYaml) .component | default dict }}
            {{- range $var, $key := $secretEnv }}
            - name: {{ $var }}
              valueFrom:
                secretKeyRef:
                  name: {{ $.root.Values.secrets.name }}
                  key: {{ $key }}
            {{- end }}
            {{- range .values.env }}
            {{- if or (eq .name "ENVIRONMENT") (eq .name "PORT") (hasKey $secretEnv .name) }}
            {{- fail (printf "%s.env sets %s, which the chart sets itself (from global.environment, %s.containerPort or the secret %s): remove it" $.component .name $.component $.root.Values.secrets.name) }}
            {{- end }}
            {{- toYaml (list .) | nindent 12 }}
            {{- end }}
          {{- include "mindhit.probes" .values.probes | nindent 10 }}
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          securityContext:
            {{- toYaml .root.Values.securityContext | nindent 12 }}
          volumeMounts:
            # The root filesystem is read-only; give the process a scratch directory.
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
      {{- with .values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/*
Liveness and readiness probes from a component's `probes`: type http (GET path on the http port),
exec (run command), or none (no probes: the kubelet restarts the container only when it exits).
*/}}
{{- define "mindhit.probes" -}}
{{- $handler := dict }}
{{- if eq .type "http" }}
{{- $handler = dict "httpGet" (dict "path" .path "port" "http") }}
{{- else if eq .type "exec" }}
{{- $handler = dict "exec" (dict "command" .command) }}
{{- end }}
{{- if ne .type "none" }}
livenessProbe:
  {{- toYaml (merge (deepCopy $handler) .liveness) | nindent 2 }}
readinessProbe:
  {{- toYaml (merge (deepCopy $handler) .readiness) | nindent 2 }}
{{- end }}
{{- end }}

{{/* HorizontalPodAutoscaler (autoscaling/v2) on CPU utilisation, when hpa.enabled. */}}
{{- define "mindhit.hpa" -}}
{{- if .values.hpa.enabled }}
{{- $ctx := dict "root" .root "component" .component }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "mindhit.componentName" $ctx }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "mindhit.labels" $ctx | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "mindhit.componentName" $ctx }}
  minReplicas: {{ .values.hpa.minReplicas }}
  maxReplicas: {{ .values.hpa.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .values.hpa.targetCPUUtilization }}
{{- end }}
{{- end }}

{{/* PodDisruptionBudget: node drains and upgrades take at most maxUnavailable pods at once. */}}
{{- define "mindhit.pdb" -}}
{{- if .values.podDisruptionBudget.enabled }}
{{- $ctx := dict "root" .root "component" .component }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "mindhit.componentName" $ctx }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "mindhit.labels" $ctx | nindent 4 }}
spec:
  maxUnavailable: {{ .values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "mindhit.selectorLabels" $ctx | nindent 6 }}
{{- end }}
{{- end }}

{{/* ServiceAccount, annotated with its IRSA role when one is set. */}}
{{- define "mindhit.serviceAccount" -}}
{{- if .values.serviceAccount.create }}
{{- $ctx := dict "root" .root "component" .component }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "mindhit.serviceAccountName" $ctx }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "mindhit.labels" $ctx | nindent 4 }}
  {{- if or .values.serviceAccount.roleArn .values.serviceAccount.annotations }}
  annotations:
    {{- with .values.serviceAccount.roleArn }}
    eks.amazonaws.com/role-arn: {{ . | quote }}
    {{- end }}
    {{- with .values.serviceAccount.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end }}

{{/* Egress rule: CoreDNS in kube-system, port 53 over UDP and TCP. */}}
{{- define "mindhit.dnsEgress" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}

{{/*
NetworkPolicy: ingress only on the component's http port (the api's traffic, the worker's health
checks); egress, when networkPolicy.egress.enabled, only to cluster DNS, PostgreSQL and Redis in
the VPC, HTTPS (AWS APIs, external APIs) and whatever networkPolicy.egress.extra adds.
*/}}
{{- define "mindhit.networkPolicy" -}}
{{- if .root.Values.networkPolicy.enabled }}
{{- $ctx := dict "root" .root "component" .component }}
{{- $egress := .root.Values.networkPolicy.egress }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "mindhit.componentName" $ctx }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "mindhit.labels" $ctx | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "mindhit.selectorLabels" $ctx | nindent 6 }}
  policyTypes:
    - Ingress
    {{- if $egress.enabled }}
    - Egress
    {{- end }}
  ingress:
    # The ALB targets pod IPs directly (target-type ip) and kubelet probes the same port: both come
    # from inside the VPC, so only the VPC (when known) may connect, on the http port only.
    - ports:
        - port: http
          protocol: TCP
      {{- with $egress.vpcCidr }}
      from:
        - ipBlock:
            cidr: {{ . }}
      {{- end }}
  {{- if $egress.enabled }}
  egress:
    {{- include "mindhit.dnsEgress" .root | nindent 4 }}
    {{- with $egress.vpcCidr }}
    - to:
        - ipBlock:
            cidr: {{ . }}
      ports:
        - port: {{ $egress.postgresPort }}
          protocol: TCP
        - port: {{ $egress.redisPort }}
          protocol: TCP
    {{- end }}
    {{- if $egress.httpsCidrs }}
    - to:
        {{- range $egress.httpsCidrs }}
        - ipBlock:
            cidr: {{ . }}
        {{- end }}
      ports:
        - port: 443
          protocol: TCP
    {{- end }}
    {{- with $egress.extra }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}
