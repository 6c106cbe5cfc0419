"""Adapters to the outside world: embeddings, the Chroma store, (later) LLMs and the database."""
