"""Shared fixtures. No test may reach the network: only loopback sockets are allowed."""

from __future__ import annotations

import ipaddress
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import uvicorn

from draftdesk.adapters.embeddings import Embedder, build_embedder
from draftdesk.container import Container
from draftdesk.domain.users import Role, User
from draftdesk.entry.web import create_app
from draftdesk.paths import bundled_dir
from draftdesk.services.repetition import COLLECTION as PUBLISHED
from draftdesk.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.fake_openai import FakeOpenAI

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check(sock: socket.socket, address: object) -> None:
    if sock.family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) else address
    try:
        if ipaddress.ip_address(str(host)).is_loopback:
            return
    except ValueError:
        if host == "localhost":
            return
    raise RuntimeError(
        f"A test tried to open a network connection to {address!r}; only 127.0.0.1 is allowed."
    )


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check(self, address)
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


BUNDLED = bundled_dir("knowledge")
SAM = User(name="sam", role=Role.AGENT)
LEE = User(name="lee", role=Role.LEAD)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings that ignore the developer's .env file. No language model unless a test opts in:
    `auto` would pick whatever this machine has installed."""
    overrides.setdefault("llm_provider", "template")
    return Settings(_env_file=None, data_dir=data_dir, **overrides)  # type: ignore[call-arg]


class CountingEmbedder(Embedder):
    """The real embedder, counting how many texts it was asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return build_embedder(make_settings(tmp_path_factory.mktemp("unused")))


@pytest.fixture
def counting(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    """A few real entries of each kind, copied so a test may edit them."""
    root = tmp_path / "kb"
    for sub, names in {
        "guidelines": ["voice-and-tone.md", "channel-rules.md", "compensation-policy.md"],
        "incidents": ["INC-2024-007.yaml", "INC-2025-037.yaml", "INC-2024-016.yaml"],
        "templates": ["checkout_failure.yaml"],
    }.items():
        (root / sub).mkdir(parents=True)
        for name in names:
            shutil.copy(BUNDLED / sub / name, root / sub / name)
    return root


@pytest.fixture
def container(tmp_path: Path, counting: CountingEmbedder) -> Iterator[Container]:
    c = Container(make_settings(tmp_path / "data"))
    c.embedder = counting  # type: ignore[misc]
    yield c
    c.close()


@pytest.fixture(scope="session")
def full_store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Container]:
    """The whole bundled knowledge base, ingested once for the retrieval tests."""
    c = Container(make_settings(tmp_path_factory.mktemp("full")))
    c.embedder = embedder  # type: ignore[misc]
    c.ensure_knowledge()
    yield c
    c.close()


def drafting_container(base: Container, data_dir: Path, **overrides: object) -> Container:
    """A container with its own settings (LLM provider, revisions) over an already ingested store."""
    c = Container(make_settings(data_dir, **overrides))
    c.embedder = base.embedder  # type: ignore[misc]
    c.store = base.store  # type: ignore[misc]
    return c


@pytest.fixture
def api(full_store: Container, tmp_path: Path) -> Iterator[tuple[str, Container]]:
    """The app over the template engine, served on 127.0.0.1: its URL and its container."""
    c = drafting_container(full_store, tmp_path / "data")
    with serving(c) as url:
        yield url, c
    c.close()


def model_container(base: Container, data_dir: Path, server: FakeOpenAI, **overrides: object) -> Container:
    """Drafting through the real OpenAI client and LangChain, against the scripted server on 127.0.0.1."""
    settings: dict[str, object] = {
        "llm_provider": "openai",
        "openai_base_url": server.base_url,
        "llm_model": "test-model",
        "llm_max_retries": 0,
    }
    settings.update(overrides)
    return drafting_container(base, data_dir, **settings)


@pytest.fixture(autouse=True)
def _published_stays_with_its_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """The shared store's `published` collection is emptied after each test that used the store:
    a reply one test approves must not turn another test's draft into a near-duplicate."""
    yield
    if "full_store" in request.fixturenames:
        store = request.getfixturevalue("full_store").store
        store.drop(PUBLISHED)


@pytest.fixture
def template_drafts(full_store: Container, tmp_path: Path) -> Container:
    return drafting_container(full_store, tmp_path)


@pytest.fixture(autouse=True)
def _no_model_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that build Settings from the environment must not pick up a key or the local model."""
    monkeypatch.setenv("DRAFTDESK_LLM_PROVIDER", "template")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("DRAFTDESK_OPENAI_API_KEY", raising=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(container: Container, note: str | None = None) -> Iterator[str]:
    """The whole web app (FastAPI with Gradio mounted) on 127.0.0.1, for as long as the block runs."""
    port = free_port()
    config = uvicorn.Config(create_app(container, note), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(tmp_path: Path, small_kb: Path, counting: CountingEmbedder) -> Iterator[str]:
    container = Container(make_settings(tmp_path, knowledge_dir=small_kb))
    container.embedder = counting  # type: ignore[misc]
    container.ensure_knowledge()
    with serving(container, "First start: ingested") as url:
        yield url
    container.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A real PostgreSQL server on 127.0.0.1 for the session; tests take a database each."""
    from .postgres_server import postgres_server

    with postgres_server(free_port()) as url:
        yield url


@pytest.fixture
def postgres_url(postgres: str, request: pytest.FixtureRequest) -> str:
    from .postgres_server import fresh_database

    return fresh_database(postgres, "t_" + re.sub(r"\W", "_", request.node.name)[:50].lower())


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma, "the chromadb package installs the `chroma` command"
    port = free_port()
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


SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright; Playwright never downloads a browser here."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "install Debian's Chromium: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context (no cookies, no local storage) at a laptop's size."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def password_for(name: str) -> str:
    return f"{name}-password-1"


def add_accounts(container: Container, **roles: Role) -> None:
    """Accounts in the record database, as `draftdesk users add` makes them; see `password_for`."""
    for name, role in roles.items():
        container.users.add(name, role, password_for(name))


def sign_in(page: Page, url: str, name: str) -> None:
    """Gradio's sign-in form, filled as a person would."""
    from playwright.sync_api import expect

    page.goto(url)
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(password_for(name))
    page.get_by_role("button", name="Login").click()
    expect(page.locator("#dd-user")).to_contain_text(f"Signed in as {name}", timeout=30_000)
