"""`make run`'s launcher, end to end: four real processes on SQLite, a key printed, Ctrl-C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared import migrations
from shared.testing.plugin import free_port
from tests.conftest import COMPONENTS, ROOT


class Launcher:
    def __init__(self, env: dict[str, str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "scripts/run_all.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def admin_key(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            seen.append(line)
            if "Admin API key" in line:
                return self.lines.get(timeout=5).strip()
        raise AssertionError("no admin key printed:\n" + "".join(seen))

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=30)
        self._reader.join(timeout=5)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return code


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    ports = {name: free_port() for name in ("gateway", "complaints", "wages", "credit")}
    values = dict(os.environ, KM_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    for name, port in ports.items():
        values[f"{name.upper()}_PORT"] = str(port)
        if name != "gateway":
            values[f"GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
    for name, directory in COMPONENTS.items():
        migrations.upgrade(directory, f"sqlite+aiosqlite:///{tmp_path / name}.db")
    yield values


def test_run_serves_through_gateway_and_stops_on_ctrl_c(env: dict[str, str], tmp_path: Path) -> None:
    gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
    complaints = f"http://127.0.0.1:{env['COMPLAINTS_PORT']}"
    launcher = Launcher(env)
    try:
        key = launcher.admin_key()
        assert key.startswith("kml_")
        assert httpx.get(f"{gateway}/healthz").status_code == 200
        with_key = httpx.get(f"{gateway}/api/v1/complaints", headers={"Authorization": f"Bearer {key}"})
        assert with_key.status_code == 200
        assert with_key.json() == {"items": [], "next_cursor": None}
        without_key = httpx.get(f"{gateway}/api/v1/complaints")
        assert without_key.status_code == 401
        assert without_key.headers["content-type"] == "application/problem+json"
        direct = httpx.get(f"{complaints}/api/v1/complaints")
        assert direct.status_code == 401
        assert direct.json()["code"] == "gateway_token_required"
    finally:
        code = launcher.interrupt()
    assert code == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{gateway}/healthz")

    # A second run on the same data starts cleanly and reuses the key kept in var/.
    again = Launcher(env)
    try:
        assert again.admin_key() == key
    finally:
        assert again.interrupt() == 0
    assert (tmp_path / "admin.key").read_text().strip() == key
