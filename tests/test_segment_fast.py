"""The fast sentence splitter gives exactly what NLTK's Punkt, run paragraph by
paragraph as the plain definition says, gives."""

from __future__ import annotations

import random
import re
from bisect import bisect_left, bisect_right
from pathlib import Path

from conflictlens import text as T

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw"

_PIECES = ["U.S.", "Gen.", "J.", "a.m.", "No.", "5.", "3.5", "1,000.", "...", "..", ". . .",
           "Mr.", "al-Sudani.", "said.", "said!", "said?", '"', "'", ")", "(", "--", "said.\u201d",
           "it.)", "Inc.", "x.", "X.", "e.g.", "The", "the", "He", "IRAQ.", ";", ":", ",", "!",
           "?!", "II.", "pp.", "anti-U.S.", "\u2019s", "p.m.", "\t", "\u00e9t\u00e9.", "\u0130.",
           "z.", "\n", "\r", "\x1c", "Tuesday.The", "it.\u201dThen", "end.'He", "\u00a0",
           "\u201c", "\u201d", "\u00ab", "\u00bb"]  # fmt: skip


def _fuzz(r: random.Random, n: int) -> str:
    seps = ["", " ", " ", "  ", "\n", "\n\n", " \n \n "]
    return "".join(r.choice(_PIECES) + r.choice(seps) for _ in range(n))


def _corpus_texts(limit: int = 80) -> list[str]:
    from conflictlens.corpus import iter_corpus

    out: list[str] = []
    for path in sorted(SAMPLE.glob("*/*.jsonl*")):
        for articles, _ in iter_corpus(path, chunk_size=100, detect_near_duplicates=False):
            out += list(articles.text)
            break
    return out[:limit]


def _reference_sentences(text, paragraphs, flat, skip):
    """The plain definition: NLTK's Punkt on each paragraph alone, cut where glued."""
    tok = T._punkt()
    if skip:
        flat = T._blank(flat, skip)
    out = []
    glued = [m.start() for m in T._GLUED.finditer(flat)]
    for p_idx, (a, b) in enumerate(paragraphs):
        chunk = flat[a:b].replace("\n", " ")
        cuts = [c - a for c in glued[bisect_right(glued, a) : bisect_left(glued, b)]
                if T._GLUED.match(chunk, c - a)]  # fmt: skip
        for s0, e0 in tok.span_tokenize(chunk):
            inner = [c for c in cuts if s0 < c < e0]
            for s, e in zip([s0, *inner], [*inner, e0], strict=True):
                while s < e and chunk[s].isspace():
                    s += 1
                while e > s and chunk[e - 1].isspace():
                    e -= 1
                if e > s:
                    out.append(T.Sentence(len(out), a + s, a + e, text[a + s : a + e], p_idx))
    return out


def test_spans_of_parts_equal_punkt_on_each_part_alone():
    fast, ref = T._fast_punkt(), T._punkt()
    r = random.Random(5)
    texts = [_fuzz(r, r.randint(1, 40)) for _ in range(1200)]
    texts += [T.plain(t).replace("\n", " ") for t in _corpus_texts()]
    for text in texts:
        # paragraphs, parts cut anywhere (not bounded by blank space), and unsorted parts
        cuts = sorted(r.sample(range(len(text) + 1), min(len(text) + 1, r.randint(0, 6))))
        bounds = [0, *cuts, len(text)]
        anywhere = list(zip(bounds, bounds[1:], strict=False))
        for parts in (T.paragraph_spans(text), anywhere, anywhere[::-1], [(0, len(text))]):
            want = [(k, a + s, a + e) for k, (a, b) in enumerate(parts)
                    for s, e in ref.span_tokenize(text[a:b])]  # fmt: skip
            assert fast.spans(text, parts) == want, (text, parts)
        assert fast.span_tokenize(text) == list(ref.span_tokenize(text)), text


