"""The web app serves the search page, and its search works through Gradio's own client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from draftdesk.container import Container
from draftdesk.entry.web import create_app

from .conftest import CountingEmbedder, make_settings


@pytest.fixture
def server(tmp_path: Path, small_kb: Path, counting: CountingEmbedder) -> Iterator[str]:
    container = Container(make_settings(tmp_path, knowledge_dir=small_kb))
    container.embedder = counting  # type: ignore[misc]
    container.ensure_knowledge()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(container, "First start: ingested"), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    yield url
    srv.should_exit = True
    thread.join(timeout=10)
    container.close()


def test_search_page_and_api(server: str) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok", "engine": "template · no language model"}
    page = httpx.get(server + "/")
    assert page.status_code == 200 and "draftdesk" in page.text
    # the small knowledge base: 3 incidents and 5 checkout-failure template stages
    assert "3 past incidents" in page.text and "5 template stages" in page.text

    from gradio_client import Client

    client = Client(server, verbose=False)
    html = client.predict(
        "card payments failing on cyber monday", ["incidents"], "any", 3, False, api_name="/search"
    )
    assert "INC-2025-037" in html and "Timeline as published" in html
    empty = client.predict("cyber monday", ["incidents"], "data_breach", 3, False, api_name="/search")
    assert "No matches" in empty  # the small knowledge base has no data breach
