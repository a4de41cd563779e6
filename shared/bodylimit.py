"""Request body cap: 413 problem+json before the handler sees an oversized body."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import PayloadTooLarge, problem_response


class BodyLimitMiddleware:
    """``max_bytes`` for every path, except path prefixes given their own cap in ``overrides``
    (a month's payroll ledger is far larger than any other request)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, overrides: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.overrides = sorted((overrides or {}).items(), key=lambda item: -len(item[0]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        max_bytes = next(
            (cap for prefix, cap in self.overrides if path.startswith(prefix)), self.default_max_bytes
        )
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = int(value) if value.isdigit() else -1
                if declared < 0 or declared > max_bytes:
                    response = problem_response(
                        status=413 if declared > max_bytes else 400,
                        code="payload_too_large" if declared > max_bytes else "bad_request",
                        title="请求体过大" if declared > max_bytes else "请求无效",
                        detail=self._detail(max_bytes) if declared > max_bytes else "Content-Length 无效",
                        instance=scope["path"],
                    )
                    await response(scope, receive, send)
                    return
                break
        received = 0

        # Chunked bodies have no declared length: count as they arrive.
        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise PayloadTooLarge(self._detail(max_bytes))
            return message

        await self.app(scope, counting_receive, send)

    @staticmethod
    def _detail(max_bytes: int) -> str:
        return f"请求体超过上限 {max_bytes} 字节"
