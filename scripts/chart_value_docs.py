"""The chart's value documentation, read once from the `# --` comments on values.yaml (as helm-docs
renders them in the chart README's values table): every value must be described (itself or a
parent), and values.schema.json carries the same words as `description`s, so an editor shows what
the README does.

Usage: python3 scripts/chart_value_docs.py [--check] <chart dir>
Writes the schema's descriptions. --check: change nothing; exit 1 when a value is undescribed or
the schema's descriptions are not the comments'. Needs PyYAML (the tools venv has it)."""
import json
import os
import re
import sys

import yaml


def documented(readme):
    """path -> description, from helm-docs' `| Key | Type | Default | Description |` table. helm-docs
    lists an uncommented value too, with an empty description: only described rows count."""
    rows = re.findall(r"^\| ([^ |]+) \| [^|]+ \| .*? \| (.*) \|$", readme, re.M)
    return {path: description for path, description in rows if path != "Key" and description.strip()}


def leaves(node, path=""):
    if isinstance(node, dict) and node:
        for key, child in node.items():
            yield from leaves(child, f"{path}.{key}" if path else key)
    else:
        yield path


def undescribed(values, descriptions):
    """Values with no description on themselves or on a parent."""
    return [p for p in leaves(values) if not any(p == d or p.startswith(d + ".") for d in descriptions)]


def with_descriptions(schema, descriptions):
    missing = []
    for path, description in descriptions.items():
        node = schema
        for part in path.split("."):
            node = node.get("properties", {}).get(part)
            if node is None:
                break
        if node is None:
            missing.append(path)
        else:
            node["description"] = description
    return missing


def main(args):
    check = "--check" in args
    chart = [a for a in args if a != "--check"][0]
    with open(os.path.join(chart, "README.md")) as handle:
        descriptions = documented(handle.read())
    with open(os.path.join(chart, "values.yaml")) as handle:
        missing = undescribed(yaml.safe_load(handle), descriptions)
    if missing:
        sys.exit("values without a `# --` comment (on them or a parent): " + ", ".join(missing))
    schema_path = os.path.join(chart, "values.schema.json")
    with open(schema_path) as handle:
        text = handle.read()
    schema = json.loads(text)
    missing = with_descriptions(schema, descriptions)
    if missing:
        sys.exit(f"documented values the schema does not have: {', '.join(missing)}")
    updated = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if updated != text:
        if check:
            sys.exit(f"{schema_path}: descriptions differ from the values' `# --` comments: run python3 scripts/chart_value_docs.py {chart}")
        with open(schema_path, "w") as handle:
            handle.write(updated)
    print(f"chart values: {len(descriptions)} described rows cover every value in values.yaml; the schema carries them")


if __name__ == "__main__":
    main(sys.argv[1:])
