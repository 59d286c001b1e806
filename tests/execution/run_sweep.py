"""A sweep run as a user would run it, in a process of its own (for the kill tests).

    python run_sweep.py STORE N SLEEP PIDS [--scheduler ADDRESS]

runs :func:`execution_tasks.quick` on N tasks (``x`` = 0..N-1, each sleeping SLEEP seconds
and leaving its worker's pid in the folder PIDS) on a two-worker LocalCluster, or on the
scheduler at ADDRESS, and prints the run summary as one JSON line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import execution_tasks  # noqa: E402

from vle.execution import ResultStore, make_tasks, run_tasks  # noqa: E402

SPEC = {"test": "kill", "version": 1}


def tasks(n: int, sleep: float, pids: str) -> list:  # type: ignore[type-arg]
    return make_tasks([{"x": i, "sleep": sleep, "pids": pids} for i in range(n)], root_seed=11)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("n", type=int)
    ap.add_argument("sleep", type=float)
    ap.add_argument("pids")
    ap.add_argument("--scheduler")
    args = ap.parse_args()
    with ResultStore(args.store, SPEC) as store:
        summary = run_tasks(execution_tasks.quick, tasks(args.n, args.sleep, args.pids), store,
                            workers=None if args.scheduler else 2, scheduler=args.scheduler,
                            progress=False)
    print(json.dumps(dataclasses.asdict(summary)), flush=True)


if __name__ == "__main__":
    main()
