"""Precision and recall of the tone checker per family, on the labelled set; prints a table.

    python benchmarks/tone_labels.py [--details] [FILE.jsonl ...]

Defaults to tests/data/tone_labelled_*.jsonl with tests/data/tone_published.jsonl as the
replies already published. `--details` lists every miss and false alarm.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from draftdesk.container import Container
from draftdesk.services.label_eval import evaluate, read_labelled
from draftdesk.services.repetition import PublishedReply
from draftdesk.settings import Settings

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--published", type=Path, default=DATA / "tone_published.jsonl")
    parser.add_argument("--details", action="store_true")
    parser.add_argument(
        "--floors",
        action="store_true",
        help="Exit 1 unless every family has precision >= 0.9 and recall >= 0.85.",
    )
    args = parser.parse_args()
    files = args.files or sorted(DATA.glob("tone_labelled_*.jsonl"))
    items = read_labelled(files)
    with tempfile.TemporaryDirectory() as tmp:
        c = Container(Settings(data_dir=Path(tmp), llm_provider="template"))
        try:
            lines = (
                args.published.read_text(encoding="utf-8").splitlines() if args.published.is_file() else []
            )
            c.published.add([PublishedReply.model_validate_json(line) for line in lines if line.strip()])
            scores = evaluate(c.messages, items)
        finally:
            c.close()
    print(f"{len(items)} labelled messages from {', '.join(f.name for f in files)}\n")
    print("| family | n | precision | recall |\n|---|---:|---:|---:|")
    for name, s in scores.items():
        print(f"| {name} | {s.support} | {s.precision:.2f} | {s.recall:.2f} |")
    if args.details:
        for name, s in scores.items():
            for line in s.misses:
                print(f"MISS {name}: {line}", file=sys.stderr)
            for line in s.false_alarms:
                print(f"FALSE {name}: {line}", file=sys.stderr)

    below = [n for n, s in scores.items() if s.precision < 0.9 or s.recall < 0.85]
    if args.floors and below:
        print(f"\nBelow the floors: {', '.join(below)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
