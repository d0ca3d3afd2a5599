"""Placeholder stage: the pipeline runs it; issue #10 implements it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from conflictlens.text import Doc


def build(lexicon_dir: Path) -> None:
    """Compile this stage's lexicons (none yet)."""
    return None


def extract(doc: Doc, model: None, found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Rows for one article (none yet)."""
    return {}


def record(tables: dict[str, pd.DataFrame], doc: Doc) -> dict:
    """This stage's part of the analyze JSON record (none yet)."""
    return {}
