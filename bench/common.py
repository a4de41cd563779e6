"""What every benchmark of `make bench` shares: scale, scratch databases, real processes, wrk.

Nothing here is measured; it starts and stops what is, and reads wrk's answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import asyncpg

from shared.auth import IDENTITY_HEADER, Identity, issue_identity_token
from shared.testing.plugin import _admin_execute, postgres_admin_url, postgres_database_url

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
SERVICE_DIRS = {
    "gateway": ROOT / "gateway",
    "complaints": ROOT / "services" / "complaints",
    "wages": ROOT / "services" / "wages",
    "credit": ROOT / "services" / "credit",
}
# Settings the bench sets itself; inherited values would point a process elsewhere.
_OWN_PREFIXES = ("GATEWAY_", "COMPLAINTS_", "WAGES_", "CREDIT_")
_OWN_NAMES = frozenset({"REDIS_URL", "WEB_CONCURRENCY", "INTERNAL_TOKEN_SECRET", "ENVIRONMENT", "KM_VAR_DIR"})


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = float(raw)
    if value <= 0:
        raise SystemExit(f"{name} must be positive, got {raw!r}")
    return value


def scaled(n: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(n * scale))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def python_path() -> str:
    paths = [str(ROOT), *(str(SERVICE_DIRS[s]) for s in ("complaints", "wages", "credit"))]
    return os.pathsep.join(paths)


def base_env(**extra: str) -> dict[str, str]:
    """The environment of every child: this one, minus the platform's own settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_PREFIXES) and k not in _OWN_NAMES}
    env["PYTHONPATH"] = python_path()
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def identity_header(client_id: str, secret: str, *scopes: str) -> dict[str, str]:
    """The header the gateway would add, valid for an hour (the services accept it)."""
    identity = Identity(client_id, "压测客户端", frozenset(scopes))
    return {IDENTITY_HEADER: issue_identity_token(identity, secret, 3600)}


# --- scratch databases ------------------------------------------------------------------------


class ScratchDatabases:
    """PostgreSQL databases named ``km_bench_<run>_<name>``, all dropped by :meth:`drop_all`."""

    def __init__(self) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.names: list[str] = []

    def name(self, short: str) -> str:
        return f"km_bench_{self.run}_{short}"

    def create(self, short: str, *, template: str | None = None) -> str:
        name = self.name(short)
        statement = f'CREATE DATABASE "{name}"'
        if template is not None:
            # FILE_COPY: a checkpoint and a file copy, instead of WAL-logging every block.
            statement += f' TEMPLATE "{self.name(template)}" STRATEGY = FILE_COPY'
        asyncio.run(_admin_execute([statement]))
        self.names.append(name)
        return postgres_database_url(name)

    def url(self, short: str) -> str:
        return postgres_database_url(self.name(short))

    def drop(self, short: str) -> None:
        name = self.name(short)
        if name in self.names:
            asyncio.run(_admin_execute([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)']))
            self.names.remove(name)

    def drop_all(self) -> None:
        if self.names:
            asyncio.run(_admin_execute([f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in self.names]))
            self.names.clear()


def asyncpg_dsn(url: str) -> str:
    """``postgresql+asyncpg://`` (SQLAlchemy) to ``postgresql://`` (asyncpg, psql)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def server_version() -> str:
    async def query() -> str:
        conn = await asyncpg.connect(asyncpg_dsn(postgres_admin_url()))
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    return asyncio.run(query())


async def execute(dsn: str, *statements: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def fetch_value(dsn: str, query: str) -> Any:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(query)
    finally:
        await conn.close()


def checkpoint() -> None:
    """Flush the seeds' and earlier runs' dirty pages first, so a checkpoint does not land in
    the middle of one measurement and not another."""
    asyncio.run(execute(asyncpg_dsn(postgres_admin_url()), "CHECKPOINT"))


# --- processes --------------------------------------------------------------------------------


class Process:
    """A child in its own process group, its output in a log file; stopped by its own id."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str], log_dir: Path) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = dict(env)
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> Process:
        self._log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        popen = self.popen
        if popen is None:
            return
        if popen.poll() is None:
            # The group is this child's own (start_new_session): its pid is the group id.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGTERM)
            try:
                popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(popen.pid, signal.SIGKILL)
                popen.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None
        self.popen = None


def wait_http(url: str, process: Process | None = None, timeout: float = 60.0) -> None:
    """Until ``url`` answers 200, or raise with the end of the process's log."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process is not None and not process.alive():
            raise RuntimeError(f"{process.name} exited during start-up:\n{process.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError) as exc:
            last = str(exc)
        time.sleep(0.2)
    tail = process.log_tail() if process is not None else ""
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s ({last})\n{tail}")


def run_checked(argv: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float) -> str:
    """A helper process to completion; its stdout, or an error carrying its stderr."""
    done = subprocess.run(
        list(argv), cwd=ROOT, env=dict(env) if env else None, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:3])}... exited {done.returncode}:\n{done.stderr[-3000:]}{done.stdout[-1000:]}"
        )
    return done.stdout


def apt_install(*choices: list[str]) -> bool:
    """Install the first of ``choices`` (lists of Debian packages) that apt can, updating the
    package index once if the first try fails. True when one was installed."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for update in (False, True):
        if update:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, text=True, timeout=300)
        for packages in choices:
            argv = ["apt-get", "install", "-y", "-q", *packages]
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
            if done.returncode == 0:
                return True
    return False


# --- wrk --------------------------------------------------------------------------------------

WRK_SCRIPT = BENCH_DIR / "wrk_post.lua"


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    socket_errors: int
    unexpected: int
    sample: str = ""
    command: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 3),
            "p90_ms": round(self.p90_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "mean_ms": round(self.mean_ms, 3),
            "socket_errors": self.socket_errors,
            "unexpected_status": self.unexpected,
            "sample": self.sample,
        }


