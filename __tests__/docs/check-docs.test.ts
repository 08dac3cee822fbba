/**
 * The docs checker catches each kind of wrong claim the operator docs had, and accepts the right
 * form of each: one small document per rule, against a fixed set of facts.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DocsChecker, DocsFacts, headingAnchors, shellCommands } from "../../src/docs/check-docs";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "docs-check-"));
fs.mkdirSync(path.join(root, "scripts"));
fs.mkdirSync(path.join(root, "helm", "mindhit"), { recursive: true });
fs.writeFileSync(path.join(root, "scripts", "rollback.sh"), "#!/bin/sh\n");
fs.writeFileSync(path.join(root, "other.md"), "# Other\n\n## 3. Access\n");

const facts: DocsFacts = {
  stacks: new Map([
    ["mindhit-state-bootstrap", []],
    ["mindhit-prod", []],
    ["mindhit-prod-apps", ["mindhit-prod"]],
  ]),
  outputs: new Set(["eks_cluster_admin_role_arn", "backups_bucket"]),
  stateKeys: new Set(["production/terraform.tfstate", "production/apps/terraform.tfstate"]),
  stateBuckets: new Set(["mindhit-terraform-state"]),
  names: new Set([
    "mindhit-production",
    "mindhit-production-eks-admin",
    "mindhit-production/app",
    "/mindhit/production/image-tags/api",
    "mindhit-production-backups-TFREF",
    "mindhit-api",
  ]),
  buckets: new Set(["mindhit-terraform-state", "mindhit-production-backups-TFREF"]),
  hosts: new Set(["mindhit.io", "api.mindhit.io"]),
  namespaces: new Set(["mindhit", "kube-system", "external-secrets"]),
  releases: new Set(["mindhit", "external-secrets"]),
  npmScripts: new Set(["synth", "test"]),
  project: "mindhit",
  scriptFlags: (script) => (script === "scripts/rollback.sh" ? new Set(["--dry-run", "--namespace", "-h", "--help"]) : undefined),
  repoRoot: root,
};

/** The problems the checker reports for one document. */
function problemsIn(markdown: string): string[] {
  fs.writeFileSync(path.join(root, "doc.md"), markdown);
  return new DocsChecker(facts).checkFiles(["doc.md"]).problems.map((p) => p.message);
}
const bash = (...lines: string[]): string => ["```bash", ...lines, "```", ""].join("\n");

