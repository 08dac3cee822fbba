#!/usr/bin/env python3
"""Benchmark: wall time and peak RSS (median of N runs) of synth and the test suite.

Usage: npm run bench [-- --runs 3] [-- --no-stages]
  By default it also runs the full test command once and reports each stage's time
  (unit, synth, hcl, chart, checkov, state-lock, workflows, …); --no-stages skips that.
Peak RSS is the largest resident set of the command's process tree (wait4 rusage).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=os.path.join(ROOT, "terraform.rc"))


def measure(cmd):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, shell=True)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(stderr.decode(errors="replace"))
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {cmd}")
    return wall, usage.ru_maxrss / 1024.0  # Linux reports KiB


def bench(label, cmd, runs, rows):
    samples = [measure(cmd) for _ in range(runs)]
    wall = statistics.median(s[0] for s in samples)
    rss = statistics.median(s[1] for s in samples)
    rows.append((label, f"{wall:.2f}", f"{rss:.0f}", cmd))
    print(f"  {label:<34} {wall:7.2f} s {rss:7.0f} MiB", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-stages", dest="stages", action="store_false")
    args = parser.parse_args()

    print(f"warming up (build once), median of {args.runs} runs follows", flush=True)
    measure("npm run --silent build")
    rows = []
    bench("synth: main job (npm run synth)", "npm run --silent synth", args.runs, rows)
    bench("synth: node dist/main.js", "node dist/main.js", args.runs, rows)
    bench("synth: HCL (npm run synth:hcl)", "npm run --silent synth:hcl", args.runs, rows)
    bench("synth: cdktf CLI (cdktf synth)", "npx cdktf synth", args.runs, rows)
    bench("tests: jest suite incl. tsc", "npm run --silent test:unit", args.runs, rows)
    bench("tests: jest only", "npx jest", args.runs, rows)
    measure("npm run --silent synth")  # leave JSON output in cdktf.out/

    if args.stages:
        stage_file = os.path.join(ROOT, ".bench", "stage-times.tsv")
        wall, rss = measure("bash scripts/test-all.sh")
        print(f"\nfull test command (npm test): {wall:.1f} s, peak {rss:.0f} MiB; per stage:")
        stages = {}
        with open(stage_file) as handle:
            for line in handle:
                name, seconds = line.rstrip("\n").split("\t")
                stages[name] = float(seconds)
                print(f"  {name:<34} {float(seconds):7.1f} s")
        real_terraform = stages.get("validate", 0) + stages.get("emulator", 0)
        print(f"\nbudget: validate + emulator {real_terraform:.0f} s (target <= 90 s): {'within' if real_terraform <= 90 else 'OVER'}")
        in_cluster = stages.get("cluster", 0) + stages.get("iam", 0)
        print(f"budget: cluster + iam {in_cluster:.0f} s (target <= 120 s): {'within' if in_cluster <= 120 else 'OVER'}")
        print(f"budget: npm test {wall:.0f} s (target <= 120 s): {'within' if wall <= 120 else 'OVER'}")
    print_cold_costs()


def print_cold_costs():
    """What the first run on this machine installed and what each install took (scripts/tools.sh and
    scripts/providers.sh record it; scripts/setup.sh prints the same list)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    tools_bin = os.path.join(os.environ.get("MINDHIT_TOOLS_DIR") or os.path.join(cache, "mindhit-infra", "tools"), "bin")
    providers = os.path.join(os.environ.get("MINDHIT_PROVIDERS_DIR") or os.path.join(cache, "mindhit-infra", "providers"), "build")
    rows = recorded(tools_bin, lambda f: f.startswith(".") and f.endswith(".seconds")) + [
        (f"{name} provider", seconds) for name, seconds in recorded(providers, lambda f: f.endswith(".seconds"))
    ]
    if rows:
        print("first-run installs on this machine (cold caches, beside each other): " + ", ".join(f"{n} {s / 60:.1f} min" for n, s in rows))


def recorded(directory, wanted):
    """(name, seconds) for each `<name>.seconds` record an install wrote in the directory."""
    if not os.path.isdir(directory):
        return []
    rows = []
    for file in sorted(os.listdir(directory)):
        if wanted(file):
            with open(os.path.join(directory, file)) as handle:
                rows.append((file.strip(".").removesuffix(".seconds"), int(handle.read().strip())))
    return rows


if __name__ == "__main__":
    main()
