"""Fast paths of the relevance stage give what the plain computation gives, on varied input."""

from __future__ import annotations

import random
import re

import pytest

from conflictlens import relevance
from conflictlens.lexicons import default_dir
from conflictlens.text import fold


@pytest.fixture(scope="module")
def model():
    return relevance.build(default_dir())


def test_word_counts_are_the_regex_counts():
    rng = random.Random(2)
    alphabet = ["a", "Z", "7", "_", "-", "'", "\u2019", " ", "\n", ".", ",", "\u00e9", "\u00f8",
                "\u00b2", "\u4e2d", "\u2014", "\u201c", "\u2026", "\U0001f1fa", "\u00ad", "--"]  # fmt: skip
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        spans = []
        for _ in range(4):
            a = rng.randint(0, len(text))
            spans.append((a, rng.randint(a, len(text))))
        assert relevance._word_counts(text, spans) == [
            len(relevance._WORD.findall(text, a, b)) for a, b in spans
        ], (text, spans)


def _plain_finditer(matcher, text: str) -> list[tuple[int, int]]:
    """The matcher's search written plainly: the trie with its look-behind, every cue tried."""
    hits, last_end = [], 0
    for m in matcher.starts.finditer(text):
        pos = m.start()
        if pos < last_end:
            continue
        best_end, best_cue = -1, -1
        for i, pattern in matcher.by_prefix[m.group()]:
            hit = pattern.match(text, pos)
            if hit and hit.end() > best_end:
                best_end, best_cue = hit.end(), i
        if best_cue >= 0:
            hits.append((pos, best_cue))
            last_end = best_end
    return hits


def test_matcher_finds_what_the_plain_search_finds(model):
    rng = random.Random(4)
    labels = [fold(c.label) for c in model.cues if c.kind == "term"]
    words = [w for lab in labels for w in re.findall(r"[a-z]+", lab)]
    pieces = [*labels, *words, "on", "one", "u.s.", "us", "go", "_", "\u00e9", "x", "1", "-",
              "our troops", "attacks on our troops", "iraq and syria", "\u4e2d"]  # fmt: skip
    joins = [" ", "", "  ", "\n", "-", ", ", ".", "'", "\u2026"]
    texts = [
        "".join(rng.choice(pieces) + rng.choice(joins) for _ in range(rng.randint(0, 30)))
        for _ in range(3000)
    ]
    found = 0
    for matcher in (model.terms, model.terms_and_aliases):
        for t in texts:
            fast = matcher.finditer(t)
            assert fast == _plain_finditer(matcher, t), t
            found += len(fast)
    assert found > 1000
