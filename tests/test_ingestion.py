"""Ingestion into a real Chroma directory: idempotent, incremental, and safe on bad input."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from draftdesk.container import Container
from draftdesk.errors import StoreError, StoreLockedError, StoreMismatchError, ValidationFailed
from draftdesk.services.retrieval import SearchRequest

from .conftest import CountingEmbedder, make_settings


def ids_of(container: Container, kind: str) -> set[str]:
    return set(container.store.client.get_collection(kind, embedding_function=None).get()["ids"])


def test_second_run_embeds_nothing(container: Container, small_kb: Path, counting: CountingEmbedder) -> None:
    first = container.ingestion.ingest(small_kb)
    assert first.added == 3 + 3 + 5 and counting.texts == first.chunks_embedded > 0
    counting.texts = 0
    second = container.ingestion.ingest(small_kb)
    assert counting.texts == 0
    assert (second.added, second.updated, second.removed, second.unchanged) == (0, 0, 0, 11)


def test_edited_file_replaces_only_its_own_chunks(
    container: Container, small_kb: Path, counting: CountingEmbedder
) -> None:
    container.ingestion.ingest(small_kb)
    before = ids_of(container, "guidelines")
    path = small_kb / "guidelines" / "channel-rules.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n## Push notifications\n\n"
        "Push notices are one sentence that says what changed for the customer.\n",
        encoding="utf-8",
    )
    counting.texts = 0
    summary = container.ingestion.ingest(small_kb)
    after = ids_of(container, "guidelines")
    assert (summary.updated, summary.unchanged) == (1, 10)
    assert counting.texts == 1 == len(after - before)
    assert before - after == set()  # untouched sections keep their ids
    hits = container.retrieval.search(SearchRequest(query="push notification wording", k=1))
    assert hits[0].id == "channel-rules" and "Push notifications" in hits[0].title


def test_deleted_file_disappears_from_the_store(container: Container, small_kb: Path) -> None:
    container.ingestion.ingest(small_kb)
    (small_kb / "incidents" / "INC-2024-007.yaml").unlink()
    summary = container.ingestion.ingest(small_kb)
    assert summary.removed == 1
    assert not any(i.startswith("INC-2024-007:") for i in ids_of(container, "incidents"))
    hits = container.retrieval.search(
        SearchRequest(query="kettle lid hinge cracks", kinds=["incidents"], k=3)
    )
    assert "INC-2024-007" not in [h.id for h in hits]


def test_bad_input_leaves_the_store_as_it_was(container: Container, small_kb: Path) -> None:
    container.ingestion.ingest(small_kb)
    before = {k: ids_of(container, k) for k in ("guidelines", "incidents", "templates")}
    (small_kb / "incidents" / "INC-2024-016.yaml").write_text("id: [oops", encoding="utf-8")
    (small_kb / "guidelines" / "voice-and-tone.md").unlink()
    with pytest.raises(ValidationFailed) as info:
        container.ingestion.ingest(small_kb)
    assert "INC-2024-016.yaml" in str(info.value.problems[0])
    assert {k: ids_of(container, k) for k in before} == before


def test_switching_embedding_model_is_caught(
    tmp_path: Path, small_kb: Path, counting: CountingEmbedder
) -> None:
    c = Container(make_settings(tmp_path))
    c.embedder = counting  # type: ignore[misc]
    c.ingestion.ingest(small_kb)
    counting.model_id = "another-model"
    with pytest.raises(StoreMismatchError) as info:
        c.retrieval.search(SearchRequest(query="refund"))
    assert "ingest --rebuild" in str(info.value)
    summary = c.ingestion.ingest(small_kb)  # ingest re-embeds instead of mixing vectors
    assert any("embedding model changed" in n for n in summary.notices) and summary.added == 11
    c.close()


HOLDER = textwrap.dedent("""
    import sys, time
    from draftdesk.adapters.chroma_store import ChromaStore
    from draftdesk.settings import Settings
    store = ChromaStore(Settings(_env_file=None, data_dir=sys.argv[1]))
    print("ready", flush=True)
    time.sleep(60)
""")


def test_second_process_gets_a_clear_error(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError) as info:
            Container(make_settings(tmp_path)).store  # noqa: B018
        message = str(info.value)
        assert f"pid {holder.pid}" in message and "DRAFTDESK_CHROMA_URL" in message
    finally:
        holder.kill()
        holder.wait()
    # the OS drops the lock with the process: the store opens again
    c = Container(make_settings(tmp_path))
    assert c.knowledge_size() == {"guidelines": 0, "incidents": 0, "templates": 0}
    c.close()


def test_unwritable_store_location(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(StoreError) as info:
        Container(make_settings(blocker / "data")).store  # noqa: B018
    assert "not writable" in str(info.value) and "DRAFTDESK_DATA_DIR" in str(info.value)
