/**
 * In-cluster monitoring (seed 004's Prometheus and alert rules, seed 000's Grafana and
 * Alertmanager): the kube-prometheus-stack chart's values, typed. The releases themselves are made
 * by the apps stack; the app's ServiceMonitor and PrometheusRule come with its own chart.
 */
import { ProblemSink } from "../../validation";
import { checkWhole } from "../../validation";
import { Defaults, withDefaults } from "../shared/defaults";

export interface PrometheusSettings {
  /** Days Prometheus keeps samples. @default 15 */
  readonly retentionDays?: number;
  /** Size of Prometheus's encrypted gp3 volume, GiB; samples are also dropped before it fills. @default 50 */
  readonly storageGiB?: number;
}

export const PROMETHEUS_DEFAULTS = {
  retentionDays: 15,
  storageGiB: 50,
} as const satisfies Defaults<PrometheusSettings>;

/** EBS gp3 volumes are 1 GiB to 16 TiB; under 10 GiB a day of a small cluster's samples barely fits. */
const STORAGE_GIB = { min: 10, max: 16384 } as const;
/**
 * Prometheus drops the oldest blocks once the data passes this share of the volume, whatever the
 * retention: a full disk stops ingestion (and the WAL replay after it needs headroom too).
 */
export const RETENTION_SIZE_SHARE = 0.85;

export function checkPrometheusSettings(problems: ProblemSink, settings: PrometheusSettings): void {
  const { retentionDays, storageGiB } = withDefaults(settings, PROMETHEUS_DEFAULTS);
  checkWhole(problems, "retentionDays", retentionDays, 1, 365);
  checkWhole(problems, "storageGiB", storageGiB, STORAGE_GIB.min, STORAGE_GIB.max);
}

/** The namespace kube-prometheus-stack runs in, and the names other pieces find its parts by. */
export const MONITORING = {
  namespace: "monitoring",
  release: "kube-prometheus-stack",
  /** Alertmanager's service account: its IRSA role may publish to the alert topic, nothing else. */
  alertmanagerServiceAccount: "alertmanager",
  /** The SecretStore's service account: its IRSA role is the only reader of the Grafana admin secret. */
  secretsServiceAccount: "grafana-secrets-reader",
  secretStoreName: "aws-secrets-manager",
  /** The Kubernetes Secret Grafana reads its admin login from (materialised by External Secrets). */
  grafanaAdminSecret: "grafana-admin",
  /** The StorageClass Prometheus's volume claims name. */
  storageClass: "gp3",
} as const;

/** The properties of the Grafana admin secret in Secrets Manager (JSON), as Grafana's chart reads them. */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;

export interface KubePrometheusStackValuesProps extends PrometheusSettings {
  /** Name of the environment, in each notification's title. */
  readonly environment: string;
  readonly region: string;
  /** The environment's alert topic (KMS-encrypted): Alertmanager publishes every alert there. */
  readonly alertTopicArn: string;
  /** IRSA role of Alertmanager's service account. */
  readonly alertmanagerRoleArn: string;
  /** Secrets Manager secret holding the Grafana admin login (`admin-user`, `admin-password`). */
  readonly grafanaAdminSecretName: string;
  /** IRSA role of the SecretStore's service account, which may read that secret only. */
  readonly secretsReaderRoleArn: string;
}

/**
 * AWS Chatbot's custom notification (JSON), so Alertmanager's alerts reach Slack through the same
 * topic and Chatbot configuration as the CloudWatch alarms; e-mail subscribers get the JSON as text.
 * `toJson` (Alertmanager ≥ 0.28) escapes whatever the alerts' labels and annotations hold.
 */
const CHATBOT_MESSAGE_TEMPLATE = `{{ define "mindhit.chatbot.message" -}}
{{- $title := printf "[%s%s] %s" (.Status | toUpper) (or (and (eq .Status "firing") (printf ":%d" (len .Alerts.Firing))) "") .CommonLabels.alertname -}}
{{- $description := "" -}}
{{- range .Alerts -}}
{{- $description = printf "%s%s: %s %s\\n" $description .Labels.severity .Annotations.summary .Annotations.description -}}
{{- end -}}
{"version":"1.0","source":"custom","content":{"textType":"client-markdown","title":{{ $title | toJson }},"description":{{ $description | toJson }}}}
{{- end }}
`;

