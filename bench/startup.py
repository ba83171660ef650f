"""Start-up cost of the CLI as a user meets it: ``khabar --help`` and ``khabar compare a b`` from cold.

Each command runs in a fresh interpreter ``--runs`` times; printed are the median wall seconds and
the median CPU seconds (the child's own resource usage), against the targets of issue 14
(``--help`` under 0.3 s, ``compare`` of two files under 1 s wall). The interpreter is run as an
installed package would be: compiled bytecode cached (one warm-up run writes it, even where the
environment sets ``PYTHONDONTWRITEBYTECODE``); ``--no-bytecode`` measures the other case too, where
every module is compiled from source on every start.

    python bench/startup.py [--runs 5] [--no-bytecode]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TARGETS = {"help": 0.3, "compare": 1.0}


def _once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``python -m khabar ARGS`` (its output discarded)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "khabar", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"error: khabar {' '.join(args)} failed: {proc.stderr.read().decode()[-500:] if proc.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(runs: int, bytecode: bool) -> dict[str, tuple[float, float]]:
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    a, b = sorted(str(p) for p in EXAMPLES.glob("*.txt"))[:2]
    commands = {"help": ["--help"], "compare": ["compare", a, b]}
    out = {}
    for name, args in commands.items():
        _once(args, env)  # warm-up: the disk cache, and the bytecode where it is written
        times = [_once(args, env) for _ in range(runs)]
        out[name] = (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-bytecode", action="store_true", help="also measure with no bytecode cache")
    args = ap.parse_args()
    if not 1 <= args.runs <= 50:
        sys.exit("error: --runs must be 1..50")
    print(f"load average {os.getloadavg()[0]:.2f} (wall time needs an idle machine; CPU time less so)")
    for bytecode in (True, False) if args.no_bytecode else (True,):
        label = "bytecode cached" if bytecode else "no bytecode cache (compiled at every start)"
        print(f"\n[{label}]  median of {args.runs}")
        for name, (wall, cpu) in measure(args.runs, bytecode).items():
            cmd = "khabar --help" if name == "help" else "khabar compare a b"
            ok = "met" if wall < TARGETS[name] else "missed"
            print(f"{cmd:<20} wall {wall:.3f} s  CPU {cpu:.3f} s   (target < {TARGETS[name]:g} s wall: {ok})")


if __name__ == "__main__":
    main()
