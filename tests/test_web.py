"""The web app serves the search page, and its search works through Gradio's own client."""

from __future__ import annotations

import httpx
import pytest


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


def test_a_review_the_screen_cannot_draft_gets_a_message_in_plain_words() -> None:
    import gradio as gr

    from draftdesk.ui.reviews_page import _review

    with pytest.raises(gr.Error, match=r"longer than [\d,]+ characters; paste the part that matters"):
        _review("x" * 1_000_000, "none", "Arden Desk Lamp", "", "Priya")
    with pytest.raises(gr.Error, match="review text is empty"):
        _review("   ", "none", "", "", "")
