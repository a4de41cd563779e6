"""Client management: ``python -m gateway.admin create-client --name N --scopes a,b``.

The key is printed alone on the last line of stdout (``--secret`` prints the webhook
signing secret on the line before). Keys are stored hashed and cannot be shown again.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import OperationalError, ProgrammingError

from gateway.clients import service
from gateway.config import GatewaySettings
from shared.db import Database
from shared.errors import AppError
from shared.settings import VAR_DIR

DEV_ADMIN_NAME = "dev-admin"
DEV_ADMIN_KEY_FILE = VAR_DIR / "admin.key"


async def _create(args: argparse.Namespace, db: Database) -> int:
    async with db.sessionmaker() as session, session.begin():
        issued = await service.create_client(
            session,
            name=args.name,
            scopes=args.scopes.split(","),
            with_secret=args.secret,
            rate_limit_per_minute=args.rate_limit,
            districts=args.districts.split(",") if args.districts else (),
        )
    print(f"created client {issued.client.name} ({issued.client.id}) scopes={issued.client.scopes}")
    if issued.signing_secret:
        print(issued.signing_secret)
    print(issued.api_key)
    return 0


async def _list(_: argparse.Namespace, db: Database) -> int:
    async with db.sessionmaker() as session:
        rows = await service.list_clients(session)
    print(f"{'name':<24} {'status':<8} {'created':<26} scopes")
    for c in rows:
        status = "revoked" if c.revoked_at else "active"
        print(f"{c.name:<24} {status:<8} {c.created_at.isoformat():<26} {c.scopes}")
    return 0


async def _revoke(args: argparse.Namespace, db: Database) -> int:
    async with db.sessionmaker() as session, session.begin():
        client = await service.revoke_client(session, args.name)
    print(f"revoked client {client.name}")
    return 0


async def _dev_admin_key(db: Database, kept_key: str | None) -> tuple[str, bool]:
    """The kept key if it still works, else a freshly issued one (and True)."""
    async with db.sessionmaker() as session, session.begin():
        if kept_key and await service.authenticate(session, kept_key) is not None:
            return kept_key, False
        # The database was reset or the key revoked: issue another admin client.
        issued = await service.create_client(
            session, name=f"{DEV_ADMIN_NAME}-{secrets.token_hex(3)}", scopes=["admin"], with_secret=True
        )
    return issued.api_key, True


def _ensure_dev_admin(args: argparse.Namespace) -> int:
    """For `make run`: reuse the admin key kept in var/, or issue one on first run."""
    key_file = Path(args.key_file)
    kept = key_file.read_text().strip() if key_file.exists() else None
    key, issued = _with_database(lambda db: _dev_admin_key(db, kept))
    if issued:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
    print(key)
    return 0


T = TypeVar("T")


def _with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(GatewaySettings().database_url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _async_command(
    handler: Callable[[argparse.Namespace, Database], Awaitable[int]],
) -> Callable[[argparse.Namespace], int]:
    return lambda args: _with_database(lambda db: handler(args, db))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.admin", description="API 客户端管理")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-client", help="创建客户端并签发 API 密钥（仅显示一次）")
    create.add_argument("--name", required=True)
    create.add_argument("--scopes", required=True, help="逗号分隔，如 complaints:write,complaints:read")
    create.add_argument("--secret", action="store_true", help="同时生成 webhook 签名密钥")
    create.add_argument("--rate-limit", type=int, default=None, help="每分钟请求数上限")
    create.add_argument("--districts", default=None, help="限定辖区（逗号分隔的行政区划代码或前缀）")
    create.set_defaults(handler=_async_command(_create))
    sub.add_parser("list-clients", help="列出客户端").set_defaults(handler=_async_command(_list))
    revoke = sub.add_parser("revoke-client", help="吊销客户端")
    revoke.add_argument("--name", required=True)
    revoke.set_defaults(handler=_async_command(_revoke))
    dev = sub.add_parser("ensure-dev-admin", help="make run 使用：复用或签发开发用管理员密钥")
    dev.add_argument("--key-file", default=str(DEV_ADMIN_KEY_FILE))
    dev.set_defaults(handler=_ensure_dev_admin)
    args = parser.parse_args(argv)

    try:
        result: int = args.handler(args)
        return result
    except AppError as exc:
        print(f"error: {exc.code}: {exc.detail}", file=sys.stderr)
        return 2
    except (OperationalError, ProgrammingError) as exc:
        print(f"error: database not ready ({type(exc).__name__}); run `make migrate` first", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
