"""The harness of `make bench`: what a run owns (temp files, databases, processes), how one
measurement is taken and observed (wrk, CPU per process, PostgreSQL waits, py-spy), the rows."""

from __future__ import annotations

import asyncio
import os
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import common
from bench.common import BENCH_DIR, SERVICE_DIRS, Process, ScratchDatabases, WrkResult, scaled
from bench.seed import issue_api_key, seed_credit
from shared import migrations


@dataclass
class Row:
    key: str
    title: str
    unit: str
    value: float | None
    baseline: float | None
    baseline_label: str
    goal: str
    met: bool | None
    higher_is_better: bool = True
    note: str = ""
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "unit": self.unit,
            "value": _round(self.value),
            "baseline": _round(self.baseline),
            "baseline_label": self.baseline_label,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "goal": self.goal,
            "met": self.met,
            "note": self.note,
            "error": self.error,
        }


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    return round(value, 3) if abs(value) < 100 else round(value, 1)


def per_request(cores: Mapping[str, float], rps: float) -> dict[str, float]:
    """CPU milliseconds each process spent per request answered (``other`` left out)."""
    if not rps:
        return {}
    return {k: round(1000 * v / rps, 2) for k, v in cores.items() if k != "other" and v > 0}


def spread(ratios: list[float]) -> str:
    return f"rounds {min(ratios):.2f}–{max(ratios):.2f}" if len(ratios) > 1 else ""


def throughput_row(
    key: str, title: str, unit: str, value: float, baseline: float, baseline_label: str, goal: float | None
) -> Row:
    met = None if goal is None else value / baseline >= goal
    return Row(
        key, title, unit, value, baseline, baseline_label, f"≥ {goal:.2f}" if goal else "reference", met
    )


def latency_row(
    key: str, title: str, value: float, baseline: float, baseline_label: str, budget: float | None
) -> Row:
    added = value - baseline
    met = None if budget is None else added <= budget
    goal = f"≤ +{budget:g} ms" if budget is not None else "reference"
    return Row(
        key,
        title,
        "ms",
        value,
        baseline,
        baseline_label,
        goal,
        met,
        higher_is_better=False,
        note=f"{added:+.2f} ms",
    )


