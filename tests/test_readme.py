"""The README is the truth: every setting is documented with its env var and default."""

from __future__ import annotations

from pathlib import Path

from draftdesk.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table() -> None:
    for name, field in Settings.model_fields.items():
        row = next((ln for ln in README.splitlines() if ln.startswith(f"| `{name}` |")), None)
        assert row is not None, f"README lacks a row for {name}"
        assert f"`DRAFTDESK_{name.upper()}`" in row
        default = field.get_default(call_default_factory=True)
        if default not in (None, "", []):
            assert str(default) in row, f"README default for {name} is out of date"
