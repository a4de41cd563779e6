"""Process entry point used by each package's ``__main__`` (``python -m complaints``)."""

from __future__ import annotations

import os

import uvicorn

from shared.app import GC_YOUNG_ENV, SERVER_GC_YOUNG_THRESHOLD
from shared.settings import BaseServiceSettings

# How long a process keeps an idle HTTP/1.1 connection open. The gateway pools its connections
# to the services and reuses one only while it has been idle for less than its own, shorter,
# limit (gateway/passthrough.py), so the server never closes a connection the gateway is
# about to write to; uvicorn's default of 5 s made the gateway reconnect after every pause.
KEEP_ALIVE_SECONDS = 75


HTTP_PROTOCOL = "shared.httpserver:HttpProtocol"


def serve(
    app_factory: str,
    settings: BaseServiceSettings,
    *,
    proxy_headers: bool = False,
    http: str = HTTP_PROTOCOL,
) -> None:
    """``http``: the protocol class (uvicorn's httptools protocol, the head of a response
    written with its body; the gateway's serves proxied requests without an ASGI cycle).
    ``proxy_headers``: take the client's address from ``X-Forwarded-For`` (sent by trusted
    proxies only, uvicorn's ``FORWARDED_ALLOW_IPS``). The gateway, which limits public callers
    by address, needs it behind a load balancer; the services never read the address, and
    parsing the header cost a filing 2 % of its CPU (make bench, intake)."""
    # Read by every worker's lifespan (shared.app), spawned workers included.
    os.environ.setdefault(GC_YOUNG_ENV, str(SERVER_GC_YOUNG_THRESHOLD))
    uvicorn.run(
        app_factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=int(os.environ.get("WEB_CONCURRENCY", "1")),
        access_log=False,
        http=http,
        proxy_headers=proxy_headers,
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=10,
    )
