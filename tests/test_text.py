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
