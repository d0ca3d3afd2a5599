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
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

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


def plain(text: str) -> str:
    """Map typographic quotes, apostrophes, dashes and spaces to ASCII, one char for one.

    Examples
    --------
    >>> plain("Kata\u2019ib \u201cresistance\u201d \u2013 Iraq")
    'Kata\\'ib "resistance" - Iraq'
    """
    # ``str.translate`` with a dict looks every character up in Python; replacing only
    # the few mapped characters the text holds is one C-speed pass per character.
    if text.isascii():
        return text.replace("`", "'") if "`" in text else text
    for ch in set(_PLAIN_FIND.findall(text)):  # at most 27 passes
        text = text.replace(ch, _PLAIN[ch])
    return text


_PLAIN_FIND = re.compile("[" + "".join(sorted(_PLAIN)) + "]")  # (none needs escaping)
_NON_ASCII = re.compile("[^\x00-\x7f]")


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
    if text.isascii():
        return text.lower()
    # Replace each distinct non-ASCII character by its folded form, then lower-case the
    # rest in C. Exact: every folded non-ASCII character is one lower-case character that
    # ``lower()`` leaves alone (checked for all of Unicode in tests/test_text.py).
    odd = set(_NON_ASCII.findall(text))
    if len(odd) > 16:  # one pass per character would cost more than a table look-up each
        return text.translate({ord(ch): _fold_char(ch) for ch in odd}).lower()
    for ch in odd:
        text = text.replace(ch, _fold_char(ch))
    return text.lower()


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: its index and ``text[start:end]``."""

    idx: int
    start: int
    end: int
    text: str
    paragraph: int = 0


def _sentence(idx: int, start: int, end: int, text: str, paragraph: int) -> Sentence:
    """``Sentence(idx, start, end, text, paragraph)`` at half the cost (a frozen
    dataclass's ``__init__`` sets each field through ``object.__setattr__``)."""
    s = _new_object(Sentence)
    s.__dict__.update(idx=idx, start=start, end=end, text=text, paragraph=paragraph)
    return s


_new_object = object.__new__


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
    # Lookup indexes built on first use, each with the list it was built from, so that
    # replacing ``quotes``/``turns``/``non_text`` after a lookup rebuilds them.
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def folded(self) -> str:
        """:func:`fold` of the text, computed once and shared by every stage."""
        f = self._index.get("folded")
        if f is None or f[0] is not self.text:
            f = self._index["folded"] = (self.text, fold(self.text))
        return f[1]

    @property
    def plain_text(self) -> str:
        """:func:`plain` of the text, computed once and shared by every stage."""
        p = self._index.get("plain")
        if p is None or p[0] is not self.text:
            p = self._index["plain"] = (self.text, plain(self.text))
        return p[1]

    def sentence_at(self, offset: int) -> int:
        """Index of the sentence containing character ``offset`` (the nearest before it)."""
        if not self._starts:
            self._starts = [s.start for s in self.sentences]
        return max(0, bisect_right(self._starts, offset) - 1)

    def turn_at(self, offset: int):
        """The transcript turn containing ``offset`` (None outside turns or transcripts)."""
        starts = self._sorted_starts("turns", self.turns)
        if starts is None:  # not in order: the first turn listed that contains it
            return next((t for t in self.turns if t.start <= offset < t.end), None)
        i = bisect_right(starts, offset) - 1
        return self.turns[i] if i >= 0 and offset < self.turns[i].end else None

    def is_text(self, start: int, end: int) -> bool:
        """False when ``[start, end)`` lies in a turn label, stage note or time stamp."""
        idx = self._index.get("non_text")
        if idx is None or idx[0] is not self.non_text or idx[1] != len(self.non_text):
            spans = sorted(self.non_text)
            reach, top = [], -1  # reach[k]: the furthest end of spans[0..k]
            for _, b in spans:
                top = max(top, b)
                reach.append(top)
            idx = self._index["non_text"] = (self.non_text, len(self.non_text),
                                             [a for a, _ in spans], reach)  # fmt: skip
        # some span starting at or before ``start`` reaches ``end`` <=> the furthest one does
        k = bisect_right(idx[2], start) - 1
        return k < 0 or idx[3][k] < end

    def in_quote(self, start: int, end: int | None = None) -> QuoteSpan | None:
        """The quote span that contains ``[start, end)``, if any."""
        end = start + 1 if end is None else end
        starts = self._sorted_starts("quotes", self.quotes) if end > start else None
        if starts is None:  # the first span listed that contains it
            return next((q for q in self.quotes if q.start <= start and end <= q.end), None)
        i = bisect_right(starts, start) - 1
        if i >= 0 and end <= self.quotes[i].end:
            return self.quotes[i]
        return None

    def _sorted_starts(self, name: str, spans: list) -> list[int] | None:
        """Start offsets of ``spans`` for bisection, or None unless they are sorted and
        disjoint (then the one span that can contain an offset is the last starting
        before it, as a scan in list order would find)."""
        idx = self._index.get(name)
        if idx is None or idx[0] is not spans or idx[1] != len(spans):
            ok = all(x.end <= y.start for x, y in zip(spans, spans[1:], strict=False))
            idx = self._index[name] = (spans, len(spans), [x.start for x in spans] if ok else None)
        return idx[2]


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
    flat = plain(text)
    doc = Doc(
        article_id=article_id,
        text=text,
        published=published,
        outlet=outlet,
        title=title,
        language=language,
        kind=kind,
        sentences=_merge_fragments(_sentences(text, paragraphs, flat, non_text), text),
        paragraphs=paragraphs,
        quotes=quote_spans(text, paragraphs),
        turns=turns,
        non_text=non_text,
    )
    doc._index["plain"] = (text, flat)
    return doc


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


if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktSentenceTokenizer


@lru_cache(maxsize=1)
def _punkt() -> PunktSentenceTokenizer:
    # NLTK's own tokenizer: the reference in the tests, and the rare fallback of
    # _Punkt._has_break. Imported on first use: `import nltk` pulls in scipy.stats.
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


# Punkt's patterns and character sets as NLTK 3.10 defines them (nltk/tokenize/punkt.py,
# Apache License 2.0): copied so that splitting sentences does not import NLTK, whose
# package import takes about a second (it loads scipy.stats). They are compiled with the
# `regex` module, NLTK's own engine, with NLTK's flags; tests/test_segment_fast.py checks
# that they are still the installed NLTK's.
_PUNKT_CONTEXT = (
    "\n"
    "        [\\.\\?!]             # a potential sentence ending\n"
    "        (?=(?P<after_tok>\n"
    "            (?:[)\\\";}\\]\\*:@\\'\\({\\[\\u2018\\u2019\\u201c\\u201d\\xab\\xbb!\\?])              # either other punctuation\n"
    "            |\n"
    "            \\s+(?P<next_tok>\\S+)     # or whitespace and some other token\n"
    "        ))"
)
_PUNKT_WORDS = (
    "(\n"
    "        (?:\\-{2,}|\\.{2,}|(?:\\.\\s){2,}\\.)\n"
    "        |\n"
    '        (?=[^\\(\\"\\`{\\[:;&\\#\\*@\\)}\\]\\-,])\\S+?  # Accept word characters until end is found\n'
    "        (?= # Sequences marking a word's end\n"
    "            \\s|                                 # White-space\n"
    "            $|                                  # End-of-string\n"
    "            (?:[)\\\";}\\]\\*:@\\'\\({\\[\\u2018\\u2019\\u201c\\u201d\\xab\\xbb!\\?])|(?:\\-{2,}|\\.{2,}|(?:\\.\\s){2,}\\.)|          # Punctuation\n"
    "            ,(?=$|\\s|(?:[)\\\";}\\]\\*:@\\'\\({\\[\\u2018\\u2019\\u201c\\u201d\\xab\\xbb!\\?])|(?:\\-{2,}|\\.{2,}|(?:\\.\\s){2,}\\.)) # Comma if at end of word\n"
    "        )\n"
    "        |\n"
    "        \\S\n"
    "    )"
)
_PUNKT_REALIGN = "[\"\\')\\]}\\u2018\\u2019\\u201c\\u201d\\xab\\xbb]+?(?:\\s+|(?=--)|$)"
_PUNKT_ELLIPSIS = "\\.\\.+$"
_PUNKT_NUMERIC = "^-?[\\.,]?\\d[\\d,\\.-]*\\.?$"
_PUNKT_INITIAL = "[^\\W\\d]\\.$"
_PUNKT_ENDS = (".", "?", "!")
_PUNKT_PUNCTUATION = (";", ":", ",", ".", "!", "?")

_ASCII_SPACE = " \t\n\r\x0b\x0c"  # string.whitespace, what Punkt looks back for
_NOT_RE_SPACE = "\x1c\x1d\x1e\x1f"  # \s to Python's re, not to the regex module


class _Punkt:
    """Sentence spans exactly as NLTK's ``PunktSentenceTokenizer.span_tokenize`` gives
    them for :func:`_punkt`'s parameters, without building a token object per word.

    Hand-set parameters hold abbreviations only (no collocations, sentence starters or
    orthographic statistics), so Punkt's second pass can only *undo* a break: after an
    initial or a number followed by punctuation or a lower-case word, and after an
    initial followed by a capital. Whether a candidate context holds a break is then
    a short rule over its word tokens (:meth:`_break_after`). Contexts and tokens are
    found with NLTK's own patterns (copied above). ``tests/test_text.py`` compares the spans with
    NLTK's on the corpora and on random text.
    """

    def __init__(self) -> None:
        import regex  # NLTK's engine (about 10 ms to import)

        u, v = regex.UNICODE, regex.VERBOSE
        self._context = regex.compile(_PUNKT_CONTEXT, u | v)
        # The same pattern in Python's own engine, which scans faster; the two read ``\s``
        # alike but for the separators in _NOT_RE_SPACE (tests/test_segment_fast.py)
        self._context_re = re.compile(_PUNKT_CONTEXT, re.VERBOSE)
        self._words = regex.compile(_PUNKT_WORDS, u | v)
        self._realign = regex.compile(_PUNKT_REALIGN, u | regex.MULTILINE)
        self._ellipsis = regex.compile(_PUNKT_ELLIPSIS, u)
        self._numeric = regex.compile(_PUNKT_NUMERIC, u)
        self._initial = regex.compile(_PUNKT_INITIAL, u)
        self._abbrev = frozenset(ABBREVIATIONS)
        self._ends = frozenset(_PUNKT_ENDS)
        self._punct = frozenset(_PUNKT_PUNCTUATION)
        self._decided: dict[str, bool] = {}  # context -> has a break (contexts recur a lot)
        self._types: dict[str, str] = {}  # token -> its Punkt type without a final period
        self._realign_first: dict[str, bool] = {}  # character -> can open a realignment

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        """``list(PunktSentenceTokenizer.span_tokenize(text))``."""
        return [(s, e) for _, s, e in self.spans(text, [(0, len(text))])]

    def spans(self, text: str, parts: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
        """``(k, a + s, a + e)`` for each span ``(s, e)`` of ``span_tokenize(text[a:b])``,
        ``(a, b) = parts[k]``, found with one pass of the context pattern over ``text``.

        The pattern looks neither behind nor, for a match that ends within a part, past
        it: a match in the whole text is the part's own unless its look-ahead runs past
        the part's end (then the part alone is matched again). Parts must be in order and
        disjoint; others are split one by one.
        """
        if any(b0 > a1 for (_, b0), (a1, _) in zip(parts, parts[1:], strict=False)):
            return [(k, a + s, a + e) for k, (a, b) in enumerate(parts)
                    for _, s, e in self.spans(text[a:b], [(0, b - a)])]  # fmt: skip
        has_end = "." in text or "?" in text or "!" in text
        scan = self._context if any(c in text for c in _NOT_RE_SPACE) else self._context_re
        found = list(scan.finditer(text)) if has_end else []
        at = [m.start() for m in found]
        ahead = [m.end("after_tok") for m in found]  # where each look-ahead ends
        # (the white space this text holds: usually just " ", one rfind per candidate)
        spaces = [c for c in _ASCII_SPACE if c in text]
        out: list[tuple[int, int, int]] = []
        for k, (a, b) in enumerate(parts):
            lo, hi = bisect_left(at, a), bisect_left(at, b)
            # a candidate on the part's last character has nothing to look ahead at in it
            if hi > lo and at[hi - 1] == b - 1 and ahead[hi - 1] > b:
                hi -= 1
            end = b if b > a and not text[b - 1].isspace() else a + len(text[a:b].rstrip())
            if hi == lo:  # one sentence, or none
                if a < end:
                    out.append((k, a, end))
                continue
            self._part_spans(text, k, (a, b, end), (found, at, ahead, lo, hi), spaces, out)
        return out

    def _part_spans(self, text, k, part, candidates, spaces, out) -> None:
        # PunktSentenceTokenizer.span_tokenize on text[a:b], in offsets of ``text``
        a, b, end = part
        slices = self._slices(text, a, b, end, candidates, spaces)
        # _realign_boundaries: closing marks after a cut join the sentence before it
        realign = 0
        first = self._realign_first
        s2, e2 = slices[0]
        for j in range(1, len(slices)):
            s, e = s2 + realign, e2
            s2, e2 = slices[j]
            # the pattern opens with a class of closing marks: most slices cannot match
            ok = s2 < e2 and first.get(text[s2])
            if ok is None:
                ok = self._may_realign(text[s2])
            m = self._realign.match(text[s2:e2]) if ok else None
            if m:
                out.append((k, s, s2 + len(m.group(0).rstrip())))
                realign = m.end()
            else:
                realign = 0
                if s < e:
                    out.append((k, s, e))
        if s2 + realign < e2:
            out.append((k, s2 + realign, e2))

    def _may_realign(self, ch: str) -> bool:
        """Can a slice starting with ``ch`` match the realignment pattern (its first class)?"""
        ok = self._realign_first[ch] = self._realign.match(ch + " ") is not None
        return ok

    def _slices(self, text, a, b, end, candidates, spaces) -> list[tuple[int, int]]:
        # PunktSentenceTokenizer._slices_from_text on text[a:b] for the candidates
        # found[lo:hi], cut where a candidate's context holds a break. The context
        # (_match_potential_end_contexts) is the word before the candidate (of overlapping
        # candidates only the last counts) and the token after it: one stretch of text.
        found, at, ahead, lo, hi = candidates
        slices = []
        last_break = a
        decided_of = self._decided
        prev = None  # (the candidate's end, where the next token starts or -1, its context)
        prev_start = prev_stop = a
        # A candidate's context is settled by the next candidate (which may overlap it and
        # take its place); the step past the last one settles the last.
        for i in range(lo, hi + 1):
            if i < hi:
                p, stop = at[i], ahead[i]
                if stop > b:  # the look-ahead ran past the part: match it alone
                    m = self._context.match(text[p:b])
                    if m is None:
                        continue
                    nt, stop = m.start("next_tok"), p + m.end("after_tok")
                    nt = p + nt if nt >= 0 else -1
                else:
                    nt = found[i].start("next_tok")
                if len(spaces) == 1:
                    space = text.rfind(spaces[0], prev_stop, p)
                else:
                    space = max((text.rfind(c, prev_stop, p) for c in spaces), default=-1)
                # (the last blank between the two candidates, unless it is the first character)
                start = space + 1 if space > prev_stop else prev_start
                if prev is None or prev_stop > start:
                    prev, prev_start, prev_stop = (p + 1, nt, text[start:stop]), start, p
                    continue
            elif prev is None:
                break
            prev_end, next_tok, context = prev
            decided = decided_of.get(context)
            if decided is None:
                if len(decided_of) > 200_000:
                    decided_of.clear()
                decided = decided_of[context] = self._has_break(context)
            if decided:
                slices.append((last_break, prev_end))
                last_break = next_tok if next_tok >= 0 else prev_end
            if i < hi:
                prev, prev_start, prev_stop = (p + 1, nt, text[start:stop]), start, p
        slices.append((last_break, end))
        return slices

    def _has_break(self, context: str) -> bool:
        # PunktSentenceTokenizer.text_contains_sentbreak: a break before the last token
        if "\n" in context:  # Punkt reads lines; paragraphs reach us without line breaks
            return _punkt().text_contains_sentbreak(context)
        toks = self._words.findall(context)
        return any(self._break_after(toks[k], toks[k + 1]) for k in range(len(toks) - 1))

    def _break_after(self, tok: str, nxt: str) -> bool:
        # first pass: ?, ! and . break; so does a word ending in a period unless it is an
        # abbreviation or an ellipsis (which the second pass could only make a break with
        # orthographic statistics or sentence starters, both empty here)
        if tok not in self._ends:
            if self._ellipsis.match(tok) or not tok.endswith(".") or tok.endswith(".."):
                return False
            low = tok[:-1].lower()
            if low in self._abbrev or low.split("-")[-1] in self._abbrev:
                return False
        if not tok.endswith("."):
            return True
        # second pass: an initial or a number is no break before punctuation or a
        # lower-case word; an initial none before a capital either ("J. Bach")
        initial = self._initial.match(tok)
        if initial or self._type_no_period(tok) == "##number##":
            if nxt in self._punct or nxt[0].islower():
                return False
            if initial and nxt[0].isupper():
                return False
        return True

    def _type_no_period(self, tok: str) -> str:
        typ = self._types.get(tok)
        if typ is None:
            if len(self._types) > 200_000:
                self._types.clear()
            typ = self._numeric.sub("##number##", tok.lower())
            typ = self._types[tok] = typ[:-1] if len(typ) > 1 and typ[-1] == "." else typ
        return typ


@lru_cache(maxsize=1)
def _fast_punkt() -> _Punkt:
    return _Punkt()


def warm_up() -> None:
    """Build the sentence splitter now instead of in the first document split."""
    _fast_punkt()


# "Tuesday.The group": a sentence glued to the next without a space. The letter before the
# period must be lower case (so "U.S.Army" stays) and the next word must look like a word.
# (The first class, implied by the look-ahead, is there for speed: see entities._CAP_SPAN.)
_GLUED = re.compile(r"(?=[\"'A-Z])(?<=[a-z0-9\)\]%][.!?])(?=[\"']?[A-Z][a-z])")
# The same places found faster: the ending mark before each, which the engine can skip to.
_GLUED_END = re.compile(r"[.!?](?=[\"']?[A-Z][a-z])(?<=[a-z0-9\)\]%].)")


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
    return _merge_fragments(_sentences(text, paragraphs, plain(text), skip), text)


def _sentences(
    text: str, paragraphs: list[tuple[int, int]], flat: str, skip: list[tuple[int, int]]
) -> list[Sentence]:
    """Punkt sentences of each paragraph of ``flat`` (``plain(text)``), cut where glued."""
    if skip:
        flat = _blank(flat, skip)
    line = flat.replace("\n", " ")  # Punkt reads each paragraph as one line
    # Glued sentences found in one pass over the text, then kept for a paragraph when they
    # are found in it alone (a paragraph's edge may hide what the pattern looks at).
    cuts_in: dict[int, list[int]] = {}
    glued = [m.end() for m in _GLUED_END.finditer(flat)]
    if glued:
        for p_idx, (a, b) in enumerate(paragraphs):
            near = glued[bisect_right(glued, a) : bisect_left(glued, b)]
            if near:
                chunk = line[a:b]
                cuts_in[p_idx] = [c for c in near if _GLUED.match(chunk, c - a)]
    out: list[Sentence] = []
    for p_idx, s0, e0 in _fast_punkt().spans(line, paragraphs):
        cuts = cuts_in.get(p_idx)
        inner = [c for c in cuts if s0 < c < e0] if cuts else None
        for s, e in zip([s0, *inner], [*inner, e0], strict=True) if inner else ((s0, e0),):
            while s < e and line[s].isspace():
                s += 1
            while e > s and line[e - 1].isspace():
                e -= 1
            if e > s:
                out.append(_sentence(len(out), s, e, text[s:e], p_idx))
    return out


def _blank(flat: str, spans: list[tuple[int, int]]) -> str:
    """``flat`` with the characters of every span replaced by spaces."""
    pieces, pos = [], 0
    for a, b in sorted(spans):
        a = max(a, pos)
        if b > a:
            pieces += [flat[pos:a], " " * (b - a)]
            pos = b
    pieces.append(flat[pos:])
    return "".join(pieces)


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
                _ALNUM.search(s.text) is None
                or (s.text[:1].isdigit() and _NUMBERED.search(prev.text))
            )
        )
        if joins:
            prev = merged[-1]
            merged[-1] = _sentence(
                prev.idx, prev.start, s.end, text[prev.start : s.end], prev.paragraph
            )
        elif s.idx == len(merged):
            merged.append(s)
        else:
            merged.append(_sentence(len(merged), s.start, s.end, s.text, s.paragraph))
    return merged


_ALNUM = re.compile(r"[^\W_]")  # one character for which str.isalnum() is true


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
    return len(_COUNTED_WORD.findall(text))


_COUNTED_WORD = re.compile(r"\w+(?:[-'\u2019]\w+)*")


# --------------------------------------------------------------------------- quotes

_OPENERS = {"\u201c": "\u201d", "\u201e": "\u201d", "\u00ab": "\u00bb", '"': '"'}
_CLOSERS = {"\u201d", "\u00bb", '"'}
# (one literal per alternative: the engine then skips to the next of their first characters)
_QUOTE_CHARS = re.compile("\u201c|\u201d|\u201e|\u00ab|\u00bb|\"|''|``")


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
