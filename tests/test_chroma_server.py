"""With DRAFTDESK_CHROMA_URL, draftdesk works against a real Chroma server, and takes no lock."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from draftdesk.container import Container
from draftdesk.services.retrieval import SearchRequest

from .conftest import CountingEmbedder, make_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma, "the chromadb package installs the `chroma` command"
    port = _free_port()
    server = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("chroma server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_two_processes_share_a_chroma_server(
    chroma_url: str, tmp_path: Path, small_kb: Path, counting: CountingEmbedder
) -> None:
    first = Container(make_settings(tmp_path / "a", chroma_url=chroma_url))
    second = Container(make_settings(tmp_path / "b", chroma_url=chroma_url))
    for c in (first, second):
        c.embedder = counting  # type: ignore[misc]
    summary = first.ingestion.ingest(small_kb)
    assert summary.added == 11
    hits = second.retrieval.search(SearchRequest(query="kettle lid cracks at the hinge", k=1))
    assert hits[0].id == "INC-2024-007"
    assert second.ingestion.ingest(small_kb).unchanged == 11
    assert not (tmp_path / "a" / "chroma").exists()  # nothing embedded locally
