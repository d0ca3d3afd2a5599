"""Quotes and reported speech, attributed to their speakers.

Four kinds of quoted material, and one of speech without marks:

``direct``
    A quoted utterance standing as a sentence of its own or introduced by a speech
    verb and a colon or comma (``“Let them know …,” the organization adds``).
``partial``
    A fragment quoted inside a sentence that reports someone's speech
    (``US officials said the attack bore “the imprint of Kataeb Hezbollah”``).
``scare``
    A short quoted word or phrase with nobody speaking it: the outlet's distancing
    (``a “terrorist” group``, ``the “suspension” of its “military operations”``).
``name``
    A quoted proper name (``the “Islamic Resistance in Iraq”``).
``reported``
    Speech without quote marks (``X said that …``, ``…, X said``, ``according to X``).

Speakers are the subject of the speech verb before or after the quote, resolved to an
entity through the ``mentions`` rows of the entities stage (names, aliases, metonyms
and nominal references such as "the organization"); a pronoun speaker takes the last
speaker named before it, and a quote with no attribution that follows an attributed
one continues it.

The module also holds the small token-level machinery the framing stage shares:
a tokenizer over :func:`conflictlens.text.fold`, regular and irregular inflection,
a one-pass multi-word cue matcher, and noun-phrase heuristics (subject, object) that
need no tagger.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, islice
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from conflictlens import lexicons
from conflictlens.text import Doc, count_words, fold

# --------------------------------------------------------------------------- tokens

# Acronyms with dots stay whole ("u.s."), the possessive "'s" is its own token, and every
# other non-space, non-word character is a token (so hyphens and quote marks are visible).
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|\w+(?:'(?!s\b)\w+)*|'s\b|[^\w\s]")
_HYPHENS = frozenset("-\u2010\u2011")
_QUOTE_TOKENS = frozenset({'"', "'"})


@dataclass
class Tokens:
    """Tokens of a text with offsets; ``words`` are folded (lower case, plain punctuation).

    ``cap[i]`` tells whether the token starts with an upper-case letter in the original
    text; ``skip[i]`` marks tokens that cue matching looks through: quote marks and
    hyphens inside a word (so ``Iran-backed`` matches ``Iran backed``, and
    ``bore “the imprint of`` matches ``bore the imprint of``).
    """

    text: str
    starts: list[int]
    ends: list[int]
    words: list[str]
    cap: list[bool]
    skip: list[bool]
    _visible: tuple | None = field(default=None, repr=False, compare=False)
    folded: str | None = field(default=None, repr=False, compare=False)
    """``fold(text)`` when known (one char per char, so token offsets hold in it)."""

    def __len__(self) -> int:
        return len(self.words)

    def index_at(self, offset: int) -> int:
        """Index of the first token that ends after ``offset``."""
        return bisect_right(self.ends, offset)

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Character span of tokens ``i .. j-1``."""
        return self.starts[i], self.ends[j - 1]

    def surface(self, i: int, j: int) -> str:
        """Original text of tokens ``i .. j-1``."""
        if j <= i:
            return ""
        return self.text[self.starts[i] : self.ends[j - 1]]

    def visible(self, lo: int = 0, hi: int | None = None) -> tuple[list[int], list[str]]:
        """Indices and words of the tokens in ``lo .. hi-1`` that are not ``skip``-ped.

        Kept once computed for the whole text. (:meth:`CueMatcher.find` reads the tokens
        themselves, stepping over skipped ones, and needs no such view.)
        """
        whole = lo == 0 and (hi is None or hi == len(self.words))
        if whole and self._visible is not None:
            return self._visible
        hi = len(self.words) if hi is None else min(hi, len(self.words))
        # few tokens are skipped: copy the runs between them (in C), not token by token
        view: list[int] = []
        words: list[str] = []
        prev = lo
        for k in compress(range(lo, hi), self.skip[lo:hi]):
            view += range(prev, k)
            words += self.words[prev:k]
            prev = k + 1
        view += range(prev, hi)
        words += self.words[prev:hi]
        out = view, words
        if whole:
            self._visible = out
        return out


# The same tokens, as the odd items of ``split``: offsets then come from the running sum
# of the pieces' lengths, all in C (a match object per token is the slow way).
# The leading look-ahead lets the engine pass over spaces without trying each alternative;
# the alternatives are atomic and their repeats possessive, which changes no match (nothing
# follows them that could make the engine come back) but spares the engine its bookkeeping.
_TOKEN_SPLIT = re.compile(
    r"((?=\S)(?>[^\W\d_]\.[^\W\d_]\.(?:[^\W\d_]\.)*+|\w++(?:'(?!s\b)\w++)*+|'s\b|[^\w\s]))"
)
# On ASCII text the ASCII-mode engine is faster still; ASCII-mode \s lacks the separators
# \x1c-\x1f that str.isspace (and Unicode \s) count as space, so they are added back.
_TOKEN_SPLIT_ASCII = re.compile(
    r"((?=[^\s\x1c-\x1f])"
    r"(?>[^\W\d_]\.[^\W\d_]\.(?:[^\W\d_]\.)*+|\w++(?:'(?!s\b)\w++)*+|'s\b|[^\w\s\x1c-\x1f]))",
    re.ASCII,
)


def tokenize(text: str, folded: str | None = None) -> Tokens:
    """Tokenize ``text`` for cue matching and phrase heuristics.

    ``folded`` is ``fold(text)`` when the caller has it already (``Doc.folded``).

    Examples
    --------
    >>> t = tokenize("Iraq’s “Iran-backed” militias")
    >>> t.words
    ['iraq', "'s", '"', 'iran', '-', 'backed', '"', 'militias']
    >>> [w for w, s in zip(t.words, t.skip) if not s]
    ['iraq', "'s", 'iran', 'backed', 'militias']
    """
    folded = fold(text) if folded is None else folded
    # gap, token, gap, token, ..., gap
    parts = (_TOKEN_SPLIT_ASCII if folded.isascii() else _TOKEN_SPLIT).split(folded)
    bounds = list(accumulate(map(len, parts)))
    starts = bounds[:-1:2]
    ends = bounds[1::2]
    words = parts[1::2]
    # the first characters in one C call (itemgetter of one index gives no tuple)
    firsts = itemgetter(*starts)(text) if len(starts) > 1 else [text[a] for a in starts]
    cap = list(map(str.isupper, firsts))
    skip = [False] * len(words)
    n = len(text)
    # only one-character tokens '"', "'" and "-" can be looked through (list.index finds
    # each in C; every token is decided on its own, so the order of the three passes is free)
    for k in _indices(words, '"', 0, len(words)):
        skip[k] = text[starts[k]] != "'"
    for k in _indices(words, "'", 0, len(words)):
        skip[k] = _is_quote_apostrophe(text, starts[k])
    for k in _indices(words, "-", 0, len(words)):
        a = starts[k]
        if text[a] in _HYPHENS and 0 < a < n - 1:
            skip[k] = not text[a - 1].isspace() and not text[a + 1].isspace()
    return Tokens(text, starts, ends, words, cap, skip, folded=folded)


def _is_quote_apostrophe(text: str, a: int) -> bool:
    before = text[a - 1] if a else " "
    after = text[a + 1] if a + 1 < len(text) else " "
    return not (before.isalnum() and after.isalnum())


# --------------------------------------------------------------------------- inflection

IRREGULAR = {
    "say": ("said",), "tell": ("told",), "bear": ("bore", "borne"), "hold": ("held",),
    "strike": ("struck", "struck", "stricken"), "shoot": ("shot",), "hit": ("hit",), "put": ("put",),
    "set": ("set",), "lead": ("led",), "speak": ("spoke", "spoken"), "write": ("wrote", "written"),
    "give": ("gave", "given"), "take": ("took", "taken"), "make": ("made",), "blow": ("blew", "blown"),
    "fight": ("fought",), "beat": ("beat", "beaten"), "seek": ("sought",), "bring": ("brought",),
    "keep": ("kept",), "send": ("sent",), "spread": ("spread",), "see": ("saw", "seen"),
    "know": ("knew", "known"), "think": ("thought",), "come": ("came", "come"),
    "go": ("went", "gone"), "get": ("got", "gotten"), "lay": ("laid",), "begin": ("began", "begun"),
    "break": ("broke", "broken"), "do": ("did", "done"), "have": ("had",), "win": ("won",),
    "lose": ("lost",), "find": ("found",), "leave": ("left",), "mean": ("meant",),
    "fall": ("fell", "fallen"), "fly": ("flew", "flown"), "rise": ("rose", "risen"),
    "drive": ("drove", "driven"), "slay": ("slew", "slain"), "bleed": ("bled",), "flee": ("fled",),
    "throw": ("threw", "thrown"), "withdraw": ("withdrew", "withdrawn"), "shed": ("shed",),
    "undertake": ("undertook", "undertaken"), "overthrow": ("overthrew", "overthrown"),
    "forbid": ("forbade", "forbidden"), "swear": ("swore", "sworn"), "stand": ("stood",),
    "build": ("built",), "cut": ("cut",), "hurt": ("hurt",), "let": ("let",), "quit": ("quit",),
    "burn": ("burned", "burned", "burnt"), "sink": ("sank", "sunk"), "tear": ("tore", "torn"),
}  # fmt: skip
"""Past forms of common irregular verbs: the past, then the participles when they differ."""
_PAST_FORMS = frozenset(f for forms in IRREGULAR.values() for f in forms)

FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for from with against and or but its their his her our "
    "as into over under than that this these those".split()
)
_VOWELS = frozenset("aeiou")


def inflections(word: str) -> dict[str, set[str]]:
    """Regular (and common irregular) inflections of ``word`` as noun or verb.

    Returns a mapping ``form -> tags`` with tags ``base``, ``s`` (plural or third
    person), ``past``, ``pp`` (past participle) and ``ing``. Doubling a final
    consonant is not predictable without stress, so both spellings are produced;
    the one that is not a word simply never matches.

    Examples
    --------
    >>> sorted(inflections("strike"))
    ['stricken', 'strike', 'strikes', 'striking', 'struck']
    >>> sorted(inflections("bomb"))
    ['bomb', 'bombed', 'bombing', 'bombs']
    >>> inflections("kill")["killed"] == {"past", "pp"}
    True
    """
    w = word
    out: dict[str, set[str]] = {}

    def put(form: str, tag: str) -> None:
        out.setdefault(form, set()).add(tag)

    put(w, "base")
    if not w.isalpha() or len(w) < 2:
        return out
    if w.endswith(("s", "x", "z", "ch", "sh")):
        put(w + "es", "s")
    elif w.endswith("y") and w[-2] not in _VOWELS:
        put(w[:-1] + "ies", "s")
    else:
        put(w + "s", "s")
    cvc = len(w) >= 3 and w[-1] not in _VOWELS | {"w", "x", "y"} and w[-2] in _VOWELS
    cvc = cvc and w[-3] not in _VOWELS
    if w in IRREGULAR:
        forms = IRREGULAR[w]
        put(forms[0], "past")
        for f in forms[1:] or forms:
            put(f, "pp")
    elif w.endswith("e"):
        put(w + "d", "past")
        put(w + "d", "pp")
    elif w.endswith("y") and w[-2] not in _VOWELS:
        put(w[:-1] + "ied", "past")
        put(w[:-1] + "ied", "pp")
    else:
        for stem in (w, w + w[-1]) if cvc else (w,):
            put(stem + "ed", "past")
            put(stem + "ed", "pp")
    if w.endswith("ie"):
        put(w[:-2] + "ying", "ing")
    elif w.endswith("e") and not w.endswith("ee"):
        put(w[:-1] + "ing", "ing")
    else:
        for stem in (w, w + w[-1]) if cvc else (w,):
            put(stem + "ing", "ing")
    return out


