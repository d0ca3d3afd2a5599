"""The reader's shortcuts give what the plain computations give (events.py).

Each shortcut skips a scan when a cheap test shows it can find nothing; these tests
run the plain scan on varied text and check that it indeed finds nothing there.
"""

from __future__ import annotations

import random
import shutil

import pytest

from conflictlens import events, lexicons

_TRICKY_CUES = [
    ("anti-*", "aggregate_clause"), ("re-strike", "attack_verb"), ("u.s.-led", "actor_noun"),
    ("'s own", "definite"), ("x", "denial"), ("9/11", "report"), ("at least", "hedge"),
    ("al-*", "group_noun"), ("strik*", "labour"), ("self-defence", "claim"),
]  # fmt: skip


@pytest.fixture(scope="module")
def tricky_model(tmp_path_factory):
    """The shipped lexicons with cues that start or end oddly added."""
    d = tmp_path_factory.mktemp("lex")
    for p in lexicons.default_dir().iterdir():
        if p.is_file():
            shutil.copy(p, d / p.name)
    with open(d / "event_cues.csv", "a", encoding="utf-8") as fh:
        for cue, role in _TRICKY_CUES:
            fh.write(f'"{cue}",{role}\n')
    return events.build(d)


def _texts(model: events.EventModel, seed: int, n: int):
    """Random folded texts made of cue words, their pieces and punctuation."""
    r = random.Random(seed)
    vocab = set()
    for pat in (*_TRICKY_CUES,):
        vocab.update(pat[0].replace("*", "").split())
    lex = lexicons.load_table(lexicons.default_dir() / "event_cues.csv", ["cue", "role"])
    for cue in lex.cue:
        vocab.update(events.fold(cue).replace("*", "").split())
    vocab = sorted(vocab)
    extra = ["-", "'s", ",", ".", ";", '"', "(", ")", "attack", "strikes", "u.s.", "1,200",
             "we", "the", "a", "killed", "by", "ing", "ed", "s", "—"]  # fmt: skip
    seps = [" ", " ", " ", "", "-", "  ", "\n", ", ", '"']
    for _ in range(n):
        words = [
            r.choice(vocab) if r.random() < 0.7 else r.choice(extra)
            for _ in range(r.randint(3, 40))
        ]
        parts = []
        for w in words:
            if r.random() < 0.15 and len(w) > 3:
                w = w[r.randrange(1, len(w)) :]  # a piece of a word
            parts.append(w + r.choice(seps))
        yield "".join(parts)


@pytest.mark.parametrize("which", ["shipped", "tricky"])
def test_a_gated_cue_role_finds_nothing_in_the_range(which, tricky_model):
    """A role :meth:`EventModel.cues_in` rules out has no match in any part of the range."""
    model = events.build() if which == "shipped" else tricky_model
    r = random.Random(5)
    gated = 0
    for text in _texts(model, 11, 400):
        a = r.randrange(len(text) + 1)
        b = r.randrange(a, len(text) + 1)
        view = model.cues_in(text, a, b)
        for role, pat in model.cue_re.items():
            if view[role] is pat:
                continue
            gated += 1
            for _ in range(4):
                x = r.randrange(a, b + 1)
                y = r.randrange(x, b + 1)
                assert not list(pat.finditer(text, x, y)), (role, text[x:y])
                assert pat.match(text, x, y) is None, (role, text[x:y])
            assert view[role].search(text, a, b) is None
            assert list(view[role].finditer(text, a, b)) == []
    assert gated > 1000  # the gate does rule roles out


def test_cue_keys_are_where_every_cue_starts():
    """A cue starts with its key; a cue that may start with punctuation has none."""
    assert events._cue_key("in retaliation for") == "in"
    assert events._cue_key("anti-*") == "anti"
    assert events._cue_key("u.s.-led") == "u"
    assert events._cue_key("'s own") is None
    assert events._cue_key(", which") is None


