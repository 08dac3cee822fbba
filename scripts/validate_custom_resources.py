"""Validates the custom resources in rendered manifests against the CRDs the cluster will serve, as
strictly as kubernetes-validate checks built-in kinds: every object whose apiVersion belongs to a
CRD group below is checked against its CRD's openAPIV3Schema for that served version, with unknown
fields refused (`kubectl apply --validate=strict` refuses them; the API server would silently
prune them, so a typo in a ServiceMonitor would otherwise deploy as a monitor scraping nothing).
A kind or version a CRD group does not serve fails too.

Not checked: CEL rules (x-kubernetes-validations), formats, list-map uniqueness, and metadata
beyond being an object (the API server validates ObjectMeta itself).

Usage: python3 scripts/validate_custom_resources.py --chart-sources FILE [--validated-kinds FILE] <rendered.yaml>...
Prints the objects validated per kind; one line per problem on stderr and exit 1 when any fails.
--chart-sources: the controllers' chart sources as src/cli/chart-sources.ts prints them (the
controller table's `clusterStage`): the CRDs are those the cluster stage installs, a chart's CRD
bundle (`crds`) or a CRD-only chart's directory (`crdsChart`), from Go modules downloaded once per
machine into GOMODCACHE. --validated-kinds: also write "<kind> <apiVersion>" of each validated kind
to FILE (the chart stage accepts kubernetes-validate's "no schema" warnings for those kinds only).
Needs PyYAML and jsonschema (the tools venv)."""
import collections
import hashlib
import json
import os
import subprocess
import sys

import jsonschema
import yaml


def crd_sources(chart_sources_file):
    """The CRDs the cluster serves, where the controller table says its charts' CRDs come from (e.g.
    external-secrets chart 2.9.0 installs v1.3.2's bundle; prometheus-operator-crds 32.0.0 is
    prometheus-operator v0.94.0's example/prometheus-operator-crd), in the table's order."""
    with open(chart_sources_file) as handle:
        sources = json.load(handle)
    return [{"module": s["module"], "version": s["version"], "path": s.get("crds") or s["crdsChart"]}
            for s in sources.values() if "crds" in s or "crdsChart" in s]


class Loader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):
    """YAML 1.1's `=` (the value tag) is a plain string to Go's YAML parsers; PyYAML refuses it
    (prometheus-operator's matchType enum lists `=`)."""


Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def module_dir(module, version):
    env = dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN=os.environ.get("GOTOOLCHAIN", "auto"))
    out = subprocess.run(["go", "mod", "download", "-json", f"{module}@{version}"], env=env, capture_output=True, text=True)
    info = json.loads(out.stdout or "{}")
    if out.returncode != 0 or "Dir" not in info:
        sys.exit(f"could not download {module}@{version} from the Go module proxy: {info.get('Error') or out.stderr.strip()}")
    return info["Dir"]


def crd_files(source):
    path = os.path.join(module_dir(source["module"], source["version"]), source["path"])
    if os.path.isdir(path):
        return sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith((".yaml", ".yml")))
    if os.path.isfile(path):
        return [path]
    sys.exit(f"{source['module']}@{source['version']} has no {source['path']}")


def strict(node):
    """The schema with unknown fields refused, as `--validate=strict` does: every object node that
    lists properties and neither allows more nor preserves unknown fields gets
    additionalProperties: false. Nodes under allOf/anyOf/oneOf/not are left alone: in a structural
    schema their `properties` only add value checks to fields the main schema declares."""
    if not isinstance(node, dict):
        return node
    node = dict(node)
    if node.get("x-kubernetes-int-or-string") is True:
        node.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
        node.pop("type", None)
    if "properties" in node:
        node["properties"] = {name: strict(child) for name, child in node["properties"].items()}
        if "additionalProperties" not in node and node.get("x-kubernetes-preserve-unknown-fields") is not True:
            node["additionalProperties"] = False
    if isinstance(node.get("additionalProperties"), dict):
        node["additionalProperties"] = strict(node["additionalProperties"])
    if isinstance(node.get("items"), dict):
        node["items"] = strict(node["items"])
    return node