describe("what the docs check refuses, and the right form it accepts", () => {
  const cases: ReadonlyArray<readonly [string, string, RegExp | undefined]> = [
    ["an -apps stack deployed alone", bash("npx cdktf deploy mindhit-prod-apps"), /cdktf refuses to deploy mindhit-prod-apps without mindhit-prod/],
    ["… with the flag", bash("npx cdktf deploy mindhit-prod-apps --ignore-missing-stack-dependencies"), undefined],
    ["… with its platform stack", bash("npx cdktf deploy mindhit-prod mindhit-prod-apps"), undefined],
    ["a platform stack destroyed before its -apps stack", bash("npx cdktf destroy mindhit-prod"), /still depends on it/],
    ["a stack that does not exist", bash("npx cdktf diff mindhit-production"), /no stack mindhit-production/],
    ["a stack pattern", "Run `cdktf deploy '*'`.\n", /matches mindhit-state-bootstrap/],
    ["a role that is not built", bash("aws iam get-role --role-name mindhit-github-deploy"), /`mindhit-github-deploy` names nothing/],
    ["… one that is", bash("aws iam get-role --role-name mindhit-production-eks-admin"), undefined],
    ["a name with a placeholder", "The bucket `mindhit-production-backups-<account-id>`.\n", undefined],
    ["an object path in a stack's bucket", "Dumps go to `s3://mindhit-production-backups-<account>/postgres/`.\n", undefined],
    ["a misspelt secret in an ARN", "Read `arn:aws:secretsmanager:ap-northeast-2:1:secret:mindhit-prod/app`.\n", /`mindhit-prod\/app` names nothing/],
    ["a local profile name", bash("aws eks update-kubeconfig --name mindhit-production --profile mindhit-whatever-admin"), undefined],
    ["an output that does not exist", "Copy the output `github_deploy_role_arn`.\n", /output `github_deploy_role_arn` is not an output/],
    ["… one that does", "Copy the output `eks_cluster_admin_role_arn`.\n", undefined],
    ["terraform output of a missing output", bash("terraform output -raw cluster_admin_arn"), /no stack has an output cluster_admin_arn/],
    ["a state key no stack uses", "State is in `s3://mindhit-terraform-state/prod/terraform.tfstate`.\n", /state key `prod\/terraform.tfstate` is not used/],
    ["a LockID", "The lock `mindhit-terraform-state/production/apps/terraform.tfstate-md5`.\n", undefined],
    ["a namespace nothing creates", bash("kubectl get pods -n monitoring"), /namespace monitoring is not one/],
    ["a Helm release that does not exist", bash("helm history mindhit-production -n mindhit"), /no Helm release mindhit-production/],
    ["a script flag its --help does not list", bash("scripts/rollback.sh --force prod"), /--help lists no --force/],
    ["… one it lists", bash("bash scripts/rollback.sh --dry-run prod"), undefined],
    ["a missing script", bash("bash scripts/undo.sh"), /scripts\/undo.sh does not exist/],
    ["an npm script that does not exist", bash("npm run deploy"), /package.json has no script "deploy"/],
    ["… one that does", bash("npm run --silent synth"), undefined],
    ["a link to a missing file", "See [the guide](missing.md).\n", /missing.md does not exist/],
    ["a link to a missing heading", "See [access](other.md#4-access).\n", /other.md has no heading #4-access/],
    ["… to a heading that exists", "See [access](other.md#3-access).\n", undefined],
    ["a host outside the stacks'", bash("curl https://mindhit.io/health"), undefined],
    [
      "a name the document declares it creates",
      "<!-- docs-check-allow: mindhit-production-restored -->\n\nRestore to `mindhit-production-restored`.\n",
      undefined,
    ],
    ["a repository path whose directory is missing", "Add `helm/charts/values-dev.yaml`.\n", /helm\/charts does not exist/],
    ["… one whose directory exists", "Add `helm/mindhit/values-dev.yaml`.\n", undefined],
  ];

  it.each(cases)("%s", (_label, markdown, expected) => {
    const problems = problemsIn(markdown);
    if (expected === undefined) expect(problems).toEqual([]);
    else expect(problems).toEqual([expect.stringMatching(expected)]);
  });
});

describe("reading shell out of Markdown", () => {
  it("joins continuations, splits && ; |, skips comments and heredoc bodies", () => {
    const commands = shellCommands(
      ["aws rds modify \\", "  --apply-immediately && echo ok # done", "cat <<'EOF' | kubectl apply -f -", "kind: Pod", "EOF", "ls; pwd"].join("\n"),
      1,
    );
    expect(commands.map((c) => c.words)).toEqual([
      ["aws", "rds", "modify", "--apply-immediately"],
      ["echo", "ok"],
      ["cat", "<<EOF"],
      ["kubectl", "apply", "-f", "-"],
      ["ls"],
      ["pwd"],
    ]);
  });

  it("keeps quoted text and $(…) as one word", () => {
    expect(shellCommands(`aws ssm put-parameter --value "$(git rev-parse HEAD)" --name '/a b'`, 1)[0].words).toEqual([
      "aws",
      "ssm",
      "put-parameter",
      "--value",
      "$(git rev-parse HEAD)",
      "--name",
      "/a b",
    ]);
  });

  it("makes GitHub's heading anchors", () => {
    expect([...headingAnchors("## 10a. Terraform state: re-encrypt `kms_key_id`\n## Notes\n## Notes\n")]).toEqual([
      "10a-terraform-state-re-encrypt-kms_key_id",
      "notes",
      "notes-1",
    ]);
  });
});
