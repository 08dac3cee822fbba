"""A synthesized stack prepared for a real Terraform run, without editing what was synthesized:
the stack's directory is copied as is, and everything the run needs is added as override files
(`zz_*_override.tf.json`, merged by Terraform over the stack's own blocks):

- the provider versions this machine has (scripts/providers.sh: the pinned ones, or a stand-in
  built from the Go module proxy, named in selected.json);
- for the emulator, each AWS provider block (every alias) pointed at it.

Used by scripts/validate_stacks.py (terraform validate) and the emulator tests."""
import json
import os
import shutil
import subprocess

PROVIDERS_DIR = os.environ.get("MINDHIT_PROVIDERS_DIR") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mindhit-infra", "providers")


def configured_environments():
    """Every environment in src/environments with its identity, region and tier, as the project's CLI
    prints them for the workflows (node dist/src/cli/environments.js --json; dist/ is the unit stage's)."""
    cli = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "dist", "src", "cli", "environments.js")
    return json.loads(subprocess.run(["node", cli, "--json"], capture_output=True, text=True, check=True).stdout)


def selected_providers():
    # scripts/providers.sh keeps one record per dependency profile (scripts/lib.sh, MINDHIT_PROFILE).
    profile = os.environ.get("MINDHIT_PROFILE", "cdktf")
    with open(os.path.join(PROVIDERS_DIR, "selected.json" if profile == "cdktf" else f"selected-{profile}.json")) as handle:
        return json.load(handle)


def standin_notes():
    """One line per provider validated with a build from the Go module proxy instead of the pinned release."""
    return [
        f"{name}: pinned {p['pinned']}, validated with {p['version'] if p['version'] != p['pinned'] else 'a build of ' + p['pinned']}"
        f" from commit {p['commit']} (built from the Go module proxy)"
        for name, p in sorted(selected_providers().items())
        if p.get("origin") == "go-module-proxy"
    ]


def required_providers(stack_json):
    return sorted(stack_json.get("terraform", {}).get("required_providers", {}).keys())


def prepare(source_dir, target_dir, providers):
    """Copy a synthesized stack directory and pin its providers to the versions this machine has."""
    if os.path.exists(target_dir):
        shutil.rmtree(target_dir)
    shutil.copytree(source_dir, target_dir, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
    selected = selected_providers()
    override = {
        "terraform": {
            "required_providers": {name: {"source": f"hashicorp/{name}", "version": selected[name]["version"]} for name in providers}
        }
    }
    write_json(os.path.join(target_dir, "zz_versions_override.tf.json"), override)
    return target_dir


def write_json(path, doc):
    with open(path, "w") as handle:
        json.dump(doc, handle, indent=1)


def terraform_env(extra=None):
    env = dict(
        os.environ,
        TF_CLI_CONFIG_FILE=os.path.join(PROVIDERS_DIR, "terraform.rc"),
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    env.update(extra or {})
    return env


def terraform(terraform_bin, cwd, *args, timeout=600, env=None):
    return subprocess.run([terraform_bin, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=terraform_env(env))
