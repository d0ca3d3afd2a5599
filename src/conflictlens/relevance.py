"""Which passages of an article concern the conflict: the ``passages`` table.

A White House briefing, a speech or a wire story covers many topics; this stage marks
the passages that concern the militia attacks on US forces in Iraq, Syria and Jordan,
the US strikes on the militias, Iran's role and the talks on the coalition's future
(topic ``militias``), and, as a related but separate theatre, the Houthis and the Red
Sea (topic ``red_sea``). Every passage of every article gets a row, relevant or not, so
notebooks can filter any table to the relevant passages (:func:`relevant_only`) or
compare coverage (:func:`passage_summary`).

Passages
    Paragraphs for prose. For transcripts (``doc.turns``), each speaker turn is one
    passage (``kind="turn"``) however many paragraphs it spans, except a turn of more
    than :data:`SPLIT_TURN_PARAGRAPHS` paragraphs (an opening statement, a speech
    between interruptions), whose paragraphs are passages of their own
    (``kind="paragraph"``, carrying the turn's ``speaker_role``). Paragraphs before the
    first turn (time stamps, room names) are passages with no speaker.

Own evidence
    Cues of ``data/lexicons/relevance.csv`` are counted in each passage: terms matched
    in one pass of a compiled regular expression over ``fold(text)``, and entities
    taken from the ``mentions`` rows of the entities stage (so "the group" resolved to
    Kataeb Hezbollah counts) or, when that stage produced no ``mentions`` table, from
    their aliases in ``actors.csv``. Nothing in a speaker label or stage note counts,
    nor a term inside a longer name ("Iraq and Syria" in "Islamic State of Iraq and
    Syria"). A passage's score for a topic is that topic's weight plus, when the topic
    has any evidence at all, the ``context`` weight (Iran, proxies, retaliation,
    casualties), minus :data:`OTHER_PENALTY` times the weight of cues of other stories
    (Gaza, hostages, Ukraine, the border). It is relevant when its best score reaches
    :data:`THRESHOLD` (its ``topic`` is the best-scoring one, ``militias`` on a tie), or,
    with no cue of either topic, when its context weight alone reaches
    :data:`CONTEXT_ONLY` (it then takes the topic of the nearest relevant passage).
    A passage is *about another story* when its other-story weight is at least 1 and
    above its topic and context weight; such a passage never inherits and ends a thread.

Inherited relevance (``inherited`` says which rule applied)
    Briefings talk in threads: "these attacks", "the response", "What is the legal
    basis?". A passage without enough evidence of its own becomes relevant, with the
    topic of the passage it leans on, when:

    - ``answer``: it opens an official's (any non-journalist, non-moderator) turn right
      after a relevant journalist's turn. A question about the militias followed by
      "We'll see." or by a long answer: both are relevant.
    - ``follow-up``: it is a journalist's turn right after a relevant official's turn
      and has some topic or context evidence or is short (at most :data:`SHORT_WORDS`
      words).
    - ``continuation``: it is the next paragraph of the same split turn, or of the same
      prose article, after a relevant one.
    - ``thread``: it has context evidence of at least :data:`THREAD_CONTEXT` and a
      relevant passage lies at most :data:`THREAD_WINDOW` passages back, with no
      passage about another story in between (a moderator's "next question" does not
      end a thread).
    - ``question``: it is a journalist's turn whose answer (the next turn) is relevant
      on its own evidence; ``lead-in``: a paragraph with context evidence right before
      a relevant paragraph of the same turn or article.

    At most :data:`MAX_PLAIN_CHAIN` passages in a row (:data:`MAX_PLAIN_CHAIN_PROSE`
    for prose paragraphs) inherit without any evidence of their own. A short passage
    whose only cues are procedural ("Go ahead, Zeke.", "Thank you.") never inherits,
    and a passage opening with a change of subject ("Separately, ...", "on another
    topic") does not continue the one before.

Columns of ``passages``: article_id, passage_idx, start, end, kind (paragraph | turn),
speaker_role, relevant, topic (``militias`` | ``red_sea`` | None), score (own best
score), cues (the topic and context cues found, most weight first), then turn_idx,
speaker_id, n_words, inherited, score_militias, score_red_sea, score_other,
other_cues.

The analyze JSON record has no relevance key (DESIGN.md); :func:`record` returns ``{}``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from conflictlens.lexicons import check, load_actors, read_csv_rows
from conflictlens.text import Doc, fold, plain

TOPICS = ("militias", "red_sea")
"""Topics a relevant passage can have."""

CUE_TOPICS = (*TOPICS, "context", "other", "procedural", "shift")
CUE_KINDS = ("term", "entity")

THRESHOLD = 1.75
"""Own score a passage needs to be relevant without help from its neighbours."""
CONTEXT_ONLY = 2.0
"""Context weight that makes a passage relevant even with no cue of either topic."""
OTHER_PENALTY = 0.25
"""How much of the other-story weight is taken off a passage's topic score."""
THREAD_WINDOW = 3
"""A passage with context evidence continues a thread relevant this many passages back."""
THREAD_CONTEXT = 0.5
"""Context weight a passage needs to continue a thread (``attack`` alone is not enough)."""
SHIFT_CHARS = 80
"""A change-of-subject cue counts only this near the start of a passage."""
SPLIT_TURN_PARAGRAPHS = 3
"""A turn of more paragraphs than this is split into paragraph passages."""
SHORT_WORDS = 15
"""A journalist's follow-up this short inherits without any evidence of its own."""
SHORT_PARAGRAPH_WORDS = 40
"""A paragraph this short continues the relevant paragraph before it."""
MAX_PLAIN_CHAIN = 2
"""At most this many passages in a row inherit relevance without any evidence of their own."""
MAX_PLAIN_CHAIN_PROSE = 1
"""The same for paragraphs of prose (no speaker turns): a paragraph says more than a reply."""


