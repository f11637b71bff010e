"""Per-request id for every answer and log line, and the last net for unexpected errors.

It sits outside the routes and their exception handlers, so an error answer built anywhere
carries the id, and a bug surfaces as a logged error with the id instead of a bare 500 page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from embloy_ats.request_id import HEADER, accept_or_new, bind_request_id, unbind_request_id

log = logging.getLogger("embloy_ats.service")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp, *, on_error: Callable[[], Response]) -> None:
        self.app = app
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accept_or_new(Headers(scope=scope).get(HEADER))
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        token = bind_request_id(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if started:  # the answer is on its way: nothing left to replace it with
                raise
            log.exception("unexpected error (request %s)", request_id)
            await self.on_error()(scope, receive, send_with_id)
        finally:
            unbind_request_id(token)