class Bench:
    """Owns everything a run creates: temp files, databases, processes."""

    def __init__(self, scale: float, seconds: float, only: set[str], profile: list[str]) -> None:
        self.scale = scale
        self.seconds = seconds
        self.only = only
        self.profile = profile
        self.started = datetime.now(UTC)
        self.stack = ExitStack()
        self.tmp = Path(tempfile.mkdtemp(prefix="km-bench-"))
        self.logs = self.tmp / "logs"
        self.logs.mkdir()
        self.out = BENCH_DIR / "out" / self.started.strftime("%Y%m%d-%H%M%S")
        self.dbs = ScratchDatabases()
        self.secret = secrets.token_urlsafe(48)
        self.processes: dict[str, Process] = {}
        self.ports: dict[str, int] = {}
        self.rows: list[Row] = []
        self.details: dict[str, Any] = {}
        self.errors: list[dict[str, str]] = []
        self.api_key = ""
        # Per prefix and target: its throughput over the first target's, round by round.
        self.round_ratios: dict[str, dict[str, list[float]]] = {}
        self.sizes: dict[str, int] = {}
        self._platform = False
        self._seeded = False

    def __enter__(self) -> Bench:
        # ExitStack runs these last-in first-out: processes, then databases, then files.
        self.stack.callback(shutil.rmtree, self.tmp, True)
        self.stack.callback(self._keep_logs)
        self.stack.callback(self.dbs.drop_all)
        self.stack.callback(self._stop_all)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def _stop_all(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()

    def _keep_logs(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        for log in self.logs.iterdir():
            shutil.copy(log, self.out / log.name)

    def log(self, message: str) -> None:
        elapsed = (datetime.now(UTC) - self.started).total_seconds()
        print(f"[{elapsed:6.0f}s] {message}", flush=True)

    # -- processes --

    def port(self, name: str) -> int:
        if name not in self.ports:
            self.ports[name] = common.free_port()
        return self.ports[name]

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port(name)}"

    def start(self, name: str, argv: list[str], env: Mapping[str, str], health: str | None) -> Process:
        process = Process(name, argv, env, self.logs)
        self.processes[name] = process
        process.start()
        if health is not None:
            common.wait_http(health, process, timeout=90)
        return process

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            process.stop()

    def service_env(self, name: str, db_url: str, **extra: str) -> dict[str, str]:
        prefix = name.upper() + "_"
        env = common.base_env(
            INTERNAL_TOKEN_SECRET=self.secret,
            ENVIRONMENT="development",
            KM_VAR_DIR=str(self.tmp / "var"),
            WEB_CONCURRENCY="1",
        )
        env.update(
            {
                prefix + "HOST": "127.0.0.1",
                prefix + "PORT": str(self.port(name)),
                prefix + "DATABASE_URL": db_url,
                prefix + "BACKGROUND_TASKS": "false",
                prefix + "LOG_LEVEL": "WARNING",
            }
        )
        env.update(extra)
        return env

    def platform(self) -> None:
        """The four processes on their own migrated databases, and an API key (once)."""
        if self._platform:
            return
        self.log("creating and migrating the four databases")
        for name in ("gateway", "credit", "complaints", "wages"):
            url = self.dbs.create(name)
            migrations.upgrade(SERVICE_DIRS[name], url)
        self.api_key = asyncio.run(issue_api_key(self.dbs.url("gateway")))
        self.log("starting credit, complaints, wages, gateway")
        self.start(
            "credit",
            [sys.executable, "-m", "credit"],
            # The bench checks millions of subjects in a day under one client.
            # 32 pooled connections: the gateway benchmark drives it with 32 at once.
            self.service_env(
                "credit",
                self.dbs.url("credit"),
                CREDIT_CHECK_DAILY_QUOTA=str(10**12),
                CREDIT_DB_POOL_SIZE="32",
            ),
            self.url("credit") + "/healthz",
        )
        self.start(
            "complaints",
            [sys.executable, "-m", "complaints"],
            self.service_env(
                "complaints",
                self.dbs.url("complaints"),
                COMPLAINTS_GATEWAY_URL=self.url("gateway"),
                COMPLAINTS_ATTACHMENTS_DIR=str(self.tmp / "attachments"),
            ),
            self.url("complaints") + "/healthz",
        )
        self.start(
            "wages",
            [sys.executable, "-m", "wages"],
            self.service_env("wages", self.dbs.url("wages"), WAGES_GATEWAY_URL=self.url("gateway")),
            self.url("wages") + "/healthz",
        )
        self.start(
            "gateway",
            [sys.executable, "-m", "gateway"],
            self.service_env(
                "gateway",
                self.dbs.url("gateway"),
                GATEWAY_COMPLAINTS_URL=self.url("complaints"),
                GATEWAY_WAGES_URL=self.url("wages"),
                GATEWAY_CREDIT_URL=self.url("credit"),
                GATEWAY_RATE_LIMIT_PER_MINUTE=str(10**9),
                GATEWAY_RATE_LIMIT_BURST=str(10**7),
            ),
            self.url("gateway") + "/healthz",
        )
        self._platform = True

    def credit_registry(self) -> None:
        if self._seeded:
            return
        self.platform()
        subjects = scaled(1_000_000, self.scale, 1000)
        listings = scaled(100_000, self.scale, 100)
        self.sizes.update(subjects=subjects, listings=listings)
        self.log(f"seeding the credit registry: {subjects:,} subjects, {listings:,} blacklist listings")
        started = time.perf_counter()
        asyncio.run(seed_credit(common.asyncpg_dsn(self.dbs.url("credit")), subjects, listings))
        self.details["credit_seed_seconds"] = round(time.perf_counter() - started, 1)
        self._seeded = True

    # -- measuring --

    def groups(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.processes.items() if p.alive()}

    @contextmanager
    def observed(self, name: str, profile: list[str]) -> Iterator[dict[str, Any]]:
        """CPU per process, PostgreSQL waits, and py-spy if asked, around one measurement."""
        info: dict[str, Any] = {}
        spies = self._spy(name, profile)
        groups = self.groups()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        before = common.cpu_snapshot(groups)
        started = time.perf_counter()
        try:
            with common.WaitSampler() as waits:
                yield info
        finally:
            elapsed = time.perf_counter() - started
            after = common.cpu_snapshot(groups)
            done = resource.getrusage(resource.RUSAGE_CHILDREN)
            cores = common.cpu_cores(before, after, elapsed)
            # Children of this process that ended meanwhile: wrk, curl, helpers.
            client = (done.ru_utime + done.ru_stime) - (children.ru_utime + children.ru_stime)
            cores["client"] = round(client / elapsed, 2)
            # What no process of the bench used: other people's work on a shared machine.
            ours = sum(v for k, v in cores.items() if k != "machine")
            cores["other"] = round(max(0.0, cores.pop("machine") - ours), 2)
            info["cpu_cores"] = cores
            info["pg_backends"] = waits.summary()
            for spy in spies:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                spy.wait(timeout=60)
            if spies:
                info["profiled"] = True

    def _spy(self, name: str, targets: list[str]) -> list[subprocess.Popen[bytes]]:
        if not any(name.startswith(p) for p in self.profile):
            return []
        binary = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        if not Path(binary).exists():
            self.log("BENCH_PROFILE set but py-spy is not installed; not profiling")
            return []
        self.out.mkdir(parents=True, exist_ok=True)
        spies = []
        for target in targets:
            process = self.processes.get(target)
            if process is None:
                continue
            output = self.out / f"profile-{name}-{target}.txt"
            spies.append(
                subprocess.Popen(
                    [
                        binary,
                        "record",
                        "--pid",
                        str(process.pid),
                        "--rate",
                        "100",
                        # --native (C frames: uvloop, asyncpg's protocol) must pause the process.
                        *(["--native"] if os.environ.get("BENCH_PROFILE_NATIVE") else ["--nonblocking"]),
                        "--format",
                        "raw",
                        "--output",
                        str(output),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        return spies

    def wrk(
        self,
        name: str,
        url: str,
        bodies: Path,
        headers: Mapping[str, str],
        *,
        connections: int,
        seconds: float | None = None,
        warmup: float = 3.0,
        before: Callable[[], None] | None = None,
        profile: list[str] | None = None,
        pause_ms: int = 0,
    ) -> WrkResult:
        """Warm up, reset, then one measured wrk run; refuses a run with errors."""
        seconds = seconds or self.seconds
        if warmup:
            common.wrk(
                url, bodies, headers=headers, connections=connections, seconds=warmup, timeout_seconds=60
            )
        if before is not None:
            before()
        common.checkpoint()
        with self.observed(name, profile or []) as info:
            result = common.wrk(
                url,
                bodies,
                headers=headers,
                connections=connections,
                seconds=seconds,
                timeout_seconds=60,
                pause_ms=pause_ms,
            )
        self.details.setdefault("runs", {})[name] = {
            **result.as_dict(),
            **info,
            "cpu_ms_per_request": per_request(info.get("cpu_cores", {}), result.rps),
            "connections": connections,
        }
        self.log(
            f"  {name}: {result.rps:,.1f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
            f"cores {info.get('cpu_cores')}"
        )
        if result.unexpected or result.socket_errors > max(1, result.requests // 100):
            raise RuntimeError(
                f"{name}: {result.unexpected} unexpected answers, {result.socket_errors} socket errors "
                f"in {result.requests} requests; first: {result.sample}"
            )
        return result

    def wrk_rounds(
        self,
        prefix: str,
        targets: list[tuple[str, str, dict[str, str], list[str]]],
        bodies: Path,
        *,
        connections: int,
        seconds: float,
        rounds: int = 3,
        before: Callable[[], None] | None = None,
        pause_ms: int = 0,
    ) -> dict[str, WrkResult]:
        """The targets in turn, ``rounds`` times, ``seconds / rounds`` each: on a small shared
        machine a slow minute then hits every target alike instead of only one of them."""
        runs: dict[str, list[WrkResult]] = {name: [] for name, *_ in targets}
        for round_no in range(rounds):
            for name, url, headers, spied in targets:
                runs[name].append(
                    self.wrk(
                        f"{prefix}.{name}.r{round_no + 1}",
                        url,
                        bodies,
                        headers,
                        connections=connections,
                        seconds=seconds / rounds,
                        warmup=3.0 if round_no == 0 else 1.0,
                        before=before,
                        profile=spied,
                        pause_ms=pause_ms,
                    )
                )
        merged: dict[str, WrkResult] = {}
        all_runs = self.details["runs"]
        for name, results in runs.items():
            result = WrkResult(
                requests=sum(r.requests for r in results),
                seconds=sum(r.seconds for r in results),
                p50_ms=statistics.median(r.p50_ms for r in results),
                p90_ms=statistics.median(r.p90_ms for r in results),
                p99_ms=statistics.median(r.p99_ms for r in results),
                mean_ms=statistics.fmean(r.mean_ms for r in results),
                socket_errors=sum(r.socket_errors for r in results),
                unexpected=sum(r.unexpected for r in results),
            )
            merged[name] = result
            keys = [f"{prefix}.{name}.r{i + 1}" for i in range(rounds)]
            cores: dict[str, float] = {}
            for key in keys:
                for process, used in all_runs[key]["cpu_cores"].items():
                    cores[process] = cores.get(process, 0.0) + used / rounds
            all_runs[f"{prefix}.{name}"] = {
                **result.as_dict(),
                "connections": connections,
                "rounds": rounds,
                "rps_per_round": [round(r.rps, 1) for r in results],
                "cpu_cores": {k: round(v, 2) for k, v in cores.items()},
                "cpu_ms_per_request": per_request(cores, result.rps),
            }
            for key in keys:
                all_runs.pop(key)
        self.round_ratios[prefix] = {
            name: [a.rps / b.rps for a, b in zip(runs[name], runs[targets[0][0]], strict=True) if b.rps]
            for name in runs
        }
        return merged

    def profiled(self, name: str, argv: list[str]) -> list[str]:
        """A helper run under py-spy when BENCH_PROFILE asks for it."""
        if not any(name.startswith(p) for p in self.profile):
            return argv
        binary = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        if not Path(binary).exists():
            return argv
        self.out.mkdir(parents=True, exist_ok=True)
        output = self.out / f"profile-{name}.txt"
        return [binary, "record", "--rate", "100", "--format", "raw", "--output", str(output), "--", *argv]

    def add(self, row: Row) -> None:
        self.rows.append(row)

    def fail(self, key: str, title: str, goal: str, exc: BaseException) -> None:
        message = f"{type(exc).__name__}: {exc}"
        self.rows.append(
            Row(key, title, "", None, None, "", goal, False, error=message.splitlines()[0][:300])
        )
        self.errors.append(
            {"scenario": key, "error": message[:4000], "traceback": traceback.format_exc()[-4000:]}
        )
