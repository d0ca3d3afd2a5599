"""The fast paths of the quotes stage equal the plain computations they replace.

Each plain version below is the code as it stood before the fast path (kept here, not in
the package, as the definition the fast one must match), run on random sentences built
from the words the rules look at: auxiliaries, adverbs, relatives, commas, quote marks.
"""

from __future__ import annotations

import random
from itertools import islice

from hypothesis import given, settings
from hypothesis import strategies as st

from conflictlens import quotes as Q
from conflictlens.lexicons import default_dir
from conflictlens.quotes import (
    BE,
    CLAUSE_PUNCT,
    CONJUNCTIONS,
    DETERMINERS,
    HAVE,
    MODALS,
    PREPOSITIONS,
    PRONOUNS,
    RELATIVES,
    TIME_WORDS,
    NounPhrase,
    is_adverb,
    tokenize,
)
from conflictlens.text import make_doc

MODEL = Q.build(default_dir())

VOCAB = (
    "the a US officials group Iran Hezbollah ministry spokesman he she they it we i you "
    "said says told warned claimed accused added , , , ; : . ? \" ' - that which who whom "
    "what and but or as also reportedly not never had has was were is would will could "
    "on in for of by to from after Monday yesterday , quote speaking statement the said "
    "Colonel Joe Buccino according reporters I we're we've said that , and"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def _plain_segments(toks, a, b):
    segs, last = [], a
    for k in range(a, b):
        if toks.words[k] == ",":
            if k > last:
                segs.append((last, k))
            last = k + 1
    if b > last:
        segs.append((last, b))
    return segs


def _plain_subject_np(toks, v, lo, stops=()):
    """:func:`Q.subject_np` as it was written before the fast path."""
    j = v - 1
    comma = False
    while j >= lo and (
        is_adverb(toks.words[j]) or toks.words[j] in BE | HAVE | MODALS or toks.skip[j]
        or toks.words[j] == ","
    ):  # fmt: skip
        comma = comma or toks.words[j] == ","
        j -= 1
    if j < lo:
        return None
    if toks.words[j] in PRONOUNS:
        return NounPhrase(j, j + 1)
    coordinated = toks.words[j] in {"and", "but", "or"} and j > lo
    if coordinated:
        j -= 1
        while j >= lo and toks.words[j] in {","} | Q._QUOTE_TOKENS:
            j -= 1
        verb_ends = set(stops)
        stops = ()
    stop_set = set(stops)
    if (
        not coordinated
        and toks.words[j] in RELATIVES
        and toks.words[j] != "that"
        or (toks.words[j] == "that" and j > lo and toks.words[j - 1] not in CLAUSE_PUNCT)
    ):
        k = j - 1
        if k >= lo and toks.words[k] == ",":
            k -= 1
        a = k
        while a > lo and toks.words[a - 1] not in CLAUSE_PUNCT | {","} and (a - 1) not in stop_set:
            a -= 1
        while a < k and (toks.words[a] in PREPOSITIONS or toks.words[a] == "according"):
            a += 1
        if k < a:
            return None
        return NounPhrase(a, k + 1, relative=True)
    a = j
    while a > lo:
        w = toks.words[a - 1]
        if w in CLAUSE_PUNCT or (a - 1) in stop_set:
            break
        if w == "that" and a - 1 > lo and toks.words[a - 2] not in DETERMINERS:
            break
        if w in {"and", "but"} and a - 1 > lo and toks.words[a - 2] == ",":
            break
        a -= 1
    if a - 1 in stop_set and a - 2 >= lo and toks.words[a - 2] in {"that", "which", "who"}:
        e = a - 2
        a = e
        while a > lo and toks.words[a - 1] not in CLAUSE_PUNCT and (a - 1) not in stop_set:
            a -= 1
        j = e - 1
        if j < a:
            return None
    elif not coordinated and not comma:
        for r in range(j, a - 1, -1):
            if toks.words[r] == ",":
                break
            if toks.words[r] in {"which", "whom", "what"} and r < j:
                return NounPhrase(r + 1, j + 1)
    segs = _plain_segments(toks, a, j + 1)
    while len(segs) > 1 and Q._adverbial_segment(toks, segs[0]):
        segs.pop(0)
    if not segs:
        return None
    h0, h1 = segs[0]
    while h0 < h1 and (toks.words[h0] in CONJUNCTIONS or toks.skip[h0] or toks.words[h0] == "that"):
        h0 += 1
    if coordinated:
        h1 = next((k for k in range(h0 + 1, h1) if k in verb_ends), h1)
    if h0 >= h1:
        return None
    return NounPhrase(h0, h1, tuple(segs[1:]), coordinated=coordinated)


def test_subject_np_and_segments_equal_the_plain_versions():
    rng = random.Random(8)
    for _ in range(3000):
        toks = tokenize(_sentence(rng, rng.randint(1, 30)))
        n = len(toks)
        for _ in range(4):
            v = rng.randrange(n + 1)
            lo = rng.randrange(v + 1)
            stops = sorted(rng.sample(range(lo, v), min(v - lo, rng.randint(0, 3))))
            assert Q.subject_np(toks, v, lo, stops) == _plain_subject_np(toks, v, lo, stops)
            assert Q._segments(toks, lo, v) == _plain_segments(toks, lo, v)


def _plain_tail(toks, j, hi):
    return list(islice((k for k in range(j, hi) if toks.words[k][0].isalnum()), 9))


def _articles(rng: random.Random, n: int):
    for _ in range(n):
        text = " ".join(_sentence(rng, rng.randint(3, 25)) + "." for _ in range(rng.randint(1, 4)))
        doc = make_doc("a", text)
        yield Q.Article(doc, MODEL, {"mentions": []})


def test_as_clause_and_end_attribution_equal_the_plain_versions():
    """``_as_clause`` skips a sentence with no "as" before the verb; ``_end_attribution``
    counts its tail in a plain loop."""
    rng = random.Random(3)
    seen_as = 0
    for art in _articles(rng, 1500):
        toks = art.toks
        for sp in art.speech:
            lo, hi = art.sent_tok[sp.sent]
            got = Q._as_clause(art, sp, lo, hi)
            # the plain version: the same rules, with the "as" test left to the subject
            k, plain = sp.hit.j, None
            while k < hi and k - sp.hit.j < 4 and toks.words[k] not in {",", ":"}:
                w = toks.words[k]
                if not (is_adverb(w) or w in TIME_WORDS or w in PREPOSITIONS
                        or w in Q._REFLEXIVES or w in DETERMINERS or w.isdigit()
                        or (sp.verb.takes_object and w in Q._HEARERS)):  # fmt: skip
                    break
                k += 1
            else:
                np = art.subject(sp.hit.i, lo)
                if sp.verb.verb != "according to" and k < hi and toks.words[k] in {",", ":"}:
                    if np is not None:
                        for t in range(np.end - 2, np.start - 1, -1):
                            if toks.words[t] != "as":
                                continue
                            before = toks.words[t - 1] if t > lo else "."
                            if t == lo or not before[0].isalnum() or before in CONJUNCTIONS:
                                plain = NounPhrase(t + 1, np.end, np.appositives), k + 1
                            break
            assert got == plain
            seen_as += got is not None
            tail = _plain_tail(toks, sp.hit.j, hi)
            fast = Q._end_attribution(art, sp, hi)
            # the plain decision from the plain tail
            if not tail:
                expected = True
            elif sp.hit.j < hi and toks.words[sp.hit.j] == ",":
                expected = True
            elif (
                sp.hit.i > 0 and toks.words[sp.hit.i - 1] == "," and len(tail) <= 8
                and not any(toks.words[k] in {"that", "was", "were", "is", "are", "had", "has",
                                              "will", "would"} for k in tail)
            ):  # fmt: skip
                expected = True
            elif (
                sp.verb.takes_object
                and len(tail) <= 3
                and "that" not in {toks.words[k] for k in tail}
            ):
                expected = True
            else:
                first = toks.words[tail[0]]
                expected = (
                    len(tail) <= 6
                    and (first in PREPOSITIONS or first in TIME_WORDS)
                    and not any(toks.words[k] == "that" for k in tail)
                )
            assert fast == expected
    assert seen_as > 0  # the random text does hold as-clauses


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="NPSVCaehinortsd \n", max_size=60))
def test_title_needle_pattern_equals_one_in_per_needle(text):
    titles = MODEL.titles
    assert titles.needles
    found = titles.needle_pattern.search(text) is not None
    assert found == any(w in text for w in titles.needles)
    for w in titles.needles:
        assert titles.needle_pattern.search(text + w) is not None


def test_noun_phrase_is_an_immutable_record():
    np = NounPhrase(1, 3, relative=True)
    assert (np.start, np.end, np.appositives, np.relative, np.coordinated) == (
        1,
        3,
        (),
        True,
        False,
    )
    assert np == NounPhrase(1, 3, (), True, False) and np != NounPhrase(1, 3)
    assert (
        repr(np) == "NounPhrase(start=1, end=3, appositives=(), relative=True, coordinated=False)"
    )
