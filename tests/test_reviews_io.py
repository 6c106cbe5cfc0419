"""Review files: both formats accepted; a bad row is reported by line, the good ones kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from draftdesk.errors import InputError
from draftdesk.services.review_io import read_reviews

HEADER = "id,platform,product,rating,created_at,author,text,language\n"


def test_csv_with_bad_rows_keeps_the_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        HEADER
        + 'A1,Trustpilot,Arden Desk Lamp,2,2026-09-01T10:00:00+00:00,Ann,"Arrived bent, the arm, sadly",en\n'
        + "A2,google,Arden Desk Lamp,9,2026-09-01T10:00:00+00:00,Bob,Great,en\n"
        + "A3,google,Arden Desk Lamp,5,yesterday,Cy,Lovely light,en\n"
        + "A4,google,Arden Desk Lamp,4,2026-09-02T10:00:00+00:00,Di,,en\n"
        + "A1,google,Arden Desk Lamp,4,2026-09-02T10:00:00+00:00,Ed,Duplicate id,en\n"
        + "A5,amazon,Brio Electric Kettle,1,2026-10-06T08:00:00+02:00,Flo,"
        + "Der Deckel springt beim Kochen auf und das Wasser spritzt heraus,\n",
        encoding="utf-8",
    )
    batch = read_reviews(path)
    assert [r.id for r in batch.reviews] == ["A1", "A5"]
    assert batch.reviews[0].platform == "trustpilot" and batch.reviews[0].text.endswith("sadly")
    assert batch.reviews[1].language == "de" and batch.detected_languages == 1
    found = {(p.line, p.field) for p in batch.problems}
    assert found == {(3, "rating"), (4, "created_at"), (5, "text"), (6, "id")}


def test_jsonl_reports_broken_lines(tmp_path: Path) -> None:
    good = {
        "id": "J1",
        "platform": "shop",
        "product": "Kora Mug Set",
        "rating": 5,
        "created_at": "2026-08-01T09:00:00+00:00",
        "author": "Gus",
        "text": "Glaze is gorgeous",
    }
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(good) + "\n{not json\n[1, 2]\n", encoding="utf-8")
    batch = read_reviews(path)
    assert [r.id for r in batch.reviews] == ["J1"] and batch.reviews[0].language == "en"
    assert [(p.line, "JSON" in p.message or "object" in p.message) for p in batch.problems] == [
        (2, True),
        (3, True),
    ]


def test_missing_column_and_wrong_encoding_are_explained(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,product,text\n1,Lamp,Nice\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_reviews(path)
    assert "platform" in str(info.value) and "rating" in str(info.value)
    row = "1,shop,Lamp,5,2026-01-01T00:00:00+00:00,Zo\xeb,Tr\xe8s bien,fr\n"
    path.write_bytes((HEADER + row).encode("cp1252"))
    with pytest.raises(InputError) as info:
        read_reviews(path)
    assert "not UTF-8" in str(info.value) and "UTF-8" in str(info.value.hint)
