"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat completions API, for tests and benchmarks.

Scripted answers, a responder function, latency, and injected failures (a status with
Retry-After, or a hang past the client's timeout); every request is recorded. The real
`openai` client and LangChain talk to it exactly as they would to a provider.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Failure:
    status: int = 500
    retry_after: float | None = None
    hang: float = (
        0.0  # seconds to stall before answering; an answer still follows (status 200 means "answer")
    )


Responder = Callable[[dict[str, Any]], str]


class FakeOpenAI:
    def __init__(
        self, responder: Responder | None = None, latency: float = 0.0, model: str = "fake-model"
    ) -> None:
        self.responder = responder
        self.latency = latency
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._queue: deque[str | Failure] = deque()
        self._always: Failure | None = None
        self._flaky: tuple[float, Failure, random.Random] | None = None
        self._lock = threading.Lock()
        self.active = 0  # requests being answered now
        self.peak = 0  # the most answered at once
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control -------------------------------------------------------------------------
    def script(self, *items: str | Failure) -> None:
        with self._lock:
            self._queue.extend(items)

    def fail_always(self, failure: Failure | None) -> None:
        self._always = failure

    def fail_randomly(self, share: float, failure: Failure, seed: int = 7) -> None:
        """Answer `share` of the calls (drawn with a fixed seed) with `failure`: a flaky provider."""
        self._flaky = (share, failure, random.Random(seed))

    def last_messages(self) -> list[dict[str, Any]]:
        return list(self.requests[-1]["messages"])

    def prompt_text(self, index: int = -1) -> str:
        parts = []
        for message in self.requests[index]["messages"]:
            content = message.get("content")
            if isinstance(content, list):
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            parts.append(str(content or ""))
        return "\n\n".join(parts)

    @property
    def base_url(self) -> str:
        assert self._server, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- answering -----------------------------------------------------------------------
    def _next(self, body: dict[str, Any]) -> str | Failure:
        if self._always is not None:
            return self._always
        if self._flaky is not None:
            share, failure, draw = self._flaky
            with self._lock:
                if draw.random() < share:
                    return failure
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return self.responder(body) if self.responder else "OK"

    def _record(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, each answer waits ~40 ms for an ACK.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._json(200, {"object": "list", "data": [{"id": fake.model, "object": "model"}]})
            else:
                self._json(404, _error("not found", "invalid_request_error"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._json(404, _error("not found", "invalid_request_error"))
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._json(400, _error("invalid JSON body", "invalid_request_error"))
                return
            fake._record(body, dict(self.headers.items()))
            answer = fake._next(body)
            with fake._lock:
                fake.active += 1
                fake.peak = max(fake.peak, fake.active)
            try:
                if fake.latency:
                    time.sleep(fake.latency)
                if isinstance(answer, Failure):
                    if answer.hang:
                        time.sleep(answer.hang)
                    if answer.status != 200:
                        self._fail(answer)
                        return
                    answer = fake.responder(body) if fake.responder else "OK"
                if body.get("stream"):
                    self._stream(body, answer)
                else:
                    self._json(200, _completion(body, answer, fake.model))
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (a timeout test): nothing to answer
            finally:
                with fake._lock:
                    fake.active -= 1

        def _fail(self, failure: Failure) -> None:
            kind = "rate_limit_error" if failure.status == 429 else "server_error"
            headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after is not None else {}
            self._json(failure.status, _error(f"injected failure {failure.status}", kind), headers)

        def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                return

        def _stream(self, body: dict[str, Any], text: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            model = body.get("model", fake.model)
            self._event(_chunk(model, {"role": "assistant", "content": ""}))
            words = text.split(" ")
            for i in range(0, len(words), 3):
                piece = " ".join(words[i : i + 3]) + (" " if i + 3 < len(words) else "")
                self._event(_chunk(model, {"content": piece}))
            self._event(_chunk(model, {}, finish="stop"))
            if (body.get("stream_options") or {}).get("include_usage"):
                usage = _usage(body, text)
                self._event({**_chunk(model, {}), "choices": [], "usage": usage})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def _event(self, payload: dict[str, Any]) -> None:
            self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
            self.wfile.flush()

    return Handler


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": kind}}


def _usage(body: dict[str, Any], text: str) -> dict[str, int]:
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    completion = len(text.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(body: dict[str, Any], text: str, model: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{time.time_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", model),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": _usage(body, text),
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stream",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
