"""Dating expressions resolved against the publication date, tense-aware.

A news story dates what it reports relative to the day it is published: "on
Wednesday night", "a week ago", "in late January", "since mid-October". This module
finds those expressions and turns each into an interval of calendar days
(``date_start`` .. ``date_end``), a point ``date`` (the day, or the middle of the
interval), and a ``precision``:

========================  ===================================================
precision                 expressions
========================  ===================================================
``day``                   today, yesterday, last night, on Wednesday, Jan. 28,
                          28 January 2024, 2024-01-28, three days ago
``week``                  a week ago, last week, this week, earlier this week,
                          last weekend, the past week
``part_of_month``         early / mid / late / the end of / the beginning of <Month>
``month``                 in October, last month, October 2023
``year``                  in 2023, last year, early 2024
========================  ===================================================

Weekdays and months without a year are read with the tense of their clause: "on
Wednesday night, a drone strike killed" (past) is the last Wednesday on or before
publication; "will on Sunday resume negotiations" (future) is the next Sunday. The
tense comes from the cue word nearest to the expression (``data/lexicons/tense_cues.csv``
plus regular ``-ed`` forms); with no cue a clause counts as past, as news mostly is.
A January article's "mid-October" is last October.

``kind`` is ``point`` for a dated moment or stretch, ``since`` for "since <X>" (the
interval runs from the start of X to the publication date) and ``range`` for "the
past two weeks".

An article without a publication date keeps its relative expressions unresolved
(dates ``None``); only expressions that carry their own year are resolved.

The words (months, weekdays, parts of a month...) are in
``data/lexicons/timex_words.csv``; tense cues in ``data/lexicons/tense_cues.csv``.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from conflictlens import lexicons
from conflictlens.text import Doc, fold

PRECISIONS = ("day", "week", "part_of_month", "month", "year")
"""Precisions from finest to coarsest."""

KINDS = ("point", "since", "range")

TIMEX_COLUMNS = ["article_id", "sent_idx", "start", "end", "text", "date", "date_start",
                 "date_end", "precision", "tense", "kind"]  # fmt: skip

_WORD_KINDS = (
    "month",
    "weekday",
    "day_part",
    "relative_day",
    "part_of_month",
    "unit",
    "anchor",
    "named_day",
)

# Abbreviated month names that are ordinary words too: only read as months next to a day
# number, a year or a part-of-month word ("May 3", "early May"), never alone.
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "mar", "jan", "jun", "jul", "aug", "sep",
                               "sept", "oct", "nov", "dec", "feb", "apr"})  # fmt: skip

# Regular "-ed" words that are not past-tense verbs in this kind of text.
_NOT_PAST = frozenset(
    """united armed alleged so-called based backed aligned linked allied hundred indeed
    limited concerned interested supposed advanced experienced coordinated sophisticated
    unmanned unidentified unnamed unprecedented detailed red bed shed sacred wicked
    naked rugged talented skilled related tired""".split()
)

_NAMED_BY_DATE = re.compile(r"\s+(?!and\b|to\b|or\b|at\b|in\b|on\b|of\b)[a-z][a-z-]+")
_PARTICIPLE_AFTER = re.compile(r"\b(?:be|been|being|is|are|am|get|gets)\s+$")
_AUXILIARY = re.compile(_PARTICIPLE_AFTER.pattern[:-1])  # the same, anywhere
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")
_MONTH_LEAD = re.compile(r"\b(in|since|during|until|by|from|through|of|early|late|mid)\s+$")

_NUM_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
              "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
              "a few": 3, "few": 3, "several": 4, "a couple of": 2, "a couple": 2,
              "couple of": 2}  # fmt: skip
_VAGUE = frozenset({"a few", "few", "several"})
DIGIT = r"\d"
_PAST = ("past", "last", "previous")  # "the past 24 hours", "the last three days"
_MONTH_ANCHORS = ("last", "this", "next", "coming", "past")  # "last October"
_THIS_PARTS = ("morning", "afternoon", "evening")  # "this morning"
_YEAR_PREPOSITIONS = ("in", "during", "until", "by", "since", "from", "through", "throughout",
                      "before", "after", "of", "for")  # fmt: skip


@dataclass(frozen=True)
class Timex:
    """One dating expression: where it is, what it says, and the days it covers."""

    start: int
    end: int
    text: str
    date: date | None
    date_start: date | None
    date_end: date | None
    precision: str
    tense: str  # past | future | unknown
    kind: str  # point | since | range


@dataclass
class TimexModel:
    """Compiled patterns and word tables (built once by :func:`build`)."""

    months: dict[str, int]
    weekdays: dict[str, int]
    relative_days: dict[str, int]
    parts: dict[str, tuple[int, int]]
    anchors: dict[str, int]
    named_days: dict[str, str]
    pattern: re.Pattern
    tense_cues: re.Pattern
    cue_tense: dict[str, str]
    # ``pattern`` as a :class:`_WordStarts` scanner, when :func:`build` could make one
    _expressions: _WordStarts | None = field(default=None, compare=False, repr=False)

    def expressions(self, folded: str):
        """``(start, end, match)`` of each ``pattern.finditer(folded)``."""
        if self._expressions is not None:
            return self._expressions.finditer(folded)
        return ((m.start(), m.end(), m) for m in self.pattern.finditer(folded))


class _WordStarts:
    """``pattern.finditer(text)`` as ``(start, end, match)``, for a pattern ``\\b`` + body
    whose body matches only at a word character (so only after a non-word one).

    Python's engine tries the pattern at every position of the text. Led by a space
    instead, it jumps from space to space in C; a second pattern led by any other
    non-word character (a class it tests with a look-up table) finds the rest, and the
    earlier hit of the two wins. A hit is a match of ``pattern`` one character later,
    with the same groups.
    """

    def __init__(self, pattern: re.Pattern):
        if not pattern.pattern.startswith(r"\b"):
            raise ValueError(f"{pattern.pattern[:40]!r} does not start with \\b")
        body = pattern.pattern[2:]
        self.first = pattern.match  # (at the start of the text ``\b`` is the body's own test)
        self.leads = (re.compile(" " + body, pattern.flags).search,
                      re.compile(r"[^ a-z0-9](?<=\W)" + body, pattern.flags).search)  # fmt: skip

    def finditer(self, text: str):
        m = self.first(text)
        pos = 0
        if m:
            yield 0, m.end(), m
            pos = m.end()
        hits = [None, None]  # the next hit of each lead pattern (False: none left)
        while True:
            at = pos - 1 if pos else 0  # (a lead may be the last character of a match)
            best = None
            for k in (0, 1):
                h = hits[k]
                if h is not False and (h is None or h.start() < at):
                    h = hits[k] = self.leads[k](text, at) or False
                if h and (best is None or h.start() < best.start()):
                    best = h
            if best is None:
                return
            pos = best.end()
            yield best.start() + 1, pos, best


# --------------------------------------------------------------------------- build


def _check_word(line: int, row: dict[str, str]) -> str | None:
    kind, value = row["kind"], row["value"]
    if not row["word"]:
        return "empty word"
    if kind not in _WORD_KINDS:
        return f"unknown kind {kind!r}; use one of {_WORD_KINDS}"
    if kind in ("month", "weekday", "relative_day"):
        if not re.fullmatch(r"-?\d+", value):
            return f"{kind} {row['word']!r} needs an integer value, got {value!r}"
        lo, hi = {"month": (1, 12), "weekday": (0, 6), "relative_day": (-7, 7)}[kind]
        if not lo <= int(value) <= hi:
            return f"{kind} value {value} out of range {lo}..{hi}"
    if kind == "part_of_month":
        m = re.fullmatch(r"(\d+)-(\d+)", value)
        if not m or not 1 <= int(m[1]) <= int(m[2]) <= 31:
            return f"part_of_month needs a day range like 11-20, got {value!r}"
    if kind == "unit" and value not in ("day", "week", "month", "year"):
        return f"unit value must be day, week, month or year, got {value!r}"
    if kind == "named_day" and not re.fullmatch(r"(?:\d{4}-)?\d\d-\d\d", value):
        return f"named_day needs MM-DD or YYYY-MM-DD, got {value!r}"
    if kind == "anchor" and value not in ("-1", "0", "1"):
        return f"anchor value must be -1, 0 or 1, got {value!r}"
    return None


def _check_cue(line: int, row: dict[str, str]) -> str | None:
    if not row["cue"]:
        return "empty cue"
    if row["tense"] not in ("past", "future"):
        return f"tense must be past or future, got {row['tense']!r}"
    return None


def _trie(leads: dict[str, str]) -> str:
    """A regex for any ``word + leads[word]``, shaped as a trie (one branch per letter).

    A space in a word matches any run of whitespace (as in :func:`_alt`). Where one word
    is the start of another, the longer is tried first: the regex engine takes what the
    alternation of the words, longest first, would take.

    Examples
    --------
    >>> _trie({"in": "-", "it": "", "i": ""})
    'i(?:n-|t|)'
    >>> print(_trie({"go": "", "going to": ""}))
    go(?:ing\\s+to|)
    >>> import re
    >>> [bool(re.fullmatch(_trie({"in": "-", "it": ""}), w)) for w in ("in-", "it", "i", "in")]
    [True, True, False, False]
    """
    tree: dict = {}
    for word, rest in leads.items():
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = rest

    def emit(node: dict) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(sub)
                for ch, sub in sorted(node.items()) if ch]  # fmt: skip
        if "" in node:
            alts.append(node[""])
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(tree)


def _word_end(word: str) -> str:
    # the end of a whole word (a word ending in a mark like "9/11" just ends)
    return r"\b" if re.match(r"\w", word[-1:]) else ""


def _alt(words) -> str:
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


def build(lexicon_dir: Path | str | None = None) -> TimexModel:
    """Load ``timex_words.csv`` and ``tense_cues.csv`` and compile the patterns.

    Examples
    --------
    >>> m = build()
    >>> m.months["sept"], m.weekdays["sunday"], m.parts["mid"]
    (9, 6, (11, 20))
    """
    lexicon_dir = Path(lexicon_dir) if lexicon_dir else lexicons.default_dir()
    words = lexicons.load_table(lexicon_dir / "timex_words.csv", ["word", "kind", "value"],
                                validate=_check_word)  # fmt: skip
    by_kind: dict[str, dict[str, str]] = {k: {} for k in _WORD_KINDS}
    for r in words.itertuples():
        by_kind[r.kind][fold(r.word)] = r.value
    months = {w: int(v) for w, v in by_kind["month"].items()}
    weekdays = {w: int(v) for w, v in by_kind["weekday"].items()}
    rel = {w: int(v) for w, v in by_kind["relative_day"].items()}
    parts = {w: tuple(int(x) for x in v.split("-")) for w, v in by_kind["part_of_month"].items()}
    anchors = {w: int(v) for w, v in by_kind["anchor"].items()}
    named = dict(by_kind["named_day"])
    day_parts = list(by_kind["day_part"])

    full = [w for w in months if len(w) > 4 or w in ("may", "june", "july")]
    mon = "|".join(
        re.escape(w) + ("" if w in full else r"\.?") for w in sorted(months, key=len, reverse=True)
    )
    mon = f"(?:{mon})"
    year = r"(?:19|20)\d\d(?!\d)"
    dnum = r"[0-3]?\d(?:st|nd|rd|th)?(?![\d,]\d)"
    part = _alt(parts)
    wday = _alt(weekdays)
    dpart = _alt(day_parts)
    anchor = _alt(anchors)
    num = r"\d{1,3}|" + _alt(_NUM_WORDS)
    past = "|".join(_PAST)
    alts = [
        r"(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)(?!\d)",
        r"(?P<num_a>[0-3]?\d)/(?P<num_b>[0-3]?\d)/(?P<num_y>(?:19|20)\d\d)(?!\d)",
        rf"(?P<nd>{_alt(named)})",
        r"(?:the\s+)?(?P<dec>(?:19|20)\d0)s",
        rf"(?<=the\s)(?P<ym>{year})(?=\s+[a-z])",
        rf"(?:the\s+)?(?:{past})\s+(?P<hrs>24|48|72)\s+hours",
        rf"(?P<ovn>overnight)(?!\s+(?:on\s+)?(?:{wday}))",
        rf"(?:(?P<wd0>{wday}),?\s+)?(?P<md_mon>{mon})\s+(?P<md_day>{dnum})(?!\s*(?:%|percent|million|billion|troops|people))(?:,?\s+(?P<md_year>{year}))?",
        rf"(?:(?P<wd1>{wday}),?\s+)?(?:the\s+)?(?P<dm_day>{dnum})\s+(?:of\s+)?(?P<dm_mon>{mon})(?:,?\s+(?P<dm_year>{year}))?",
        rf"(?P<pm_part>{part})[-\s]+(?P<pm_mon>{mon})(?:,?\s+(?P<pm_year>{year}))?",
        rf"(?P<pr_part>{part})[-\s]+(?P<pr_anchor>last|this|next)\s+(?P<pr_unit>month|year)",
        rf"(?P<py_part>{part})[-\s]+(?P<py_year>{year})",
        rf"(?P<my_mon>{mon})\s+(?P<my_year>{year})",
        rf"(?P<rd>{_alt(rel)})(?:\s+(?P<rd_part>{dpart}))?",
        r"(?P<ln>last\s+night)",
        rf"this\s+(?P<tp>{'|'.join(_THIS_PARTS)})",
        rf"(?:(?P<wd_anchor>{anchor})\s+)?(?P<wd_day>{wday})(?:\s+(?P<wd_part>{dpart}))?",
        rf"(?P<ago_n>{num})\s+(?P<ago_unit>days?|weeks?|months?|years?)\s+ago",
        rf"(?:the\s+)?(?:{past})\s+(?P<rng_n>{num})\s+(?P<rng_unit>days|weeks|months|years)",
        rf"(?:(?P<rel_mod>earlier|later)\s+)?(?:(?P<rel_the>the)\s+)?(?P<rel_anchor>{anchor})\s+(?P<rel_unit>weekend|week|month|year)",
        r"(?:(?<=over\s)|(?<=during\s)|(?<=at\s)|(?<=on\s))the\s+(?P<wkd>weekend)",
        rf"(?:(?P<mo_anchor>{'|'.join(_MONTH_ANCHORS)})\s+)?(?P<mo_mon>{mon})(?!\s*\d)",
        rf"(?P<yr_pre>{'|'.join(_YEAR_PREPOSITIONS)})\s+(?P<yr_year>{year})",
    ]
    # Every expression starts with a digit, with a word that can start one alone ("May",
    # "today") or with a word that starts one only before certain words ("the past week",
    # "in 2023", "a week ago", "last Friday"); this lookahead checks that first, shaped as
    # a trie, so that the two dozen alternatives are tried at few positions. It must
    # accept wherever an alternative can match (tests/test_timex.py checks the pattern
    # against itself without it).
    units = ("day", "days", "week", "weeks", "month", "months", "year", "years")
    alone = {"overnight", "earlier", "later"}
    before: dict[str, set[str]] = {}  # word -> the words (or DIGIT) that may follow it

    def starts(phrase: str, then=None) -> None:
        words = phrase.split()
        if len(words) > 1:
            before.setdefault(words[0], set()).add(words[1])
        elif then is None:
            alone.add(words[0])
        else:
            before.setdefault(words[0], set()).update(then)

    firsts = [w.split()[0] for w in (*months, *weekdays, *_NUM_WORDS)]
    after_anchor = {DIGIT, "night", *_THIS_PARTS, "weekend", "week", "month", "year", *firsts}
    for w in (*months, *weekdays, *rel, *named, *parts):
        starts(w)
    for w in (*anchors, *_PAST, *_MONTH_ANCHORS, "last", "this"):
        starts(w, after_anchor)  # ln, tp, wd, rel, mo, hrs, rng
    for w in _NUM_WORDS:
        starts(w, units)  # ago
    starts("the", {DIGIT, *_PAST, "weekend", *(a.split()[0] for a in anchors)})
    for w in _YEAR_PREPOSITIONS:
        starts(w, {DIGIT})  # yr
    leads = {w: r"\b" for w in alone}
    for w, then in before.items():
        if w not in alone:
            leads[w] = r"\s+" + _trie(
                {t: _word_end(t) for t in then if t != DIGIT}
                | ({"": r"\d"} if DIGIT in then else {})
            )
    first_chars = "".join(sorted({re.escape(w[0]) for w in leads}))
    gate = rf"(?=[\d{first_chars}])(?=\d|{_trie(leads)})"
    pattern = re.compile(r"\b" + gate + r"(?:" + "|".join(alts) + r")(?![\w-])")
    cues = lexicons.load_table(lexicon_dir / "tense_cues.csv", ["cue", "tense"],
                               validate=_check_cue)  # fmt: skip
    cue_tense = {fold(c).replace(" ", ""): t for c, t in zip(cues.cue, cues.tense, strict=True)}
    # the cues as a trie: at each word start the engine follows one branch, not 80
    tense_cues = re.compile(
        r"(?<![\w'-])(?:(?P<cue>"
        + _trie({fold(c): "" for c in cues.cue})
        + r")|(?P<ed>[a-z]{3,}ed))(?![\w-])"
    )
    model = TimexModel(months, weekdays, rel, parts, anchors, named, pattern, tense_cues, cue_tense)
    if all(ch.isalnum() or ch == "_" for ch in ("0", *(w[0] for w in leads))):  # (what \w is)
        model._expressions = _WordStarts(pattern)  # every expression starts with a word character
    return model


_DEFAULT: TimexModel | None = None


def _default_model() -> TimexModel:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = build()
    return _DEFAULT


# --------------------------------------------------------------------------- calendar arithmetic


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(y: int, m: int) -> int:
    # calendar.monthrange's day count, without working out the weekday of the 1st
    return 29 if m == 2 and calendar.isleap(y) else _MONTH_DAYS[m]


def _month_end(y: int, m: int) -> date:
    return date(y, m, _days_in(y, m))


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _mid(a: date, b: date) -> date:
    return a + timedelta(days=(b - a).days // 2)


def _part_interval(y: int, m: int, lo: int, hi: int) -> tuple[date, date]:
    last = _days_in(y, m)
    return date(y, m, min(lo, last)), date(y, m, min(hi, last))


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _infer_year(published: date, tense: str, start_of: callable) -> int:
    """The year that puts a yearless date on the right side of publication.

    ``start_of(year)`` gives the first day the expression covers in ``year``. Past (or
    unknown) tense: the latest year whose start is not after publication; future: the
    earliest year whose end is not before it.
    """
    y = published.year
    past = y if start_of(y) <= published else y - 1
    future = y if start_of(y) >= published.replace(day=1) else y + 1
    if tense == "past":
        return past
    if tense == "future" or past == future:
        return future
    # No tense cue ("the festival returns in late August"): the nearer reading wins,
    # the past one on a tie (news mostly reports what happened).
    return future if (start_of(future) - published) < (published - start_of(past)) else past


# --------------------------------------------------------------------------- tense


def clause_tense(folded_sentence: str, start: int, end: int, model: TimexModel) -> str:
    """Tense of the clause around ``[start, end)`` of a folded sentence: the nearest cue wins.

    Examples
    --------
    >>> m = build()
    >>> s = fold("Iraqi authorities will on Sunday resume negotiations.")
    >>> clause_tense(s, s.index("on sunday"), s.index("on sunday") + 9, m)
    'future'
    >>> s = fold("On Wednesday night, a drone strike killed a commander.")
    >>> clause_tense(s, 0, 18, m)
    'past'
    """
    return _nearest_tense(_sentence_cues(folded_sentence, model), start, end)


def _sentence_cues(folded_sentence: str, model: TimexModel) -> list[tuple[int, int, str]]:
    """``(start, end, tense)`` of the tense cues of a folded sentence, in order.

    Depends on the sentence alone: :func:`find` works it out once per sentence, however
    many expressions the sentence holds. Regular ``-ed`` words that are not past verbs
    and past forms after an auxiliary ("will be held": a participle) are left out.
    """
    out = []
    aux_ends = None  # where an auxiliary and the spaces after it end
    for mt in model.tense_cues.finditer(folded_sentence):
        cue, word = mt.groups()
        if word is not None:
            if word in _NOT_PAST or word.endswith("eed"):
                continue
            tense = "past"
        else:
            tense = model.cue_tense.get(_SPACES.sub("", cue), "past")
        start = mt.start()
        if tense == "past":
            # a cue never starts with a space: an auxiliary's spaces end right before it
            # or not at all (as _PARTICIPLE_AFTER searched up to ``start`` would find)
            if aux_ends is None:
                aux_ends = {m.end() for m in _AUXILIARY.finditer(folded_sentence)}
            if start in aux_ends:
                continue  # "will be held", "is deployed": a participle; its auxiliary decides
        out.append((start, mt.end(), tense))
    return out


def _nearest_tense(cues: list[tuple[int, int, str]], start: int, end: int) -> str:
    """The tense of the cue nearest to ``[start, end)`` (cues inside it do not count)."""
    best: tuple[int, str] | None = None
    for cs, ce, tense in cues:
        if start <= cs < end:
            continue
        dist = start - ce if ce <= start else cs - end
        if ce > start and best is not None and best[0] <= _VERB_REACH:
            break  # a verb before the expression governs it ("targeted the base on Monday, and ... will")
        if best is None or dist < best[0]:
            best = (dist, tense)
    return best[1] if best else "unknown"


_VERB_REACH = 40
"""How far before a dating expression its verb may be and still win over a nearer one after it."""


# --------------------------------------------------------------------------- resolution


def _num(word: str) -> int:
    w = _SPACES.sub(" ", word)
    return int(w) if w.isdigit() else _NUM_WORDS.get(w, 1)


def _resolve(g: dict, published: date | None, tense: str, model: TimexModel):
    """(date_start, date_end, precision, kind, point) for one match's groups, or None."""
    pub = published
    # ---- explicit dates
    if g["iso"]:
        d = _safe_date(*(int(x) for x in g["iso"].split("-")))
        return (d, d, "day", "point", d) if d else None
    if g["num_a"]:
        a, b, y = int(g["num_a"]), int(g["num_b"]), int(g["num_y"])
        if a != b and a <= 12 and b <= 12:
            return None  # 2/3/2024: day-first or month-first? Not guessed.
        d = _safe_date(y, a, b) if b > 12 or a == b else _safe_date(y, b, a)
        return (d, d, "day", "point", d) if d else None
    if g["nd"]:
        value = model.named_days[_SPACES.sub(" ", g["nd"])]
        if len(value) == 10:
            d = date.fromisoformat(value)
            return (d, d, "day", "point", d)
        if pub is None:
            return (None, None, "day", "point", None)
        mon, day = (int(x) for x in value.split("-"))
        d = date(_infer_year(pub, tense, lambda yy: date(yy, mon, day)), mon, day)
        return (d, d, "day", "point", d)
    if g["dec"]:
        y = int(g["dec"])
        a, b = date(y, 1, 1), date(y + 9, 12, 31)
        return (a, b, "year", "point", _mid(a, b))
    if g["ym"]:
        y = int(g["ym"])
        a, b = date(y, 1, 1), date(y, 12, 31)
        return (a, b, "year", "point", _mid(a, b))
    for pre in ("md", "dm"):
        if g[f"{pre}_mon"]:
            mon = model.months[g[f"{pre}_mon"].rstrip(".")]
            day = int(_DIGITS.match(g[f"{pre}_day"]).group())
            if not 1 <= day <= 31:
                return None
            if g[f"{pre}_year"]:
                d = _safe_date(int(g[f"{pre}_year"]), mon, day)
                return (d, d, "day", "point", d) if d else None
            if pub is None:
                return (None, None, "day", "point", None)
            y = _infer_year(pub, tense, lambda yy, m=mon, dd=day: _safe_date(yy, m, min(dd, 28)))
            d = _safe_date(y, mon, day)
            return (d, d, "day", "point", d) if d else None
    if g["pm_part"]:
        mon = model.months[g["pm_mon"].rstrip(".")]
        lo, hi = model.parts[_SPACES.sub(" ", g["pm_part"])]
        if g["pm_year"]:
            y = int(g["pm_year"])
        elif pub is None:
            return (None, None, "part_of_month", "point", None)
        else:
            y = _infer_year(pub, tense, lambda yy: _part_interval(yy, mon, lo, hi)[0])
        a, b = _part_interval(y, mon, lo, hi)
        return (a, b, "part_of_month", "point", _mid(a, b))
    if g["pr_part"]:
        if pub is None:
            return (None, None, "part_of_month" if g["pr_unit"] == "month" else "year", "point",
                    None)  # fmt: skip
        k = {"last": -1, "this": 0, "next": 1}[g["pr_anchor"]]
        lo, hi = model.parts[_SPACES.sub(" ", g["pr_part"])]
        if g["pr_unit"] == "month":
            y, m = _add_months(pub.year, pub.month, k)
            a, b = _part_interval(y, m, lo, hi)
            return (a, b, "part_of_month", "point", _mid(a, b))
        a, b = _part_of_year(pub.year + k, lo, hi)
        return (a, b, "year", "point", _mid(a, b))
    if g["py_part"]:
        lo, hi = model.parts[_SPACES.sub(" ", g["py_part"])]
        a, b = _part_of_year(int(g["py_year"]), lo, hi)
        return (a, b, "year", "point", _mid(a, b))
    if g["my_mon"]:
        y, m = int(g["my_year"]), model.months[g["my_mon"].rstrip(".")]
        a, b = date(y, m, 1), _month_end(y, m)
        return (a, b, "month", "point", _mid(a, b))
    if g["yr_year"]:
        y = int(g["yr_year"])
        a, b = date(y, 1, 1), date(y, 12, 31)
        if g["yr_pre"] in ("since", "from") and pub is not None:
            return (a, pub, "year", "since", a)
        return (a, b, "year", "point", _mid(a, b))
    # ---- relative to publication: nothing to resolve without a date
    precision = _relative_precision(g)
    if pub is None:
        return (None, None, precision, "range" if g["rng_n"] else "point", None)
    if g["rd"]:
        d = pub + timedelta(days=model.relative_days[g["rd"]])
        return (d, d, "day", "point", d)
    if g["ln"]:
        d = pub - timedelta(days=1)
        return (d, d, "day", "point", d)
    if g["ovn"]:
        return (pub - timedelta(days=1), pub, "day", "point", pub - timedelta(days=1))
    if g["hrs"]:
        a = pub - timedelta(days=int(g["hrs"]) // 24)
        return (a, pub, "day", "range", a)
    if g["tp"]:
        return (pub, pub, "day", "point", pub)
    if g["wd_day"]:
        d = _weekday(pub, model.weekdays[g["wd_day"]], g["wd_anchor"], tense)
        return (d, d, "day", "point", d)
    if g["wkd"]:
        # "over the weekend": the one just gone (or under way), or the coming one if future
        sat = pub - timedelta(days=(pub.weekday() - 5) % 7)
        if tense == "future" and pub.weekday() < 5:
            sat += timedelta(weeks=1)
        return (sat, sat + timedelta(days=1), "week", "point", sat)
    if g["ago_n"]:
        n, unit = _num(g["ago_n"]), g["ago_unit"].rstrip("s")
        vague = _SPACES.sub(" ", g["ago_n"]) in _VAGUE
        if unit == "day":
            d = pub - timedelta(days=n)
            if vague:
                return (pub - timedelta(days=6), pub - timedelta(days=2), "week", "point", d)
            return (d, d, "day", "point", d)
        # "a week ago" is read literally (publication date - 7) but only trusted to the week
        if unit == "week":
            d = pub - timedelta(weeks=n)
            return (d, d, "week", "point", d)
        if unit == "month":
            y, m = _add_months(pub.year, pub.month, -n)
            d = date(y, m, min(pub.day, _days_in(y, m)))
            return (d, d, "month", "point", d)
        y = pub.year - n
        d = date(y, pub.month, min(pub.day, _days_in(y, pub.month)))
        return (d, d, "year", "point", d)
    if g["rng_n"]:
        n, unit = _num(g["rng_n"]), g["rng_unit"].rstrip("s")
        if unit in ("day", "week"):
            a = pub - timedelta(days=n * (7 if unit == "week" else 1))
        elif unit == "month":
            y, m = _add_months(pub.year, pub.month, -n)
            a = date(y, m, min(pub.day, _days_in(y, m)))
        else:
            a = date(pub.year - n, pub.month, min(pub.day, 28))
        return (a, pub, precision, "range", _mid(a, pub))
    if g["rel_anchor"]:
        return _relative_unit(pub, g, model, tense)
    if g["mo_mon"]:
        mon = model.months[g["mo_mon"].rstrip(".")]
        anchor = g["mo_anchor"]
        if anchor in ("last", "past"):
            y = pub.year if mon < pub.month else pub.year - 1
        elif anchor in ("next", "coming"):
            y = pub.year if mon > pub.month else pub.year + 1
        else:
            y = _infer_year(pub, "future" if anchor == "this" and tense != "past" else tense,
                            lambda yy: date(yy, mon, 1))  # fmt: skip
        a, b = date(y, mon, 1), _month_end(y, mon)
        return (a, b, "month", "point", _mid(a, b))
    return None


def _part_of_year(y: int, lo: int, hi: int) -> tuple[date, date]:
    # early = Jan-Apr, mid = May-Aug, late / end = Sep-Dec (month thirds of the year)
    if hi <= 10:
        return date(y, 1, 1), date(y, 4, 30)
    if hi <= 20:
        return date(y, 5, 1), date(y, 8, 31)
    return date(y, 9, 1), date(y, 12, 31)


def _relative_precision(g: dict) -> str:
    if g["rng_n"]:
        return {"days": "day", "weeks": "week", "months": "month", "years": "year"}[g["rng_unit"]]
    if g["ago_n"]:
        unit = g["ago_unit"].rstrip("s")
        return "week" if unit == "day" and _SPACES.sub(" ", g["ago_n"]) in _VAGUE else unit
    if g["rel_anchor"]:
        return "week" if g["rel_unit"] == "weekend" else g["rel_unit"]
    if g["wkd"]:
        return "week"
    if g["mo_mon"]:
        return "month"
    return "day"


def _weekday(pub: date, wd: int, anchor: str | None, tense: str) -> date:
    back = (pub.weekday() - wd) % 7
    ahead = (wd - pub.weekday()) % 7
    if anchor in ("last", "past", "previous"):
        return pub - timedelta(days=back or 7)
    if anchor in ("next", "coming"):
        return pub + timedelta(days=ahead or 7)
    if anchor == "this":
        return pub + timedelta(days=ahead) if tense != "past" else pub - timedelta(days=back)
    # News writes "today" for the publication day, so the same weekday name means the
    # one a week before (past) or after (future).
    if tense == "future":
        return pub + timedelta(days=ahead or 7)
    return pub - timedelta(days=back or 7)


def _relative_unit(pub: date, g: dict, model: TimexModel, tense: str):
    k = model.anchors[g["rel_anchor"]]
    unit, mod = g["rel_unit"], g["rel_mod"]
    if g["rel_the"] and g["rel_anchor"] in ("past", "last", "previous") and unit != "weekend":
        # "the past week": the seven days up to publication, not the previous calendar week
        days = {"week": 7, "month": 30, "year": 365}[unit]
        a = pub - timedelta(days=days)
        return (a, pub, unit, "range", _mid(a, pub))
    if unit in ("week", "weekend"):
        monday = pub - timedelta(days=pub.weekday()) + timedelta(weeks=k)
        if unit == "weekend":
            if k == 0 and tense == "past" and pub.weekday() < 5:
                monday -= timedelta(weeks=1)  # "this weekend" looking back: the one just gone
            if k == -1 and pub.weekday() >= 5:
                monday += timedelta(weeks=1)  # on a Sunday, "last weekend" is yesterday's
            a, b = monday + timedelta(days=5), monday + timedelta(days=6)
            return (a, b, "week", "point", a)
        a, b = monday, monday + timedelta(days=6)
    elif unit == "month":
        y, m = _add_months(pub.year, pub.month, k)
        a, b = date(y, m, 1), _month_end(y, m)
    else:
        a, b = date(pub.year + k, 1, 1), date(pub.year + k, 12, 31)
    precision = unit
    if k == 0 and mod == "earlier":
        b = min(b, pub)
    elif k == 0 and mod == "later":
        a = max(a, pub)
    if k == 0 and mod and unit == "month":
        precision = "part_of_month"  # "earlier this month": the 1st to publication
    return (a, b, precision, "point", _mid(a, b))


# --------------------------------------------------------------------------- finding


def find(text: str, published: date | None, model: TimexModel | None = None,
         *, folded: str | None = None, sentences=None) -> list[Timex]:  # fmt: skip
    """All dating expressions in ``text``, resolved against ``published``.

    Parameters
    ----------
    text : str
        Any text (an article, a sentence).
    published : date or None
        The publication date; ``None`` leaves relative expressions unresolved.
    model : TimexModel, optional
        From :func:`build`; the default lexicons if omitted.
    folded, sentences : optional
        ``fold(text)`` and sentence spans ``[(start, end), ...]`` when the caller has
        them (tense is read within the sentence); the whole text is one sentence otherwise.

    Examples
    --------
    >>> pub = date(2024, 2, 8)  # a Thursday
    >>> [(t.text, str(t.date_start), str(t.date_end), t.precision)
    ...  for t in find("On Wednesday night a drone strike killed him.", pub)]
    [('Wednesday night', '2024-02-07', '2024-02-07', 'day')]
    >>> t = find("Iraqi authorities will on Sunday resume negotiations.", pub)[0]
    >>> str(t.date), t.tense
    ('2024-02-11', 'future')
    >>> t = find("Since mid-October, more than 165 attacks have targeted U.S. troops.", pub)[0]
    >>> t.text, t.kind, str(t.date_start), str(t.date_end), t.precision
    ('Since mid-October', 'since', '2023-10-11', '2024-02-08', 'part_of_month')
    >>> t = find("an attack in late January", date(2024, 2, 8))[0]
    >>> str(t.date_start), str(t.date_end), t.precision
    ('2024-01-21', '2024-01-31', 'part_of_month')
    >>> find("on Sunday", None)[0].date is None
    True
    """
    model = model or _default_model()
    folded = fold(text) if folded is None else folded
    if sentences is None:
        sentences = [(0, len(text))]
    starts = [s for s, _ in sentences]
    out: list[Timex] = []
    cues: dict[int, list] = {}  # sentence index -> its tense cues (found once per sentence)
    for s, e, m in model.expressions(folded):
        g = m.groupdict()
        if not _plausible(g, text, folded, s, e):
            continue
        si = _sentence_of(starts, s)
        a, b = sentences[si]
        sentence_cues = cues.get(si)
        if sentence_cues is None:
            sentence_cues = cues[si] = _sentence_cues(folded[a:b], model)
        tense = _nearest_tense(sentence_cues, s - a, e - a)
        if folded[max(0, s - 4) : s] == "the " and _NAMED_BY_DATE.match(folded, e):
            tense = (
                "past"  # "the November 20 attack": a happening already known, not the clause's time
            )
        res = _resolve(g, published, tense, model)
        if res is None:
            continue
        d0, d1, precision, kind, point = res
        if g.get("yr_pre") == "since":
            kind, d1 = "since", published if published is not None else None
        out.append(Timex(s, e, text[s:e], point, d0, d1, precision, tense, kind))
    return _ranges_and_since(out, text, folded, published)


_RANGE_OPEN = re.compile(r"\b(from|between)\s+$")
_RANGE_JOIN = re.compile(r"\s*(?:to|and|until|till|through|-)\s*$")
_RANGE_DAY = re.compile(
    r"\s*(?:to|and|until|till|through|-)\s*([0-3]?\d)(?:st|nd|rd|th)?(?![\d%,.]\d)(?!\s*(?:%|percent))\b"
)
_SINCE = re.compile(r"\b(since|from)\s+$")
_COARSER = {p: i for i, p in enumerate(PRECISIONS)}


def _ranges_and_since(
    found: list[Timex], text: str, folded: str, published: date | None
) -> list[Timex]:
    """Join "from Monday to Wednesday" / "between January 20 and 24" into ranges and
    open "since mid-October" intervals at their start (they run to publication)."""
    out: list[Timex] = []
    i = 0
    while i < len(found):
        t = found[i]
        opener = _RANGE_OPEN.search(folded, max(0, t.start - 9), t.start)
        nxt = found[i + 1] if i + 1 < len(found) else None
        if opener and nxt and _RANGE_JOIN.fullmatch(folded, t.end, nxt.start):
            prec = max(t.precision, nxt.precision, key=_COARSER.get)
            s = opener.start()
            out.append(Timex(s, nxt.end, text[s : nxt.end], t.date_start, t.date_start,
                             nxt.date_end, prec, t.tense, "range"))  # fmt: skip
            i += 2
            continue
        day = _RANGE_DAY.match(folded, t.end) if opener and t.precision == "day" else None
        if day and t.date_start is not None and t.text[-1:].isdigit():
            end_day = _safe_date(t.date_start.year, t.date_start.month, int(day.group(1)))
            if end_day and end_day > t.date_start:
                s = opener.start()
                out.append(Timex(s, day.end(), text[s : day.end()], t.date_start, t.date_start,
                                 end_day, "day", t.tense, "range"))  # fmt: skip
                i += 1
                continue
        since = _SINCE.search(folded, max(0, t.start - 7), t.start)
        if since and t.kind == "point":
            s = since.start()
            end = published if published is not None and t.date_start is not None else None
            t = Timex(s, t.end, text[s : t.end], t.date_start, t.date_start, end, t.precision,
                      t.tense, "since")  # fmt: skip
        out.append(t)
        i += 1
    return out


def _sentence_of(starts: list[int], offset: int) -> int:
    return max(0, bisect_right(starts, offset) - 1)


def _plausible(g: dict, text: str, folded: str, s: int, e: int) -> bool:
    """Reject matches that are ordinary words, not dates ("may", "march", "a few days")."""
    mon_key = next((k for k in ("md_mon", "dm_mon", "pm_mon", "my_mon", "mo_mon") if g[k]), None)
    if mon_key:
        word = g[mon_key].rstrip(".")
        start = folded.index(g[mon_key], s)
        if not text[start].isupper():
            return False  # "a march", "we may"
        if mon_key == "mo_mon" and word in _AMBIGUOUS_MONTHS and not g["mo_anchor"]:
            before = folded[max(0, start - 12) : start]
            if not _MONTH_LEAD.search(before):
                return False
    if g["wd_day"] and not text[folded.index(g["wd_day"], s)].isupper():
        return False
    if g["ym"]:
        # "the 1983 bombing", "the 2006 war" - but not "the 2000 troops"
        nxt = _NEXT_WORD.match(text, e)
        if not nxt or (nxt.group(1).endswith("s") and nxt.group(1).islower()):
            return False
    return True


# --------------------------------------------------------------------------- pipeline stage


def extract(doc: Doc, model: TimexModel, found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The ``timexes`` rows of one article (see :data:`TIMEX_COLUMNS`).

    Examples
    --------
    >>> from conflictlens.text import make_doc
    >>> doc = make_doc("a1", "A week ago, strikes hit Iraq. Talks will resume on Sunday.",
    ...                published=date(2024, 2, 8))
    >>> rows = extract(doc, build(), {})["timexes"]
    >>> [(r["sent_idx"], r["text"], str(r["date"]), r["precision"]) for r in rows]
    [(0, 'A week ago', '2024-02-01', 'week'), (1, 'Sunday', '2024-02-11', 'day')]
    """
    spans = [(s.start, s.end) for s in doc.sentences] or [(0, len(doc.text))]
    rows = []
    for t in find(doc.text, doc.published, model, folded=doc.folded, sentences=spans):
        rows.append({"article_id": doc.article_id, "sent_idx": doc.sentence_at(t.start),
                     "start": t.start, "end": t.end, "text": t.text, "date": t.date,
                     "date_start": t.date_start, "date_end": t.date_end, "precision": t.precision,
                     "tense": t.tense, "kind": t.kind})  # fmt: skip
    return {"timexes": rows}


def record(tables: dict[str, pd.DataFrame], doc: Doc) -> dict:
    """Timexes are not part of the analyze record on their own (events carry their dates)."""
    return {}