_GATES = [
    (events._RE_CASUALTIES_1, ("death toll",)),
    (events._RE_CASUALTIES_2, ("left", "leaving")),
    (events._INTERCEPT, ("sho", "intercept", "downed")),
    (events._RE_PLACE_3, ("from",)),
    (events._RE_PLACE_1, ("of",)),
    (events._RE_NOT_ATTACK_3, ("under",)),
    (events._RE_AFTER_BY_1, ("by",)),
    (events._RE_TARGET_2, events._TARGET_2_KEYS),
]


@pytest.mark.parametrize("pattern,needs", _GATES, ids=lambda x: str(x)[:30])
def test_a_pattern_matches_only_text_holding_its_gate_string(pattern, needs):
    """The substring tested before a scan is in every stretch the pattern matches."""
    r = random.Random(2)
    words = ["death", "toll", "death toll rose to", "death toll of", "rose", "to", "left", "leaving",
             "shot", "shoot", "shot down", "down", "intercepted", "downed", "from", "from the", "of",
             "north", "north of", "southwest of the", "the", "under", "attack", "by", "reportedly",
             "x", "36", "three", ",", ".", "was", "were", "been", "bombed", "struck", "hit", "came",
             "come under", "coming", "fire", "repeatedly", "raided"]  # fmt: skip
    hits = 0
    for _ in range(3000):
        text = "".join(
            r.choice(words) + r.choice([" ", "  ", "\n", ""]) for _ in range(r.randint(1, 8))
        )
        for mt in [pattern.search(text), pattern.match(text)]:
            if mt is not None:
                hits += 1
                assert any(s in text[mt.start() : mt.end()] for s in needs), text
    assert hits > 20


@pytest.mark.parametrize("pattern", [events._RE_AFTER_BY_1, events._RE_SENTENCE_MENTIONS_1])
def test_a_pattern_matches_on_the_text_as_on_its_slice(pattern):
    """A pattern that looks at nothing before its start matches inside the text as on
    the slice, shifted."""
    r = random.Random(4)
    words = ["by", "the", "quickly", "reportedly", "Iran", "x", "ly", ",", "by-pass", '"', "'"]
    for _ in range(2000):
        text = "".join(r.choice(words) + r.choice([" ", "", "  "]) for _ in range(8)).lower()
        pos = r.randrange(len(text) + 1)
        b = r.randrange(pos, len(text) + 1)
        sliced = pattern.match(text[pos:b])
        whole = pattern.match(text, pos, b)
        assert (sliced.end() + pos if sliced else None) == (whole.end() if whole else None)


def test_words_read_in_any_order_across_sentences():
    """The reader keeps the sentence it read last; spans read in any order, in it or
    elsewhere, still give the tokens of their own text."""
    from conflictlens.text import make_doc

    text = " ".join(
        f"Sentence {i} says U.S. jets hit al-Asad's 1,200 sites (again); don't." for i in range(8)
    )
    doc = make_doc("w", text)
    reader = events._Reader(doc, events.build(), {})
    r = random.Random(9)
    for _ in range(3000):
        a = r.randrange(len(text))
        b = a + r.randrange(120)
        assert reader.words(a, b) == events._words(reader.folded[a:b], a), (a, b)


def test_tokens_found_by_find_are_those_of_the_scan():
    """``_words_at`` places each token with ``str.find``; it gives the scan's spans."""
    r = random.Random(6)
    pieces = ["al-asad's", "u.s.", "1,200", "12,34", "٣٤", "don't", "x", "(", ")", ";", ".", ",",
              "—", "é", "s", "ss", "1st", "a.b", "-", "'", '"', "  ", " ", "\n"]  # fmt: skip
    for _ in range(2000):
        text = "".join(r.choice(pieces) for _ in range(r.randint(0, 30)))
        a = r.randrange(len(text) + 1)
        b = r.randrange(a, len(text) + 1)
        assert events._words_at(text, a, b) == events._words(text[a:b], a), (text, a, b)
