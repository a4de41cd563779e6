"""`make run`: start the four processes, prefix their logs by name, stop them on Ctrl-C.

Outside production, and unless `KM_SIMULATORS=0`, it also starts the 12345 and 110 simulators
(`scripts/simulators/`) and points the gateway's callback and 110 settings at them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = [("complaints", "complaints"), ("wages", "wages"), ("credit", "credit"), ("gateway", "gateway")]
COLOURS = {
    "complaints": "36",
    "wages": "33",
    "credit": "35",
    "gateway": "32",
    "sim-12345": "34",
    "sim-110": "31",
}
# name, module, the variable fixing its port (default: any free port), the gateway setting and path.
SIMULATORS = [
    (
        "sim-12345",
        "scripts.simulators.platform_12345",
        "KM_SIM_12345_PORT",
        "GATEWAY_HOTLINE_12345_CALLBACK_URL",
        "/callbacks",
    ),
    ("sim-110", "scripts.simulators.police_110", "KM_SIM_110_PORT", "GATEWAY_POLICE_110_URL", "/referrals"),
]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(ROOT), *(str(ROOT / "services" / s) for s in ("complaints", "wages", "credit"))]
    env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _simulators(env: dict[str, str]) -> list[tuple[str, list[str], str]]:
    """The simulator commands to start; the gateway's settings point at them unless already set."""
    if env.get("KM_SIMULATORS", "1") == "0" or env.get("ENVIRONMENT", "development") == "production":
        return []
    commands = []
    for name, module, port_variable, setting, path in SIMULATORS:
        port = env.get(port_variable) or str(_free_port())
        url = f"http://127.0.0.1:{port}{path}"
        env.setdefault(setting, url)
        commands.append((name, [sys.executable, "-m", module, "--port", port], url))
    return commands


def _pump(name: str, stream: IO[str]) -> None:
    tty = sys.stdout.isatty()
    prefix = f"\033[{COLOURS[name]}m{name:<10}|\033[0m " if tty else f"{name:<10}| "
    for line in iter(stream.readline, ""):
        sys.stdout.write(prefix + line)
        sys.stdout.flush()


def _wait_healthy(url: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def main() -> int:
    env = _env()
    simulators = _simulators(env)
    commands = [(name, [sys.executable, "-m", module]) for name, module in PROCESSES]
    commands += [(name, command) for name, command, _ in simulators]
    children: list[subprocess.Popen[str]] = []
    for name, command in commands:
        child = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        children.append(child)
        threading.Thread(target=_pump, args=(name, child.stdout), daemon=True).start()

    port = os.environ.get("GATEWAY_PORT", "8000")
    host = os.environ.get("GATEWAY_HOST", "127.0.0.1")
    if _wait_healthy(f"http://{host}:{port}/healthz"):
        key = subprocess.run(
            [sys.executable, "-m", "gateway.admin", "ensure-dev-admin"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        admin_key = (
            key.stdout.strip().splitlines()[-1]
            if key.returncode == 0
            else "(failed: " + key.stderr.strip() + ")"
        )
        print(
            f"\n  网关已启动 Gateway listening on http://{host}:{port}  (docs: /docs)\n"
            f"  管理员 API 密钥 Admin API key (kept in var/admin.key):\n  {admin_key}\n"
            f"  Try: curl -H 'Authorization: Bearer {admin_key}' http://{host}:{port}/api/v1/complaints\n"
            + "".join(f"  模拟器 Simulator {name}: {url}\n" for name, _, url in simulators)
            + "  Ctrl-C stops everything.\n",
            flush=True,
        )
    else:
        print("gateway did not become healthy within 30 s; see the logs above", flush=True)

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for child in children:
            if child.poll() is not None:
                print(f"a process exited with code {child.returncode}; stopping the others", flush=True)
                stopping, exit_code = True, 1
                break
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