# As conflictlens.text.count_words, counted faster: the empty group makes ``findall``
# list the (shared) empty string for each word instead of a copy of the word, and the
# possessive quantifiers drop back-tracking positions that could never give a match
# (a word's letters are never followed by a letter, nor its last part by a joiner and a
# letter: the greedy match is the only one).
_WORD = re.compile(r"\w++(?:[-'\u2019]\w++)*+()")

# Word counts without a regex (see _word_counts): each character as one byte, "w" for a
# word character, "j" for a joiner (-, ', ’), " " for the rest.
_CLASS_OF_ASCII = bytes(
    ord("w") if re.fullmatch(r"\w", chr(c)) else ord("j") if chr(c) in "-'" else ord(" ")
    for c in range(256)
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _word_classes(text: str) -> bytes:
    """One byte per character of ``text``: ``w`` (word), ``j`` (joiner) or a space."""
    pos = 0
    while not text.isascii():
        # each non-ASCII character in turn (a few kinds: quotes, dashes, accented letters)
        # becomes an ASCII character of its class, classed with the others below
        pos = _NON_ASCII.search(text, pos).start()
        ch = text[pos]
        text = text.replace(ch, "a" if re.fullmatch(r"\w", ch) else "'" if ch == "\u2019" else " ")
    return text.encode("ascii").translate(_CLASS_OF_ASCII)


def _word_counts(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """``len(_WORD.findall(text, a, b))`` for each span, counted in C without a regex.

    A word starts at a word character that follows neither a word character nor a
    joiner that follows one ("a-b" is one word, "a--b" two); before ``a`` is nothing.
    So the count is: a word character at ``a``, plus the pairs " w", a pair "jw" at
    ``a``, and the triples " jw" and "jjw" (none of them can overlap itself, so
    ``bytes.count`` counts every one).

    Examples
    --------
    >>> _word_counts("It’s a U.S.-led, two--part plan.", [(0, 32), (4, 12)])
    [8, 3]
    """
    cls = _word_classes(text)
    return [
        (a < b and cls[a] == 119)  # "w"
        + cls.count(b" w", a, b)
        + cls.startswith(b"jw", a, b)
        + cls.count(b" jw", a, b)
        + cls.count(b"jjw", a, b)
        for a, b in spans
    ]


PASSAGE_COLUMNS = [
    "article_id", "passage_idx", "start", "end", "kind", "speaker_role", "relevant", "topic",
    "score", "cues", "turn_idx", "speaker_id", "n_words", "inherited", "score_militias",
    "score_red_sea", "score_other", "other_cues",
]  # fmt: skip


@dataclass(frozen=True)
class Cue:
    """One row of ``relevance.csv``."""

    label: str
    kind: str
    topic: str
    weight: float
    line: int


# \W for ASCII text: every ASCII character but letters, digits and "_"
_ASCII_NON_WORD = r"[\x00-/:-@\[-^`{-\x7f]"


@dataclass
class _Matcher:
    """Cue patterns found in one pass: a trie-shaped regex finds the words a cue can start
    with, and only there are the cues starting with that word tried (longest match wins)."""

    starts: re.Pattern | None
    by_prefix: dict[str, list[tuple[int, re.Pattern]]]  # prefix -> (cue, pattern), shorter included
    # prefix -> all its cues' patterns in one (for prefixes with several): does any match?
    any_of: dict[str, re.Pattern] = field(default_factory=dict)
    # the trie of ``starts`` where a word only matches if a cue of it does (see compile)
    checked_trie: str = ""
    # checked_trie compiled (compile_checked): by build() for ``terms``, on first use for
    # ``terms_and_aliases``, which most processes never use
    _checked: tuple[re.Pattern, re.Pattern] | None = field(default=None, init=False, repr=False)

    @classmethod
    def compile(cls, entries: list[tuple[int, str, str]]) -> _Matcher:
        """``entries``: (cue index, folded label or alias, regex) triples."""
        by_prefix: dict[str, list[tuple[int, re.Pattern]]] = {}
        for i, label, pattern in entries:
            compiled = re.compile(pattern)
            for prefix in first_words(label):
                by_prefix.setdefault(prefix, []).append((i, compiled))
        if not by_prefix:
            return cls(None, {}, {})
        starts = re.compile(r"(?<!\w)" + trie_pattern(by_prefix))
        # the trie matches the longest prefix: give it the cues of the shorter ones too
        combined = {
            key: [e for n in range(len(key), 0, -1) for e in by_prefix.get(key[:n], ())]
            for key in by_prefix
        }
        # Most words a cue can start with start no cue ("on", "go", "u" of "united"): one
        # look at all of the word's cues at once rules them out.
        any_of = {
            key: re.compile("|".join(p.pattern for _, p in entries))
            for key, entries in combined.items()
            if len(entries) > 1
        }
        # ... and the trie itself takes that look, so only words that start a cue reach
        # Python (a quarter of them). A word whose cues all fail makes the trie back off
        # to a shorter word, whose cues are among them: it fails too, as it should.
        checks = {
            key: any_of[key].pattern if key in any_of else entries[0][1].pattern
            for key, entries in combined.items()
        }
        return cls(starts, combined, any_of, trie_pattern(by_prefix, checks))

    def finditer(self, text: str) -> list[tuple[int, int]]:
        """``(offset, cue index)`` of each cue in ``text``, leftmost-longest, no overlaps."""
        hits: list[tuple[int, int]] = []
        if self.starts is None:
            return hits
        last_end = 0
        by_prefix = self.by_prefix
        for pos, key in self._starts(text):  # (only where some cue matches)
            if pos < last_end:
                continue
            best_end, best_cue = -1, -1
            for i, pattern in by_prefix[key]:
                hit = pattern.match(text, pos)
                if hit and hit.end() > best_end:
                    best_end, best_cue = hit.end(), i
            if best_cue >= 0:
                hits.append((pos, best_cue))
                last_end = best_end
        return hits

    def compile_checked(self) -> tuple[re.Pattern, re.Pattern]:
        """Compile the checked trie (once): after a look-behind, and after the non-word
        ASCII character it consumes."""
        if self._checked is None and self.checked_trie:
            self._checked = (re.compile(r"(?<!\w)" + self.checked_trie),
                             re.compile(_ASCII_NON_WORD + "(" + self.checked_trie + ")"))  # fmt: skip
        return self._checked

    def _starts(self, text: str) -> list[tuple[int, str]]:
        """``(m.start(), m.group())`` of each match of ``starts.finditer(text)`` where a
        cue of the word matches (the checked trie).

        In ASCII text, the checked trie after a non-word character it consumes finds the
        words after one (in C, from one such character to the next, instead of starting
        a match at every position); only a word opening the text has none. A word of the
        trie ends in a word character, so a match cannot hold the non-word character the
        next one consumes: the matches are the same. (And a word the check drops is
        skipped as in ``finditer``: no match starts inside it.)
        """
        checked, after = self._checked or self.compile_checked()
        if not text.isascii():
            return [(m.start(), m.group()) for m in checked.finditer(text)]
        first = checked.match(text)
        out = [(0, first.group())] if first is not None else []
        out += [(m.start(1), m.group(1)) for m in after.finditer(text)]
        return out


def first_words(label: str) -> list[str]:
    """The letters a cue's first word must start with (one per alternative).

    Examples
    --------
    >>> first_words("(our|U.S.) troops"), first_words("Kata'ib Hezbollah"), first_words("prox(y|ies)")
    (['our', 'u'], ['kata'], ['prox'])
    """
    label = fold(label).strip()
    if label.startswith("("):
        inner = label[1 : label.find(")")] if ")" in label else label[1:]
        return [w for alt in inner.split("|") for w in first_words(alt)]
    word = re.match(r"[^\W_]*", label).group()
    return [word] if word else []


def trie_pattern(words: Iterable[str], checks: dict[str, str] | None = None) -> str:
    """A regex matching any of ``words`` (longest first), shaped as a character trie.

    With ``checks`` (word -> pattern), a word matches only where its pattern matches at
    the start of the word; otherwise the trie backs off to a shorter word, if any.

    Examples
    --------
    >>> trie_pattern(["war", "warn", "we"])
    '(?:w(?:ar(?:n)?|e))'
    >>> p = trie_pattern(["on", "one"], {"on": "on a", "one": "one-way"})
    >>> [bool(re.match(p, s)) for s in ("on a", "on b", "one-way", "once")]
    [True, False, True, False]
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict, word: str) -> str:
        alts = [re.escape(ch) + emit(child, word + ch) for ch, child in sorted(node.items()) if ch]
        if checks is not None and "" in node:
            # where the word ends: look back over it and ahead for its pattern (the
            # look-behind has the word's fixed width; the look-ahead adds none)
            alts.append(f"(?<=(?={checks[word]}){re.escape(word)})")
            return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and "" not in node else "(?:" + "|".join(alts) + ")"
        return f"(?:{'|'.join(alts)})?" if "" in node else body

    return "(?:" + emit(trie, "") + ")"


@dataclass
class RelevanceModel:
    """Compiled cues: a matcher for terms, one for terms plus entity aliases (used when
    the entities stage produced no mentions), and the case-sensitive entity acronyms."""

    cues: list[Cue]
    terms: _Matcher
    terms_and_aliases: _Matcher
    acronyms: re.Pattern | None
    acronym_cue: dict[str, int]
    entity_cue: dict[str, int]  # entity_id -> cue index
    shift_cues: frozenset[int] = field(init=False, repr=False)  # indexes of topic "shift"

    def __post_init__(self):
        self.shift_cues = frozenset(i for i, c in enumerate(self.cues) if c.topic == "shift")


# --------------------------------------------------------------------------- lexicon


def load_cues(path: str | Path, entity_ids: Iterable[str] | None = None) -> list[Cue]:
    """Read and validate ``relevance.csv`` (cue, kind, topic, weight).

    Raises :class:`~conflictlens.lexicons.LexiconError` with ``file:line`` for an unknown
    kind or topic, a weight that is not a positive number, an entity id that
    ``actors.csv`` does not define, a term that cannot be compiled, or a cue listed twice.

    Examples
    --------
    >>> from conflictlens.lexicons import default_dir
    >>> cues = load_cues(default_dir() / "relevance.csv")
    >>> [(c.kind, c.topic) for c in cues if c.label == "militia*"]
    [('term', 'militias')]
    """
    path = Path(path)
    known = set(entity_ids) if entity_ids is not None else None
    cues: list[Cue] = []
    seen: dict[tuple[str, str], int] = {}
    for n, r in read_csv_rows(path, ["cue", "kind", "topic", "weight"]):
        label, kind, topic = r["cue"], r["kind"], r["topic"]
        check(bool(label), path, n, "empty cue")
        check(kind in CUE_KINDS, path, n, f"unknown kind {kind!r}; use one of {CUE_KINDS}")
        check(topic in CUE_TOPICS, path, n, f"unknown topic {topic!r}; use one of {CUE_TOPICS}")
        try:
            weight = float(r["weight"])
        except ValueError:
            weight = -1.0
        check(weight > 0, path, n, f"weight {r['weight']!r} must be a positive number")
        if kind == "entity":
            check(
                known is None or label in known,
                path,
                n,
                f"entity {label!r} is not an entity_id of actors.csv",
            )
        else:
            try:
                re.compile(term_pattern(label))
            except (re.error, ValueError) as exc:
                check(False, path, n, f"cannot compile term {label!r}: {exc}")
        key = (kind, label if kind == "entity" else " ".join(fold(label).split()))
        check(key not in seen, path, n, f"cue {label!r} already listed on line {seen.get(key)}")
        seen[key] = n
        cues.append(Cue(label, kind, topic, weight, n))
    return cues


def term_pattern(cue: str) -> str:
    """The regular expression (over folded text) for a term cue.

    ``*`` ends a word with any letters, ``(a|b)`` offers alternatives, spaces and hyphens
    match each other, periods and apostrophes are optional.

    Examples
    --------
    >>> bool(re.fullmatch(term_pattern("retaliat*"), "retaliatory"))
    True
    >>> p = term_pattern("attack* on (our|U.S.) troops")
    >>> [bool(re.fullmatch(p, s)) for s in ("attacks on our troops", "attack on us troops", "attack on troops")]
    [True, True, False]
    """
    text = fold(cue).strip()
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            j = text.find(")", i)
            if j < 0:
                raise ValueError("unclosed '('")
            options = [_literal(o.strip()) for o in text[i + 1 : j].split("|")]
            if not all(options):
                raise ValueError("empty alternative")
            out.append("(?:" + "|".join(sorted(options, key=len, reverse=True)) + ")")
            i = j + 1
            continue
        if ch == ")":
            raise ValueError("')' without '('")
        out.append(_literal(ch))
        i += 1
    body = "".join(out)
    return rf"(?<!\w){body}(?!\w)"


def _literal(text: str) -> str:
    parts = []
    for ch in text:
        if ch == "*":
            parts.append(r"\w*")
        elif ch.isspace():
            parts.append(r"[\s\-]+")
        elif ch == "-":
            parts.append(r"[\s\-]?")
        elif ch in ".'":
            parts.append(re.escape(ch) + "?")
        else:
            parts.append(re.escape(ch))
    return re.sub(r"(?:\[\\s\\-\]\+)+", r"[\\s\\-]+", "".join(parts))


def build(lexicon_dir: Path) -> RelevanceModel:
    """Load ``relevance.csv`` and compile its cues once.

    Entity cues are looked up in the entities stage's mentions; their aliases from
    ``actors.csv`` are compiled too, for articles where that stage produced nothing.
    """
    lexicon_dir = Path(lexicon_dir)
    actors = load_actors(lexicon_dir / "actors.csv")
    cues = load_cues(lexicon_dir / "relevance.csv", set(actors.entity_id))
    entity_cue: dict[str, int] = {}
    acronym_cue: dict[str, int] = {}
    terms: list[tuple[int, str, str]] = []
    aliases: list[tuple[int, str, str]] = []
    for i, c in enumerate(cues):
        if c.kind == "term":
            terms.append((i, fold(c.label), term_pattern(c.label)))
            continue
        entity_cue[c.label] = i
        rows = actors.loc[actors.entity_id == c.label, ["alias", "kind"]].itertuples(index=False)
        for alias, kind in rows:
            if kind == "acronym":
                acronym_cue[plain(alias)] = i
            else:
                alias = alias.replace("*", "").replace("(", "").replace(")", "")
                aliases.append((i, fold(alias), term_pattern(alias)))
    acronyms = (
        re.compile(r"(?<![\w.])" + trie_pattern(acronym_cue) + r"(?!\w)") if acronym_cue else None
    )
    matcher = _Matcher.compile(terms)
    matcher.compile_checked()  # (every article uses it; terms_and_aliases only some)
    return RelevanceModel(cues, matcher, _Matcher.compile(terms + aliases),
                          acronyms, acronym_cue, entity_cue)  # fmt: skip


# --------------------------------------------------------------------------- passages


@dataclass
class _Passage:
    start: int
    end: int
    kind: str
    role: str | None = None
    turn_idx: int | None = None
    speaker_id: str | None = None
    first_of_turn: bool = True
    split: bool = False


def passages_of(doc: Doc) -> list[_Passage]:
    """The passages of ``doc``: paragraphs, or turns (long turns split into paragraphs).

    Examples
    --------
    >>> from conflictlens.text import make_doc
    >>> t = "MR. KIRBY:  Rockets hit al-Asad.\\n\\nMore detail.\\n\\nQ  Was it Kataib Hezbollah?"
    >>> [(p.kind, p.role, t[p.start:p.end]) for p in passages_of(make_doc("b", t))]
    [('turn', 'official', 'Rockets hit al-Asad.\\n\\nMore detail.'), ('turn', 'journalist', 'Was it Kataib Hezbollah?')]
    """
    if not doc.turns:
        return [_Passage(a, b, "paragraph") for a, b in doc.paragraphs]
    out: list[_Passage] = []
    first = doc.turns[0].label_start
    out.extend(_Passage(a, b, "paragraph") for a, b in doc.paragraphs if b <= first)
    starts = [a for a, _ in doc.paragraphs]
    for t in doc.turns:
        k = max(0, bisect_right(starts, t.start) - 1)
        spans = []
        while k < len(doc.paragraphs) and doc.paragraphs[k][0] < t.end:
            a, b = doc.paragraphs[k]
            a, b = max(a, t.start), min(b, t.end)
            if b > a:
                spans.append((a, b))
            k += 1
        if not spans:
            continue
        if len(spans) <= SPLIT_TURN_PARAGRAPHS:
            out.append(_Passage(spans[0][0], spans[-1][1], "turn", t.speaker_role, t.idx,
                                t.speaker_id))  # fmt: skip
        else:
            out.extend(
                _Passage(a, b, "paragraph", t.speaker_role, t.idx, t.speaker_id, j == 0, True)
                for j, (a, b) in enumerate(spans)
            )
    return out


# --------------------------------------------------------------------------- scoring


def _matches(doc: Doc, model: RelevanceModel, found: dict) -> list[tuple[int, int]]:
    """(offset, cue index) of every cue found in the article's text."""
    hits: list[tuple[int, int]] = []
    names: list[tuple[int, int]] = []  # spans of names: a term inside one is part of the name
    mentions = found.get("mentions")
    if mentions is None:  # no entities stage: match entity aliases ourselves
        matcher, acronyms = model.terms_and_aliases, model.acronyms is not None
    else:
        matcher, acronyms = model.terms, False
        entity_cue = model.entity_cue
        for m in mentions:
            start = m.get("start")
            if start is None:
                continue
            i = entity_cue.get(m.get("entity_id"))
            if i is not None:
                hits.append((int(start), i))
            if m.get("resolution") in ("name", "alias"):
                names.append((int(start), int(m["end"])))
    names.sort()
    name_starts = [a for a, _ in names]
    for pos, i in matcher.finditer(doc.folded):
        k = bisect_right(name_starts, pos) - 1
        # "Iraq and Syria" in "Islamic State of Iraq and Syria" is part of that name
        if k >= 0 and pos < names[k][1] and names[k][0] < pos:
            continue
        hits.append((pos, i))
    if acronyms:
        hits.extend(
            (m.start(), model.acronym_cue[m.group()])
            for m in model.acronyms.finditer(plain(doc.text))
        )
    if doc.non_text:  # nothing in a speaker label, stage note or time stamp counts
        starts = [a for a, _ in doc.non_text]
        hits = [
            (pos, i)
            for pos, i in hits
            if (k := bisect_right(starts, pos) - 1) < 0 or pos >= doc.non_text[k][1]
        ]
    return hits


@dataclass
class _Scores:
    topic: dict[str, float]
    context: float
    other: float
    procedural: float
    cues: list[str]
    other_cues: list[str]


def _score(counts: dict[int, int], model: RelevanceModel) -> _Scores:
    if not counts:  # most passages: one shared (and never modified) result
        return _NO_SCORES
    by: dict[str, float] = dict.fromkeys(CUE_TOPICS, 0.0)
    pos: list[tuple[float, str]] = []
    other: list[tuple[float, str]] = []
    cues = model.cues
    for i, n in counts.items():
        c = cues[i]
        w = c.weight * (1.0 if n == 1 else 1.5)
        by[c.topic] += w
        if c.topic in _NAMED_TOPICS:
            pos.append((-w, c.label))
        elif c.topic == "other":
            other.append((-w, c.label))
    # most weight first, then by label (equal pairs are equal labels: order is moot)
    pos.sort()
    other.sort()
    return _Scores({t: by[t] for t in TOPICS}, by["context"], by["other"], by["procedural"],
                   [label for _, label in pos], [label for _, label in other])  # fmt: skip


_NAMED_TOPICS = frozenset((*TOPICS, "context"))


_NO_SCORES = _Scores({t: 0.0 for t in TOPICS}, 0.0, 0.0, 0.0, [], [])


def _own(s: _Scores) -> tuple[str | None, float]:
    """Best topic and its score (topic weight + context - penalty), or (None, 0)."""
    best, best_score = None, 0.0
    for t in TOPICS:  # militias first: it wins ties
        if s.topic[t] > 0:
            score = s.topic[t] + s.context - OTHER_PENALTY * s.other
            if best is None or score > best_score:
                best, best_score = t, score
    return best, best_score


def extract(doc: Doc, model: RelevanceModel, found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The ``passages`` rows of one article (every passage, relevant or not).

    Examples
    --------
    >>> from conflictlens.pipeline import Models
    >>> from conflictlens.text import make_doc
    >>> model = Models.build().by_stage["relevance"]
    >>> t = ("Q  Was Kataib Hezbollah behind the drone attack on our troops in Syria?"
    ...      "\\n\\nMR. KIRBY:  We'll see.\\n\\nQ  On the economy: is inflation down?"
    ...      "\\n\\nMR. KIRBY:  It is.")
    >>> rows = extract(make_doc("b", t), model, {})["passages"]
    >>> [(r["speaker_role"], r["relevant"], r["topic"], r["inherited"]) for r in rows]
    [('journalist', True, 'militias', ''), ('official', True, 'militias', 'answer'), ('journalist', False, None, ''), ('official', False, None, '')]
    """
    ps = passages_of(doc)
    if not ps:
        return {"passages": []}
    n = len(ps)
    starts = [p.start for p in ps]
    counts: dict[int, dict[int, int]] = {}  # passage -> cue -> hits (passages with cues)
    shift = [False] * n
    shift_cues = model.shift_cues
    for pos, i in _matches(doc, model, found):
        k = bisect_right(starts, pos) - 1
        if k >= 0 and pos < ps[k].end:
            if i in shift_cues:
                shift[k] = shift[k] or pos - ps[k].start <= SHIFT_CHARS
            else:
                c = counts.setdefault(k, {})
                c[i] = c.get(i, 0) + 1
    words = _word_counts(doc.text, [(p.start, p.end) for p in ps])
    # A passage without cues scores _NO_SCORES: no topic, no evidence, nothing blocks it,
    # own score (None, 0.0); only the passages with cues are worked out.
    scores = [_NO_SCORES] * n
    own: list[tuple[str | None, float]] = [(None, 0.0)] * n
    evidence, own_rel, off_topic, procedural = [False] * n, [False] * n, [False] * n, [False] * n
    for k, c in counts.items():
        s = scores[k] = _score(c, model)
        best, score = _own(s)
        top = max(s.topic.values())
        evidence[k] = top > 0 or s.context > 0
        own_rel[k] = best is not None and score >= THRESHOLD
        off_topic[k] = s.other >= 1.0 and s.other > top + s.context
        if best is None and not off_topic[k]:  # no cue of either topic, but plenty of context
            score = s.context - OTHER_PENALTY * s.other
            own_rel[k] = score >= CONTEXT_ONLY
        own[k] = (best, score)
        procedural[k] = (s.procedural > 0 and words[k] <= SHORT_WORDS and not own_rel[k]
                         and not evidence[k])  # fmt: skip
    blocked = [a or b for a, b in zip(off_topic, procedural, strict=True)]
    relevant = list(own_rel)
    topic = [t if r else None for (t, _), r in zip(own, own_rel, strict=True)]
    how = [""] * len(ps)

    def is_q(p: _Passage) -> bool:
        return p.role == "journalist"

    def answers(p: _Passage) -> bool:
        return p.role is not None and p.role not in ("journalist", "moderator")

    def same_block(a: _Passage, b: _Passage) -> bool:  # paragraphs of one turn, or of prose
        if a.turn_idx is not None or b.turn_idx is not None:
            return a.turn_idx == b.turn_idx
        return a.kind == b.kind == "paragraph"

    # question, lead-in: a passage takes the topic of the relevant one right after it
    for k in range(len(ps) - 1):
        p, nxt = ps[k], ps[k + 1]
        if relevant[k] or blocked[k] or not own_rel[k + 1]:
            continue
        if is_q(p) and p.kind == "turn" and answers(nxt) and nxt.first_of_turn:
            relevant[k], topic[k], how[k] = True, topic[k + 1], "question"
        elif (p.kind == "paragraph" and same_block(p, nxt) and not shift[k + 1]
              and scores[k].context >= THREAD_CONTEXT):  # fmt: skip
            relevant[k], topic[k], how[k] = True, topic[k + 1], "lead-in"
    # answer, follow-up, continuation, thread: forward, so inherited relevance can chain
    last = None  # the last relevant passage of the current thread
    plain_chain = 0
    for k in range(len(ps)):
        p = ps[k]
        if blocked[k]:
            last, plain_chain = None, 0  # another story ends the thread
            continue
        if relevant[k]:
            last, plain_chain = k, 0 if evidence[k] else plain_chain
            continue
        rule = ""
        prev = ps[k - 1] if k else None
        if prev is not None and relevant[k - 1]:
            if same_block(p, prev) and not shift[k]:
                rule = "continuation"
            elif answers(p) and p.first_of_turn and is_q(prev):
                rule = "answer"
            elif (is_q(p) and answers(prev) and not shift[k]
                  and (evidence[k] or words[k] <= SHORT_WORDS)):  # fmt: skip
                rule = "follow-up"
        if (not rule and last is not None and k - last <= THREAD_WINDOW and not shift[k]
                and scores[k].context >= THREAD_CONTEXT):  # fmt: skip
            rule = "thread"
        if rule and not evidence[k]:
            if plain_chain >= (
                MAX_PLAIN_CHAIN if p.turn_idx is not None else MAX_PLAIN_CHAIN_PROSE
            ):
                rule = ""
            else:
                plain_chain += 1
        elif rule:
            plain_chain = 0
        if rule:
            source = last if rule == "thread" else k - 1
            relevant[k], topic[k], how[k], last = True, topic[source], rule, k
    # a passage relevant on context alone (or inheriting from one) takes the topic of the
    # nearest relevant passage with a topic, before it first; militias when there is none
    for k in range(len(ps)):
        if relevant[k] and topic[k] is None:
            near = [j for d in range(1, THREAD_WINDOW + 1) for j in (k - d, k + d)
                    if 0 <= j < len(ps) and relevant[j] and topic[j]]  # fmt: skip
            topic[k] = topic[near[0]] if near else "militias"
    rows = []
    for k, p in enumerate(ps):
        s = scores[k]
        if s is _NO_SCORES:  # no cue at all: every score is 0.0
            score = militias = red_sea = other = 0.0
        else:
            score = round(own[k][1], 3)
            militias, red_sea = round(s.topic["militias"], 3), round(s.topic["red_sea"], 3)
            other = round(s.other, 3)
        rows.append({
            "article_id": doc.article_id, "passage_idx": k, "start": p.start, "end": p.end,
            "kind": p.kind, "speaker_role": p.role, "relevant": relevant[k], "topic": topic[k],
            "score": score, "cues": "; ".join(s.cues), "turn_idx": p.turn_idx,
            "speaker_id": p.speaker_id, "n_words": words[k], "inherited": how[k],
            "score_militias": militias, "score_red_sea": red_sea, "score_other": other,
            "other_cues": "; ".join(s.other_cues),
        })  # fmt: skip
    return {"passages": rows}


def record(tables: dict[str, pd.DataFrame], doc: Doc) -> dict:
    """The analyze JSON record has no relevance key (DESIGN.md): nothing to add."""
    return {}


# --------------------------------------------------------------------------- analysis


def relevant_only(
    tables: dict[str, pd.DataFrame],
    passages: str = "relevant",
    topics: Iterable[str] | str | None = None,
) -> dict[str, pd.DataFrame]:
    """Tables restricted to rows that lie in relevant passages.

    A row is kept when its ``start`` offset (or, for tables without one, the start of its
    sentence ``sent_idx``) falls inside a kept passage of the same article. Tables with
    neither (``articles``, per-article aggregates such as ``salience``) are returned as
    they are; recompute aggregates from the filtered rows. Rows of articles without
    passages (e.g. not in English) are dropped.

    Parameters
    ----------
    tables : dict of DataFrame
        Tables from :func:`conflictlens.pipeline.load_tables`; must hold ``passages``.
    passages : {"relevant", "all"}
        ``"all"`` returns the tables unfiltered (so a notebook can switch with one
        parameter).
    topics : str or list of str, optional
        Keep passages of these topics only (``"militias"``, ``"red_sea"``); None = any.

    Returns
    -------
    dict of DataFrame, the same keys.

    Examples
    --------
    >>> import pandas as pd
    >>> t = {"passages": pd.DataFrame({"article_id": ["a", "a"], "start": [0, 50], "end": [40, 90],
    ...                                "relevant": [True, False], "topic": ["red_sea", None]}),
    ...      "mentions": pd.DataFrame({"article_id": ["a", "a"], "sent_idx": [0, 3],
    ...                                "start": [5, 60], "entity_id": ["houthis", "hamas"]})}
    >>> relevant_only(t)["mentions"].entity_id.tolist()
    ['houthis']
    >>> relevant_only(t, topics="militias")["mentions"].empty
    True
    """
    if passages not in ("relevant", "all"):
        raise ValueError(f"passages must be 'relevant' or 'all', not {passages!r}")
    if passages == "all":
        return dict(tables)
    if "passages" not in tables:
        raise KeyError("no 'passages' table: run the relevance stage (conflictlens extract)")
    keep = tables["passages"]
    keep = keep[keep["relevant"].fillna(False).astype(bool)]
    if topics is not None:
        topics = [topics] if isinstance(topics, str) else list(topics)
        keep = keep[keep["topic"].isin(topics)]
    spans = keep[["article_id", "start", "end"]].rename(
        columns={"start": "_p_start", "end": "_p_end"}
    )
    sentences = tables.get("sentences")
    out = {}
    for name, df in tables.items():
        if name == "passages":
            out[name] = keep.reset_index(drop=True)
        elif df is None or "article_id" not in df.columns:
            out[name] = df
        else:
            out[name] = _within(df, spans, sentences)
    return out


def _within(df: pd.DataFrame, spans: pd.DataFrame, sentences: pd.DataFrame | None) -> pd.DataFrame:
    if df.empty:
        return df
    pos = None
    if "start" in df.columns:
        pos = pd.to_numeric(df["start"], errors="coerce")
    if "sent_idx" in df.columns and sentences is not None and len(sentences):
        sent = sentences.set_index(["article_id", "sent_idx"])["start"]
        key = pd.MultiIndex.from_arrays(
            [df["article_id"], pd.to_numeric(df["sent_idx"], errors="coerce")]
        )
        by_sent = pd.Series(sent.reindex(key).to_numpy(), index=df.index, dtype="float64")
        pos = by_sent if pos is None else pos.fillna(by_sent)
    if pos is None:
        return df
    work = pd.DataFrame({"article_id": df["article_id"].astype(str), "_pos": pos.astype("float64"),
                         "_row": range(len(df))})  # fmt: skip
    work = work.dropna(subset=["_pos"]).sort_values("_pos")
    sp = spans.assign(
        article_id=spans["article_id"].astype(str), _p_start=spans["_p_start"].astype("float64")
    )
    sp = sp.sort_values("_p_start")
    if work.empty or sp.empty:
        return df.iloc[0:0]
    merged = pd.merge_asof(work, sp, left_on="_pos", right_on="_p_start", by="article_id",
                           direction="backward")  # fmt: skip
    inside = merged[merged["_pos"] < merged["_p_end"]]["_row"].sort_values()
    return df.iloc[inside.to_numpy()]


def passage_summary(tables: dict[str, pd.DataFrame], by: str | None = "article_id") -> pd.DataFrame:
    """Passages and relevant passages per article (or per ``kind``, ``outlet``, or overall).

    Parameters
    ----------
    tables : dict of DataFrame
        Must hold ``passages``; ``articles`` supplies ``kind``, ``outlet``, ``published``.
    by : str or None
        ``"article_id"``, a column of ``articles`` (``"kind"``, ``"outlet"``), or None for
        one row over the whole corpus.

    Returns
    -------
    DataFrame with passages, relevant, share (relevant / passages), militias and red_sea
    (relevant passages of each topic), turns (passages that are whole speaker turns),
    words and relevant_words; per article also published, kind, outlet, title.

    Examples
    --------
    >>> import pandas as pd
    >>> t = {"passages": pd.DataFrame({"article_id": ["a", "a", "b"], "kind": ["turn", "turn", "paragraph"],
    ...      "relevant": [True, False, True], "topic": ["militias", None, "red_sea"], "n_words": [10, 30, 5]})}
    >>> s = passage_summary(t, by=None)
    >>> s[["passages", "relevant", "share", "militias", "red_sea"]].to_dict("records")
    [{'passages': 3, 'relevant': 2, 'share': 0.6667, 'militias': 1, 'red_sea': 1}]
    >>> passage_summary(t).relevant.tolist()
    [1, 1]
    """
    p = tables["passages"].rename(columns={"kind": "_passage_kind"})  # "kind" of articles differs
    p["relevant"] = p["relevant"].fillna(False).astype(bool)
    if "n_words" not in p.columns:
        p["n_words"] = 0
    articles = tables.get("articles")
    if by not in (None, "article_id"):
        if articles is None or by not in articles.columns:
            raise KeyError(f"cannot group by {by!r}: not a column of the articles table")
        p = p.merge(
            articles[["article_id", by]].drop_duplicates("article_id"), on="article_id", how="left"
        )
    p["_militias"] = p["relevant"] & (p["topic"] == "militias")
    p["_red_sea"] = p["relevant"] & (p["topic"] == "red_sea")
    p["_turn"] = p["_passage_kind"] == "turn"
    p["_rel_words"] = p["n_words"].where(p["relevant"], 0)
    keys = [by] if by else []
    grouped = (
        p.groupby(keys, dropna=False, sort=True) if keys else p.assign(_all="all").groupby("_all")
    )
    out = grouped.agg(
        passages=("relevant", "size"), relevant=("relevant", "sum"), militias=("_militias", "sum"),
        red_sea=("_red_sea", "sum"), turns=("_turn", "sum"), words=("n_words", "sum"),
        relevant_words=("_rel_words", "sum"),
    ).reset_index()  # fmt: skip
    out["share"] = (out["relevant"] / out["passages"]).round(4)
    out = out.drop(columns=["_all"], errors="ignore")
    cols = [*keys, "passages", "relevant", "share", "militias", "red_sea", "turns", "words",
            "relevant_words"]  # fmt: skip
    out = out[cols]
    if by == "article_id" and articles is not None:
        extra = [c for c in ("published", "kind", "outlet", "title") if c in articles.columns]
        out = out.merge(
            articles[["article_id", *extra]].drop_duplicates("article_id"),
            on="article_id",
            how="left",
        )
    return out.reset_index(drop=True)