def write_bodies(path: Path, bodies: Sequence[bytes]) -> Path:
    """One JSON document per line, as the Lua script reads them."""
    with path.open("wb") as out:
        for body in bodies:
            if b"\n" in body:
                raise ValueError("a request body must fit on one line")
            out.write(body + b"\n")
    return path


def wrk(
    url: str,
    bodies: Path,
    *,
    headers: Mapping[str, str],
    connections: int,
    seconds: float,
    threads: int = 1,
    timeout_seconds: int = 30,
    pause_ms: int = 0,
) -> WrkResult:
    """POST the bodies of ``bodies`` in turn to ``url`` for ``seconds`` with wrk (closed loop).

    ``pause_ms``: each connection waits between 0 and twice this long (uniformly, so that
    the connections do not fall into step) after an answer before its next request (wrk's
    ``delay()``), for a load below what the target can take."""
    if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise ValueError(f"the bench only targets loopback addresses, not {url}")
    script = WRK_SCRIPT
    if pause_ms > 0:
        # wrk looks for delay() when it loads the script, so it is there only when asked for.
        script = bodies.with_name(f"wrk-paced-{pause_ms}.lua")
        script.write_text(
            WRK_SCRIPT.read_text()
            + "\nmath.randomseed(os.time())\n"
            + f"function delay()\n  return math.random(0, {2 * int(pause_ms)})\nend\n"
        )
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_seconds}s",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv += [url, "--", str(bodies)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + timeout_seconds + 60)
    stats: dict[str, Any] | None = None
    sample = ""
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            stats = json.loads(line.removeprefix("WRK_JSON "))
        elif line.startswith("WRK_SAMPLE "):
            sample = line.removeprefix("WRK_SAMPLE ")[:500]
    if done.returncode != 0 or stats is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-2000:]}{done.stdout[-2000:]}")
    shown = [
        a if not a.startswith(("Authorization", IDENTITY_HEADER)) else a.split(":")[0] + ": …" for a in argv
    ]
    return WrkResult(
        requests=int(stats["requests"]),
        seconds=stats["duration_us"] / 1e6,
        p50_ms=stats["p50_us"] / 1000,
        p90_ms=stats["p90_us"] / 1000,
        p99_ms=stats["p99_us"] / 1000,
        mean_ms=stats["mean_us"] / 1000,
        socket_errors=sum(
            int(stats[k]) for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
        ),
        unexpected=int(stats["unexpected"]),
        sample=sample,
        command=shown,
    )


# --- the machine --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": memory_gb,
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "postgresql": _or_unknown(server_version),
        "wrk": wrk_version[0].strip() if wrk_version else "unknown",
        "nginx": nginx_version(),
    }


def _or_unknown(probe: Callable[[], str]) -> str:
    try:
        return probe()
    except Exception as exc:  # the report is still written without it
        return f"unknown ({type(exc).__name__})"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def nginx_version() -> str | None:
    binary = nginx_binary()
    if binary is None:
        return None
    done = subprocess.run([binary, "-v"], capture_output=True, text=True)
    return (done.stderr or done.stdout).strip().removeprefix("nginx version: ") or None


# --- where the time goes: CPU per process group, PostgreSQL wait events -------------------------

_TICK = os.sysconf("SC_CLK_TCK")
_CLIENT = re.compile(r"\(\d+\)|\[local\]")