# --------------------------------------------------------------------------- cue matcher


class Hit(NamedTuple):
    """A cue found in a text: tokens ``i .. j-1`` and the entry's payload.

    A named tuple: a corpus has hundreds of thousands of hits, made cheaply.
    """

    i: int
    j: int
    payload: object
    group: str


@dataclass(slots=True)
class _Pattern:
    slots: tuple  # per word: frozenset of forms, or a str prefix (wildcard)
    payload: object
    group: str
    n: int = 0  # len(slots)

    def __post_init__(self) -> None:
        self.n = len(self.slots)


class CueMatcher:
    """Find many multi-word cues in one pass over a token sequence.

    Each cue is tokenized like the text; with ``inflect=True`` every content word of
    the cue also matches its inflections (``regional war`` → ``regional wars``) and a
    word ending in ``*`` matches any word it begins (``martyr*`` → ``martyrdom``).
    Quote marks and in-word hyphens in the text are looked through. Matching is
    longest-first and non-overlapping within a group; different groups match
    independently (a word can be a frame cue and a violence verb at once).

    Examples
    --------
    >>> m = CueMatcher()
    >>> m.add("regional war", "escalation", group="frame")
    >>> m.add("martyr*", "resistance", group="frame")
    >>> toks = tokenize("Fears of “regional wars” grew after the martyrdom of ...")
    >>> [(toks.surface(h.i, h.j), h.payload) for h in m.find(toks)]
    [('regional wars', 'escalation'), ('martyrdom', 'resistance')]
    """

    def __init__(self) -> None:
        self._by_word: dict[str, list[_Pattern]] = {}
        self._by_prefix: dict[int, dict[str, list[_Pattern]]] = {}
        self._starting: _Starting = _Starting(self)

    def add(self, cue: str, payload: object, *, group: str = "", inflect: bool = True,
            forms: dict[str, set[str]] | None = None) -> None:  # fmt: skip
        """Add ``cue``; ``forms`` gives the first word's forms explicitly (e.g. a verb's)."""
        words = cue_words(cue)
        if not words:
            raise ValueError(f"cue {cue!r} has no words")
        slots = []
        for k, w in enumerate(words):
            if w.endswith("*"):
                slots.append(w[:-1])
            elif k == 0 and forms is not None:
                slots.append(frozenset(forms))
            elif inflect and w not in FUNCTION_WORDS:
                slots.append(frozenset(inflections(w)))
            else:
                slots.append(frozenset({w}))
        pat = _Pattern(tuple(slots), payload, group)
        self._starting.clear()
        first = slots[0]
        if isinstance(first, str):
            self._by_prefix.setdefault(len(first), {}).setdefault(first, []).append(pat)
        else:
            for f in first:
                self._by_word.setdefault(f, []).append(pat)

    def find(self, toks: Tokens, lo: int = 0, hi: int | None = None) -> list[Hit]:
        """All hits in tokens ``lo .. hi-1``, ordered by position."""
        words, skip = toks.words, toks.skip
        hi = len(words) if hi is None else min(hi, len(words))
        free: dict[str, int] = {}  # group -> the token after its last hit
        hits: list[Hit] = []
        starting = self._starting
        scan = words if lo == 0 and hi == len(words) else words[lo:hi]
        # only tokens where some cue can start are examined (most words start none); the
        # cues a word can start are looked up once per distinct word; no cue starts with
        # a token that is looked through, nor counts one among its words
        for i in compress(range(lo, hi), map(starting.__getitem__, scan)):
            if skip[i]:
                continue
            plan = starting[words[i]]
            k = i + 1
            while k < hi and skip[k]:
                k += 1
            if plan.second is not None and (k >= hi or words[k] not in plan.second):
                # no multi-word cue can match here (most fail on their second word):
                # the first one-word cue of each group, as the full search below finds it
                for g, pat in plan.singles:
                    if g in free and free[g] > i:
                        continue
                    hits.append(Hit(i, i + 1, pat.payload, g))
                    free[g] = i + 1
                continue
            _match_at(plan.cands, i, hi, words, skip, free, hits)
        return hits

    def _cues_starting(self, w: str) -> list[_Pattern]:
        """The cues that can start at word ``w``: by word, then by prefix, longest last."""
        cands = self._by_word.get(w)
        for ln, table in self._by_prefix.items():
            more = table.get(w[:ln]) if len(w) >= ln else None
            if more:
                cands = (cands or []) + more
        return cands or []


def _match_at(cands, i, hi, words, skip, free, hits) -> None:
    """Append the hits of cues ``cands`` at token ``i``: per group the longest matching cue
    (the first of equal length), groups in the order their first match comes; a cue's
    words are the visible tokens from ``i`` on (before ``hi``)."""
    best: dict[str, tuple[int, _Pattern]] = {}
    vis = [i]  # the visible tokens from i on, as far as a cue has needed
    for pat in cands:
        g = pat.group
        if g in free and free[g] > i:
            continue
        L = pat.n
        if L == 1:  # most cues are one word
            if g not in best:
                best[g] = (1, pat)
            continue
        if g in best and best[g][0] >= L:
            continue
        k = vis[-1] + 1
        while len(vis) < L and k < hi:
            if not skip[k]:
                vis.append(k)
            k += 1
        if len(vis) < L:
            continue  # the text ends first
        slots = pat.slots
        if all(_slot_ok(slots[n], words[vis[n]]) for n in range(1, L)):
            best[g] = (L, pat)
    for group, (L, pat) in best.items():
        end = vis[L - 1] + 1
        hits.append(Hit(i, end, pat.payload, group))
        free[group] = end


class _Plan(NamedTuple):
    """What :meth:`CueMatcher.find` does at a word: ``cands`` the cues starting there;
    ``singles`` the first one-word cue of each group (groups in order of those cues);
    ``second`` every word a multi-word cue can continue with (None if one continues with
    a wildcard): any other next word leaves only ``singles`` to match."""

    cands: list[_Pattern]
    singles: tuple[tuple[str, _Pattern], ...]
    second: frozenset[str] | None


def _plan(cands: list[_Pattern]) -> _Plan | None:
    if not cands:
        return None
    singles: dict[str, _Pattern] = {}
    second: set[str] | None = set()
    for pat in cands:
        if pat.n == 1:
            singles.setdefault(pat.group, pat)
        elif isinstance(pat.slots[1], str):
            second = None
        elif second is not None:
            second |= pat.slots[1]
    return _Plan(cands, tuple(singles.items()), None if second is None else frozenset(second))


class _Starting(dict):
    """word -> the :class:`_Plan` of the cues of a :class:`CueMatcher` that can start at it
    (None if no cue can), filled on demand."""

    def __init__(self, matcher: CueMatcher):
        super().__init__()
        self._matcher = matcher

    def __missing__(self, w: str) -> _Plan | None:
        if len(self) > 500_000:  # a vocabulary, not a corpus: bound it all the same
            self.clear()
        out = self[w] = _plan(self._matcher._cues_starting(w))
        return out


def _slot_ok(slot, word: str) -> bool:
    return word.startswith(slot) if isinstance(slot, str) else word in slot


def cue_words(cue: str) -> list[str]:
    """The words of a cue as the matcher sees them (``*`` kept as a wildcard suffix).

    Examples
    --------
    >>> cue_words("Iran-backed “militia”")
    ['iran', 'backed', 'militia']
    >>> cue_words("martyr*")
    ['martyr*']
    """
    toks = tokenize(cue)
    out: list[str] = []
    for k, w in enumerate(toks.words):
        if w == "*" and out:
            out[-1] += "*"
        elif not toks.skip[k] and w not in {"-", "*"} or w == "'s":
            out.append(w)
    return out


# --------------------------------------------------------------------------- word classes

