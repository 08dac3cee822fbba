"""Compares two synth output trees (<dir>/<backend>/stacks/<stack>/cdk.tf.json, as written by
lib.sh's synth_backends) stack by stack, metadata aside, and prints one line per differing stack
with the JSON paths that differ, then a summary. Shared by compare-synth.sh (a refactor's proof)
and verify-cdktn.sh (CDK Terrain's core in place of cdktf).

Usage: synth_diff.py BEFORE AFTER LABEL [--strict]   (--strict: exit 1 on any difference)
"""
import json
import os
import sys

MAX_PATHS = 20


def paths_that_differ(a, b, path):
    """Leaf paths (dotted) where a and b differ: added, removed or changed."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(set(a) | set(b)):
            if key not in a:
                found.append(f"{path}.{key} added")
            elif key not in b:
                found.append(f"{path}.{key} removed")
            elif a[key] != b[key]:
                found.extend(paths_that_differ(a[key], b[key], f"{path}.{key}"))
        return found
    return [] if a == b else [f"{path} changed"]


def load(file):
    with open(file) as handle:
        doc = json.load(handle)
    doc.pop("//", None)  # cdktf's metadata (construct paths, versions)
    return doc


def main():
    args = [a for a in sys.argv[1:] if a != "--strict"]
    strict = "--strict" in sys.argv[1:]
    before, after, label = args
    changed = identical = 0
    backends = sorted(set(os.listdir(before)) | set(os.listdir(after)))
    for backend in backends:
        listed = [os.path.join(d, backend, "stacks") for d in (before, after)]
        names = sorted(set().union(*(os.listdir(d) for d in listed if os.path.isdir(d))))
        for name in names:
            files = [os.path.join(d, name, "cdk.tf.json") for d in listed]
            if not all(os.path.exists(f) for f in files):
                print(f"{backend} {name}: only {'after' if os.path.exists(files[1]) else 'before'}")
                changed += 1
                continue
            a, b = (load(f) for f in files)
            if a == b:
                identical += 1
                continue
            changed += 1
            diffs = paths_that_differ(a, b, "")
            shown = "; ".join(d.lstrip(".") for d in diffs[:MAX_PATHS]) + (" …" if len(diffs) > MAX_PATHS else "")
            print(f"{backend} {name}: {len(diffs)} differences: {shown}")
    print(f"{label}: {identical} stack syntheses identical, {changed} differ (JSON, metadata aside)")
    if identical + changed == 0:
        print(f"{label}: no stacks found under {before} and {after}")
        return 1
    return 1 if strict and changed else 0


if __name__ == "__main__":
    sys.exit(main())
