"""Sentences, words and quote spans with character offsets — no downloaded data.

Every offset refers to the article text as stored in the ``articles`` table, so a
sentence, a word or a quote can always be sliced back out of it.

Segmentation is NLTK's Punkt with hand-set parameters (an abbreviation list, no
training data), run paragraph by paragraph on a copy of the text in which curly
quotes are mapped one-for-one to straight ones: Punkt knows that a closing ``"``
belongs to the sentence before it, and the 1:1 mapping keeps every offset valid.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

# Abbreviations that end with a period but rarely end a sentence (lower case, no final dot).
ABBREVIATIONS = frozenset(
    """
    u.s u.k u.n e.u u.a.e u.s.a d.c a.m p.m i.e e.g vs cf
    mr mrs ms dr prof gen lt col maj capt cpt sgt spc pvt cpl adm cmdr cdr brig
    gov sen rep rev hon pres amb sec dept st jr sr messrs mt ft
    jan feb mar apr jun jul aug sep sept oct nov dec
    inc corp co ltd bros dist approx est fig vol op art para
    """.split()
)

# One-to-one character replacements: same length, so offsets survive.
_PLAIN = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u02bc": "'", "\u02bb": "'", "\u00b4": "'", "`": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
}  # fmt: skip
_PLAIN_TABLE = str.maketrans(_PLAIN)


def plain(text: str) -> str:
    """Map typographic quotes, apostrophes, dashes and spaces to ASCII, one char for one.

    Examples
    --------
    >>> plain("Kata\u2019ib \u201cresistance\u201d \u2013 Iraq")
    'Kata\\'ib "resistance" - Iraq'
    """
    return text.translate(_PLAIN_TABLE)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    base = unicodedata.normalize("NFD", ch)[0]
    base = _PLAIN.get(base, base)
    return base.lower() if len(base.lower()) == 1 else base


def fold(text: str) -> str:
    """Lower-case, strip diacritics and plain punctuation, keeping one char per char.

    Used for matching lexicons: ``fold(text)[i]`` corresponds to ``text[i]``.

    Examples
    --------
    >>> fold("Kata\u2019ib \u1e24izb All\u0101h")
    "kata'ib hizb allah"
    """
    return "".join(_fold_char(c) for c in text)


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: its index and ``text[start:end]``."""

    idx: int
    start: int
    end: int
    text: str
    paragraph: int = 0


@dataclass(frozen=True)
class QuoteSpan:
    """A stretch of text between quote marks.

    ``start``/``end`` cover the quoted words without the marks; ``open_mark`` and
    ``close_mark`` are the marks found (``""`` when the quote was left unclosed).
    ``balanced`` is False when the closing mark is missing or the opening was inferred.
    """

    start: int
    end: int
    open_mark: str
    close_mark: str
    balanced: bool = True


@dataclass
class Doc:
    """One article prepared for the extractors: text, sentences, paragraphs, quote spans."""

    article_id: str
    text: str
    published: date | None = None
    outlet: str | None = None
    title: str = ""
    language: str = "en"
    kind: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    quotes: list[QuoteSpan] = field(default_factory=list)
    turns: list = field(default_factory=list)  # transcripts.Turn, for speaker-turn transcripts
    non_text: list[tuple[int, int]] = field(default_factory=list)  # labels, stage notes, stamps
    _starts: list[int] = field(default_factory=list, repr=False)

    def sentence_at(self, offset: int) -> int:
        """Index of the sentence containing character ``offset`` (the nearest before it)."""
        if not self._starts:
            self._starts = [s.start for s in self.sentences]
        return max(0, bisect_right(self._starts, offset) - 1)

    def turn_at(self, offset: int):
        """The transcript turn containing ``offset`` (None outside turns or transcripts)."""
        for t in self.turns:
            if t.start <= offset < t.end:
                return t
        return None

    def is_text(self, start: int, end: int) -> bool:
        """False when ``[start, end)`` lies in a turn label, stage note or time stamp."""
        return not any(a <= start and end <= b for a, b in self.non_text)

    def in_quote(self, start: int, end: int | None = None) -> QuoteSpan | None:
        """The quote span that contains ``[start, end)``, if any."""
        end = start + 1 if end is None else end
        for q in self.quotes:
            if q.start <= start and end <= q.end:
                return q
        return None


