"""Sweep the table shape fuzzer (tests/extract/table_shapes.py) over many seeds and print
the failure rate per axis value, to find which shapes of money, 三公 and project tables
the readers lose.

    .venv/bin/python -m eval.table_shapes_sweep --seeds 400 [--start 0] [--kind money]
        [--fmt docx] [--show 5]

Each seed picks a kind, a format and the other axes; a seed fails when any stated figure
is not read as the spec says. Exploratory: not part of the test suite.
"""

from __future__ import annotations

import argparse
import collections
import signal
import time

from tests.extract.table_shapes import mismatches, read, shape_for

SECONDS_PER_SEED = 10  # a reading past this is a failure of its own (a hang), not a wait


def _too_long(signum: int, frame: object) -> None:
    raise TimeoutError(f"read took over {SECONDS_PER_SEED} s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, default=300)
    p.add_argument("--start", type=int, default=10_000)
    p.add_argument("--kind")
    p.add_argument("--fmt")
    p.add_argument("--show", type=int, default=0, help="print this many failing seeds")
    args = p.parse_args()
    tried: collections.Counter[tuple[str, str]] = collections.Counter()
    failed: collections.Counter[tuple[str, str]] = collections.Counter()
    failures = []
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _too_long)
    for seed in range(args.start, args.start + args.seeds):
        s = shape_for(seed, args.fmt, args.kind)
        signal.alarm(SECONDS_PER_SEED)
        try:
            wrong = mismatches(s, read(s))
        except Exception as exc:  # a crash or a hang is a failure of its own kind
            wrong = [f"crash: {exc!r}"]
        finally:
            signal.alarm(0)
        values = [(k, v) for k, v in s.axes.items()]
        tried.update(values)
        if wrong:
            failed.update(values)
            failures.append((seed, s.axes, wrong))
    took = time.perf_counter() - started
    print(f"{len(failures)} of {args.seeds} seeds fail ({took:.0f} s)", flush=True)
    rows = sorted(tried, key=lambda kv: (kv[0], -failed[kv] / tried[kv]))
    axis = None
    for kv in rows:
        if kv[0] != axis:
            axis = kv[0]
            print(f"{axis}:")
        print(f"  {kv[1]:<28} {failed[kv]:>4} / {tried[kv]:<4} {failed[kv] / tried[kv]:6.0%}")
    for seed, axes, wrong in failures[: args.show]:
        print(f"\nseed {seed}: {axes}")
        for line in wrong[:6]:
            print("   ", line)


if __name__ == "__main__":
    main()