def cpu_snapshot(groups: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds so far of each process group (name -> group id) and of PostgreSQL.

    PostgreSQL: the backends of the bench's own databases (``km_bench_*`` in their process
    title), the server's shared processes (WAL writer, checkpointer, ...) and the backends that
    ended (reaped by the postmaster); live backends of other databases are someone else's work
    on a shared server and are left to ``machine``."""
    by_group = {pgid: name for name, pgid in groups.items()}
    totals = dict.fromkeys([*groups, "postgresql"], 0.0)
    # The whole machine (user, nice, system, irq, softirq, steal), for what the others used.
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    totals["machine"] = sum(int(cpu[i]) for i in (0, 1, 2, 5, 6, 7)) / _TICK
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # fields[0] is field 3 of proc(5): state, ppid, pgrp, ..., utime (14), stime, cutime, cstime.
        pgrp = int(fields[2])
        utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
        if pgrp in by_group:
            totals[by_group[pgrp]] += (utime + stime) / _TICK
        elif comm == "postgres" and _ours_or_shared(entry):
            # For the postmaster, its reaped children too: backends that ended meanwhile (a
            # helper's connections); on a shared server some of those may be someone else's.
            totals["postgresql"] += (utime + stime + cutime + cstime) / _TICK
    return totals


def _ours_or_shared(proc: Path) -> bool:
    """A PostgreSQL process working for the bench: a backend of one of its databases, or one
    of the server's own processes. The title of a backend is
    ``postgres: 15/main: <user> <database> <client> <state>``."""
    try:
        title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    if "km_bench_" in title:
        return True
    # A backend names its client ("127.0.0.1(5432)", "[local]"); shared processes do not.
    return _CLIENT.search(title) is None


def cpu_cores(before: Mapping[str, float], after: Mapping[str, float], seconds: float) -> dict[str, float]:
    """Cores used on average by each, between two snapshots ``seconds`` apart."""
    if seconds <= 0:
        return {}
    # A process that ended between the two snapshots can make a small negative difference.
    return {k: round(max(0.0, after[k] - before.get(k, 0.0)) / seconds, 2) for k in after}


def background_cores(seconds: float = 3.0) -> float:
    """Cores the machine uses while the bench does nothing (other people's work)."""
    before = cpu_snapshot({})
    time.sleep(seconds)
    used = cpu_cores(before, cpu_snapshot({}), seconds)
    return round(used["machine"] - used["postgresql"], 2)


class WaitSampler:
    """Samples ``pg_stat_activity`` of the bench's databases every 0.2 s in a thread: what the
    active backends were doing (``CPU`` when running, else their wait event)."""

    def __init__(self, pattern: str = "km_bench_%") -> None:
        self.pattern = pattern
        self.counts: dict[str, int] = {}
        self.samples = 0
        self._stop = False
        self._thread: Any = None

    def __enter__(self) -> WaitSampler:
        import threading

        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    async def _run(self) -> None:
        conn = await asyncpg.connect(asyncpg_dsn(postgres_admin_url()))
        try:
            while not self._stop:
                rows = await conn.fetch(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname LIKE $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    self.pattern,
                )
                self.samples += 1
                for row in rows:
                    if row["state"] == "idle":
                        key = "idle"
                    elif row["state"] == "idle in transaction":
                        key = "idle in transaction"
                    elif row["wait_event"] is None:
                        key = "CPU"
                    else:
                        key = f"{row['wait_event_type']}:{row['wait_event']}"
                    self.counts[key] = self.counts.get(key, 0) + 1
                await asyncio.sleep(0.2)
        finally:
            await conn.close()

    def summary(self) -> dict[str, float]:
        """Average number of backends in each state (idle ones left out)."""
        if not self.samples:
            return {}
        busy = {k: v for k, v in self.counts.items() if k != "idle"}
        ordered = sorted(busy.items(), key=lambda kv: -kv[1])
        return {k: round(v / self.samples, 2) for k, v in ordered[:6]}


# --- the local PostgreSQL -----------------------------------------------------------------------


def postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False).returncode == 0


def ensure_postgres() -> str | None:
    """Start the local cluster as .ci/run does when it is down; the version started, or None."""
    if postgres_ready():
        return None
    versions = (
        sorted(p.name for p in Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").is_dir() else []
    )
    if not versions:
        raise SystemExit("PostgreSQL is not running at 127.0.0.1:5432 and no local cluster is installed")
    version = versions[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
    for _ in range(30):
        if postgres_ready():
            return version
        time.sleep(1)
    raise SystemExit("PostgreSQL did not become ready within 30 s")


def stop_postgres(version: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop"], check=False)