def make_doc(
    article_id: str,
    text: str,
    *,
    published: date | None = None,
    outlet: str | None = None,
    title: str = "",
    language: str = "en",
    kind: str | None = None,
) -> Doc:
    """Segment ``text`` into a :class:`Doc`.

    Examples
    --------
    >>> d = make_doc("a1", "U.S. troops were hit. The group said “it was us.”")
    >>> [s.text for s in d.sentences]
    ['U.S. troops were hit.', 'The group said “it was us.”']
    >>> d.text[d.quotes[0].start:d.quotes[0].end]
    'it was us.'
    """
    from conflictlens.transcripts import non_text_spans, parse_turns  # (imports lexicons)

    paragraphs = paragraph_spans(text)
    turns = parse_turns(text, paragraphs)
    non_text = non_text_spans(text, turns)
    return Doc(
        article_id=article_id,
        text=text,
        published=published,
        outlet=outlet,
        title=title,
        language=language,
        kind=kind,
        sentences=split_sentences(text, paragraphs, skip=non_text),
        paragraphs=paragraphs,
        quotes=quote_spans(text, paragraphs),
        turns=turns,
        non_text=non_text,
    )


# --------------------------------------------------------------------------- paragraphs

_PARA_BREAK = re.compile(r"\n[ \t]*\n\s*")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of paragraphs (separated by blank lines), trimmed of white space.

    Examples
    --------
    >>> paragraph_spans("One.\\n\\n  Two\\nlines.\\n")
    [(0, 4), (8, 18)]
    """
    spans = []
    pos = 0
    for m in _PARA_BREAK.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


# --------------------------------------------------------------------------- sentences


@lru_cache(maxsize=1)
def _punkt() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


# "Tuesday.The group": a sentence glued to the next without a space. The letter before the
# period must be lower case (so "U.S.Army" stays) and the next word must look like a word.
_GLUED = re.compile(r"(?<=[a-z0-9\)\]%][.!?])(?=[\"']?[A-Z][a-z])")


def split_sentences(
    text: str,
    paragraphs: list[tuple[int, int]] | None = None,
    *,
    skip: list[tuple[int, int]] = (),
) -> list[Sentence]:
    """Split ``text`` into sentences with offsets.

    Paragraph breaks always end a sentence; single line breaks inside a paragraph
    (hard-wrapped copy) do not. Sentences glued without a space ("Tuesday.The") are
    split; abbreviations ("U.S.", "Gen.", "Lt. Col.", "a.m.") are not. Spans in
    ``skip`` (transcript labels, stage notes) are left out of every sentence.

    Examples
    --------
    >>> [s.text for s in split_sentences("Gen. Smith met Lt. Col.\\nJones at 9 a.m. Monday.It ended.")]
    ['Gen. Smith met Lt. Col.\\nJones at 9 a.m. Monday.', 'It ended.']
    """
    if paragraphs is None:
        paragraphs = paragraph_spans(text)
    flat = plain(text)
    if skip:
        chars = list(flat)
        for a, b in skip:
            chars[a:b] = " " * (b - a)
        flat = "".join(chars)
    tok = _punkt()
    out: list[Sentence] = []
    for p_idx, (a, b) in enumerate(paragraphs):
        chunk = flat[a:b].replace("\n", " ")
        cuts = {m.start() for m in _GLUED.finditer(chunk)}
        pieces = []
        for s, e in tok.span_tokenize(chunk):
            last = s
            for c in sorted(x for x in cuts if s < x < e):
                pieces.append((last, c))
                last = c
            pieces.append((last, e))
        for s, e in pieces:
            while s < e and chunk[s].isspace():
                s += 1
            while e > s and chunk[e - 1].isspace():
                e -= 1
            if e > s:
                out.append(Sentence(len(out), a + s, a + e, text[a + s : a + e], p_idx))
    return _merge_fragments(out, text)


# "No. 5", "Art. 51", "Sec. 2": a number after these means the period was not an ending.
_NUMBERED = re.compile(r"\b(?:No|Nos|Art|Arts|Sec|Secs|Para|Vol|Fig|p|pp|Res)\.$", re.I)


def _merge_fragments(sents: list[Sentence], text: str) -> list[Sentence]:
    """Re-attach punctuation-only fragments and splits after "No." before a number."""
    merged: list[Sentence] = []
    for s in sents:
        prev = merged[-1] if merged else None
        joins = (
            prev is not None
            and prev.paragraph == s.paragraph
            and (
                not any(c.isalnum() for c in s.text)
                or (s.text[:1].isdigit() and _NUMBERED.search(prev.text))
            )
        )
        if joins:
            prev = merged[-1]
            merged[-1] = Sentence(
                prev.idx, prev.start, s.end, text[prev.start : s.end], prev.paragraph
            )
        else:
            merged.append(Sentence(len(merged), s.start, s.end, s.text, s.paragraph))
    return merged


# --------------------------------------------------------------------------- words

_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|\w+(?:[-'\u2019]\w+)*|[^\w\s]")


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Word and punctuation tokens with offsets (``U.S.`` and ``Kata'ib`` stay whole).

    Examples
    --------
    >>> [w for _, _, w in word_spans("U.S. forces hit Kata'ib Hezbollah's base.")]
    ['U.S.', 'forces', 'hit', "Kata'ib", "Hezbollah's", 'base', '.']
    """
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]


