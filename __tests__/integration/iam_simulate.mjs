// Evaluates IAM requests against a role's policies with @cloud-copilot/iam-simulate, an
// implementation of AWS's published policy evaluation logic (identity policies, permissions
// boundary, resource policy, conditions, with the Service Authorization Reference's actions,
// resource types and condition keys). Used by test_iam.py: JSON on stdin, JSON on stdout.
//
// stdin:  { account, roles: { <name>: { identity_policies: [{name, policy}], boundary: {name, policy} | null, trust } },
//           requests: [{ id, role, principal, action, resource, context, resource_policy? }],
//           resource_policies: { <key>: policy }  (a key policy, a bucket, secret or topic policy),
//           trust_requests: [{ id, role, principal, context, action? (default sts:AssumeRoleWithWebIdentity),
//                              principal_policies? (the principal's identity policies: a role trusting an
//                              account's root lets that account's principals in only as their policies allow) }] }
//           (a request's resource is in `resource_account`, else in its principal's account)
// stdout: [{ id, result: "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied", denied_by: [sid], wildcard: bool, error? }]
import { createValidatedPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";

const input = JSON.parse(
  await new Promise((resolve) => {
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk));
    process.stdin.on("end", () => resolve(text));
  }),
);

function denyingStatements(analysis) {
  const sids = [];
  for (const part of [analysis?.identityAnalysis, analysis?.permissionBoundaryAnalysis, analysis?.resourceAnalysis]) {
    for (const deny of part?.denyStatements ?? []) sids.push(`${deny.policyId}:${deny.statement.Sid ?? "(no Sid)"}`);
  }
  return sids;
}

// The account a request's resource lives in: given, or the principal's own (every request the
// stages recorded is made in the caller's account; the cross-account attacks name theirs).
const accountOf = (request) => request.resource_account ?? request.principal?.split(":")[4] ?? input.account;

async function simulate(request, resource) {
  const role = input.roles[request.role];
  return runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource, accountId: accountOf(request) },
        contextVariables: request.context,
      },
      identityPolicies: role.identity_policies,
      permissionBoundaryPolicies: role.boundary ? [role.boundary] : undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resource_policy ? input.resource_policies[request.resource_policy] : undefined,
    },
    {},
  );
}

const results = [];
for (const request of input.requests) {
  let outcome = await simulate(request, request.resource);
  let wildcard = request.resource === "*";
  // The resource the log names may not be one this action is authorized on (a request naming a
  // related resource), or the action takes no resource: evaluate it over all its resources.
  if (outcome.resultType === "error" && ["no.resource.types", "must.use.wildcard"].includes(outcome.errors?.message)) {
    outcome = await simulate(request, "*");
    wildcard = true;
  }
  if (outcome.resultType === "error") {
    results.push({ id: request.id, result: "Error", error: JSON.stringify(outcome.errors), denied_by: [], wildcard });
    continue;
  }
  const analyses = outcome.resultType === "single" ? [outcome.result.analysis] : outcome.results.map((r) => r.analysis);
  results.push({ id: request.id, result: outcome.overallResult, denied_by: [...new Set(analyses.flatMap(denyingStatements))], wildcard });
}

// Trust policies: the token's claims (token.actions.githubusercontent.com:sub, :aud) are keys of an
// OIDC provider, not of the Service Authorization Reference, so runSimulation would drop them as
// unknown; the unsafe entry point evaluates the given context as is.
for (const request of input.trust_requests ?? []) {
  const role = input.roles[request.role];
  const result = runUnsafeSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action ?? "sts:AssumeRoleWithWebIdentity",
        resource: { resource: role.arn, accountId: role.arn.split(":")[4] },
        contextVariables: request.context,
      },
      identityPolicies: request.principal_policies ?? [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // Named, as the engine reports which policy decided (the unsafe entry point names none).
      resourcePolicy: createValidatedPolicy(role.trust, () => [], { name: "trust" }),
    },
    {},
  );
  // The overall result only (this entry point returns no analysis): a federated principal has no
  // identity policy, so the trust policy alone decides.
  results.push({ id: request.id, result, denied_by: [], wildcard: false });
}

process.stdout.write(JSON.stringify(results));
