import type { EnvironmentConfig } from "../config";
import { prod } from "./prod";

/**
 * Staging: a smaller, cheaper copy of prod. Everything not listed here is prod's value,
 * so this file is the complete list of differences.
 */
export const staging: EnvironmentConfig = {
  ...prod,
  name: "staging",
  environment: "staging",
  resourceName: "mindhit-staging",
  network: { ...prod.network, natGateways: "single" },
  cluster: { ...prod.cluster, nodeDesiredSize: 1, nodeMaxSize: 3, deletionProtection: false },
  database: { ...prod.database, instanceClass: "db.t3.micro", multiAz: false },
  cache: { ...prod.cache, replicas: 0 },
  registry: { ...prod.registry, repositoryNames: ["mindhit-staging/api", "mindhit-staging/worker"] },
  release: { ...prod.release, valuesFile: "values-staging.yaml" },
  alerting: {
    ...prod.alerting,
    // db.t3.micro allows about 110 connections.
    thresholds: { ...prod.alerting.thresholds, rdsConnections: 90, rdsFreeStorageGiB: 2, rdsFreeableMemoryMiB: 128 },
  },
  backup: { ...prod.backup, rdsRetentionDays: 7, cacheSnapshotRetentionDays: 1 },
};
