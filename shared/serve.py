"""Process entry point used by each package's ``__main__`` (``python -m complaints``)."""

from __future__ import annotations

import os

import uvicorn

from shared.settings import BaseServiceSettings

# How long a process keeps an idle HTTP/1.1 connection open. The gateway pools its connections
# to the services and reuses one only while it has been idle for less than its own, shorter,
# limit (gateway/passthrough.py), so the server never closes a connection the gateway is
# about to write to; uvicorn's default of 5 s made the gateway reconnect after every pause.
KEEP_ALIVE_SECONDS = 75


def serve(app_factory: str, settings: BaseServiceSettings) -> None:
    uvicorn.run(
        app_factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=int(os.environ.get("WEB_CONCURRENCY", "1")),
        access_log=False,
        proxy_headers=True,
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=10,
    )
