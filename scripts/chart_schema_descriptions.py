"""values.schema.json's `description`s, from the `# --` comments on values.yaml (as helm-docs renders
them in the chart README's values table), so an editor shows the same words the README does.

Usage: python3 scripts/chart_schema_descriptions.py [--check] <chart dir>
--check: change nothing; exit 1 when the schema's descriptions are not the comments'."""
import json
import os
import re
import sys


def documented(readme):
    """path -> description, from helm-docs' `| Key | Type | Default | Description |` table."""
    rows = re.findall(r"^\| ([^ |]+) \| [^|]+ \| .*? \| (.*) \|$", readme, re.M)
    return {path: description for path, description in rows if path != "Key" and description.strip()}


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
    schema_path = os.path.join(chart, "values.schema.json")
    with open(schema_path) as handle:
        text = handle.read()
    schema = json.loads(text)
    with open(os.path.join(chart, "README.md")) as handle:
        missing = with_descriptions(schema, documented(handle.read()))
    if missing:
        sys.exit(f"documented values the schema does not have: {', '.join(missing)}")
    updated = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if updated == text:
        return
    if check:
        sys.exit(f"{schema_path}: descriptions differ from the values' `# --` comments: run python3 scripts/chart_schema_descriptions.py {chart}")
    with open(schema_path, "w") as handle:
        handle.write(updated)


if __name__ == "__main__":
    main(sys.argv[1:])
