"""The runbook's own commands, run as written: the fenced bash blocks of one section of
docs/operations/runbook.md, with only its placeholders (`<VERSION_ID>`, `<LOCK_ID>`) filled in
and the AWS CLI pointed at the emulator through the environment (AWS_ENDPOINT_URL), never by
editing a command. A block that fails fails the test, so a wrong runbook fails CI."""
import os
import re
import subprocess

RUNBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "operations", "runbook.md")
AWS_CLI_DIR = os.path.join(os.environ.get("MINDHIT_TOOLS_DIR") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mindhit-infra", "tools"), "awscli-venv", "bin")


def section_blocks(number):
    """The bash blocks of runbook section `## <number>. …`, in order."""
    with open(RUNBOOK) as handle:
        text = handle.read()
    match = re.search(rf"^## {re.escape(number)}\. .*?(?=^## |\Z)", text, re.M | re.S)
    assert match, f"runbook has no section {number}"
    return [re.sub(r"^ {0,4}", "", block, flags=re.M) for block in re.findall(r"^ *```bash\n(.*?)^ *```", match.group(0), re.M | re.S)]


def run_block(block, cwd, emulator_url, substitutions=None, env=None):
    for placeholder, value in (substitutions or {}).items():
        block = block.replace(placeholder, value)
    leftover = re.findall(r"<[A-Z_]+>", block)
    assert not leftover, f"runbook block still has placeholders {leftover}:\n{block}"
    extra = dict(env or {})
    full_env = dict(
        os.environ,
        AWS_ENDPOINT_URL=emulator_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="ap-northeast-2",
        AWS_PAGER="",
    )
    full_env.update(extra)
    full_env["PATH"] = f"{AWS_CLI_DIR}{os.pathsep}{extra.get('PATH', os.environ['PATH'])}"
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"runbook block failed ({result.returncode}):\n{block}\n--- stderr:\n{result.stderr[-3000:]}\n--- stdout:\n{result.stdout[-2000:]}"
    return result.stdout