def load_crds(sources):
    """(apiVersion, kind) -> validator for every served version, and group -> CRD kinds (to name
    what a group serves when a manifest asks for something else). The strict schemas are cached per
    machine, keyed on the CRD sources and this script: parsing the CRDs' 5 MB of YAML is most of a run."""
    key = hashlib.sha256((json.dumps(sources, sort_keys=True) + open(__file__).read()).encode()).hexdigest()[:16]
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mindhit-infra", "crd-schemas", f"{key}.json")
    if os.path.exists(cache):
        with open(cache) as handle:
            cached = json.load(handle)
    else:
        cached = parse_crds(sources)
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        with open(f"{cache}.{os.getpid()}", "w") as handle:
            json.dump(cached, handle)
        os.replace(f"{cache}.{os.getpid()}", cache)  # atomic: concurrent runs never read half a file
    validators = {(entry["apiVersion"], entry["kind"]): jsonschema.Draft4Validator(entry["schema"]) for entry in cached["schemas"]}
    groups = collections.defaultdict(set, {group: set(kinds) for group, kinds in cached["groups"].items()})
    return validators, groups


def parse_crds(sources):
    """The strict schema of every served version, from the CRD files themselves."""
    schemas, groups = [], collections.defaultdict(set)
    for source in sources:
        for path in crd_files(source):
            with open(path) as handle:
                for crd in yaml.load_all(handle, Loader=Loader):
                    if not crd or crd.get("kind") != "CustomResourceDefinition":
                        continue
                    spec = crd["spec"]
                    for version in spec["versions"]:
                        if not version.get("served"):
                            continue
                        schema = strict(version["schema"]["openAPIV3Schema"])
                        # ObjectMeta is the API server's to validate; the CRD may not constrain it.
                        schema["properties"]["metadata"] = {"type": "object"}
                        api_version = f"{spec['group']}/{version['name']}"
                        # OpenAPI v3.0 schemas: exclusiveMinimum/Maximum are booleans, as in draft 4 (load_crds).
                        schemas.append({"apiVersion": api_version, "kind": spec["names"]["kind"], "schema": schema})
                        groups[spec["group"]].add(f"{spec['names']['kind']} {version['name']}")
    return {"schemas": schemas, "groups": {group: sorted(kinds) for group, kinds in groups.items()}}


def without_nulls(value):
    """The API server prunes null fields (unless nullable) before validating; Helm renders an
    empty value as null."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def short(value):
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def problems(validator, obj):
    for error in sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path)):
        path = error.json_path
        if error.validator == "additionalProperties" and error.validator_value is False:
            known = error.schema.get("properties", {})
            for field in sorted(k for k in error.instance if k not in known):
                yield f"{path}.{field}: unknown field"
        elif error.validator == "type":
            yield f"{path}: {short(error.instance)} is not of type {error.validator_value}"
        elif error.validator == "pattern":
            yield f"{path}: {short(error.instance)} does not match {error.validator_value}"
        elif error.validator == "enum":
            yield f"{path}: {short(error.instance)} is not one of {error.validator_value}"
        else:
            message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
            yield f"{path}: {message}"


def option(args, name):
    """(value of --name, the other arguments), or (None, args) when it is not given."""
    if name not in args:
        return None, args
    i = args.index(name)
    return args[i + 1], args[:i] + args[i + 2:]


def main(args):
    kinds_out, args = option(args, "--validated-kinds")
    chart_sources, args = option(args, "--chart-sources")
    if not args or chart_sources is None:
        sys.exit(__doc__)
    sources = crd_sources(chart_sources)
    validators, groups = load_crds(sources)
    failures, counts = [], collections.Counter()
    for path in args:
        with open(path) as handle:
            documents = [d for d in yaml.load_all(handle, Loader=Loader) if d]
        for obj in documents:
            api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
            group = api_version.rpartition("/")[0]
            if group not in groups:
                continue  # a built-in kind: kubernetes-validate's
            where = f"{path}: {kind}/{(obj.get('metadata') or {}).get('name', '?')}"
            validator = validators.get((api_version, kind))
            if validator is None:
                served = ", ".join(sorted(groups[group]))
                failures.append(f"{where}: no CRD of group {group} serves kind {kind} in {api_version} (it serves: {served})")
                continue
            counts[(kind, api_version)] += 1
            failures.extend(f"{where}: {problem}" for problem in problems(validator, without_nulls(obj)))
    if kinds_out:
        with open(kinds_out, "w") as handle:
            handle.writelines(f"{kind} {api_version}\n" for kind, api_version in sorted(counts))
    served_by = ", ".join(f"{s['module'].rpartition('/')[2]} {s['version']}" for s in sources)
    validated = ", ".join(f"{n} {kind}" for (kind, _), n in sorted(counts.items())) or "none"
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(f"custom resources: {len(failures)} problem(s) in {len(args)} file(s) against {len(validators)} served CRD versions ({served_by})")
    print(f"custom resources valid: {validated} (in {len(args)} file(s); {len(validators)} served CRD versions of {served_by})")


if __name__ == "__main__":
    main(sys.argv[1:])
