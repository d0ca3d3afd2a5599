"""Scoring the extractors on the hand-annotated gold sets in ``tests/gold``.

The gold texts were written apart from the sample corpus, so these scores say how
far the numbers in a report can be trusted on text the extractors were not tuned on.
Each extractor's scorer returns a one-row-per-measure DataFrame with ``precision``,
``recall``, ``f1`` (or ``accuracy``) and the counts behind them; :func:`score_all`
collects them for the evaluation notebook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

_MARKUP = re.compile(r"\{\{([^{}|]+)\|([a-z0-9_]+)(?:\|([a-z_]+))?\}\}")


def gold_dir() -> Path:
    """The ``tests/gold`` folder of this checkout."""
    return Path(__file__).resolve().parents[2] / "tests" / "gold"


@dataclass
class GoldMention:
    start: int
    end: int
    surface: str
    entity_id: str
    resolution: str  # name | metonym | coref


@dataclass
class GoldDoc:
    """One gold article: the text with markup stripped, its mentions, and its other layers."""

    doc_id: str
    published: date | None
    outlet: str
    text: str
    mentions: list[GoldMention] = field(default_factory=list)
    layers: dict = field(default_factory=dict)  # quotes, frames, agency, events, tallies, ...
    path: Path | None = None


def strip_markup(marked: str) -> tuple[str, list[GoldMention]]:
    """Remove ``{{surface|entity_id|resolution}}`` markup; return text and mention spans.

    Examples
    --------
    >>> text, ms = strip_markup("{{Washington|united_states|metonym}} said {{KH|kataeb_hezbollah}} did it.")
    >>> text
    'Washington said KH did it.'
    >>> [(m.surface, m.entity_id, m.resolution) for m in ms]
    [('Washington', 'united_states', 'metonym'), ('KH', 'kataeb_hezbollah', 'name')]
    """
    out, mentions, pos = [], [], 0
    length = 0
    for m in _MARKUP.finditer(marked):
        before = marked[pos : m.start()]
        out.append(before)
        length += len(before)
        surface = m.group(1)
        mentions.append(
            GoldMention(length, length + len(surface), surface, m.group(2), m.group(3) or "name")
        )
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out), mentions


def load_gold_docs(folder: str | Path) -> list[GoldDoc]:
    """Load every ``*.yaml`` gold document in ``folder`` (sorted by name)."""
    docs = []
    for p in sorted(Path(folder).glob("*.yaml")):
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
        text, mentions = strip_markup(raw.get("text", "").rstrip("\n"))
        pub = raw.get("published")
        if isinstance(pub, str):
            pub = date.fromisoformat(pub)
        layers = {
            k: v
            for k, v in raw.items()
            if k not in {"doc_id", "published", "outlet", "note", "text"}
        }
        docs.append(
            GoldDoc(
                str(raw.get("doc_id", p.stem)),
                pub,
                str(raw.get("outlet", "")),
                text,
                mentions,
                layers,
                p,
            )
        )
    return docs


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    """Precision, recall and F1 with their counts (0.0 where undefined).

    Examples
    --------
    >>> prf(8, 2, 2)["f1"]
    0.8
    """
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def score_all(folder: str | Path | None = None) -> pd.DataFrame:
    """Every extractor's scores on its gold set: one row per (extractor, measure)."""
    folder = Path(folder) if folder else gold_dir()
    frames = []
    for name, fn in SCORERS.items():
        df = fn(folder)
        df.insert(0, "extractor", name)
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


SCORERS: dict = {}
"""extractor name -> function(gold_folder) -> DataFrame of measures; filled below."""


# --------------------------------------------------------------------------- entities (issue 4)

# --------------------------------------------------------------------------- timex, events, tallies (issue 5)

# --------------------------------------------------------------------------- quotes, framing (issue 6)

# --------------------------------------------------------------------------- White House corpus (issue 10)
