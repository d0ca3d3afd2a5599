"""The expression scanner that jumps from word start to word start finds exactly what
the pattern's own ``finditer`` finds."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from conflictlens import timex
from conflictlens.text import fold


def _soup(model: timex.TimexModel, seed: int, n: int = 6000) -> list[str]:
    words = [*model.months, *model.weekdays, *model.relative_days, *model.parts, *model.anchors,
             *model.named_days, *timex._NUM_WORDS, *timex._YEAR_PREPOSITIONS, "the", "ago",
             "hours", "night", "week", "weeks", "month", "years", "days", "over", "on", "x",
             "24", "3", "15th", "2023", "1990s", "2024-01-28", "1/28/2024", "_may", "\u00e9t\u00e9",
             "may_", "9may", "jan.", "(march", "\u201cjune"]  # fmt: skip
    seps = [" ", " ", "  ", "\n", "-", ", ", ". ", "'s ", "(", ")", '"', "/", "_", "\u2014", "\t",
            "\u00a0", "", "1"]  # fmt: skip
    r = random.Random(seed)
    return ["".join(r.choice(words) + r.choice(seps) for _ in range(r.randint(1, 9)))
            for _ in range(n)]  # fmt: skip


def _plain(model, text):
    return [(m.start(), m.end(), m.groupdict()) for m in model.pattern.finditer(text)]


def _scanned(model, text):
    return [(s, e, m.groupdict()) for s, e, m in model.expressions(text)]


def _copy_lexicons(tmp_path, extra: str = "") -> None:
    for name in ("timex_words.csv", "tense_cues.csv"):
        src = timex.lexicons.default_dir() / name
        (tmp_path / name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    p = tmp_path / "timex_words.csv"
    p.write_text(p.read_text(encoding="utf-8") + extra, encoding="utf-8")


def test_word_start_scanner_finds_what_finditer_finds(tmp_path):
    _copy_lexicons(tmp_path, "following,anchor,1\nday before yesterday,relative_day,-2\n")
    found = 0
    for seed, model in enumerate((timex.build(), timex.build(tmp_path))):
        assert model._expressions is not None
        for text in _soup(model, seed):
            got = _scanned(model, text)
            assert got == _plain(model, text), text
            found += len(got)
    assert found > 5000


def test_word_start_scanner_on_articles():
    from conflictlens.corpus import iter_corpus

    model = timex.build()
    n = 0
    for path in sorted((Path(__file__).resolve().parents[1] / "data" / "raw").glob("*/*.jsonl*")):
        for articles, _ in iter_corpus(path, chunk_size=60, detect_near_duplicates=False):
            for text in articles.text:
                folded = fold(text)
                assert _scanned(model, folded) == _plain(model, folded)
                n += 1
            break
    assert n > 0


@pytest.mark.parametrize("word", ["(un) day", "'47"])
def test_a_word_that_starts_with_a_mark_falls_back_to_finditer(tmp_path, word):
    _copy_lexicons(tmp_path, f"{word},named_day,10-07\n")
    model = timex.build(tmp_path)
    assert model._expressions is None
    text = f"on {word} and in 2023, ({word})"
    assert _scanned(model, text) == _plain(model, text) != []
