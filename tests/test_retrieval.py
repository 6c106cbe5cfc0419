"""Retrieval over the whole bundled knowledge base, in support-agent words and several languages."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from draftdesk.container import Container
from draftdesk.domain.enums import IncidentType, KnowledgeKind, Severity
from draftdesk.errors import InputError
from draftdesk.services.retrieval import SearchFilters, SearchRequest

TABLE = Path(__file__).parent / "data" / "retrieval_questions.csv"
QUESTIONS = list(csv.DictReader(TABLE.open(encoding="utf-8")))
# The foundation issue asks for 90% hit@3. With the best offline model available here
# (multilingual-e5-small, 4-bit) we measure 80% on this 40-question table (83% English,
# 75% German/French/Spanish); docs/benchmarks.md records it as a missed target. This floor
# guards against regressions until a better model or reranker lifts it.
HIT_RATE_FLOOR = 0.75


def test_question_table_is_broad_enough() -> None:
    assert len(QUESTIONS) >= 25
    assert sum(q["language"] in ("de", "fr", "es") for q in QUESTIONS) >= 5


def test_questions_hit_the_top_3(full_store: Container) -> None:
    misses = []
    for q in QUESTIONS:
        hits = full_store.retrieval.search(SearchRequest(query=q["question"], k=3))
        if q["expected"] not in [h.id for h in hits]:
            found = [h.id for h in hits]
            misses.append(f"{q['language']}: {q['question']!r} → {found}, wanted {q['expected']}")
    rate = 1 - len(misses) / len(QUESTIONS)
    assert rate >= HIT_RATE_FLOOR, f"hit rate {rate:.0%}; misses:\n" + "\n".join(misses)


def test_non_english_questions_find_english_entries(full_store: Container) -> None:
    foreign = [q for q in QUESTIONS if q["language"] != "en"]
    hit = sum(
        q["expected"] in [h.id for h in full_store.retrieval.search(SearchRequest(query=q["question"], k=3))]
        for q in foreign
    )
    assert hit / len(foreign) >= 0.6  # measured 75%; MiniLM manages 38%


def test_filters_narrow_the_hits(full_store: Container) -> None:
    hits = full_store.retrieval.search(
        SearchRequest(
            query="customers cannot pay",
            kinds=[KnowledgeKind.INCIDENTS],
            k=10,
            filters=SearchFilters(type=IncidentType.CHECKOUT_FAILURE, severity=Severity.CRITICAL),
        )
    )
    assert hits and all(
        h.metadata["type"] == "checkout_failure" and h.metadata["severity"] == "critical" for h in hits
    )
    templates = full_store.retrieval.search(
        SearchRequest(
            query="first notice",
            kinds=[KnowledgeKind.TEMPLATES],
            k=5,
            filters=SearchFilters(type=IncidentType.PRICE_ERROR, stage="investigating"),
        )
    )
    assert templates[0].id == "price_error.investigating"
    # a type filter leaves guidelines out: they carry no incident type
    mixed = full_store.retrieval.search(
        SearchRequest(query="carrier strike", k=10, filters=SearchFilters(type=IncidentType.SHIPPING_DELAY))
    )
    assert {h.kind for h in mixed} <= {KnowledgeKind.INCIDENTS, KnowledgeKind.TEMPLATES}


def test_mmr_spreads_hits_over_different_entries(full_store: Container) -> None:
    query = "what to write when the website is down"
    plain = full_store.retrieval.search(SearchRequest(query=query, k=5, kinds=[KnowledgeKind.TEMPLATES]))
    diverse = full_store.retrieval.search(
        SearchRequest(query=query, k=5, kinds=[KnowledgeKind.TEMPLATES], mmr=True, mmr_diversity=0.7)
    )
    assert len({h.id for h in diverse}) == 5
    assert len({h.metadata["type"] for h in diverse}) >= len({h.metadata["type"] for h in plain})
    assert diverse[0].id == plain[0].id


def test_a_hit_carries_what_the_reader_needs(full_store: Container) -> None:
    (hit,) = full_store.retrieval.search(
        SearchRequest(query="password reset emails never arrive", kinds=[KnowledgeKind.INCIDENTS], k=1)
    )
    assert hit.id == "INC-2024-003" and hit.source == "incidents/INC-2024-003.yaml"
    assert 0 < hit.score <= 1 and len(hit.snippet) <= 240 and "Timeline as published" in hit.text


def test_empty_query_is_refused(full_store: Container) -> None:
    with pytest.raises(InputError):
        full_store.retrieval.search(SearchRequest(query=" \n "))


def test_a_repeated_query_is_answered_without_embedding_it_again(full_store: Container) -> None:
    """A regenerate, or a wave of reviews about one problem, asks the same question again."""
    retrieval = full_store.retrieval
    request = SearchRequest(query="card payments declined at checkout", k=3)
    before = retrieval.embedded
    first = retrieval.search(request)
    again = retrieval.search(request.model_copy(update={"query": "  card payments declined\nat checkout "}))
    assert retrieval.embedded == before + 1
    assert [(h.id, h.score) for h in again] == [(h.id, h.score) for h in first]
    retrieval.search(SearchRequest(query="parcel stuck in customs", k=3))
    assert retrieval.embedded == before + 2