def test_sentences_equal_the_paragraph_by_paragraph_definition():
    from conflictlens.transcripts import non_text_spans, parse_turns

    r = random.Random(7)
    texts = [_fuzz(r, r.randint(1, 60)) for _ in range(600)] + _corpus_texts(60)
    for text in texts:
        paragraphs = T.paragraph_spans(text)
        skip = non_text_spans(text, parse_turns(text, paragraphs))
        flat = T.plain(text)
        for sk in (skip, [], [(0, 3), (len(text) // 2, len(text) // 2 + 4)]):
            assert T._sentences(text, paragraphs, flat, sk) == _reference_sentences(
                text, paragraphs, flat, sk
            ), text


def test_glued_ends_are_the_glued_places():
    r = random.Random(9)
    alphabet = "aZ.!?\"' )]%9x\nTh"
    for _ in range(20_000):
        s = "".join(r.choice(alphabet) for _ in range(r.randint(0, 12)))
        assert [m.end() for m in T._GLUED_END.finditer(s)] == [
            m.start() for m in T._GLUED.finditer(s)
        ], s


def test_quick_sentence_equals_the_dataclass():
    s = T._sentence(3, 10, 20, "It ended.", 2)
    ref = T.Sentence(3, 10, 20, "It ended.", 2)
    assert s == ref and hash(s) == hash(ref) and repr(s) == repr(ref)
    assert type(s) is T.Sentence and vars(s) == vars(ref)


def test_plain_finds_every_mapped_character():
    # ``plain`` looks for the mapped characters with one class: it must hold them all
    assert set(T._PLAIN_FIND.findall("".join(T._PLAIN) + "abc")) == set(T._PLAIN)
    assert re.fullmatch(T._NON_ASCII, "\x80") and not T._NON_ASCII.match("\x7f")


def test_the_context_pattern_reads_alike_in_both_engines_but_for_four_separators():
    # the candidate scan runs in Python's re unless the text holds one of _NOT_RE_SPACE
    import regex

    every = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    for cls in (r"\s", r"\S"):
        differ = set(regex.findall(cls, every)) ^ set(re.findall(cls, every))
        assert "".join(sorted(differ)) == T._NOT_RE_SPACE
    fast = T._fast_punkt()
    assert fast._context_re.pattern == fast._context.pattern

    def found(pattern, s):
        return [(m.span(), m.span("after_tok"), m.span("next_tok")) for m in pattern.finditer(s)]

    r = random.Random(13)
    for _ in range(3000):
        s = _fuzz(r, r.randint(1, 20)).replace("\x1c", "")
        assert found(fast._context, s) == found(fast._context_re, s), s


def test_quote_marks_pattern_finds_what_the_class_form_finds():
    plain_form = re.compile("[\u201c\u201d\u201e\u00ab\u00bb\"]|''|``")
    r = random.Random(17)
    pieces = ["a", " ", "''", "'", "``", "`", '"', "\u201c", "\u201d", "\u00ab", "\u00bb",
              "\u201e", "\n"]  # fmt: skip
    for _ in range(20_000):
        text = "".join(r.choice(pieces) for _ in range(r.randint(0, 14)))
        a = r.randint(0, len(text))
        b = r.randint(a, len(text))
        assert [m.span() for m in T._QUOTE_CHARS.finditer(text, a, b)] == [
            m.span() for m in plain_form.finditer(text, a, b)
        ], text


def test_copied_punkt_patterns_are_the_installed_nltks():
    # text.py carries Punkt's patterns so that it need not import NLTK; they must not drift
    from nltk.tokenize.punkt import PunktToken

    ref, fast = T._punkt(), T._fast_punkt()
    lang = ref._lang_vars
    pairs = [(fast._context, lang.period_context_re()), (fast._words, lang._word_tokenizer_re()),
             (fast._realign, lang.re_boundary_realignment), (fast._ellipsis, PunktToken._RE_ELLIPSIS),
             (fast._numeric, PunktToken._RE_NUMERIC), (fast._initial, PunktToken._RE_INITIAL)]  # fmt: skip

    def same(p):  # NLTK joins "?" and "!" from a set: their order follows the hash seed
        return p.replace("!\\?", "\\?!")

    for ours, theirs in pairs:
        theirs = getattr(theirs, "_rx", theirs)  # NLTK wraps them in a timeout guard
        assert same(ours.pattern) == same(theirs.pattern)
        assert (ours.flags, type(ours)) == (theirs.flags, type(theirs))
    assert fast._ends == frozenset(lang.sent_end_chars)
    assert fast._punct == frozenset(ref.PUNCTUATION)
    assert fast._abbrev == frozenset(ref._params.abbrev_types)


def test_splitting_sentences_does_not_import_nltk():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from conflictlens.text import make_doc\n"
        "d = make_doc('a', 'Rockets hit the U.S. base on Tuesday. Nobody was hurt.\\n\\n'\n"
        "             '\"We will respond,\" he said.Officials agreed.')\n"
        "print(len(d.sentences), 'nltk' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["4", "False"]
