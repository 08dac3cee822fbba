#!/usr/bin/env python3
"""Runs checkov over the synthesized Terraform of every stack and the rendered chart manifests,
and fails on: any failed check not suppressed in checkov/suppressions.yaml, any suppression that
matches no failure, a parsing error, or a resource checkov should have scanned but did not.

Usage (with the project venv's python): checkov_gate.py <synth outdir> <rendered manifests dir> <work dir>
"""
import fnmatch
import json
import os
import shutil
import subprocess
import sys

import yaml
from checkov.terraform.checks.resource.registry import resource_registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKOV = os.path.join(os.path.dirname(sys.executable), "checkov")
# Types with checks that read only a policy document's *content*: ours come from
# aws_iam_policy_document data sources, which checkov scans themselves (its data checks).
POLICY_REFERENCE_TYPES = {"aws_sns_topic_policy", "aws_ecr_repository_policy"}
# Kinds checkov's Kubernetes checks must report on in every rendered manifest.
SCANNED_KINDS = {"Deployment", "Service", "ServiceAccount", "Ingress"}


def prepare_terraform(synth_dir, work_dir):
    """Copies each stack's cdk.tf.json, minus the terraform{} plain values checkov crashes on (#7454)."""
    stacks = {}
    for stack in sorted(os.listdir(os.path.join(synth_dir, "stacks"))):
        with open(os.path.join(synth_dir, "stacks", stack, "cdk.tf.json")) as handle:
            doc = json.load(handle)
        doc["terraform"].pop("required_version", None)
        os.makedirs(os.path.join(work_dir, stack))
        with open(os.path.join(work_dir, stack, "cdk.tf.json"), "w") as handle:
            json.dump(doc, handle)
        stacks[stack] = doc
    return stacks


def run_checkov(directory, framework):
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false", LOG_LEVEL="WARNING")
    cmd = [CHECKOV, "-d", directory, "--framework", framework, "--skip-download", "--compact", "-o", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    try:
        reports = json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"checkov ({framework}) produced no JSON report (exit {proc.returncode})")
    return reports if isinstance(reports, list) else [reports]


def scan_name(file_path):
    """The stack (Terraform: <stack>/cdk.tf.json) or the rendered values file (Kubernetes: <name>.yaml)."""
    parts = [p for p in file_path.split("/") if p]
    return parts[-2] if parts[-1] == "cdk.tf.json" else os.path.splitext(parts[-1])[0]


def main():
    synth_dir, rendered_dir, work_dir = sys.argv[1:4]
    with open(os.path.join(ROOT, "checkov", "suppressions.yaml")) as handle:
        suppressions = yaml.safe_load(handle)
    shutil.rmtree(work_dir, ignore_errors=True)
    tf_dir = os.path.join(work_dir, "terraform")
    stacks = prepare_terraform(synth_dir, tf_dir)

    failures, unmatched, used = [], [], set()
    seen = {}
    totals = {"passed": 0, "failed": 0}
    for framework, directory in (("terraform_json", tf_dir), ("kubernetes", rendered_dir)):
        for report in run_checkov(directory, framework):
            summary = report["summary"]
            if summary.get("parsing_errors"):
                raise SystemExit(f"checkov could not parse {summary['parsing_errors']} file(s) ({framework})")
            totals["passed"] += summary["passed"]
            totals["failed"] += summary["failed"]
            results = report["results"]
            for result in results["passed_checks"] + results["failed_checks"] + results.get("skipped_checks", []):
                seen.setdefault(scan_name(result["file_path"]), set()).add(result["resource"])
            for failed in results["failed_checks"]:
                subject = f"{scan_name(failed['file_path'])}/{failed['resource']}"
                matches = [
                    i for i, s in enumerate(suppressions)
                    if failed["check_id"] in s["checks"] and any(fnmatch.fnmatchcase(subject, p) for p in s["resources"])
                ]
                if matches:
                    used.update((i, failed["check_id"]) for i in matches)
                else:
                    failures.append(f"{failed['check_id']} {subject}: {failed['check_name']}")
    for i, entry in enumerate(suppressions):
        for check in entry["checks"]:
            if (i, check) not in used:
                unmatched.append(f"{check} on {entry['resources']} (entry {i + 1})")

    # Coverage: every synthesized resource of a type checkov has checks for must appear in its results.
    checked_types = set(resource_registry.checks.keys()) - POLICY_REFERENCE_TYPES
    missing = []
    for stack, doc in stacks.items():
        resources = [(rtype, name) for rtype, by_name in doc.get("resource", {}).items() for name in by_name]
        expected = [(t, n) for t, n in resources if t in checked_types]
        scanned = seen.get(stack, set())
        names_seen = {r.split(".")[-1] for r in scanned}
        missing += [f"{stack}/{t}.{n}" for t, n in expected if n not in names_seen]
        print(f"checkov: {stack}: {len(resources)} resources, {len(expected)} of checked types, {len(expected) - len([m for m in missing if m.startswith(stack + '/')])} scanned")
    for manifest in sorted(os.listdir(rendered_dir)):
        name = os.path.splitext(manifest)[0]
        with open(os.path.join(rendered_dir, manifest)) as handle:
            docs = [d for d in yaml.safe_load_all(handle) if d]
        expected = {f"{d['kind']}.{d['metadata'].get('namespace', 'default')}.{d['metadata']['name']}" for d in docs if d["kind"] in SCANNED_KINDS}
        missing += [f"{name}/{r}" for r in sorted(expected - seen.get(name, set()))]
        print(f"checkov: {manifest}: {len(docs)} objects, {len(expected)} workload/network objects, {len(expected & seen.get(name, set()))} scanned")

    print(f"checkov: {totals['passed']} passed, {totals['failed']} failed, {totals['failed'] - len(failures)} of them suppressed "
          f"({len(suppressions)} suppression entries, {sum(len(s['checks']) for s in suppressions)} check ids)")
    problems = [f"unsuppressed failure: {f}" for f in failures]
    problems += [f"stale suppression (matches no failure): {u}" for u in unmatched]
    problems += [f"not scanned by checkov: {m}" for m in missing]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        raise SystemExit(f"checkov gate failed: {len(problems)} problem(s)")


if __name__ == "__main__":
    main()
