import type { ProjectSettings } from "../config";

/** Project-wide settings: the domain, the state layout every account's bootstrap creates (seed Step 13.1), CI's repository. */
export const project: ProjectSettings = {
  project: "mindhit",
  managedBy: "cdktf",
  domain: "mindhit.io",
  // The registered domain's zone exists in production's account; set true to have that account's
  // bootstrap stack create it. Zones below the domain live in their environments' accounts (staging.mindhit.io in staging's);
  // list each with the name servers its account's bootstrap printed, and the domain's account
  // delegates to it (docs/operations/first-deploy.md, step 3).
  dns: { createHostedZone: false, delegations: [] },
  // CloudTrail, GuardDuty and security alarms from an account-baseline stack per account; set
  // provider "organization" when an organization-wide baseline already covers the accounts.
  accountBaseline: { provider: "project", alertEmails: ["security@mindhit.io"] },
  state: {
    lockTable: "mindhit-terraform-locks",
    region: "ap-northeast-2",
    useS3NativeLocking: false,
  },
  github: {
    repository: "mindhit/mindhit-infra",
    deployBranch: "main",
  },
};
