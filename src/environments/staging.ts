import { variantOf } from "../config";
import { prod } from "./prod";

/**
 * Staging: a smaller, cheaper copy of prod. Everything not listed here is prod's value, so this
 * is the complete list of differences. Its identity (state keys, mindhit-staging resources and
 * repositories, api.staging.mindhit.io, values-staging.yaml) derives from its name.
 */
export const staging = variantOf(prod, {
  name: "staging",
  // The non-production account (the AWS documentation's example ID: put yours here). Other
  // non-production environments may join it; nothing isolates environments that share an account.
  account: "444455556666",
  tier: "non-production",
  network: { natGateways: "single" },
  // Staging keeps the seed's public endpoint, so GitHub-hosted runners can deploy it (every call
  // still needs IAM authentication and an access entry). Narrow it to known ranges if you can.
  cluster: { nodeDesiredSize: 1, nodeMaxSize: 3, deletionProtection: false, publicAccessCidrs: ["0.0.0.0/0"], spotNodeGroup: { enabled: false } },
  database: { instanceClass: "db.t3.micro", multiAz: false, backupRetentionPeriod: 7 },
  cache: { replicas: 0, snapshotRetentionLimit: 1 },
  alerting: {
    // db.t3.micro allows about 110 connections.
    thresholds: { rdsConnections: 90, rdsFreeStorageGiB: 2, rdsFreeableMemoryMiB: 128 },
  },
  assets: { enabled: false },
  prometheus: { enabled: false },
  backup: { objectLockDays: 0, vault: { retentionDays: 7, lock: "off" }, logicalDumps: { enabled: false } },
});
