"""Every bad knowledge file gets a precise message, and all of them are reported at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from draftdesk.errors import ValidationFailed
from draftdesk.services.knowledge_loader import load_knowledge

from .conftest import BUNDLED


def problems_for(root: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        load_knowledge(root)
    return [str(p) for p in info.value.problems]


def test_broken_yaml_names_file_and_line(small_kb: Path) -> None:
    bad = small_kb / "incidents" / "broken.yaml"
    bad.write_text("id: INC-1\ntype: site_outage\ntitle: [unclosed\nseverity: major\n", encoding="utf-8")
    (found,) = problems_for(small_kb)
    assert "broken.yaml:" in found and "not valid YAML" in found
    assert ":4" in found or ":3" in found


def test_missing_field_names_field_and_line(small_kb: Path) -> None:
    path = small_kb / "incidents" / "INC-2024-007.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["customer_impact"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (found,) = problems_for(small_kb)
    assert "INC-2024-007.yaml" in found and "[customer_impact]" in found and "required" in found


def test_wrong_enum_value_points_at_its_line(small_kb: Path) -> None:
    path = small_kb / "incidents" / "INC-2024-007.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("type: product_defect", "type: kettle_problem"), encoding="utf-8")
    (found,) = problems_for(small_kb)
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("type:"))
    assert f"INC-2024-007.yaml:{line} [type]" in found and "kettle_problem" in found


def test_every_problem_is_reported_at_once(small_kb: Path) -> None:
    shutil.copy(small_kb / "incidents" / "INC-2024-007.yaml", small_kb / "incidents" / "copy.yaml")
    (small_kb / "guidelines" / "latin1.md").write_bytes(
        "---\nid: x\ntitle: Caf\xe9\napplies_to: [review_reply]\n---\n## A\nbody text here\n".encode(
            "latin-1"
        )
    )
    (small_kb / "templates" / "bad.yaml").write_text(
        "incident_type: site_outage\nmessages:\n  - stage: investigating\n    channel: sms\n"
        "    text: Down since {start_time}.\n",
        encoding="utf-8",
    )
    found = "\n".join(problems_for(small_kb))
    assert "used more than once" in found and "copy.yaml" in found and "INC-2024-007.yaml" in found
    assert "latin1.md:3" in found and "not UTF-8" in found
    assert "bad.yaml" in found and "start_time" in found


def test_template_over_channel_limit_is_refused(small_kb: Path) -> None:
    (small_kb / "templates" / "long.yaml").write_text(
        "incident_type: site_outage\nmessages:\n  - stage: investigating\n    channel: sms\n"
        f'    text: "{"Our site is down. " * 9}[[ Next update {{next_update_at}}.]]"\n',
        encoding="utf-8",
    )
    (found,) = problems_for(small_kb)
    assert "site_outage.investigating.sms.text" in found and "limit is 160" in found


def test_empty_directory(tmp_path: Path) -> None:
    (found,) = problems_for(tmp_path)
    assert "holds no knowledge files" in found


def test_missing_directory(tmp_path: Path) -> None:
    (found,) = problems_for(tmp_path / "nope")
    assert "is not a directory" in found


def test_foreign_style_guide_is_imported_with_defaults(tmp_path: Path) -> None:
    (tmp_path / "voice.mdx").write_text(
        "---\ntitle: Voice\nkeywords: [a]\n---\nimport Thing from './x'\n\n# Voice\n\n"
        '<Banner status="info">\n\nBe plain and kind to customers in every message.\n\n</Banner>\n\n'
        "## Be direct\n\nSay what happened and what happens next, without filler.\n",
        encoding="utf-8",
    )
    (tmp_path / "LICENSE.md").write_text("MIT licence text", encoding="utf-8")
    loaded = load_knowledge(tmp_path)
    (guide,) = loaded.kb.guidelines
    assert guide.meta.id == "voice" and guide.meta.title == "Voice" and guide.imported_with_defaults
    assert "import Thing" not in guide.body and "<Banner" not in guide.body
    assert "Be plain and kind" in guide.body
    assert any("LICENSE.md" in n for n in loaded.notices)
    assert any("default metadata" in n for n in loaded.notices)


def test_bundled_knowledge_base_is_valid() -> None:
    loaded = load_knowledge(BUNDLED)
    assert loaded.notices == []
