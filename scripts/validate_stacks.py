"""`terraform init -backend=false` + `terraform validate` of every synthesized stack with the real
provider binaries (scripts/providers.sh), two at a time. Errors fail; so does any warning not
listed, with its reason, in __tests__/integration/validate-allowed-warnings.json.

Usage: validate_stacks.py <terraform> <work-dir> <label>=<synth-dir>[:<json-synth-dir>] ...
(<json-synth-dir>: where to read an HCL synth's provider list from, the JSON synth of the same run.)"""
import concurrent.futures
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "__tests__", "integration"))
from stack_workdir import prepare, required_providers, standin_notes, terraform  # noqa: E402

ALLOWED = os.path.join(os.path.dirname(__file__), "..", "__tests__", "integration", "validate-allowed-warnings.json")


def jobs(work_dir, specs):
    for spec in specs:
        label, dirs = spec.split("=", 1)
        synth_dir, _, json_dir = dirs.partition(":")
        for stack in sorted(os.listdir(os.path.join(synth_dir, "stacks"))):
            with open(os.path.join(json_dir or synth_dir, "stacks", stack, "cdk.tf.json")) as handle:
                providers = required_providers(json.load(handle))
            yield label, stack, os.path.join(synth_dir, "stacks", stack), os.path.join(work_dir, label, stack), providers


def validate(terraform_bin, job):
    label, stack, source, target, providers = job
    prepare(source, target, providers)
    init = terraform(terraform_bin, target, "init", "-backend=false", "-input=false", "-no-color")
    if init.returncode != 0:
        return label, stack, [{"severity": "error", "summary": "terraform init failed", "detail": (init.stderr + init.stdout)[-2000:]}]
    result = terraform(terraform_bin, target, "validate", "-json", "-no-color")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return label, stack, [{"severity": "error", "summary": "terraform validate printed no JSON", "detail": (result.stderr + result.stdout)[-2000:]}]
    return label, stack, report.get("diagnostics", [])


def allowed(diagnostic, allow_list):
    return diagnostic["severity"] == "warning" and any(entry["summary"] == diagnostic["summary"] for entry in allow_list)


def main():
    terraform_bin, work_dir, *specs = sys.argv[1:]
    with open(ALLOWED) as handle:
        allow_list = json.load(handle)["warnings"]
    for note in standin_notes():
        print(f"validate: {note}", file=sys.stderr)
    started = time.monotonic()
    problems, count = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for label, stack, diagnostics in pool.map(lambda job: validate(terraform_bin, job), list(jobs(work_dir, specs))):
            count += 1
            for d in diagnostics:
                if allowed(d, allow_list):
                    continue
                where = d.get("range", {})
                place = f"{where.get('filename', '')}:{where.get('start', {}).get('line', '')}" if where else ""
                problems.append(f"{label}/{stack}: {d['severity']}: {d['summary']} {place}\n    {d.get('detail', '').strip()[:600]}")
    for problem in problems:
        print(problem, file=sys.stderr)
    elapsed = time.monotonic() - started
    if problems:
        print(f"validate: {len(problems)} problems in {count} stack configurations ({elapsed:.0f} s)", file=sys.stderr)
        sys.exit(1)
    print(f"validate ok: {count} stack configurations valid with real providers, no unlisted warnings ({elapsed:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
