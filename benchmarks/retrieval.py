"""Ingestion and retrieval speed on this machine; prints a table for docs/benchmarks.md.

    python benchmarks/retrieval.py [--sizes 1000,10000,50000] [--queries 200]

1. The bundled knowledge base ingested from scratch with the default backend (target < 30 s).
2. Embedding throughput of the ONNX MiniLM backend on short texts (< 60 tokens): each batch
   padded only to its longest text, against the same model padding every text to 256 tokens
   as Chroma's own ONNX function does (target >= 5x), plus the e5 backend for reference.
3. Query latency p50/p95, query embedding included, against N synthetic chunks in one
   collection (target p95 <= 30 ms at 50k). The stored vectors are random unit vectors:
   embedding 50k texts would take longer than the query measurement is worth, and HNSW
   search cost depends on the vector count and dimension, not on where vectors came from.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from draftdesk.adapters.chroma_store import ChromaStore
from draftdesk.adapters.embeddings import build_embedder
from draftdesk.adapters.embeddings.minilm import MiniLMEmbedder
from draftdesk.container import Container
from draftdesk.services.retrieval import SearchRequest
from draftdesk.settings import Settings

SHORT_TEXTS = [
    "The lid of my kettle cracked after two weeks.",
    "Lamp arrived in the wrong colour, I ordered brass.",
    "Checkout keeps spinning and my card is never charged.",
    "Delivery is three days late and tracking has not moved.",
    "Lovely soft towels, they did not shed at all after washing.",
    "The app logs me out every time I open my basket.",
    "Sheets look grey, not sage like in the photos.",
    "Speaker will not charge after it has been on standby.",
]
WORDS = [
    "order",
    "parcel",
    "refund",
    "kettle",
    "lamp",
    "duvet",
    "checkout",
    "payment",
    "delay",
    "courier",
    "colour",
    "size",
    "app",
]


def settings(tmp: str, **extra: object) -> Settings:
    return Settings(_env_file=None, data_dir=Path(tmp), **extra)  # type: ignore[arg-type]


def ingest_from_scratch() -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        container = Container(settings(tmp))
        started = time.perf_counter()
        summary = container.ensure_knowledge()
        seconds = time.perf_counter() - started
        container.close()
    assert summary is not None
    chunks = summary.chunks_embedded
    return [
        ("bundled KB ingest from scratch (s, model load included)", f"{seconds:.1f}"),
        ("bundled KB chunks", str(chunks)),
        ("ingest throughput (chunks/s)", f"{chunks / seconds:.1f}"),
    ]


def embedding_speed(n: int = 512) -> list[tuple[str, str]]:
    texts = [random.choice(SHORT_TEXTS) for _ in range(n)]
    rows = []
    rates = {}
    for label, model in (
        ("minilm, padded to longest in batch", MiniLMEmbedder()),
        ("minilm, padded to 256 (baseline)", MiniLMEmbedder(pad_to=256)),
    ):
        model.embed_documents(texts[:32])  # warm-up
        started = time.perf_counter()
        model.embed_documents(texts)
        rates[label] = n / (time.perf_counter() - started)
        rows.append((f"embedding throughput, {label} (texts/s)", f"{rates[label]:.0f}"))
    ratio = rates["minilm, padded to longest in batch"] / rates["minilm, padded to 256 (baseline)"]
    rows.append(("speed-up over pad-to-256", f"{ratio:.1f}x"))
    with tempfile.TemporaryDirectory() as tmp:
        e5 = build_embedder(settings(tmp))
        e5.embed_documents(texts[:32])
        started = time.perf_counter()
        e5.embed_documents(texts)
        rows.append(("embedding throughput, e5 (texts/s)", f"{n / (time.perf_counter() - started):.0f}"))
    return rows


def query_latency(sizes: list[int], queries: int) -> list[tuple[str, str]]:
    rows = []
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        config = settings(tmp)
        container = Container(config)
        embedder = container.embedder
        store: ChromaStore = container.store
        collection = store.collection("guidelines", embedder.model_id)
        stored = 0
        for size in sizes:
            while stored < size:
                batch = min(5000, size - stored)
                vectors = rng.normal(size=(batch, 384)).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                collection.add(
                    ids=[f"syn-{stored + i}" for i in range(batch)],
                    embeddings=vectors.tolist(),
                    documents=[" ".join(random.choices(WORDS, k=12)) for _ in range(batch)],
                    metadatas=[{"doc_id": f"syn-{stored + i}", "title": "synthetic"} for i in range(batch)],
                )
                stored += batch
            timings = []
            for q in range(queries):
                text = f"{random.choice(SHORT_TEXTS)} {q}"
                started = time.perf_counter()
                container.retrieval.search(SearchRequest(query=text, kinds=["guidelines"], k=5))
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p50 = statistics.median(timings)
            p95 = timings[int(len(timings) * 0.95) - 1]
            rows.append((f"query latency at {size:,} chunks, p50 / p95 (ms)", f"{p50:.1f} / {p95:.1f}"))
        container.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    random.seed(7)
    rows = ingest_from_scratch() + embedding_speed()
    rows += query_latency([int(s) for s in args.sizes.split(",")], args.queries)
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
