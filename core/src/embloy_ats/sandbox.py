"""A local ATS: serves recorded answers over HTTP on loopback, for demos and load tests.

It answers by method, path, query and body whatever host the request was recorded for,
so a connector pointed at it with `base_url` sees exactly the recorded answers. It counts
every request it receives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from embloy_ats.replay import AnswerKey, RecordedAnswer, answer_key, recorded_answers

_HOSTLESS = "sandbox"


def _hostless(key: AnswerKey) -> AnswerKey:
    method, _, path, query, body = key
    return (method, _HOSTLESS, path, query, body)


class Sandbox:
    def __init__(self, cassettes: Iterable[Path]) -> None:
        self.answers: dict[AnswerKey, RecordedAnswer] = {
            _hostless(key): answer for key, answer in recorded_answers(cassettes).items()
        }
        self.hits: Counter[str] = Counter()
        self.app = Starlette(
            routes=[Route("/{path:path}", self._serve, methods=["GET", "POST", "PUT", "DELETE"])]
        )

    async def _serve(self, request: Request) -> Response:
        body = await request.body()
        url = f"http://{_HOSTLESS}{request.url.path}"
        if request.url.query:
            url += f"?{request.url.query}"
        key = _hostless(answer_key(request.method, url, body))
        self.hits[f"{request.method} {request.url.path}"] += 1
        answer = self.answers.get(key)
        if answer is None:
            return JSONResponse({"error": "nothing recorded for this request"}, status_code=404)
        headers = {name: value for name, value in answer.headers}
        return Response(answer.body, status_code=answer.status, headers=headers)

    @classmethod
    def from_directory(cls, root: Path) -> Sandbox:
        return cls(sorted(root.glob("*/*.yaml")))
