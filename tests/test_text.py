from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conflictlens.corpus import clean_text
from conflictlens.text import fold, make_doc, plain, quote_spans, split_sentences, word_spans


def texts(s):
    return [x.text for x in split_sentences(s)]


def test_seed_has_fifteen_sentences(seed_text):
    doc = make_doc("seed", clean_text(seed_text))
    assert len(doc.sentences) == 15
    assert doc.sentences[9].text.startswith("US officials said the attack in Jordan")
    assert doc.sentences[10].text.startswith("Faced with the threat")


def test_abbreviations_do_not_split():
    s = "U.S. troops met Gen. Smith and Lt. Col. Jones at 9 a.m. on Monday. Then they left."
    assert texts(s) == [
        "U.S. troops met Gen. Smith and Lt. Col. Jones at 9 a.m. on Monday.",
        "Then they left.",
    ]


def test_sentence_ends_with_closing_quote():
    s = 'He said “we will respond.” The group denied it. She said "no." It ended.'
    assert texts(s) == [
        "He said “we will respond.”",
        "The group denied it.",
        'She said "no."',
        "It ended.",
    ]


def test_glued_sentences_split_but_acronyms_do_not():
    assert texts("The base was hit on Tuesday.The group said it was behind it.") == [
        "The base was hit on Tuesday.",
        "The group said it was behind it.",
    ]
    assert len(texts("Troops of the U.S.Army were there.")) == 1


def test_hard_wrapped_lines_join_but_paragraphs_split():
    s = "A drone strike killed a senior\ncommander in Baghdad\non Wednesday\n\nThe group vowed revenge."
    out = split_sentences(s)
    assert len(out) == 2
    assert out[0].text == "A drone strike killed a senior\ncommander in Baghdad\non Wednesday"
    assert out[1].paragraph == 1


def test_quote_spans_kinds_of_marks():
    t = "A “terrorist” group. He said \"we will respond'' and left. «Non» she said."
    assert [t[q.start : q.end] for q in quote_spans(t)] == ["terrorist", "we will respond", "Non"]


def test_unclosed_quote_closes_at_paragraph_end():
    t = "The spokesman said “we will not stop until they leave.\n\nOthers disagreed."
    (q,) = quote_spans(t)
    assert t[q.start : q.end] == "we will not stop until they leave."
    assert not q.balanced


def test_multi_paragraph_quote():
    t = "“First paragraph of the statement.\n\n“Second paragraph,” the group said."
    qs = quote_spans(t)
    assert [t[q.start : q.end] for q in qs] == [
        "First paragraph of the statement.",
        "Second paragraph,",
    ]
    assert all(q.balanced for q in qs)


def test_stray_closing_mark_is_ignored(seed_text):
    doc = make_doc("seed", clean_text(seed_text))
    quoted = [doc.text[q.start : q.end] for q in doc.quotes]
    assert "Islamic Resistance in Iraq" in quoted and "terrorist" in quoted
    assert not any("US military of being" in q for q in quoted)


def test_plain_and_fold_keep_length():
    s = "Kata\u2019ib Ḥizb \u201cAllāh\u201d \u2013 Iraq\u00a0"
    assert len(plain(s)) == len(s) and len(fold(s)) == len(s)
    assert fold(s) == 'kata\'ib hizb "allah" - iraq '


def test_word_spans_slice_back():
    s = "U.S. forces hit Kata'ib Hezbollah's base, killing 3."
    for a, b, w in word_spans(s):
        assert s[a:b] == w
    assert "U.S." in [w for *_, w in word_spans(s)]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_segments_without_crash_and_offsets_slice_back(s):
    doc = make_doc("x", s)
    for sent in doc.sentences:
        assert s[sent.start : sent.end] == sent.text
        assert sent.text.strip()
    for q in doc.quotes:
        assert 0 <= q.start < q.end <= len(s)
    starts = [x.start for x in doc.sentences]
    assert starts == sorted(starts)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["The U.S. said", " “no.”", " Gen. X", "\n", "\n\n", " it.", "A", ". ."]),
        max_size=30,
    )
)
def test_newsy_fragments_offsets(parts):
    s = "".join(parts)
    for sent in split_sentences(s):
        assert s[sent.start : sent.end] == sent.text


def test_numbered_references_do_not_split():
    assert texts(
        "It invoked Art. 51 of the Charter. Resolution No. 2334 followed. No. It did not."
    ) == [
        "It invoked Art. 51 of the Charter.",
        "Resolution No. 2334 followed.",
        "No.",
        "It did not.",
    ]


# --------------------------------------------------------------------------- fast paths
# The fast paths below must give exactly what the plain versions give.


def _sample_texts() -> list[str]:
    from pathlib import Path

    from conflictlens.corpus import load_corpus

    sample = Path(__file__).resolve().parents[1] / "data" / "raw" / "sample"
    if not any(sample.glob("*.jsonl")):
        return []
    return list(load_corpus(sample, detect_near_duplicates=False).articles.text)