PREPOSITIONS = frozenset(
    "in on at for since after before during amid amidst with without despite following under "
    "over from by as to into through throughout across against near until upon within about "
    "among between like per via toward towards outside inside beyond".split()
)
SUBORDINATORS = frozenset("when while although though if because once unless whereas as".split())
CONJUNCTIONS = frozenset("and but or so yet nor".split())
BE = frozenset("is are was were be been being am 're get gets got gotten getting".split())
HAVE = frozenset("has have had having".split())
MODALS = frozenset("will would can could may might must shall should do does did".split())
ADVERBS = frozenset(
    """also already reportedly allegedly repeatedly still just again then now later earlier
    today yesterday tonight however meanwhile not never even only further previously recently
    subsequently apparently separately too often once first last since thus therefore
    nonetheless nevertheless instead almost nearly overnight n't""".split()
)
DETERMINERS = frozenset(
    """the a an this that these those its their his her our my your some any no each every all
    both several many more most few other another such whose which what 's""".split()
)
PRONOUNS = frozenset("he she they it we i you".split())
RELATIVES = frozenset("who which that whom".split())
TIME_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december morning afternoon evening night
    week weekend month year day hours early late mid""".split()
)
CLAUSE_PUNCT = frozenset({".", "!", "?", ";", ":", "(", ")", "[", "]"})
NOUN_MODIFIERS = frozenset(
    """initial early preliminary recent new latest conflicting unconfirmed
    contradictory numerous multiple previous subsequent separate similar media news""".split()
)
"""Adjectives (and noun modifiers) that make the word after them a noun: "Initial reports",
"recent statements", "media reports" (but "he earlier said" is a verb: past forms stay)."""
_NAME_LINKS = frozenset("of in the and for al el de du la le to on bin ibn abu".split())


def is_adverb(w: str) -> bool:
    """An adverb by form or by list (``already``, ``vehemently``)."""
    return w in ADVERBS or (len(w) > 4 and w.endswith("ly") and w not in {"family", "italy"})


# --------------------------------------------------------------------------- mentions


@dataclass
class MentionIndex:
    """The ``mentions`` rows of one article, searchable by character span."""

    rows: list[dict]
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.rows = sorted(
            (r for r in self.rows if r.get("entity_id")), key=lambda r: (r["start"], -r["end"])
        )
        self._starts = [r["start"] for r in self.rows]

    def within(self, start: int, end: int) -> list[dict]:
        """Mentions lying inside ``[start, end)``, in text order."""
        lo = bisect_left(self._starts, start)
        hi = bisect_left(self._starts, end)
        return [r for r in self.rows[lo:hi] if r["end"] <= end]

    def before(
        self, offset: int, *, types: Iterable[str] | None = None, outside: Sequence[tuple] = ()
    ) -> dict | None:
        """The last mention ending at or before ``offset`` (of one of ``types``, and not
        inside any of the ``outside`` spans, e.g. quotes)."""
        wanted = set(types) if types is not None else None
        for r in reversed(self.rows[: bisect_left(self._starts, offset)]):
            if r["end"] <= offset and (wanted is None or r.get("entity_type") in wanted):
                if not any(a <= r["start"] < b for a, b in outside):
                    return r
        return None


def is_descriptor_mention(text: str, m: dict) -> bool:
    """A mention used as a modifier of another noun: ``pro-Iranian``, ``Iran-backed``.

    Such a mention describes an actor without naming it (``pro-Iranian armed groups``
    are not Iran), so it never stands for a speaker, agent or patient.

    Examples
    --------
    >>> t = "pro-Iranian groups and Iran-backed militias"
    >>> is_descriptor_mention(t, {"start": 4, "end": 11})
    True
    >>> is_descriptor_mention(t, {"start": 23, "end": 27})
    True
    """
    global _descriptor_memo
    a, b = m["start"], m["end"]
    memo = _descriptor_memo
    if memo[0] is not text:  # a new document: keep only its answers
        memo = _descriptor_memo = (text, {})
    known = memo[1].get((a, b))
    if known is None:
        known = memo[1][(a, b)] = _is_descriptor(text, a, b)
    return known


def _is_descriptor(text: str, a: int, b: int) -> bool:
    if _DESCRIBED_BY.search(fold(text[max(0, a - 5) : a])):
        return True
    return bool(_DESCRIBING.match(fold(text[b : b + 10])))


_descriptor_memo: tuple[str | None, dict[tuple[int, int], bool]] = (None, {})
"""The last text asked about and its spans' answers: the quotes and framing stages ask
about the same mentions again and again."""


_DESCRIBED_BY = re.compile(r"\b(?:pro|anti)-$")
_DESCRIBING = re.compile(
    r"-(?:backed|aligned|allied|linked|sponsored|affiliated|supported|funded)\b"
)


TITLE_WORDS = frozenset(
    """president prime minister caretaker acting former deputy secretary general foreign
    defence defense interior supreme leader ayatollah sheikh king crown prince spokesman
    spokeswoman spokesperson commander lieutenant colonel major captain admiral senator
    representative ambassador chief envoy speaker mr mrs ms dr gen lt col sen rep""".split()
)


def name_id(surface: str) -> str:
    """A provisional snake_case id for a name the gazetteer does not list.

    Examples
    --------
    >>> name_id("Adel Abdul-Mahdi"), name_id("Mark Esper’s")
    ('adel_abdul_mahdi', 'mark_esper')
    """
    s = re.sub(r"['\u2019]s$", "", surface.strip())
    return re.sub(r"[^a-z0-9]+", "_", fold(s).replace("'", "")).strip("_")


# names recur across a corpus: both are pure functions of one short string
_name_id = lru_cache(maxsize=65_536)(name_id)
_fold_word = lru_cache(maxsize=65_536)(fold)


def unlisted_people(unknown: list[dict], mentions: list[dict]) -> list[dict]:
    """Mention rows for people the gazetteer does not list, so they can be speakers.

    From the entities stage's ``unknown_names`` rows: a name with a title or a person
    hint ("Secretary of State Mike Pompeo") is a person with a provisional id
    (:func:`name_id`); a later surname alone ("Pompeo") is the same person; another
    multi-word capitalised name is kept with type ``unknown``. Their ``resolution`` is
    ``unlisted``.

    Examples
    --------
    >>> rows = unlisted_people([
    ...     {"start": 10, "end": 21, "surface": "Mike Pompeo", "type_hint": "person"},
    ...     {"start": 50, "end": 56, "surface": "Pompeo", "type_hint": ""}], [])
    >>> [(r["surface"], r["entity_id"], r["entity_type"]) for r in rows]
    [('Mike Pompeo', 'mike_pompeo', 'person'), ('Pompeo', 'mike_pompeo', 'person')]
    """
    surnames: dict[str, tuple[str, str]] = {}
    for m in mentions:
        if m.get("entity_type") == "person":
            surnames[_fold_word(m["surface"].split()[-1])] = (m["entity_id"], "person")
    out = []
    for u in sorted(unknown, key=lambda u: u["start"]):
        words = u["surface"].split()
        hint = u.get("type_hint") or ""
        start = u["start"]
        while len(words) > 2 and _fold_word(words[0]) in TITLE_WORDS:  # "Prime Minister X"
            start += len(words[0]) + 1
            words = words[1:]
            hint = hint or "person"
        u = {**u, "start": start, "surface": " ".join(words)}
        if not words:
            continue
        if hint == "person" or (hint == "" and len(words) >= 2):
            eid, etype = _name_id(u["surface"]), "person" if hint == "person" else "unknown"
            if len(words) >= 2:
                surnames[_fold_word(words[-1])] = (eid, etype)
        elif hint == "" and len(words) == 1 and _fold_word(words[0]) in surnames:
            eid, etype = surnames[_fold_word(words[0])]
        else:
            continue
        out.append({"article_id": u.get("article_id"), "sent_idx": u.get("sent_idx"),
                    "start": u["start"], "end": u["end"], "surface": u["surface"], "entity_id": eid,
                    "entity_type": etype, "resolution": "unlisted"})  # fmt: skip
    return out


# --------------------------------------------------------------------------- noun phrases


class NounPhrase(NamedTuple):
    """A noun phrase found by position: head segment and comma-set-off appositives.

    A named tuple (immutable, cheap to make: the stages make one per speech verb and more).
    """

    start: int  # token indices
    end: int
    appositives: tuple[tuple[int, int], ...] = ()
    relative: bool = False  # the subject was "who"/"which"/"that": this is its antecedent
    coordinated: bool = False  # "X condemned ... and said": the subject of the first verb


def _segments(toks: Tokens, a: int, b: int) -> list[tuple[int, int]]:
    segs, last = [], a
    for k in _indices(toks.words, ",", a, b):
        if k > last:
            segs.append((last, k))
        last = k + 1
    if b > last:
        segs.append((last, b))
    return segs


_DISCOURSE_MARKERS = frozenset(
    tuple(m.split())
    for m in "you know|i mean|look|well|listen|again|sure|ok|okay|yes|no".split("|")
)
"""Comma-set-off words of spoken English that are no part of the clause's subject."""


def _adverbial_segment(toks: Tokens, seg: tuple[int, int]) -> bool:
    a, b = seg
    while a < b and (toks.skip[a] or toks.words[a] in CONJUNCTIONS):
        a += 1
    if a >= b:
        return True
    if tuple(toks.words[a:b]) in _DISCOURSE_MARKERS:
        return True  # "You know, last week, no one would confirm ..."
    w = toks.words[a]
    if w in PREPOSITIONS or w in SUBORDINATORS or w in RELATIVES or is_adverb(w):
        return True
    if w in TIME_WORDS or w.isdigit() or toks.words[b - 1] == "ago":
        return True
    # a participle opening the segment ("Faced with ...", "speaking on condition ...")
    return not toks.cap[a] and w.endswith(("ing", "ed")) and w not in DETERMINERS


def subject_np(toks: Tokens, v: int, lo: int, stops: Sequence[int] = ()) -> NounPhrase | None:
    """The subject of the verb at token ``v``, searched back to token ``lo``.

    Adverbs and auxiliaries before the verb are skipped; the clause starts after the
    last clause boundary (``;``, ``:``, a quote mark, or a token in ``stops``);
    leading adverbial segments (``Faced with ...,``, ``On Wednesday,``) are dropped,
    and comma-set-off segments after the first are appositives. A relative pronoun
    subject (``the attack that killed``) gives the antecedent with ``relative=True``.

    Examples
    --------
    >>> t = tokenize("On Monday, the group, an ally of Tehran, vehemently accused them.")
    >>> np = subject_np(t, t.words.index("accused"), 0)
    >>> t.surface(np.start, np.end), [t.surface(*a) for a in np.appositives]
    ('the group', ['an ally of Tehran'])
    """
    words, skip = toks.words, toks.skip
    j = v - 1
    comma = False
    while j >= lo and (
        is_adverb(words[j]) or words[j] in _AUXILIARIES or skip[j] or words[j] == ","
    ):
        comma = comma or words[j] == ","
        j -= 1
    if j < lo:
        return None
    if words[j] in PRONOUNS:
        return NounPhrase(j, j + 1)  # "Last August he said", "which it said"
    coordinated = words[j] in {"and", "but", "or"} and j > lo
    if coordinated:
        # "Esper called the strikes “successful” and said ...": the first verb's subject
        j -= 1
        while j >= lo and words[j] in _COMMA_OR_QUOTE:
            j -= 1
        verb_ends = set(stops)
        stops = ()
    stop_set = set(stops)
    if (
        not coordinated
        and words[j] in RELATIVES
        and words[j] != "that"
        or (words[j] == "that" and j > lo and words[j - 1] not in CLAUSE_PUNCT)
    ):
        # antecedent: the segment before the relative pronoun
        k = j - 1
        if k >= lo and words[k] == ",":
            k -= 1
        a = k
        while a > lo and words[a - 1] not in _CLAUSE_OR_COMMA and (a - 1) not in stop_set:
            a -= 1
        while a < k and (words[a] in PREPOSITIONS or words[a] == "according"):
            a += 1  # "according to the Houthis, who called it"
        if k < a:
            return None
        return NounPhrase(a, k + 1, relative=True)
    a = j
    while a > lo:
        w = words[a - 1]
        if w in _SUBJECT_BOUNDS or (a - 1) in stop_set:  # the words any rule below needs
            if w in CLAUSE_PUNCT or (a - 1) in stop_set:
                break
            if w == "that" and a - 1 > lo and words[a - 2] not in DETERMINERS:
                break  # complementizer: "said that the group accused"
            if w in {"and", "but"} and a - 1 > lo and words[a - 2] == ",":
                break  # a new clause: "..., and some Iraqi officials said"
        a -= 1
    if a - 1 in stop_set and a - 2 >= lo and words[a - 2] in {"that", "which", "who"}:
        # "The drone that hit Tel Aviv struck ...": the subject is before the relative clause
        e = a - 2
        a = e
        while a > lo and words[a - 1] not in CLAUSE_PUNCT and (a - 1) not in stop_set:
            a -= 1
        j = e - 1
        if j < a:
            return None
    elif not coordinated and not comma:
        # "..., which the ministry said was": the relative clause's own subject (but in
        # "X, which Washington blames for Y, said" the subject is X)
        for r in range(j, a - 1, -1):
            w = words[r]
            if w == ",":
                break
            if w in {"which", "whom", "what"} and r < j:
                return NounPhrase(r + 1, j + 1)
    segs = _segments(toks, a, j + 1)
    while len(segs) > 1 and _adverbial_segment(toks, segs[0]):
        segs.pop(0)
    if not segs:
        return None
    head = segs[0]
    h0, h1 = head
    while h0 < h1 and (words[h0] in CONJUNCTIONS or skip[h0] or words[h0] == "that"):
        h0 += 1
    if coordinated:
        # the subject ends where its own verb begins, when that verb is a known one
        h1 = next((k for k in range(h0 + 1, h1) if k in verb_ends), h1)
    if h0 >= h1:
        return None
    return NounPhrase(h0, h1, tuple(segs[1:]), coordinated=coordinated)


_AUXILIARIES = BE | HAVE | MODALS
_BE_OR_HAVE = BE | HAVE
_COMMA_OR_QUOTE = frozenset({","}) | _QUOTE_TOKENS
_CLAUSE_OR_COMMA = CLAUSE_PUNCT | {","}
_SUBJECT_BOUNDS = CLAUSE_PUNCT | {"that", "and", "but"}
_PREPOSITIONS_OR_OF = PREPOSITIONS | {"of"}
_NP_END = CLAUSE_PUNCT | {",", "who", "which", "that", "when", "while", "after", "before"}


def np_after(
    toks: Tokens,
    i: int,
    hi: int,
    *,
    stop_at_prep: bool = False,
    stop_at_ing: bool = True,
    stops: frozenset[int] | set[int] = frozenset(),
) -> NounPhrase | None:
    """The noun phrase starting at token ``i``: up to a comma, clause end or relative.

    A participle (``the coalition fighting IS``) also ends it; with ``stop_at_prep``
    so does a preposition other than ``of``.

    Examples
    --------
    >>> t = tokenize("according to the US-led coalition fighting IS, two were hurt")
    >>> np = np_after(t, 2, len(t))
    >>> t.surface(np.start, np.end)
    'the US-led coalition'
    """
    k = i
    while k < hi and toks.skip[k]:
        k += 1
    a = k
    while k < hi:
        w = toks.words[k]
        if w == "that" and k > a and toks.words[k - 1] in _PREPOSITIONS_OR_OF:
            k += 1  # "of that organization": a determiner
            continue
        if w in _NP_END or (toks.skip[k] and w != "-") or (k > a and k in stops):
            break
        if stop_at_ing and k > a and not toks.cap[k] and w.endswith("ing") and len(w) > 5:
            break
        if stop_at_prep and k > a and w in PREPOSITIONS and w != "of":
            break
        k += 1
    if k <= a:
        return None
    # a name set off by commas right after the phrase is its appositive ("a commander, Abu Bakr")
    appos = []
    if k + 1 < hi and toks.words[k] == "," and toks.cap[k + 1]:
        e = k + 1
        while e < hi and (toks.cap[e] or toks.skip[e] or toks.words[e] in _NAME_LINKS):
            e += 1
        appos.append((k + 1, e))
    return NounPhrase(a, k, tuple(appos))


