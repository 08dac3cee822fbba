#!/usr/bin/env python3
"""The two dependency profiles' synths against their list of differences.

Usage: cdktn_profile_diff.py CDKTF_DIR CDKTN_DIR FIXTURE
Each DIR holds {s3,cloud}/stacks/<stack>/cdk.tf.json (scripts/cdktn-profile.sh diff). Every leaf
difference (metadata aside) must match exactly one entry of FIXTURE (path, before, after), and each
entry must match in exactly the syntheses its `where` names ("all", or "apps": the -apps stacks).
Prints the differences found and exits 1 on any unlisted, unmatched or misplaced one.
"""
import json
import os
import sys

BACKENDS = ("s3", "cloud")
MISSING = "<absent>"


def leaves(before, after, path, out):
    """(path, before, after) for each leaf where the two documents differ."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            sub = f"{path}.{key}" if path else key
            leaves(before.get(key, MISSING), after.get(key, MISSING), sub, out)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (b, a) in enumerate(zip(before, after)):
            leaves(b, a, f"{path}[{i}]", out)
    elif before != after:
        out.append((path, before, after))


def syntheses(root):
    names = set()
    for backend in BACKENDS:
        stacks = os.path.join(root, backend, "stacks")
        names |= {(backend, s) for s in os.listdir(stacks)} if os.path.isdir(stacks) else set()
    return names


def selected(where, stack):
    return where == "all" or (where == "apps" and stack.endswith("-apps"))


def main(cdktf_dir, cdktn_dir, fixture_path):
    entries = json.load(open(fixture_path))["differences"]
    problems = []
    found = {i: set() for i in range(len(entries))}
    all_syntheses = syntheses(cdktf_dir) | syntheses(cdktn_dir)
    if not all_syntheses:
        problems.append("no syntheses found")
    for backend, stack in sorted(all_syntheses):
        docs = []
        for root in (cdktf_dir, cdktn_dir):
            file = os.path.join(root, backend, "stacks", stack, "cdk.tf.json")
            if not os.path.exists(file):
                problems.append(f"{backend} {stack}: only one profile synthesized it (missing {file})")
                break
            doc = json.load(open(file))
            doc.pop("//", None)  # metadata: construct paths, the core's version
            docs.append(doc)
        if len(docs) != 2:
            continue
        diffs = []
        leaves(docs[0], docs[1], "", diffs)
        for path, before, after in diffs:
            matches = [i for i, e in enumerate(entries) if (e["path"], e["before"], e["after"]) == (path, before, after)]
            line = f"{backend} {stack}: {path}: {json.dumps(before)} -> {json.dumps(after)}"
            if len(matches) != 1:
                problems.append(f"{line} ({'not in the fixture' if not matches else 'matches several entries'})")
                continue
            found[matches[0]].add((backend, stack))
            print(f"listed   {line}")
    for i, entry in enumerate(entries):
        expected = {(b, s) for b, s in all_syntheses if selected(entry["where"], s)}
        if found[i] != expected:
            missing = sorted(expected - found[i])
            extra = sorted(found[i] - expected)
            problems.append(
                f"fixture entry {entry['path']} ({entry['before']} -> {entry['after']}, where {entry['where']}): "
                + (f"not found in {missing}" if missing else "")
                + (f"; also in {extra}" if extra else "")
            )
    for problem in problems:
        print(f"UNLISTED {problem}")
    total = sum(len(v) for v in found.values())
    print(f"cdktn profile diff: {len(all_syntheses)} syntheses, {total} listed differences of {len(entries)} kinds, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
