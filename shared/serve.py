"""Process entry point used by each package's ``__main__`` (``python -m complaints``)."""

from __future__ import annotations

import os

import uvicorn

from shared.settings import BaseServiceSettings


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
        timeout_graceful_shutdown=10,
    )
