"""`python -m gateway.admin`: keys printed once, stored hashed, usable, revocable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.conftest import ROOT
from tests.gateway.test_proxy import bearer


def run_admin(database_url: str, *args: str, var_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GATEWAY_DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    if var_dir is not None:
        env["KM_VAR_DIR"] = str(var_dir)
    return subprocess.run(
        [sys.executable, "-m", "gateway.admin", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_create_client_prints_key_last_and_stores_only_its_hash(
    db_urls: dict[str, str], gateway_client: httpx.AsyncClient
) -> None:
    url = db_urls["gateway"]
    created = run_admin(
        url, "create-client", "--name", "mobile-app", "--scopes", "complaints:write,complaints:read"
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("kml_")

    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT key_hash, scopes FROM api_clients"))).one()
    await engine.dispose()
    assert key not in stored.key_hash
    assert stored.scopes == "complaints:read,complaints:write"

    assert (await gateway_client.get("/api/v1/complaints", headers=bearer(key))).status_code == 200

    listed = run_admin(url, "list-clients")
    assert "mobile-app" in listed.stdout and "active" in listed.stdout
    assert key not in listed.stdout

    revoked = run_admin(url, "revoke-client", "--name", "mobile-app")
    assert revoked.returncode == 0, revoked.stderr
    assert (await gateway_client.get("/api/v1/complaints", headers=bearer(key))).status_code == 401


def test_secret_flag_prints_secret_before_key(db_urls: dict[str, str]) -> None:
    created = run_admin(
        db_urls["gateway"],
        "create-client",
        "--name",
        "hotline-12345",
        "--scopes",
        "hotline:12345",
        "--secret",
    )
    assert created.returncode == 0, created.stderr
    lines = created.stdout.strip().splitlines()
    assert lines[-1].startswith("kml_")
    assert len(lines[-2]) >= 32 and not lines[-2].startswith("kml_")


def test_unknown_or_internal_scope_is_refused(db_urls: dict[str, str]) -> None:
    for scopes in ("complaints:write,everything", "internal"):
        result = run_admin(db_urls["gateway"], "create-client", "--name", "bad", "--scopes", scopes)
        assert result.returncode == 2
        assert "未知或不允许的权限" in result.stderr


def test_duplicate_name_is_refused(db_urls: dict[str, str]) -> None:
    assert (
        run_admin(db_urls["gateway"], "create-client", "--name", "dup", "--scopes", "admin").returncode == 0
    )
    again = run_admin(db_urls["gateway"], "create-client", "--name", "dup", "--scopes", "admin")
    assert again.returncode == 2
    assert "client_exists" in again.stderr


def test_dev_admin_key_is_reused_across_runs(db_urls: dict[str, str], tmp_path: Path) -> None:
    first = run_admin(db_urls["gateway"], "ensure-dev-admin", var_dir=tmp_path)
    second = run_admin(db_urls["gateway"], "ensure-dev-admin", var_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert second.stdout.strip().splitlines()[-1] == key
    assert (tmp_path / "admin.key").read_text().strip() == key
    assert (tmp_path / "admin.key").stat().st_mode & 0o077 == 0