/**
 * kube-prometheus-stack's values for this platform:
 * - CRDs from the separate prometheus-operator-crds release (a chart upgrade never drops them);
 * - no node-exporter: it needs host networking, host PID and host paths, which the namespace's
 *   Pod Security level (baseline) refuses; node CPU, memory and disk come from Container Insights
 *   (the CloudWatch add-on), node pressure from kube-state-metrics;
 * - no scraping of the control plane parts EKS hides (controller manager, scheduler, etcd) or of
 *   kube-proxy (metrics on 127.0.0.1): their targets would only be down, and alert;
 * - Prometheus selects every namespace's monitors and rules (the app's come with its chart), keeps
 *   `retentionDays`, on an encrypted gp3 volume it never fills;
 * - Alertmanager sends everything but the always-firing Watchdog to the alert topic through SNS,
 *   signed with its IRSA role; Grafana's admin login comes from Secrets Manager through External
 *   Secrets (never through Terraform).
 */
export function kubePrometheusStackValues(props: KubePrometheusStackValuesProps): Record<string, unknown> {
  const { retentionDays, storageGiB } = withDefaults(props, PROMETHEUS_DEFAULTS);
  const notify = {
    topic_arn: props.alertTopicArn,
    sigv4: { region: props.region },
    subject: `[${props.environment}] {{ .Status | toUpper }}: {{ .CommonLabels.alertname }}`,
    message: '{{ template "mindhit.chatbot.message" . }}',
    send_resolved: true,
  };
  return {
    crds: { enabled: false },
    nodeExporter: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    defaultRules: {
      rules: {
        etcd: false,
        kubeControllerManager: false,
        kubeSchedulerAlerting: false,
        kubeSchedulerRecording: false,
        kubeProxy: false,
        nodeExporterAlerting: false,
        nodeExporterRecording: false,
      },
    },
    prometheus: {
      prometheusSpec: {
        retention: `${retentionDays}d`,
        retentionSize: `${Math.floor(storageGiB * RETENTION_SIZE_SHARE)}GB`,
        storageSpec: {
          volumeClaimTemplate: {
            spec: { storageClassName: MONITORING.storageClass, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${storageGiB}Gi` } } },
          },
        },
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
      },
    },
    alertmanager: {
      serviceAccount: { create: true, name: MONITORING.alertmanagerServiceAccount, annotations: { "eks.amazonaws.com/role-arn": props.alertmanagerRoleArn } },
      templateFiles: { "mindhit-chatbot.tmpl": CHATBOT_MESSAGE_TEMPLATE },
      config: {
        route: {
          receiver: "alert-topic",
          group_by: ["alertname", "namespace"],
          group_wait: "30s",
          group_interval: "5m",
          repeat_interval: "4h",
          routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }],
        },
        receivers: [{ name: "null" }, { name: "alert-topic", sns_configs: [notify] }],
        templates: ["/etc/alertmanager/config/*.tmpl"],
      },
    },
    grafana: {
      admin: { existingSecret: MONITORING.grafanaAdminSecret, userKey: GRAFANA_ADMIN_KEYS.user, passwordKey: GRAFANA_ADMIN_KEYS.password },
    },
    // Installed with the release, so the Secret exists when Grafana starts (External Secrets' CRDs come first).
    extraManifests: grafanaAdminSecretObjects(props),
  };
}

/** A SecretStore authenticating as its own service account's IRSA role, and the ExternalSecret it serves. */
function grafanaAdminSecretObjects(props: KubePrometheusStackValuesProps): object[] {
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: MONITORING.secretsServiceAccount,
        namespace: MONITORING.namespace,
        annotations: { "eks.amazonaws.com/role-arn": props.secretsReaderRoleArn },
      },
      automountServiceAccountToken: false,
    },
    {
      apiVersion: "external-secrets.io/v1",
      kind: "SecretStore",
      metadata: { name: MONITORING.secretStoreName, namespace: MONITORING.namespace },
      spec: {
        provider: {
          aws: { service: "SecretsManager", region: props.region, auth: { jwt: { serviceAccountRef: { name: MONITORING.secretsServiceAccount } } } },
        },
      },
    },
    {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: { name: MONITORING.grafanaAdminSecret, namespace: MONITORING.namespace },
      spec: {
        refreshInterval: "1h",
        secretStoreRef: { kind: "SecretStore", name: MONITORING.secretStoreName },
        target: { name: MONITORING.grafanaAdminSecret, creationPolicy: "Owner" },
        data: Object.values(GRAFANA_ADMIN_KEYS).map((key) => ({ secretKey: key, remoteRef: { key: props.grafanaAdminSecretName, property: key } })),
      },
    },
  ];
}
