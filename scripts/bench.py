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
    """What the first run on a new machine builds, as measured when this machine built it."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    tools_bin = os.path.join(os.environ.get("MINDHIT_TOOLS_DIR") or os.path.join(cache, "mindhit-infra", "tools"), "bin")
    providers = recorded_minutes(os.path.join(cache, "mindhit-infra", "providers", "build"), "{}.seconds", ("aws", "kubernetes", "helm"))
    if providers:
        print("cold first run, provider builds from the Go module proxy: " + ", ".join(providers))
    control_plane = recorded_minutes(tools_bin, ".{}.seconds", ("etcd", "kube-apiserver"))
    if control_plane:
        print("cold first run, control plane builds from the Go module proxy (with this machine's module cache): " + ", ".join(control_plane))


def recorded_minutes(directory, file_pattern, names):
    """`<name> <minutes> min` for each build whose seconds a build script recorded in the directory."""
    rows = []
    for name in names:
        path = os.path.join(directory, file_pattern.format(name))
        if os.path.exists(path):
            with open(path) as handle:
                rows.append(f"{name} {int(handle.read().strip()) / 60:.1f} min")
    return rows


if __name__ == "__main__":
    main()