def resolve_np(toks: Tokens, np: NounPhrase | None, mentions: MentionIndex) -> dict | None:
    """The mention a noun phrase stands for, or None.

    Preference: a person named in the phrase or in a name-only appositive
    (``the spokesman, Yahya Saree``); else the last mention of the phrase's core,
    before any ``of``/``for``/``from`` complement (``the US-led coalition`` → the
    coalition; ``US officials`` → US); else the first mention in a complement
    (``a spokesman for Kataib Hezbollah``). Descriptor mentions (``pro-Iranian``)
    never count.
    """
    if np is None:
        return None
    text = toks.text
    a, b = toks.span(np.start, np.end)
    inside = [m for m in mentions.within(a, b) if not is_descriptor_mention(text, m)]
    named_appos, appos_persons = [], []
    for s, e in np.appositives:
        if s >= e:
            continue
        sa, sb = toks.span(s, e)
        found = [m for m in mentions.within(sa, sb) if not is_descriptor_mention(text, m)]
        appos_persons += [m for m in found if m.get("entity_type") == "person"]
        if toks.cap[s] and toks.words[s] not in DETERMINERS:
            named_appos += found
    persons = [m for m in inside if m.get("entity_type") == "person"] + appos_persons
    if persons:
        return persons[0]
    if not inside:
        return named_appos[0] if named_appos else None
    if np.coordinated or any(toks.words[k] == "and" for k in range(np.start, np.end)
                             if inside[0]["end"] <= toks.starts[k]):  # fmt: skip
        return inside[0]  # "Washington and London said", "Israel blamed Hezbollah and said"
    core_end = b
    k0 = np.start
    if toks.words[k0] in PREPOSITIONS:  # "On Wednesday the PMF said"
        k0 += 1
        while k0 < np.end and (toks.words[k0] in TIME_WORDS or toks.words[k0].isdigit()):
            k0 += 1
        inside = [m for m in inside if m["start"] >= toks.starts[min(k0, np.end - 1)]] or inside
    for k in range(k0, np.end):
        if toks.words[k] in PREPOSITIONS or toks.words[k] == "of":
            core_end = toks.starts[k]
            break
    core = [m for m in inside if m["start"] < core_end]
    if core:
        return core[-1]
    # a complement names whom the phrase belongs to ("a spokesman for X", "commander of X");
    # a place does not ("analysts in Baghdad")
    for k in range(np.start, np.end):
        if toks.words[k] in {"of", "for", "from"}:
            rest = [m for m in inside if m["start"] >= toks.starts[k]]
            return rest[0] if rest else None
    return None


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class SpeechVerb:
    verb: str
    complement: str  # bare | that | quote
    takes_object: bool


def load_speech_verbs(path: str | Path) -> list[SpeechVerb]:
    """Load ``speech_verbs.csv`` (``verb, complement, object, note``), validated.

    Examples
    --------
    >>> from conflictlens.lexicons import default_dir
    >>> verbs = load_speech_verbs(default_dir() / "speech_verbs.csv")
    >>> next(v for v in verbs if v.verb == "tell").takes_object
    True
    """
    path = Path(path)
    rows = lexicons.read_csv_rows(path, ["verb", "complement"], optional=["object", "note"])
    out, seen = [], {}
    for n, r in rows:
        verb = " ".join(fold(r["verb"]).split())
        lexicons.check(bool(verb), path, n, "empty verb")
        lexicons.check(
            verb not in seen, path, n, f"duplicate verb {verb!r} (line {seen.get(verb)})"
        )
        lexicons.check(
            r["complement"] in ("bare", "that", "quote"),
            path,
            n,
            f"complement {r['complement']!r} must be bare, that or quote",
        )
        obj = (r.get("object") or "no").lower()
        lexicons.check(obj in ("yes", "no"), path, n, f"object {obj!r} must be yes or no")
        seen[verb] = n
        out.append(SpeechVerb(verb, r["complement"], obj == "yes"))
    return out


@dataclass(frozen=True)
class Titles:
    """Titles that stand for their holder ("the President"), compiled from ``titles.csv``.

    ``pattern`` finds every title in one pass (longest first; a title followed by "of",
    "for" or a name is another office or names its holder itself); ``terms`` maps a
    title, lower-cased, to its ``(start, end, scope, entity_id)`` terms.
    """

    pattern: re.Pattern | None
    terms: dict[str, list[tuple]]
    needles: tuple[str, ...] = ()
    """Words one of which every match contains as written (its first after "the"): a text
    with none of them has no title (an empty tuple checks nothing)."""

    @property
    def needle_pattern(self) -> re.Pattern | None:
        """Any of ``needles``, in one pass (None when there are none): faster than one
        ``in`` per needle over a text that holds none of them, as most news copy does."""
        return _needle_pattern(self.needles) if self.needles else None

    @classmethod
    def of(cls, table: pd.DataFrame) -> Titles:
        terms: dict[str, list[tuple]] = {}
        for r in table.itertuples():
            terms.setdefault(r.title.lower(), []).append((r.start, r.end, r.scope, r.entity_id))
        the_alts, other_alts, needles = [], [], set()
        for title in sorted(set(table.title), key=len, reverse=True):
            words = title.split()
            if words[0].lower() == "the" and len(words) > 1:
                the_alts.append(r"\s+".join(map(re.escape, words[1:])))
                needles.add(words[1])
            else:
                other_alts.append(r"\s+".join(map(re.escape, words)))
                needles.add(words[0])
        # a literal "the" first lets the engine skip ahead fast (one pass per text)
        parts = []
        if the_alts:
            parts.append(rf"(?:The|the)(?<![\w-]...)\s+(?:{'|'.join(the_alts)})")
        if other_alts:
            parts.append(rf"(?<![\w-])(?:{'|'.join(other_alts)})")
        if not parts:
            return cls(None, terms)
        pattern = re.compile(rf"(?:{'|'.join(parts)})(?![\w-])(?!\s+(?:of|for)\b|[ \t]+[A-Z][a-z])")
        return cls(pattern, terms, tuple(sorted(needles)))

    def holder(self, title: str, published, outlet: str | None) -> str | None:
        """Who held ``title`` on ``published`` in a text of ``outlet`` (None if unknown)."""
        if published is None:
            return None
        outlet = (outlet or "").lower()
        for start, end, scope, eid in self.terms.get(" ".join(title.split()).lower(), ()):
            if scope in ("any", outlet) and start <= published and (end is None or published < end):
                return eid
        return None

    def mentions(self, doc: Doc) -> list[dict]:
        """Person mentions (``resolution`` ``title``) for the titles of ``doc``.

        Examples
        --------
        >>> from datetime import date
        >>> from conflictlens.text import make_doc
        >>> titles = build(lexicons.default_dir()).titles
        >>> doc = make_doc("a", "As the President said, we will respond.",
        ...                published=date(2024, 1, 29), outlet="whitehouse.gov")
        >>> [(m["surface"], m["entity_id"]) for m in titles.mentions(doc)]
        [('the President', 'joe_biden')]
        """
        if self.pattern is None or doc.published is None:
            return []
        if self.needles and not self.needle_pattern.search(doc.text):
            return []  # no title word: no title (most news copy), without the regex pass
        out = []
        for m in self.pattern.finditer(doc.text):
            eid = self.holder(m.group(), doc.published, doc.outlet)
            if eid is not None:
                out.append({"article_id": doc.article_id, "sent_idx": doc.sentence_at(m.start()),
                            "start": m.start(), "end": m.end(), "surface": m.group(),
                            "entity_id": eid, "entity_type": "person", "resolution": "title"})  # fmt: skip
        return out


@lru_cache(maxsize=8)
def _needle_pattern(needles: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(map(re.escape, needles)))


@dataclass
class QuoteModel:
    """Compiled speech verbs and titles."""

    speech: CueMatcher
    verbs: list[SpeechVerb]
    titles: Titles = field(default_factory=lambda: Titles(None, {}))
    first_names: dict[str, frozenset[str]] = field(default_factory=dict)
    """Folded first name -> the gazetteer's people of that full name ("karine" -> ...)."""


def build(lexicon_dir: Path) -> QuoteModel:
    """Compile ``speech_verbs.csv`` and ``titles.csv`` from ``lexicon_dir``."""
    lexicon_dir = Path(lexicon_dir)
    verbs = load_speech_verbs(lexicon_dir / "speech_verbs.csv")
    m = CueMatcher()
    for v in verbs:
        words = v.verb.split()
        if v.verb == "according to":
            m.add(v.verb, v, group="speech", inflect=False)
        else:
            m.add(v.verb, v, group="speech", inflect=False, forms=inflections(words[0]))
    actors = lexicons.load_actors(lexicon_dir / "actors.csv")
    titles = Titles.of(lexicons.load_titles(lexicon_dir / "titles.csv", actors=actors))
    return QuoteModel(m, verbs, titles, first_names(actors))


def first_names(actors: pd.DataFrame) -> dict[str, frozenset[str]]:
    """Folded first name -> ids of the people whose listed name (two words or more)
    starts with it: a speaker called by first name alone ("as Karine reminded everybody").

    Examples
    --------
    >>> names = first_names(lexicons.load_actors())
    >>> sorted(names["karine"])
    ['karine_jean_pierre']
    """
    people = actors[(actors.entity_type == "person") & (actors.kind == "name")]
    out: dict[str, set[str]] = {}
    for eid, alias in zip(people.entity_id, people.alias, strict=True):
        words = alias.split()
        if len(words) >= 2 and fold(words[0]) not in TITLE_WORDS:
            out.setdefault(fold(words[0]), set()).add(eid)
    return {k: frozenset(v) for k, v in out.items()}


# --------------------------------------------------------------------------- extraction

_TERMINAL = re.compile(r"[.!?]")
SCARE_MAX_WORDS = 3
"""A quote this short (and not a clause) with no one speaking it is a scare quote."""


@dataclass(slots=True)
class _Quote:
    start: int
    end: int
    open_tok: int  # token index of the opening mark (of the first word if there is none)
    close_tok: int  # token index of the closing mark (of the token after the words if none)
    balanced: bool
    parts: int
    spans: list = field(default_factory=list)  # (start, end, balanced) of each paragraph's part


@dataclass(slots=True)
class _Speech:
    hit: Hit
    verb: SpeechVerb
    sent: int


@dataclass(slots=True)
class _Attribution:
    speech: _Speech
    np: NounPhrase | None
    where: str  # after | intro (verb + colon/comma right before) | before


_SAME_MODELS: list[tuple[QuoteModel, QuoteModel, int, int]] = []
"""Pairs of distinct models found to hold equal verbs and titles (the framing stage builds
its own), with the lengths they were compared at: equal lists of dataclasses compare item
by item, once per article otherwise."""


def _same_model(a: QuoteModel, b: QuoteModel) -> bool:
    """Do ``a`` and ``b`` hold equal speech verbs and titles (the Article depends on them)?"""
    if a is b:
        return True
    for x, y, na, nb in _SAME_MODELS:
        if x is a and y is b and na == len(a.verbs) and nb == len(b.verbs):
            return True
    if (a.verbs, a.titles) != (b.verbs, b.titles):
        return False
    if len(_SAME_MODELS) >= 8:  # models are built a few times per process at most
        _SAME_MODELS.clear()
    _SAME_MODELS.append((a, b, len(a.verbs), len(b.verbs)))
    return True


