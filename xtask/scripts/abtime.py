#!/usr/bin/env python3
"""Time two builds of a program against each other: alternating runs, CPU time, best and median.

On a shared or virtual machine the host's speed drifts by tens of percent within minutes, so two
figures taken one after the other compare the host, not the code. Alternating runs of the old and
the new binary put both under the same drift; a run is only ever slowed by the host, so the best
of many is the estimate of each build's own speed.

Usage: abtime.py OLD NEW [--rounds N] [--cpu C] -- ARGS...
  e.g. abtime.py /tmp/replay-old target/release/examples/replay --rounds 16 -- grpc 3000
"""

import argparse
import resource
import statistics
import subprocess
import sys


def cpu_seconds(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], usage="%(prog)s OLD NEW [--rounds N] [--cpu C] -- ARGS..."
    )
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--rounds", type=int, default=12, help="runs of each (default 12)")
    p.add_argument("--cpu", default="1", help="CPU to pin the runs to (default 1)")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    a = p.parse_args(argv[:cut])
    args = argv[cut + 1 :]
    times = {a.old: [], a.new: []}
    try:
        for _ in range(a.rounds):
            for b in (a.old, a.new):
                times[b].append(cpu_seconds(["taskset", "-c", a.cpu, b, *args]))
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"abtime: {e} (are both binaries built, and is taskset installed?)")
    for name, b in (("old", a.old), ("new", a.new)):
        t = times[b]
        print(f"{name}: best {min(t):.4f} s  median {statistics.median(t):.4f} s  ({b})")
    best = min(times[a.new]) / min(times[a.old])
    median = statistics.median(times[a.new]) / statistics.median(times[a.old])
    print(f"new/old: best {best:.3f}  median {median:.3f}")


if __name__ == "__main__":
    main()