def test_fold_and_plain_equal_their_character_by_character_definitions():
    import unicodedata

    from conflictlens.text import _PLAIN, _fold_char

    every = "".join(chr(i) for i in range(0x110000))
    assert fold(every) == "".join(map(_fold_char, every))
    assert plain(every) == every.translate(str.maketrans(_PLAIN))
    mixed = "Kata\u2019ib \u1e24izb All\u0101h \u00c6 \u0130stanbul `x` \u00bbA\u00ab" * 3
    assert fold(mixed) == "".join(map(_fold_char, mixed))
    assert fold(unicodedata.normalize("NFD", mixed)) == "".join(
        map(_fold_char, unicodedata.normalize("NFD", mixed))
    )


def _punkt_fuzz(n: int, seed: int = 11) -> list[str]:
    import random

    r = random.Random(seed)
    pieces = ["U.S.", "Gen.", "J.", "a.m.", "No.", "5.", "3.5", "1,000.", "...", "..", ". . .",
              "Mr.", "al-Sudani.", "said.", "said!", "said?", '"', "'", ")", "(", "--", "said.”",
              "it.)", "Inc.", "x.", "X.", "e.g.", "The", "the", "He", "IRAQ.", ";", ":", ",", "!",
              "?!", "II.", "pp.", "anti-U.S.", "\u2019s", "p.m.", "\t", "\u00e9t\u00e9.", "\u0130.",
              "z.", "\n", "\r"]  # fmt: skip
    return [
        "".join(r.choice(pieces) + r.choice(["", " ", " ", "  "]) for _ in range(r.randint(1, 14)))
        for _ in range(n)
    ]


def test_fast_punkt_gives_nltk_punkt_spans(seed_text):
    from conflictlens.text import _fast_punkt, _punkt, paragraph_spans

    ref, fast = _punkt(), _fast_punkt()
    chunks = _punkt_fuzz(20_000)
    for t in [seed_text, *_sample_texts()]:
        flat = plain(t)
        chunks += [flat[a:b].replace("\n", " ") for a, b in paragraph_spans(t)]
    for chunk in chunks:
        assert fast.span_tokenize(chunk) == list(ref.span_tokenize(chunk)), chunk


def test_doc_lookups_equal_a_scan_in_list_order():
    from conflictlens.text import Doc, QuoteSpan
    from conflictlens.transcripts import Turn

    quotes = [QuoteSpan(2, 5, '"', '"'), QuoteSpan(5, 9, '"', '"'), QuoteSpan(12, 20, '"', '"')]
    unsorted = [quotes[2], quotes[0], QuoteSpan(3, 15, '"', '"')]
    turns = [Turn(0, "Q", 0, 2, 10, None, "journalist", None),
             Turn(1, "MR. X", 10, 14, 30, "x", "official", None)]  # fmt: skip
    non_text = [(8, 12), (0, 3), (10, 20), (25, 26)]
    for qs in (quotes, unsorted):
        doc = Doc("a", "x" * 40, quotes=qs, turns=turns, non_text=non_text)
        for start in range(-1, 32):
            for end in (None, *range(start - 1, start + 12)):
                e = start + 1 if end is None else end
                scan = next((q for q in qs if q.start <= start and e <= q.end), None)
                assert doc.in_quote(start, end) is scan
                if end is not None:
                    assert doc.is_text(start, end) == (
                        not any(a <= start and end <= b for a, b in non_text)
                    )
            assert doc.turn_at(start) is next((t for t in turns if t.start <= start < t.end), None)
    doc.quotes = quotes[:1]  # a replaced list is indexed afresh
    assert doc.in_quote(13) is None and doc.in_quote(3) is quotes[0]


def test_doc_folded_and_plain_text_are_cached_per_text():
    doc = make_doc("a", "“Kata’ib” said.")
    assert doc.folded == fold(doc.text) and doc.plain_text == plain(doc.text)
    assert doc.folded is doc.folded
    doc.text = "Other."
    assert doc.folded == "other."


def test_sentences_of_a_text_are_those_of_its_paragraphs():
    # Glued-sentence cuts are found in one pass over the whole text: a paragraph must get
    # the same sentences as when it stands alone (nothing glued across the blank line).
    from conflictlens.text import paragraph_spans, split_sentences

    paras = ["It ended Tuesday.", "The group said so.Then it left", "U.S.Army units.",
             "\u201cWe won.\u201d They left.", "5 p.m.", "Iraq.", "The end.\u201dAnd"]  # fmt: skip
    for k in range(len(paras)):
        text = "\n\n".join(paras[k:] + paras[:k])
        got = [(s.start, s.end, s.paragraph) for s in split_sentences(text)]
        want = []
        for p_idx, (a, b) in enumerate(paragraph_spans(text)):
            want += [(a + s.start, a + s.end, p_idx) for s in split_sentences(text[a:b])]
        assert got == want, text


def test_glued_cuts_follow_the_paragraph_spans_given():
    # Spans that are not bounded by blank space: a cut whose context lies outside its
    # span is not made (as when the span is split alone).
    from conflictlens.text import split_sentences

    text = "It ended Tuesday.The group left.Then it was over."
    spans = [(0, 18), (18, 33), (33, len(text))]
    got = [(s.start, s.end) for s in split_sentences(text, spans)]
    want = [
        (a + s.start, a + s.end) for a, b in spans for s in split_sentences(text[a:b], [(0, b - a)])
    ]
    assert got == want
