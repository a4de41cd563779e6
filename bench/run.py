"""`make bench` (issue #7): the platform's speed against baselines measured in the same run.

Builds scratch PostgreSQL databases with the real migrations, seeds them with SQL, starts the
processes for real (``python -m credit`` ... on free loopback ports, nginx as a reference
proxy, a minimal FastAPI app), drives them with wrk (curl for the one big payroll upload),
prints a table and writes bench/results.json. Everything it starts it stops, and every
database it creates it drops, even on failure or Ctrl-C; if it had to start the local
PostgreSQL it stops it again. Logs (and py-spy profiles) are kept in bench/out/<date>/.

Each line: the figure, its baseline measured in the same run, the ratio, the goal. Targets
that are compared are measured in alternation (rounds) so that other work on a shared machine
hits both alike; results.json also has, per measurement, the cores each process used (and
"other": what the rest of the machine used) and what PostgreSQL's backends were waiting for.

Environment:
  BENCH_SCALE     multiplies every data size (default 1.0: 1,000,000 subjects, lines, cases)
  BENCH_DURATION  seconds of each measured wrk run (default 20)
  BENCH_ONLY      comma-separated subset: gateway, credit_batch, intake, payroll, overdue, report
  BENCH_PROFILE   comma-separated measurement prefixes to record with py-spy (if installed),
                  e.g. "intake" or "credit_batch.service"; profiled runs are slower, so their
                  figures are marked and should not be compared with unprofiled ones
                  (bench/profile_summary.py reads the profiles)
  BENCH_PROFILE_NATIVE  1: profile C frames too (uvloop, asyncpg's protocol, system calls);
                  py-spy then pauses the process at each sample, so the figures drop further

Exit status 0 when every figure was measured (goals met or not), 1 when one could not be.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from types import FrameType

from bench import common
from bench.common import BENCH_DIR
from bench.harness import Bench, Row
from bench.scenarios import BENCHMARKS, SCENARIOS

RESULTS = BENCH_DIR / "results.json"

# --- output -------------------------------------------------------------------------------------


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.2f} ms"
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.1f} {unit}"


def table(rows: list[Row]) -> str:
    header = ("benchmark", "figure", "baseline", "ratio", "goal", "met")
    lines = []
    for row in rows:
        met = "—" if row.met is None else ("yes" if row.met else "NO")
        if row.error:
            met = "FAILED"
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}"
        if row.note and row.ratio is not None:
            ratio += f" ({row.note})"
        baseline = f"{fmt(row.baseline, row.unit)} {row.baseline_label}" if row.baseline is not None else "—"
        lines.append((row.title, fmt(row.value, row.unit), baseline, ratio, row.goal, met))
    widths = [max(_width(r[i]) for r in [header, *lines]) for i in range(len(header))]
    out = [_pad(header, widths), "  ".join("-" * w for w in widths)]
    out += [_pad(line, widths) for line in lines]
    for row in rows:
        if row.error:
            out.append(f"  {row.title}: {row.error}")
    return "\n".join(out)


def _width(text: str) -> int:
    # CJK and full-width characters take two columns in a terminal.
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _pad(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()


def write_results(b: Bench, elapsed: float) -> None:
    document = {
        "issue": 7,
        "date": b.started.isoformat(timespec="seconds"),
        "elapsed_seconds": round(elapsed, 1),
        "scale": b.scale,
        "duration_seconds": b.seconds,
        "profiled": bool(b.profile),
        "machine": common.machine(),
        "sizes": b.sizes,
        "rows": [r.as_dict() for r in b.rows],
        "details": b.details,
        "errors": b.errors,
        "logs": str(b.out.relative_to(BENCH_DIR.parent)),
    }
    RESULTS.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    scale = common.env_float("BENCH_SCALE", 1.0)
    seconds = common.env_float("BENCH_DURATION", 20.0)
    only = {s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()} or set(SCENARIOS)
    unknown = only - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown {sorted(unknown)}; known: {', '.join(SCENARIOS)}")
    profile = [p.strip() for p in os.environ.get("BENCH_PROFILE", "").split(",") if p.strip()]
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", flush=True)
        if not common.apt_install(["wrk"]) or shutil.which("wrk") is None:
            raise SystemExit("wrk is not installed and apt-get could not install it (apt-get install -y wrk)")
    started = time.monotonic()
    postgres = common.ensure_postgres()
    try:
        return run(scale, seconds, only, profile, started)
    finally:
        if postgres is not None:  # started for this run: stopped with it
            common.stop_postgres(postgres)


def run(scale: float, seconds: float, only: set[str], profile: list[str], started: float) -> int:
    with Bench(scale, seconds, only, profile) as b:
        chosen = ", ".join(s for s in SCENARIOS if s in only)
        b.log(f"make bench: scale {scale:g}, {seconds:g} s per run: {chosen}")
        b.details["background_cores"] = background = common.background_cores()
        if background > 0.25:
            b.log(
                f"warning: others already use {background:.2f} cores of this machine; figures will be noisy"
            )
        try:
            for name in SCENARIOS:
                if name not in only:
                    continue
                function, title, goal = BENCHMARKS[name]
                b.log(f"== {name}")
                try:
                    function(b)
                except (KeyboardInterrupt, SystemExit):
                    raise
                except Exception as exc:  # one failed benchmark must not stop the others
                    b.log(f"{name} FAILED: {type(exc).__name__}: {str(exc)[:500]}")
                    b.fail(name, title, goal, exc)
        finally:
            elapsed = time.monotonic() - started
            print()
            print(f"make bench — {b.started:%Y-%m-%d %H:%M} UTC, scale {scale:g}, {elapsed / 60:.1f} min")
            print(table(b.rows))
            write_results(b, elapsed)
            logs = b.out.relative_to(BENCH_DIR.parent)
            print(f"\nwritten {RESULTS.relative_to(BENCH_DIR.parent)}; logs in {logs}/")
    return 1 if any(r.error for r in b.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