class Article:
    """One article prepared for attribution: tokens, sentences as token ranges, mentions,
    speech verbs. The framing stage builds on the same object."""

    _last: tuple | None = None  # (doc, mentions list, its length, model, Article)

    @classmethod
    def of(cls, doc: Doc, model: QuoteModel, found: dict[str, list[dict]]) -> Article:
        """The Article for ``doc``, reused when the framing stage asks for the one the quotes
        stage just built (same doc, same mentions): tokens and speech verbs are found once."""
        mentions = found.get("mentions")
        last = cls._last
        if (
            last is not None
            and last[0] is doc
            and last[1] is mentions
            and _same_model(last[3], model)
            and (last[2] == len(mentions or ()))
        ):
            return last[4]
        art = cls(doc, model, found)
        cls._last = (doc, mentions, len(mentions or ()), model, art)
        return art

    def __init__(self, doc: Doc, model: QuoteModel, found: dict[str, list[dict]]):
        self.doc = doc
        self.toks = tokenize(doc.text, doc.folded)
        mentions = list(found.get("mentions", []))
        # "the President" of a White House text is the office holder of the day
        mentions += model.titles.mentions(doc)
        self.mentions = MentionIndex(
            mentions + unlisted_people(found.get("unknown_names", []), mentions)
        )
        # (first token, token after the last) of each sentence
        self.sent_tok = SentenceTokens(self.toks, doc.sentences)
        self.speech = [
            _Speech(h, h.payload, doc.sentence_at(self.toks.starts[h.i]))
            for h in model.speech.find(self.toks)
            if self._is_speech_verb(h)
        ]
        self.speech_starts = [s.hit.i for s in self.speech]
        self._speech_start_set = frozenset(self.speech_starts)
        self.turns = sorted(found.get("turns", []), key=lambda t: t["start"])
        self._turn_starts = [t["start"] for t in self.turns]
        self._first_names = model.first_names
        self._full_names: dict[str, list[tuple[int, str]]] | None = None
        self._subjects: dict[tuple[int, int], NounPhrase | None] = {}

    def first_name(self, word: str, at: int) -> str | None:
        """The one person a first name alone stands for at ``at``: a speaker of the
        document's turns, or a person named in full before ``at`` (None if not exactly one)."""
        if self._full_names is None:
            # built once per article, on the first name-alone speaker only
            speakers = {t["speaker_id"] for t in self.turns if t.get("speaker_id")}
            full: dict[str, list[tuple[int, str]]] = {}
            for key, ids in self._first_names.items():
                for eid in ids & speakers:
                    full.setdefault(key, []).append((-1, eid))
            for m in self.mentions.rows:
                words = m["surface"].split()
                if m.get("entity_type") == "person" and len(words) >= 2:
                    full.setdefault(fold(words[0]), []).append((m["start"], m["entity_id"]))
            self._full_names = full
        ids = {eid for start, eid in self._full_names.get(fold(word), ()) if start < at}
        return next(iter(ids)) if len(ids) == 1 else None

    def subject(self, v: int, lo: int) -> NounPhrase | None:
        """``subject_np(toks, v, lo, speech_between(lo, v))``, found once per (v, lo)."""
        key = (v, lo)
        memo = self._subjects
        if key in memo:
            return memo[key]
        np = memo[key] = subject_np(self.toks, v, lo, self.speech_between(lo, v))
        return np

    def first_speech(self, lo: int, hi: int) -> _Speech | None:
        """The first speech verb starting in tokens ``lo .. hi-1`` (None if none)."""
        k = bisect_left(self.speech_starts, lo)
        return self.speech[k] if k < len(self.speech) and self.speech_starts[k] < hi else None

    def last_speech(self, lo: int, hi: int) -> _Speech | None:
        """The last speech verb starting in tokens ``lo .. hi-1`` (None if none)."""
        k = bisect_left(self.speech_starts, hi) - 1
        return self.speech[k] if k >= 0 and self.speech_starts[k] >= lo else None

    def speech_between(self, lo: int, hi: int) -> list[int]:
        """Speech-verb token indices in ``lo .. hi-1``: the only ``stops`` that
        :func:`subject_np` can meet searching back from ``hi`` to ``lo``."""
        starts = self.speech_starts
        return starts[bisect_left(starts, lo) : bisect_left(starts, hi)]

    def turn_at(self, offset: int) -> dict | None:
        """The transcript turn (``turns`` row) containing ``offset``, if any."""
        k = bisect_right(self._turn_starts, offset) - 1  # turns do not overlap
        return self.turns[k] if k >= 0 and offset < self.turns[k]["end"] else None

    def _is_speech_verb(self, h: Hit) -> bool:
        w = self.toks.words
        if h.payload.verb == "according to":
            return True
        if self.toks.cap[h.i] and h.i > 0 and self.toks.words[h.i - 1] not in CLAUSE_PUNCT:
            return False  # "the United States", "Tell Abyad"
        if h.i > 0 and self.toks.skip[h.i - 1] and w[h.i - 1] == "-":
            return False  # "so-called", "long-said"
        prev = w[h.i - 1] if h.i else "."
        if prev in DETERMINERS or prev in PREPOSITIONS or prev == "'s":
            return False  # "the said", "a call", "refused to say", "on state television"
        if prev == "please":
            return False  # a request: "please tell us"
        if prev in BE and w[h.i] in {"told", "said", "asked", "reported", "called"}:
            return False  # "were told", "is said to", "was called"
        if prev in NOUN_MODIFIERS and not w[h.i].endswith("ed") and w[h.i] not in _PAST_FORMS:
            return False  # a noun: "Initial reports that we're getting", "recent claims"
        return True


class SentenceTokens(Sequence):
    """``(first token, token after the last)`` of each sentence, found when first asked
    for: most sentences hold no quote or speech verb and are never asked about.

    Examples
    --------
    >>> from conflictlens.text import make_doc
    >>> doc = make_doc("a", "One two. Three.")
    >>> list(SentenceTokens(tokenize(doc.text), doc.sentences))
    [(0, 3), (3, 5)]
    """

    def __init__(self, toks: Tokens, sentences: Sequence):
        self._toks = toks
        self._sentences = sentences
        self._known: list[tuple[int, int] | None] = [None] * len(sentences)

    def __len__(self) -> int:
        return len(self._sentences)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        span = self._known[i]
        if span is None:
            s = self._sentences[i]
            span = self._known[i] = (
                bisect_right(self._toks.ends, s.start),
                bisect_left(self._toks.starts, s.end),
            )
        return span


def _merge_parts(doc: Doc) -> list[list]:
    """Group the parts of a multi-paragraph quote (a part left open, the next re-opened)."""
    groups: list[list] = []
    openers = {'"', "\u201c", "\u201e", "\u00ab", "'", "\u2018"}
    for q in doc.quotes:
        if groups:
            prev = groups[-1][-1]
            gap = doc.text[prev.end : q.start].strip()
            if prev.close_mark == "" and prev.balanced and gap and all(c in openers for c in gap):
                groups[-1].append(q)
                continue
        groups.append([q])
    return groups


def _quotes(art: Article) -> list[_Quote]:
    toks = art.toks
    out = []
    for parts in _merge_parts(art.doc):
        a, b = parts[0].start, parts[-1].end
        i = toks.index_at(a)
        j = bisect_left(toks.starts, b)
        open_tok = i - 1 if i > 0 and toks.skip[i - 1] else i
        q = _Quote(a, b, open_tok, j, parts[-1].balanced, len(parts))
        q.spans = [(p.start, p.end, p.balanced) for p in parts]
        out.append(q)
    return out


