import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** Every job of every workflow, with its steps in order. */
interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
}
const workflowsDir = path.join(__dirname, "..", "..", ".github", "workflows");
const jobs = fs
  .readdirSync(workflowsDir)
  .filter((file) => file.endsWith(".yml"))
  .flatMap((file) => {
    const workflow = parse(fs.readFileSync(path.join(workflowsDir, file), "utf8"), { merge: true }) as { jobs: Record<string, { steps?: Step[] }> };
    return Object.entries(workflow.jobs).map(([id, job]) => [`${file} ${id}`, job.steps ?? []] as const);
  });

describe("workflows", () => {
  const withCredentials = jobs.filter(([, steps]) => steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")));

  it("some jobs assume AWS roles (the check below has something to check)", () => {
    expect(withCredentials.length).toBeGreaterThanOrEqual(3);
  });

  it.each(withCredentials)("%s installs dependencies before it holds AWS credentials (install scripts never see them)", (_job, steps) => {
    const credentials = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    const installs = steps.flatMap((s, i) => (/\bnpm (ci|install|i)\b/.test(s.run ?? "") ? [i] : []));
    expect(installs.length).toBeGreaterThan(0);
    expect(installs.filter((i) => i > credentials)).toEqual([]);
  });
});
