import type { ProjectSettings } from "../config";

/** Project-wide settings: the state bucket and lock table every stack shares (seed Step 13.1). */
export const project: ProjectSettings = {
  project: "mindhit",
  managedBy: "cdktf",
  domain: "mindhit.io",
  // The registered domain's zone exists; set true to have the bootstrap stack create it.
  dns: { createHostedZone: false },
  // CloudTrail, GuardDuty and security alarms from this project's account-baseline stack; set
  // provider "organization" when an organization-wide baseline already covers the account.
  accountBaseline: { provider: "project", alertEmails: ["security@mindhit.io"] },
  state: {
    bucket: "mindhit-terraform-state",
    lockTable: "mindhit-terraform-locks",
    region: "ap-northeast-2",
    useS3NativeLocking: false,
  },
  github: {
    repository: "mindhit/mindhit-infra",
    deployBranch: "main",
  },
};