def count_words(text: str) -> int:
    """Number of word tokens (punctuation excluded)."""
    return sum(1 for _ in re.finditer(r"\w+(?:[-'\u2019]\w+)*", text))


# --------------------------------------------------------------------------- quotes

_OPENERS = {"\u201c": "\u201d", "\u201e": "\u201d", "\u00ab": "\u00bb", '"': '"'}
_CLOSERS = {"\u201d", "\u00bb", '"'}
_QUOTE_CHARS = re.compile("[\u201c\u201d\u201e\u00ab\u00bb\"]|''|``")


def quote_spans(text: str, paragraphs: list[tuple[int, int]] | None = None) -> list[QuoteSpan]:
    """Find quoted stretches, tolerating the ways real copy gets quote marks wrong.

    Handles curly, straight and guillemet marks, ``''`` used as a closing mark,
    multi-paragraph quotes (a paragraph that ends inside a quote and a next one that
    re-opens it), and quotes left unclosed (closed at the end of their paragraph,
    ``balanced=False``). A closing mark with no opening one is ignored.

    Examples
    --------
    >>> t = 'He said "we will respond\\'\\' and left. A \u201cterrorist\u201d group.'
    >>> [t[q.start:q.end] for q in quote_spans(t)]
    ['we will respond', 'terrorist']
    """
    if paragraphs is None:
        paragraphs = paragraph_spans(text)
    spans: list[QuoteSpan] = []
    for a, b in paragraphs:
        open_at: tuple[int, str] | None = None
        for m in _QUOTE_CHARS.finditer(text, a, b):
            mark, i = m.group(), m.start()
            if mark == "``":
                mark = '"'
            if open_at is None:
                if mark == "''":
                    continue
                if mark in _OPENERS and (mark != '"' or _can_open(text, i)):
                    open_at = (m.end(), mark)
                # stray closing mark: nothing to pair it with
                continue
            if mark == "''" or mark in _CLOSERS or (mark == '"' and not _can_open(text, i)):
                if mark == '"' and _can_open(text, i) and not _can_close(text, i):
                    continue
                start, opener = open_at
                spans.append(QuoteSpan(start, i, opener, mark, True))
                open_at = None
            elif mark in _OPENERS and mark != '"':
                # a new opener before the old one closed: the old one was left unclosed
                start, opener = open_at
                spans.append(QuoteSpan(start, _trim_end(text, i), opener, "", False))
                open_at = (m.end(), mark)
        if open_at is not None:
            nxt = _next_paragraph_start(paragraphs, b)
            if nxt is not None and text[nxt : nxt + 1] in _OPENERS:
                # multi-paragraph quote: this paragraph's part ends here, the next re-opens
                spans.append(QuoteSpan(open_at[0], b, open_at[1], "", True))
            else:
                spans.append(QuoteSpan(open_at[0], b, open_at[1], "", False))
    return [q for q in spans if q.end > q.start]


def _can_open(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{-\u2014\u2013/:") and not after.isspace()


def _can_close(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    return not before.isspace()


def _trim_end(text: str, i: int) -> int:
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return i


def _next_paragraph_start(paragraphs: list[tuple[int, int]], end: int) -> int | None:
    for a, _ in paragraphs:
        if a > end:
            return a
    return None
