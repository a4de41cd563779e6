"""Request body cap: 413 problem+json before the handler sees an oversized body."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import PayloadTooLarge, problem_response


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = int(value) if value.isdigit() else -1
                if declared < 0 or declared > self.max_bytes:
                    response = problem_response(
                        status=413 if declared > self.max_bytes else 400,
                        code="payload_too_large" if declared > self.max_bytes else "bad_request",
                        title="请求体过大" if declared > self.max_bytes else "请求无效",
                        detail=self._detail() if declared > self.max_bytes else "Content-Length 无效",
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
                if received > self.max_bytes:
                    raise PayloadTooLarge(self._detail())
            return message

        await self.app(scope, counting_receive, send)

    def _detail(self) -> str:
        return f"请求体超过上限 {self.max_bytes} 字节"