def _looks_like_name(text: str, mentions: list[dict], a: int, b: int) -> bool:
    stripped = text.strip(" ,.;:")
    if any(m["start"] <= a + 1 and m["end"] >= b - 1 for m in mentions):
        return True
    words = re.findall(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*", stripped)
    if not words or _TERMINAL.search(stripped) or len(words) > 8:
        return False
    content = [w for w in words if w.lower() not in _NAME_LINKS]
    return bool(content) and len(words) >= 2 and all(w[0].isupper() for w in content)


def _only_punct(toks: Tokens, a: int, b: int) -> bool:
    return all(not toks.words[k][0].isalnum() for k in range(a, b))


def _resolve_speakers(art: Article, rows: list[dict]) -> None:
    """Fill ``speaker_id`` in text order, once every quote and reported clause is known.

    A noun phrase resolves through the mentions (:func:`resolve_np`); a pronoun takes the
    last speaker before it of a fitting kind (he/she a person, it/they an organisation or
    state), else the last such actor named outside quotes; a continuation copies the
    quote it continues.
    """
    toks = art.toks
    quoted = [(r["start"], r["end"]) for r in rows if r["kind"] in ("direct", "partial")]
    done: list[dict] = []
    # the last row done with a speaker of each kind a pronoun can take (rows done stay so)
    last_of: dict[frozenset, dict] = {}
    for r in sorted(rows, key=lambda r: (r["start"], r["end"])):
        if done:
            d = done[-1]
            if d["speaker_id"] and d["_type"] is not None:
                for kinds in _PRONOUN_KINDS:
                    if d["_type"] in kinds:
                        last_of[kinds] = d
        np, inherit = r.pop("_np", None), r.pop("_inherit", None)
        r["_type"] = None
        known = r.pop("_id", None)
        if known is not None:
            r["speaker_id"] = known
        elif inherit is not None:
            r["speaker_id"], r["_type"] = inherit["speaker_id"], inherit.get("_type")
        elif np is not None and np.end - np.start == 1 and toks.words[np.start] in PRONOUNS:
            word = toks.words[np.start]
            at = toks.starts[np.start]
            if word == "you":
                # the one addressed: in a transcript, the other side of the exchange
                r["speaker_id"] = _addressee(art, at)
                done.append(r)
                continue
            if word in {"i", "we"}:
                # first person: the voice it is spoken in (a transcript turn, a quote)
                r["speaker_id"] = _enclosing_speaker(art, rows, at)
                done.append(r)
                continue
            person = word in {"he", "she"}
            types = _PRONOUN_KINDS[0] if person else _PRONOUN_KINDS[1]
            m = art.mentions.before(at, types=types, outside=quoted)
            near = m is not None and art.doc.sentence_at(at) - art.doc.sentence_at(m["start"]) <= 2
            # a speaker of unknown type (a transcript turn's) is neither "he" nor "they"
            prev = [last_of[types]] if types in last_of else []
            # "And as for the Houthis, they can claim ...": a topic set before the pronoun
            topic = m is not None and art.doc.text[m["end"] : at].strip() == ","
            if (person and near) or topic:
                # "Hassan Nasrallah was due to speak. Last August he said": the last person
                r["speaker_id"], r["_type"] = m["entity_id"], m.get("entity_type")
            elif prev:
                r["speaker_id"], r["_type"] = prev[-1]["speaker_id"], prev[-1]["_type"]
            elif m is not None:
                r["speaker_id"], r["_type"] = m["entity_id"], m.get("entity_type")
        elif np is not None:
            m = resolve_np(toks, np, art.mentions)
            if m is None and toks.words[np.end - 1] in _DOCUMENT_NOUNS:
                m = _document_author(art, toks.starts[np.start], quoted)
            if m is None and np.end - np.start == 1 and toks.cap[np.start]:
                eid = art.first_name(toks.words[np.start], toks.starts[np.start])
                m = {"entity_id": eid, "entity_type": "person"} if eid else None  # "as Karine said"
            if m is not None:
                r["speaker_id"], r["_type"] = m["entity_id"], m.get("entity_type")
        done.append(r)
    for r in rows:
        r.pop("_type", None)


_PRONOUN_KINDS = (frozenset({"person"}), frozenset({"armed_group", "organization", "state"}))
"""The speaker types "he"/"she" and "it"/"they" take."""

_DOCUMENT_NOUNS = frozenset(
    "statement statements communique communiqué message post text video".split()
)


def _document_author(art: Article, at: int, quoted: list[tuple]) -> dict | None:
    """Who wrote "the statement" that speaks: "a statement by X" a few sentences before,
    else the organisation or state named last before it (outside quotes)."""
    toks = art.toks
    s0 = art.doc.sentence_at(at)
    found = _statement_author(art, s0)
    if found is not None:
        m = resolve_np(toks, found["_np"], art.mentions)
        if m is not None:
            return m
    m = art.mentions.before(at, types={"armed_group", "organization", "state"}, outside=quoted)
    if m is not None and s0 - art.doc.sentence_at(m["start"]) <= 2:
        return m
    return None


def _addressee(art: Article, at: int) -> str | None:
    """Whom "you" at ``at`` addresses in a transcript: in a journalist's question the
    official who spoke last, in an official's answer the journalist who asked."""
    turn = art.turn_at(at)
    if turn is None:
        return None
    role = turn.get("speaker_role")
    wanted = {"journalist": "official", "official": "journalist"}.get(role)
    if wanted is None:
        return None
    for t in reversed(art.turns):
        if t["start"] < turn["start"] and t.get("speaker_role") == wanted:
            return t.get("speaker_id")
    return None


def _enclosing_speaker(art: Article, rows: list[dict], at: int) -> str | None:
    for r in rows:
        if (
            r["kind"] in ("direct", "partial")
            and r["start"] <= at < r["end"]
            and r.get("speaker_id")
        ):
            return r["speaker_id"]
    turn = art.turn_at(at)
    if turn is None or turn.get("speaker_role") == "journalist":
        return None  # a journalist's question is the narrator's
    return turn.get("speaker_id")


def _attribution(art: Article, q: _Quote, s0: int, s1: int) -> _Attribution | None:
    """The speech verb and speaker of a quote: after it (“…,” X said / “…,” said X),
    or before it in its sentence (X said: “…” / X said the attack bore “…”)."""
    toks = art.toks
    lo0, _ = art.sent_tok[s0]
    _, hi1 = art.sent_tok[s1]
    sp = art.first_speech(q.close_tok + 1, hi1)
    if sp is not None:
        between = range(q.close_tok + 1, sp.hit.i)
        reopens = any(toks.skip[k] and toks.words[k] == '"' for k in between)
        # “…,” X said / “…”, X said / “…?” X asked: the quote ends at the attribution
        closes = (
            (q.close_tok + 1 < len(toks) and toks.words[q.close_tok + 1] == ",")
            or (art.doc.text[q.start : q.end].rstrip()[-1:] in {",", "?", "!", "."})
            or _only_punct(toks, q.close_tok + 1, sp.hit.i)
        )
        if not reopens and closes and sp.hit.i - q.close_tok <= 12:
            if _only_punct(toks, q.close_tok + 1, sp.hit.i):
                return _Attribution(sp, np_after(toks, sp.hit.j, hi1, stop_at_prep=True), "after")
            np = art.subject(sp.hit.i, q.close_tok + 1)
            if np is not None:
                return _Attribution(sp, np, "after")
    sp = art.last_speech(lo0, q.open_tok)
    if sp is not None:
        if sp.verb.verb == "according to":
            np = np_after(toks, sp.hit.j, q.open_tok)
        else:
            np = art.subject(sp.hit.i, lo0)
        intro = _only_punct(toks, sp.hit.j, q.open_tok) or (
            q.open_tok > 0 and toks.words[q.open_tok - 1] == ":"
        )
        if np is not None:
            return _Attribution(sp, np, "intro" if intro else "before")
    return None


_SPEECH_NOUNS = frozenset("answer answers response reply question questions message words".split())
_POSSESSIVE_VOICE = {"your": "you", "my": "i", "our": "we"}


def _speech_noun_intro(art: Article, q: _Quote, s0: int) -> dict | None:
    """Speaker fields for a quote introduced by a speech noun and a copula: "your answer
    was, “…”" (the one addressed), "my message is: “…”" (the turn's speaker), "the questions
    I'm going to get are: “…”" (in an official's turn: the journalists)."""
    toks = art.toks
    lo, _ = art.sent_tok[s0]
    k = q.open_tok - 1
    if k < lo + 2 or toks.words[k] not in {",", ":"} or toks.words[k - 1] not in BE:
        return None
    for n in range(k - 2, max(lo, k - 10) - 1, -1):
        if toks.words[n] not in _SPEECH_NOUNS:
            continue
        at = toks.starts[n]
        poss = toks.words[n - 1] if n > lo else ""
        turn = art.turn_at(at)
        if poss == "your":
            eid = _addressee(art, at)
        elif poss in {"my", "our"}:
            eid = turn.get("speaker_id") if turn is not None else None
        elif (
            toks.words[n].startswith("question")
            and turn is not None
            and (turn.get("speaker_role") == "official")
        ):
            asked = [t for t in art.turns if t.get("speaker_role") == "journalist"]
            eid = asked[0].get("speaker_id") if asked else None
        else:
            return None
        if eid is None:
            return None
        a = n - 1 if poss in _POSSESSIVE_VOICE else n
        return {"_id": eid, "speaker_text": toks.surface(a, n + 1), "verb": None}
    return None


def _quote_is_object(toks: Tokens, q: _Quote) -> bool:
    """A short quote right after a verb-like word ("called it “despicable”") is words spoken;
    one after a determiner or preposition ("a “terrorist” group") is distancing."""
    k = q.open_tok - 1
    while k > 0 and (is_adverb(toks.words[k]) or toks.words[k] == "just"):
        k -= 1  # "beyond just vaguely “Iran-backed militias”": the preposition decides
    if k < 0:
        return False
    w = toks.words[k]
    return w == "as" or (w not in DETERMINERS and w not in PREPOSITIONS and w.isalpha())


def _kind(art: Article, q: _Quote, text: str, s0: int, s1: int, att: _Attribution | None) -> str:
    toks = art.toks
    lo0, _ = art.sent_tok[s0]
    _, hi1 = art.sent_tok[s1]
    n_words = count_words(text)
    clause_like = bool(_TERMINAL.search(text.rstrip(" ,.!?;:\"'"))) or n_words > SCARE_MAX_WORDS
    initial = q.open_tok <= lo0 or _only_punct(toks, lo0, q.open_tok)
    multi = s1 > s0 or q.parts > 1
    direct_position = initial or multi or (att is not None and att.where == "intro")
    if direct_position:
        return "direct" if clause_like or att is not None else "scare"
    if _looks_like_name(text, art.mentions.within(q.start, q.end), q.start, q.end):
        return "name"
    # a fragment ending its sentence (or its part before an attribution) after a verb
    spoken_end = att is not None and (att.where == "after" or _only_punct(toks, q.close_tok, hi1))
    # a naming verb's object: "called the raid a “terrorist attack”", "accused X of “…”"
    named = (
        att is not None and att.where == "before" and att.speech.verb.complement == "quote"
        and q.open_tok - att.speech.hit.j <= 10
        and not any(toks.words[k] in {";", ":", "."} for k in range(att.speech.hit.j, q.open_tok))
    )  # fmt: skip
    if not clause_like and not named and not (spoken_end and _quote_is_object(toks, q)):
        return "scare"
    if att is None and n_words <= 5:
        return "scare"
    return "partial"


def _continuation(art: Article, rows: list[dict], s0: int) -> dict | None:
    """Speaker fields for an unattributed direct quote that continues the previous
    speaker's quote, or follows a sentence ending in a colon ("He said:")."""
    doc, toks = art.doc, art.toks
    if s0 > 0 and doc.sentences[s0 - 1].text.rstrip().endswith(":"):
        lo, hi = art.sent_tok[s0 - 1]
        sp = art.last_speech(lo, hi)
        if sp is not None:
            np = art.subject(sp.hit.i, lo)
            if np is not None:
                return {"_np": np, "speaker_text": toks.surface(np.start, np.end),
                        "verb": toks.surface(sp.hit.i, sp.hit.j).lower()}  # fmt: skip
        # "Hezbollah, which ..., issued a statement that read in part:"
        segs = [g for g in _segments(toks, lo, hi) if not _adverbial_segment(toks, g)]
        if segs:
            head = segs[0]
            m = resolve_np(toks, NounPhrase(head[0], head[1], coordinated=True), art.mentions)
            if m is not None:
                np = NounPhrase(toks.index_at(m["start"]), bisect_left(toks.starts, m["end"]))
                return {"_np": np, "speaker_text": m["surface"], "verb": None}
    prev = next((r for r in reversed(rows) if r["kind"] in ("direct", "partial")), None)
    if prev is None or prev["speaker_text"] is None:
        return _statement_author(art, s0)
    prev_end_sent = doc.sentence_at(max(prev["start"], prev["end"] - 1))
    gap_paras = doc.sentences[s0].paragraph - doc.sentences[prev_end_sent].paragraph
    if gap_paras > 1 or s0 - prev_end_sent > 1:
        return None
    return {"_inherit": prev, "speaker_text": prev["speaker_text"], "verb": prev["verb"]}


def _statement_author(art: Article, s0: int) -> dict | None:
    """ "a statement issued on Monday by X" in the sentence or two before a quote block."""
    toks = art.toks
    lo = art.sent_tok[max(0, s0 - 2)][0]
    hi = art.sent_tok[s0][0]
    for k in range(hi - 1, lo - 1, -1):
        if toks.words[k] in {"statement", "communique", "communiqué", "message", "post"}:
            for t in range(k + 1, min(hi, k + 8)):
                if toks.words[t] in {".", ";", ":"}:
                    break
                if toks.words[t] == "by":
                    np = np_after(toks, t + 1, hi)
                    if np is not None:
                        return {
                            "_np": np,
                            "speaker_text": toks.surface(np.start, np.end),
                            "verb": None,
                        }
    return None


def extract_quotes(doc: Doc, model: QuoteModel, found: dict[str, list[dict]]) -> list[dict]:
    """Quote and reported-speech rows for one article (see the module docstring).

    Examples
    --------
    >>> from conflictlens.text import make_doc
    >>> doc = make_doc("a", '“We will respond,” the group said. It was a “terrorist” act.')
    >>> rows = extract_quotes(doc, build(lexicons.default_dir()), {"mentions": []})
    >>> [(r["text"], r["kind"], r["speaker_text"], r["verb"]) for r in rows]
    [('We will respond,', 'direct', 'the group', 'said'), ('terrorist', 'scare', None, None)]
    """
    return quotes_for(Article.of(doc, model, found))


def quotes_for(art: Article) -> list[dict]:
    """Quote rows for a prepared :class:`Article`."""
    doc, toks = art.doc, art.toks
    quotes = _quotes(art)
    rows: list[dict] = []
    used: set[int] = set()
    for q in quotes:
        text = doc.text[q.start : q.end]
        s0, s1 = doc.sentence_at(q.start), doc.sentence_at(max(q.start, q.end - 1))
        att = _attribution(art, q, s0, s1)
        kind = _kind(art, q, text, s0, s1, att)
        speaker: dict = {"speaker_text": None, "verb": None}
        if kind in ("direct", "partial"):
            if att is not None and att.np is not None:
                speaker = {"_np": att.np, "speaker_text": toks.surface(att.np.start, att.np.end),
                           "verb": toks.surface(att.speech.hit.i, att.speech.hit.j).lower()}  # fmt: skip
                if kind == "direct":
                    used.add(att.speech.hit.i)
            else:
                speaker = _speech_noun_intro(art, q, s0) or speaker
            if kind == "direct" and speaker["speaker_text"] is None:
                speaker = _continuation(art, rows, s0) or speaker
        # a multi-paragraph quote is one row per paragraph, all with the same speaker
        first = None
        for part, (a, b, balanced) in enumerate(q.spans or [(q.start, q.end, q.balanced)]):
            row = _row(doc, doc.sentence_at(a), a, b, doc.text[a:b], kind, None,
                       speaker["speaker_text"], speaker["verb"], balanced=balanced, part=part)  # fmt: skip
            if first is None:
                row.update({k: v for k, v in speaker.items() if k.startswith("_")})
                first = row
            else:
                row["_inherit"] = first
            rows.append(row)
    reported = _reported(art, quotes, used, rows)
    for r in rows:
        # a short quote inside reported speech is the speaker's words, not the outlet's
        # distancing: "Kirby said the strikes sent “an unambiguous message”"
        if r["kind"] == "scare":
            host = next(
                (x for x in reported if x["start"] <= r["start"] and r["end"] <= x["end"]), None
            )
            if host is not None:
                r.update(kind="partial", speaker_text=host["speaker_text"], verb=host["verb"],
                         _inherit=host)  # fmt: skip
    rows += reported
    _resolve_speakers(art, rows)
    rows.sort(key=lambda r: (r["start"], r["end"]))
    return rows


# --------------------------------------------------------------------------- reported speech


def _content_end(toks: Tokens, lo: int, hi: int) -> int:
    k = hi
    while k > lo and not toks.words[k - 1][0].isalnum():
        k -= 1
    return k


def _end_attribution(art: Article, sp: _Speech, hi: int) -> bool:
    """Is the verb the tail of "<content>, X said (on Tuesday / told reporters)."?"""
    toks = art.toks
    # only whether the tail is short matters: nine words are enough to know
    tail = []
    words = toks.words
    for k in range(sp.hit.j, hi):
        if words[k][0].isalnum():
            tail.append(k)
            if len(tail) == 9:
                break
    if not tail:
        return True
    first = toks.words[tail[0]]
    if sp.hit.j < hi and toks.words[sp.hit.j] == ",":
        return True  # "..., US officials said, in part because ..."
    if (
        sp.hit.i > 0
        and toks.words[sp.hit.i - 1] == ","
        and len(tail) <= 8
        and not any(
            toks.words[k] in {"that", "was", "were", "is", "are", "had", "has", "will", "would"}
            for k in tail
        )
    ):
        return True  # "..., said Colonel Joe Buccino, a spokesman."
    if sp.verb.takes_object and len(tail) <= 3 and "that" not in {toks.words[k] for k in tail}:
        return True
    return (
        len(tail) <= 6
        and (first in PREPOSITIONS or first in TIME_WORDS)
        and not any(toks.words[k] == "that" for k in tail)
    )


def _clause_start_after(art: Article, sp: _Speech, hi: int) -> int | None:
    """First token of the reported clause after the verb (after "that", a hearer, a PP)."""
    toks = art.toks
    words, verbs = toks.words, art._speech_start_set
    k = sp.hit.j
    stop = min(hi, k + 10)
    for t in range(k, stop):  # "said one member had been killed and promised that ..."
        if words[t] == "and" or t in verbs:
            stop = t
            break
    if sp.verb.verb == "add" and _adds_to(toks, k, stop):
        return None  # "has added additional force to the region": not speech
    if (
        not sp.verb.takes_object
        and k + 1 < hi
        and toks.words[k] in DETERMINERS
        and toks.words[k] not in {"that", "'s"}
        and not any(toks.words[t] in TIME_WORDS for t in range(k + 1, min(k + 4, hi)))
        and toks.words[k + 1] not in PRONOUNS  # "can claim all they want that"
    ):
        # an object first ("acknowledged the three souls that were taken"): a "that"
        # after it is a relative pronoun; only a bare clause can start here
        return None if sp.verb.complement == "that" else k
    that = next(_indices(words, "that", k, stop), None)
    comma = next((t for t in range(k, stop) if words[t] in {",", ";", ":"}), None)
    if that is not None and (comma is None or that < comma):
        return that + 1
    if k < hi and toks.words[k] == ":" and k + 1 < hi:
        return k + 1  # "has made clear: we are not seeking ..."
    if sp.verb.complement == "that":
        return None
    if sp.verb.takes_object:
        # a hearer: "told reporters", "told the BBC", "warned Tehran"
        while k < hi and (toks.words[k] in DETERMINERS or toks.cap[k]):
            k += 1
        if k < hi and toks.words[k] in {"reporters", "journalists", "lawmakers", "parliament"}:
            k += 1
        if k == sp.hit.j:
            k += 1
    if k < hi and toks.words[k] in _SAID_WHEN:
        # "said on Tuesday the ...", "said in a statement the ..."
        stop = min(hi, k + 6)
        end = next((t for t in range(k, stop) if toks.words[t] == ","), None)
        if end is not None:
            return end + 1
        k += 1
        while k < stop and (toks.cap[k] or toks.words[k] in _TIME_OR_DETERMINER
                            or toks.words[k].isdigit() or toks.words[k] == "statement"):  # fmt: skip
            k += 1
    return k


def _adds_to(toks: Tokens, k: int, stop: int) -> bool:
    """Is "add" at ``k`` the physical sense, "added (X) to the/a/Y"? A "to" before any
    auxiliary, "that" or punctuation, and followed by a determiner, a name or a number."""
    for t in range(k, stop):
        w = toks.words[t]
        if w == "to":
            nxt = toks.words[t + 1] if t + 1 < len(toks) else "."
            return nxt in DETERMINERS or toks.cap[t + 1] or nxt.isdigit() if nxt != "." else False
        if w in BE or w in HAVE or w in MODALS or w == "that" or not w[0].isalnum():
            return False
    return False


_SAID_WHEN = PREPOSITIONS | {"late", "early", "earlier", "later"}
_TIME_OR_DETERMINER = TIME_WORDS | DETERMINERS
_NEGATIVE_SUBJECTS = frozenset("no nobody none neither nothing".split())
_HEARERS = frozenset("everybody everyone us you me them him her reporters".split())
_REFLEXIVES = frozenset("himself herself itself themselves myself ourselves".split())


def _as_clause(art: Article, sp: _Speech, lo: int, hi: int) -> tuple[NounPhrase, int] | None:
    """Speaker and first content token of "As X said (yesterday), <content>".

    The clause opens the sentence (or follows a conjunction or a dash: "And as the
    President also said, ...", "I — as the President said, ..."), and the verb is
    followed, after at most four adverbs, time words or a hearer, by a comma or colon.
    """
    toks = art.toks
    if sp.verb.verb == "according to" or "as" not in toks.words[lo : sp.hit.i]:
        return None  # (the subject found below lies in lo .. the verb: no "as", no clause)
    k = sp.hit.j
    while k < hi and k - sp.hit.j < 4 and toks.words[k] not in {",", ":"}:
        w = toks.words[k]
        if not (is_adverb(w) or w in TIME_WORDS or w in PREPOSITIONS or w in _REFLEXIVES
                or w in DETERMINERS or w.isdigit()
                or (sp.verb.takes_object and w in _HEARERS)):  # fmt: skip
            return None
        k += 1
    if k >= hi or toks.words[k] not in {",", ":"}:
        return None
    np = art.subject(sp.hit.i, lo)
    if np is None:
        return None
    for t in range(np.end - 2, np.start - 1, -1):
        if toks.words[t] != "as":
            continue
        before = toks.words[t - 1] if t > lo else "."
        if t == lo or not before[0].isalnum() or before in CONJUNCTIONS:
            return NounPhrase(t + 1, np.end, np.appositives), k + 1
        return None
    return None


def _first_person(toks: Tokens, np: NounPhrase, in_turn: bool) -> bool:
    """Is the phrase "I" (or "I'd", "I can't"), or "we" in a transcript turn (a
    spokesman's "we" is the speaker's own voice; a statement's "we" is its author)?"""
    w = toks.words[np.start].split("'")[0]
    return (w == "i" or (w == "we" and in_turn)) and np.end - np.start <= 3


def _reported(art: Article, quotes: list[_Quote], used: set[int], rows: list[dict]) -> list[dict]:
    doc, toks = art.doc, art.toks
    spans = [(q.start, q.end) for q in quotes]
    span_starts = [a for a, _ in spans]
    inside_quote = _SpanCover(spans)
    starts_if_ordered = span_starts if _ascending(span_starts) else None
    # a quote that fills most of a reported clause is that clause ("X said “...”")
    direct = _Overlaps([(r["start"], r["end"]) for r in rows if r["kind"] == "direct"])
    out: list[dict] = []
    out_spans: set[tuple[int, int]] = set()
    for sp in art.speech:
        if sp.hit.i in used or sp.verb.complement == "quote":
            continue
        at = toks.starts[sp.hit.i]
        if inside_quote.covers(at):
            continue  # speech reported inside a quote belongs to that quote
        lo, hi = art.sent_tok[sp.sent]
        if doc.sentences[sp.sent].text.rstrip(" \"'\u201d").endswith("?") and _asked(toks, sp, lo):
            continue  # a question about speech reports nothing: "did Iran say that ...?"
        end = _content_end(toks, lo, hi)
        reuse = None
        if _negated(toks.words[max(lo, sp.hit.i - 2) : sp.hit.i]):
            continue  # "did not say", "I can't tell you"
        as_clause = _as_clause(art, sp, lo, hi)
        if as_clause is not None:
            # "As the President said (yesterday), we're going to respond."
            np, c0 = as_clause
            c1 = end
            if any(
                toks.words[t - 1] in {"he", "she", "they", "it"} for t in art.speech_between(c0, c1)
            ):
                continue  # "as the President said, after ..., he said that we shall respond"
        elif sp.verb.verb == "according to":
            np = np_after(toks, sp.hit.j, hi)
            if np is None:
                continue
            if _only_punct(toks, lo, sp.hit.i):
                c0 = np.end + 1 if np.end < hi and toks.words[np.end] == "," else np.end
                c1 = end
            else:
                c0, c1 = lo, sp.hit.i
        elif (
            toks.words[sp.hit.i].endswith("ing")
            and sp.hit.i > lo
            and toks.words[sp.hit.i - 1] == ","
        ):
            # "..., saying the ship was American": the speaker of the clause before
            prev = [r for r in rows + out if r["sent_idx"] == sp.sent and r["start"] < at]
            c0 = _clause_start_after(art, sp, hi)
            if not prev or c0 is None:
                continue
            np = None
            reuse = prev[-1]
            c1 = end
        elif (
            toks.words[sp.hit.i].endswith("ing")
            and (doc_np := _document_before(toks, sp.hit.i, lo)) is not None
        ):
            # "Kata'ib Hezbollah's statement yesterday saying that ...": the document speaks
            np = doc_np
            c0 = _clause_start_after(art, sp, hi)
            if c0 is None:
                continue
            c1 = end
        elif (at_end := _end_attribution(art, sp, hi)) and doc.text[toks.starts[hi - 1]] == ":":
            continue  # "the group said:" introduces the quote that follows
        elif at_end:
            k = sp.hit.i - 1
            while k >= lo and is_adverb(toks.words[k]):
                k -= 1
            if k >= lo and toks.words[k] == ",":  # "..., said John Kirby."
                np = np_after(toks, sp.hit.j, hi, stop_at_prep=True)
                c0, c1 = lo, k
            else:
                c = k
                while c >= lo and toks.words[c] != ",":
                    c -= 1
                if c < lo:
                    continue  # "The group said so." — nothing reported
                seg = (c + 1, k + 1)
                if _adverbial_segment(toks, seg):  # ", speaking on condition of anonymity,"
                    c2 = c - 1
                    while c2 >= lo and toks.words[c2] != ",":
                        c2 -= 1
                    if c2 < lo:
                        continue
                    seg, c = (c2 + 1, c), c2
                while seg[0] < seg[1] and toks.skip[seg[0]]:
                    seg = (seg[0] + 1, seg[1])
                np = NounPhrase(*seg)
                c0, c1 = lo, c
        else:
            np = art.subject(sp.hit.i, lo)
            c0 = _clause_start_after(art, sp, hi)
            if np is None or c0 is None or np.end - np.start > 12:
                continue
            if toks.words[np.start] in _NEGATIVE_SUBJECTS:
                continue  # "no one would confirm that ...": nobody said it
            h0 = np.start
            while h0 < np.end - 1 and (toks.words[h0] in _QUESTION_OPENERS
                                       or toks.words[h0] in SUBORDINATORS):  # fmt: skip
                h0 += 1  # "Q When the group says that ...": the group
            if h0 > np.start:
                np = NounPhrase(h0, np.end, np.appositives, np.relative, np.coordinated)
            c1 = end
        while c0 < c1 and not toks.words[c0][0].isalnum() and not toks.skip[c0]:
            c0 += 1
        # the content stops before another attribution (", saying")
        for t in range(bisect_right(art.speech_starts, c0), len(art.speech)):
            other = art.speech[t]
            if other.hit.i >= c1:
                break
            if other is not sp and toks.words[other.hit.i - 1] == ",":
                c1 = other.hit.i - 1
                break
        for k in _indices(toks.words, ",", c0 + 1, c1 - 1):  # every rule starts at a comma
            w, nxt = toks.words[k], toks.words[k + 1]
            if w == "," and nxt == "and" and k + 2 < c1 and toks.words[k + 2] in _AUXILIARIES:
                c1 = k  # "..., and have responded with strikes": the subject's next act
                break
            if w == "," and nxt in _AUXILIARIES and k + 2 < c1 and toks.words[k + 2] in PRONOUNS:
                c1 = k  # "When X says that ..., do you believe them?": the question itself
                break
            if (
                w == ","
                and nxt in {"a", "an"}
                and art.mentions.within(toks.starts[k] - 60, toks.starts[k])
                and (
                    art.mentions.within(toks.starts[k] - 60, toks.starts[k])[-1]["end"]
                    >= toks.ends[k - 1]
                )
            ):
                c1 = k  # "X, an Iran-backed militia that ...": the outlet's gloss on a name
                break
        if (
            np is not None
            and toks.words[np.start][0] in "iw"  # "i..."/"we...": else the turn is no matter
            and _first_person(toks, np, art.turn_at(at) is not None)
        ):
            continue  # "I'd say ...", "as we've said, ...": a speaker's own words, not a quote
        c1 = _content_end(toks, c0, c1)
        if c1 - c0 < 3 or not _has_words(toks, c0, c1, 3):
            continue
        a, b = toks.starts[c0], toks.ends[c1 - 1]
        b = _keep_closing_marks(doc.text, spans, starts_if_ordered, a, b)
        covered = direct.overlap(a, b)
        if covered > 0.5 * (b - a):
            continue
        if _mostly_one_quote(spans, span_starts, a, b):
            continue  # the clause is one quote ("Waltz said “When you're ...”"): that quote
        if _announced_quote(toks, quotes, c0, c1):
            continue  # "warned that Iran, quote, “would respond ...”": the quote is the report
        if np is None and reuse is not None:
            extra = {"_inherit": reuse}
            speaker_text = reuse["speaker_text"]
        elif np is not None:
            extra = {"_np": np}
            speaker_text = toks.surface(np.start, np.end)
        else:
            continue
        verb = toks.surface(sp.hit.i, sp.hit.j).lower()
        if (a, b) in out_spans:
            continue  # two verbs of one clause ("said ... and promised that")
        out_spans.add((a, b))
        out.append(_row(doc, doc.sentence_at(a), a, b, doc.text[a:b], "reported", None,
                        speaker_text, verb, balanced=True, part=0, **extra))  # fmt: skip
    return out


def _negated(words: list[str]) -> bool:
    """Is one of ``words`` (the two before a verb) a negation?"""
    for w in words:
        if w in {"not", "n't", "never"} or w.endswith("n't"):
            return True
    return False


def _ascending(xs: list[int]) -> bool:
    return all(x <= y for x, y in zip(xs, islice(xs, 1, None), strict=False))


def _indices(seq: list, item, lo: int, hi: int) -> Iterable[int]:
    """Indices of ``item`` in ``seq[lo:hi]``, in order (list.index scans in C)."""
    k = lo - 1
    try:
        while True:
            k = seq.index(item, k + 1, hi)
            yield k
    except ValueError:
        return


def _has_words(toks: Tokens, c0: int, c1: int, n: int) -> bool:
    """Do tokens ``c0 .. c1-1`` hold at least ``n`` words (tokens starting alphanumeric)?"""
    found = 0
    for k in range(c0, c1):
        if toks.words[k][0].isalnum():
            found += 1
            if found >= n:
                return True
    return False


def _keep_closing_marks(text: str, spans: list[tuple[int, int]], starts: list[int] | None,
                        a: int, b: int) -> int:  # fmt: skip
    """End ``b`` of the reported content ``a .. b`` moved past each quote of ``spans`` that
    starts inside it and ends at or after it (and past that quote's closing mark).

    ``starts`` (the spans' starts, given only when they ascend, as :class:`Doc` finds
    quotes): only quotes starting after ``a`` and before the end as it grows can qualify.
    """
    ordered = starts is not None
    todo = islice(spans, bisect_right(starts, a), None) if ordered else spans
    for qa, qb in todo:
        if ordered and qa >= b:
            break  # every later quote starts later still
        if a < qa < b <= qb:
            b = qb + (1 if qb < len(text) and text[qb] in "\"\u201d\u00bb'\u2019" else 0)
    return b


class _SpanCover:
    """Does any of a set of spans ``[a, b)`` contain an offset? (sorted starts, running
    maximum of the ends: one bisection per question)."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        self.max_end = list(accumulate((b for _, b in spans), max))

    def covers(self, at: int) -> bool:
        k = bisect_right(self.starts, at) - 1
        return k >= 0 and self.max_end[k] > at


class _Overlaps:
    """Total overlap of a span with a list of spans (``sum(max(0, min(b, qb) - max(a, qa)))``).

    Spans whose starts and ends both ascend (quotes in text order) are found by bisection;
    any others are summed over all of them.
    """

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = spans
        self.starts = [a for a, _ in spans]
        self.ends = [b for _, b in spans]
        self.ordered = _ascending(self.starts) and _ascending(self.ends)

    def overlap(self, a: int, b: int) -> int:
        if self.ordered:
            # the spans ending after a and starting before b: all others add nothing
            lo, hi = bisect_right(self.ends, a), bisect_left(self.starts, b)
            parts = islice(self.spans, lo, max(lo, hi))
        else:
            parts = iter(self.spans)
        return sum(max(0, min(b, qb) - max(a, qa)) for qa, qb in parts)


def _document_before(toks: Tokens, v: int, lo: int) -> NounPhrase | None:
    """The phrase ending in a document noun right before the participle at ``v`` (time
    words between): "Hezbollah's statement (yesterday) saying" -> "Hezbollah's statement"."""
    k = v - 1
    while k >= lo and (toks.words[k] in TIME_WORDS or toks.words[k] in _DAY_WORDS):
        k -= 1
    if k < lo or toks.words[k] not in _DOCUMENT_NOUNS:
        return None
    a = k
    while a > lo:
        w = toks.words[a - 1]
        if w in PREPOSITIONS or w in CLAUSE_PUNCT or w in {",", "and", "or"} or w in _BE_OR_HAVE:
            break
        a -= 1
    return NounPhrase(a, k + 1)


_DAY_WORDS = frozenset("yesterday today tonight earlier".split())
_QUESTION_OPENERS = frozenset("q and so but okay ok well now".split())
_WH_WORDS = frozenset("why how what when where who whom which".split())


def _asked(toks: Tokens, sp: _Speech, lo: int) -> bool:
    """Is the speech verb of a question sentence what is asked about ("Did Iran say that
    ...?", "Has the group claimed that ...?", "Can you tell us ...?"), rather than speech
    the question reports ("When KH says that ..., do you believe them?")?"""
    word = toks.words[sp.hit.i]
    if word == sp.verb.verb.split()[0]:
        return True  # the base form: after "did", "can", "will" or an imperative
    k = lo
    while k < sp.hit.i and (toks.words[k] in _QUESTION_OPENERS or not toks.words[k][0].isalnum()):
        k += 1
    if (
        toks.words[k] in BE or toks.words[k] in HAVE or toks.words[k] in MODALS
    ) and not word.endswith("ing"):
        return True  # a yes/no question: "Does the President have the authority he believes that"
    # an inverted auxiliary opening the question's clause after a conjunction or a wh-word,
    # the verb a few words on: "..., and were officials told that", "Why has X said that"
    for t in range(sp.hit.i - 1, max(lo, sp.hit.i - 7) - 1, -1):
        w = toks.words[t]
        if w == ",":
            return False
        if w in BE or w in HAVE or w in MODALS:
            before = toks.words[t - 1] if t > lo else "."
            return (before in _QUESTION_OPENERS or before in CONJUNCTIONS or before in _WH_WORDS
                    or not before[0].isalnum())  # fmt: skip
    return False


def _announced_quote(toks: Tokens, quotes: list[_Quote], c0: int, c1: int) -> bool:
    """Is tokens ``c0 .. c1`` a subject of at most two words, the spoken word "quote" and
    a quote that runs to the end ("Iran, quote, “would respond”")?"""
    for t in range(c0, min(c1, c0 + 5)):
        if toks.words[t] != "quote":
            continue
        k = t + 1
        while k < c1 and not toks.words[k][0].isalnum() and not toks.skip[k]:
            k += 1
        q = next((q for q in quotes if q.open_tok == k), None)
        if q is None or q.close_tok < c1 - 1:
            return False
        words = sum(1 for x in range(c0, t) if toks.words[x][0].isalnum())
        return words <= 2
    return False


def _mostly_one_quote(spans: list[tuple[int, int]], starts: list[int], a: int, b: int) -> bool:
    """Does one quote of ``spans`` (sorted, not overlapping) cover 90% of ``a .. b``?"""
    k = bisect_right(starts, b) - 1
    while k >= 0 and spans[k][1] > a:
        if min(b, spans[k][1]) - max(a, spans[k][0]) > 0.9 * (b - a):
            return True
        k -= 1
    return False


def _row(doc, sent_idx, start, end, text, kind, speaker_id, speaker_text, verb, **extra) -> dict:
    return {
        "article_id": doc.article_id,
        "sent_idx": sent_idx,
        "start": start,
        "end": end,
        "text": text,
        "kind": kind,
        "speaker_id": speaker_id,
        "speaker_text": speaker_text,
        "verb": verb,
        **extra,
    }


# --------------------------------------------------------------------------- stage interface


def extract(doc: Doc, model: QuoteModel, found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The ``quotes`` rows of one article (pipeline stage entry point)."""
    return {"quotes": extract_quotes(doc, model, found)}


def record(tables: dict[str, pd.DataFrame], doc: Doc) -> dict:
    """``quotes`` of the analyze JSON record: text, kind, speaker_id, speaker_text."""
    q = tables.get("quotes")
    if q is None or q.empty:
        return {"quotes": []}
    cols = ["text", "kind", "speaker_id", "speaker_text"]
    out = q.sort_values(["start", "end"])[cols].astype(object)
    return {"quotes": out.where(out.notna(), None).to_dict("records")}
