"""Actor mentions resolved to canonical ids, and the counts and views built on them.

How a mention is found (one article, linear in its length):

1. **Names.** Every alias of ``data/lexicons/actors.csv`` is compiled into one trie-shaped
   regular expression run once over ``fold(text)`` (case, diacritics, curly quotes and
   dashes folded one character for one, so offsets stay valid). Apostrophes inside a
   name are optional ("Kata'ib" = "Kataib" = "Kata’ib"), spaces and hyphens between its
   words are interchangeable, and a possessive ("Iraq's") ends a name. Acronyms
   (``kind=acronym``) run in a second, case-sensitive pass ("US", never "us"; in
   ALL-CAPS text "US" counts only before a noun like FORCES). The longest match wins:
   "Islamic Resistance in Iraq" is not also "Iraq". A capitalised alias only matches a
   capitalised surface ("Turkey", not the bird). Names inside transcript speaker labels
   (``MR. KIRBY:``) are kept with role ``label`` but not counted: they mark turns.
2. **Metonymy.** A capital read as an actor -- subject of a verb ("Washington said",
   "Tehran denied", ``actor_verbs.csv``; any past-tense verb when it opens the sentence:
   "Sanaa answered"), after "by"/"with"/"between" or a relation noun ("ally of Tehran"),
   the object of a non-violent verb ("urged Baghdad"), possessive, or "Tehran-backed" --
   is its state, resolution ``metonym``; read as a place ("in Baghdad", "Baghdad
   airport", "Baghdad was hit", or no cue at all) it is the city, resolution ``name``.
   The context words are in ``entity_cues.csv``. "Washington Post", "George Washington"
   are no mention. Rows of kind ``metonym`` (the Pentagon, the White House) are always
   their state. "the Iraqi capital" gives ``iraq`` ("Iraqi", alias) and ``baghdad``
   ("capital", coref).
3. **Nominal coreference.** "the group", "that organization", "the militia", "Yemen's
   rebels" ... (heads in ``nominals.csv``) take the most salient compatible actor of the
   last few sentences (see :func:`_antecedent`): recent, in subject position, introduced
   with a description ("X, an Iran-backed militia"), the article's main actor; a name that
   is itself the whole of a quotation ("the “Islamic Resistance in Iraq”") is a weak
   antecedent. With none, the article's main armed group. Nominals inside quotations
   are the speaker's words ("our nation") and are left alone. Heads marked ``in_name``
   ("the coalition", "the court", "the party") need an antecedent that carries the word
   in its name; "the coalition" is a short name and counts as ``alias``.
4. **Discovery.** Capitalised spans the gazetteer does not know are kept in the
   ``unknown_names`` table; :func:`candidates` ranks them for a researcher to add.

``resolution`` is ``name`` (a name or a capital read as a place), ``alias`` (an alias,
transliteration, acronym or demonym), ``metonym`` or ``coref``; ``named_mentions``
counts ``name`` and ``alias``. Tables written per article: ``mentions`` (DESIGN.md key
columns plus ``in_quote``, ``quoted_name``, ``role``, ``alias``, ``antecedent``),
``salience`` (per article and entity: in the title, in the first sentence) and
``unknown_names``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from conflictlens import lexicons
from conflictlens.text import Doc, fold, plain, word_spans

RESOLUTIONS = ("name", "alias", "metonym", "coref")
"""Values of ``mentions.resolution``."""

NAMED = frozenset({"name", "alias"})
"""Resolutions that count as named mentions."""

MENTION_COLUMNS = ["article_id", "sent_idx", "start", "end", "surface", "entity_id", "entity_type",
                   "resolution", "in_quote", "quoted_name", "role", "alias", "antecedent"]  # fmt: skip
"""Columns of the ``mentions`` rows this stage writes (DESIGN.md keys first)."""

COREF_WINDOW = 3
"""How many sentences back a nominal ("the group") looks for its antecedent."""

_KIND_RESOLUTION = {"name": "name", "alias": "alias", "transliteration": "alias",
                    "acronym": "alias", "demonym": "alias", "metonym": "metonym"}  # fmt: skip
_CUES = ("auxiliary", "time", "passive", "locative", "place_of", "place_noun",
         "agent_preposition", "relation", "actor_suffix", "place_suffix", "qualified_noun",
         "modifier", "determiner", "caps_word", "name_continuation")  # fmt: skip
_VERB_KINDS = ("speech", "volition", "action", "force")
_NAME_POSITIONS = ("head", "prefix", "title", "ignore")


# --------------------------------------------------------------------------- the model


@dataclass
class EntityModel:
    """Compiled lexicons for :func:`extract` (built once per process by :func:`build`)."""

    types: dict[str, str]
    affiliation: dict[str, str | None]
    capital_of: dict[str, str]
    aliases: dict[str, tuple[str, str, str]]
    alias_forms: list[str] = field(repr=False)
    # the alias pattern with its look-behind replaced by the character before the name
    # (see _alias_span): the engine jumps between word starts instead of trying every
    # position. (The plain pattern, alias_re, is compiled only when asked for.)
    alias_after_re: re.Pattern = field(repr=False)
    acronyms: dict[str, tuple[str, str]]
    acronym_re: re.Pattern | None
    cues: dict[str, frozenset[str]]
    verbs: dict[str, str]
    nominal_types: dict[str, frozenset[str]]
    nominal_in_name: frozenset[str]
    nominal_short: frozenset[str]
    nominal_re: re.Pattern
    nominal_head_re: re.Pattern
    name_words: dict[str, frozenset[str]]
    unique_name_word: dict[str, str]
    demonym_keys: frozenset[str]
    nominal_followers: frozenset[str]
    name_cues: dict[str, dict[str, str]]
    actors: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    # capitalised word -> is it a word discovery ignores ("The", "Monday"); filled on use
    ignorable: dict[str, bool] = field(repr=False, default_factory=dict, compare=False)
    # run of capitalised words -> _piece_shape of it; filled on use
    piece_shapes: dict[str, tuple | None] = field(repr=False, default_factory=dict, compare=False)

    @cached_property
    def alias_re(self) -> re.Pattern:
        """Every alias in folded text (:func:`_alias_regex`), longest first."""
        return _alias_regex(self.alias_forms)


def build(lexicon_dir: Path | str | None = None) -> EntityModel:
    """Load and compile the entity lexicons of ``lexicon_dir`` (default ``data/lexicons``).

    Reads ``actors.csv`` (the gazetteer), ``actor_verbs.csv``, ``entity_cues.csv``,
    ``nominals.csv`` and ``name_cues.csv``; a bad row raises
    :class:`~conflictlens.lexicons.LexiconError` naming the file and line.

    Examples
    --------
    >>> model = build()
    >>> model.capital_of["iraq"], model.verbs["said"]
    ('baghdad', 'speech')
    """
    folder = Path(lexicon_dir) if lexicon_dir else lexicons.default_dir()
    actors = lexicons.load_actors(folder / "actors.csv")
    types = dict(zip(actors.entity_id, actors.entity_type, strict=True))
    affiliation = dict(zip(actors.entity_id, actors.affiliation, strict=True))
    capital_of = {
        aff: eid for eid, t, aff in zip(actors.entity_id, actors.entity_type, actors.affiliation,
                                        strict=True) if t == "capital" and aff
    }  # fmt: skip
    aliases: dict[str, tuple[str, str, str]] = {}
    acronyms: dict[str, tuple[str, str]] = {}
    for eid, alias, kind in zip(actors.entity_id, actors.alias, actors.kind, strict=True):
        if kind == "acronym":
            acronyms.setdefault(plain(alias), (eid, kind))
            continue
        aliases.setdefault(_key(alias), (eid, kind, alias))
    alias_forms = [a for a, k in zip(actors.alias, actors.kind, strict=True) if k != "acronym"]
    for eid, alias in _surname_variants(actors, aliases):
        aliases[_key(alias)] = (eid, "alias", alias)
        alias_forms.append(alias)
    return EntityModel(
        types=types,
        affiliation=affiliation,
        capital_of=capital_of,
        aliases=aliases,
        alias_forms=alias_forms,
        alias_after_re=_alias_regex(alias_forms, before="[^a-z0-9]"),
        acronyms=acronyms,
        acronym_re=_acronym_regex(list(acronyms)),
        cues=(cues := _load_cues(folder / "entity_cues.csv")),
        verbs=_load_verbs(folder / "actor_verbs.csv"),
        nominal_types=(nominals := _load_nominals(folder / "nominals.csv"))[0],
        nominal_in_name=nominals[1],
        nominal_short=nominals[2],
        nominal_re=_nominal_regex(nominals[0]),
        nominal_head_re=_nominal_head_regex(nominals[0]),
        name_words=(words := _name_words(actors)),
        unique_name_word=_unique_name_word(words, nominals[2], nominals[0], types),
        demonym_keys=frozenset(k for k, (_, kind, _) in aliases.items() if kind == "demonym"),
        nominal_followers=cues["qualified_noun"] | _NOUN_FOLLOWERS | set(nominals[0]),
        name_cues=_load_name_cues(folder / "name_cues.csv"),
        actors=actors,
    )


def _key(alias: str, *, folded: bool = False) -> str:
    """The lookup form of a name: folded, letters and digits only (ayn and hamza marks too)."""
    return _folded_key(alias if folded else fold(alias))


@lru_cache(maxsize=65536)
def _folded_key(folded: str) -> str:
    return _KEY_DROP.sub("", folded)


_KEY_DROP = re.compile(r"[\W_\u02bc\u02be\u02bf]+")


def _surname_variants(actors: pd.DataFrame, taken: dict) -> list[tuple[str, str]]:
    """ "Halbousi" for a person listed as "al-Halbousi": Arabic surnames drop the article.

    Only for people, only surnames of four letters or more, and never a form another
    entity already uses or that two people would share.
    """
    found: dict[str, set[str]] = {}
    for eid, etype, alias in zip(actors.entity_id, actors.entity_type, actors.alias, strict=True):
        m = re.fullmatch(r"(?:al|el|Al|El)-([A-Z][\w']{3,})", alias)
        if etype == "person" and m:
            found.setdefault(m.group(1), set()).add(eid)
    return [
        (next(iter(ids)), form)
        for form, ids in sorted(found.items())
        if len(ids) == 1 and _key(form) not in taken
    ]


def _unique_name_word(
    words: dict[str, frozenset[str]],
    short: frozenset[str],
    nominal_types: dict[str, frozenset[str]],
    types: dict[str, str],
) -> dict[str, str]:
    """Short-name heads that only one gazetteer entity of a fitting type carries."""
    out = {}
    for head in short:
        owners = [e for e, w in words.items() if head in w and types[e] in nominal_types[head]]
        if len(owners) == 1:
            out[head] = owners[0]
    return out


def _load_cues(path: Path) -> dict[str, frozenset[str]]:
    def validate(n, r):
        if r["cue"] not in _CUES:
            return f"unknown cue {r['cue']!r}; use one of {_CUES}"
        if not re.fullmatch(r"[a-z][a-z'\-]*", r["word"]):
            return f"word {r['word']!r} must be one lower-case word"
        return None

    df = lexicons.load_table(path, ["word", "cue"], validate=validate)
    return {c: frozenset(df.loc[df.cue == c, "word"]) for c in _CUES}


def _load_verbs(path: Path) -> dict[str, str]:
    def validate(n, r):
        if r["kind"] not in _VERB_KINDS:
            return f"unknown kind {r['kind']!r}; use one of {_VERB_KINDS}"
        if not re.fullmatch(r"[a-z]+", r["verb"]):
            return f"verb {r['verb']!r} must be one lower-case word (the lemma)"
        if r["forms"] and not re.fullmatch(r"[a-z]+(\|[a-z]+)*", r["forms"]):
            return f"forms {r['forms']!r} must be lower-case words separated by |"
        return None

    df = lexicons.load_table(path, ["verb", "kind"], optional=["forms"], validate=validate)
    out: dict[str, str] = {}
    for verb, kind, forms in zip(df.verb, df.kind, df.forms.fillna(""), strict=True):
        for form in [*verb_forms(verb), *filter(None, forms.split("|"))]:
            out.setdefault(form, kind)
    return out


def verb_forms(lemma: str) -> list[str]:
    """The regular inflections of an English verb (lemma, -s, -ed, -ing).

    Irregular and doubled forms are listed in ``actor_verbs.csv`` instead.

    Examples
    --------
    >>> verb_forms("deny"), verb_forms("accuse"), verb_forms("push")
    (['deny', 'denies', 'denied', 'denying'], ['accuse', 'accuses', 'accused', 'accusing'], ['push', 'pushes', 'pushed', 'pushing'])
    """
    if lemma.endswith("y") and lemma[-2:-1] not in tuple("aeiou"):
        return [lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"]
    if lemma.endswith("e"):
        ing = lemma + "ing" if lemma.endswith("ee") else lemma[:-1] + "ing"
        return [lemma, lemma + "s", lemma + "d", ing]
    s = lemma + ("es" if lemma.endswith(("s", "sh", "ch", "x", "z", "o")) else "s")
    return [lemma, s, lemma + "ed", lemma + "ing"]


def _load_nominals(path: Path) -> tuple[dict[str, frozenset[str]], frozenset[str], frozenset[str]]:
    allowed = set(lexicons.ENTITY_TYPES)

    def validate(n, r):
        if not re.fullmatch(r"[a-z]+", r["head"]):
            return f"head {r['head']!r} must be one lower-case word"
        bad = [t for t in r["entity_types"].split("|") if t not in allowed]
        if bad:
            return f"unknown entity type(s) {bad}; use {sorted(allowed)}"
        if r["in_name"] not in ("", "yes", "no"):
            return f"in_name must be yes, no or empty, not {r['in_name']!r}"
        if r["resolution"] not in ("", "coref", "alias"):
            return f"resolution must be coref, alias or empty, not {r['resolution']!r}"
        if r["resolution"] == "alias" and r["in_name"] != "yes":
            return "resolution alias (a short name) needs in_name=yes"
        return None

    df = lexicons.load_table(path, ["head", "entity_types"], optional=["in_name", "resolution"],
                             validate=validate)  # fmt: skip
    types = {h: frozenset(t.split("|")) for h, t in zip(df["head"], df.entity_types, strict=True)}
    in_name = frozenset(df.loc[df.in_name.fillna("") == "yes", "head"])
    short = frozenset(df.loc[df.resolution.fillna("") == "alias", "head"])
    return types, in_name, short


def _name_words(actors: pd.DataFrame) -> dict[str, frozenset[str]]:
    words: dict[str, set[str]] = {}
    for eid, alias in zip(actors.entity_id, actors.alias, strict=True):
        words.setdefault(eid, set()).update(re.findall(r"[a-z]+", fold(alias)))
    return {k: frozenset(v) for k, v in words.items()}


def _load_name_cues(path: Path) -> dict[str, dict[str, str]]:
    def validate(n, r):
        if r["position"] not in _NAME_POSITIONS:
            return f"unknown position {r['position']!r}; use one of {_NAME_POSITIONS}"
        if r["position"] != "ignore" and r["entity_type"] not in lexicons.ENTITY_TYPES:
            return f"unknown entity_type {r['entity_type']!r}"
        return None

    df = lexicons.load_table(path, ["word", "entity_type", "position"], validate=validate)
    out: dict[str, dict[str, str]] = {p: {} for p in _NAME_POSITIONS}
    for w, t, p in zip(df.word, df.entity_type, df.position, strict=True):
        out[p][w.rstrip(".").lower()] = t
    return out


# --------------------------------------------------------------------------- compiled patterns

_APOS = "['\u02bc\u02bf\u02be]"
# The same marks as they can occur in folded text, where fold() has made U+02BC an ASCII
# apostrophe: two runs of code points, which re compiles as ranges instead of building
# a 64K-entry bitmap for each of the thousands of places the alias pattern uses it.
_FOLDED_APOS = "['\u02be\u02bf]"
_SEP = r"(?:[ \t]+|[ \t]*[\n\-][ \t]*)?"
_END = object()


def _alias_regex(aliases: list[str], before: str = r"(?<![a-z0-9])") -> re.Pattern:
    """One trie-shaped regex matching every alias in folded text, longest first.

    ``before`` opens the pattern: by default a look-behind (no letter or digit before a
    name); :func:`build` compiles the variant that consumes that character instead.
    """
    trie: dict = {}
    for alias in aliases:
        words = [re.sub(_APOS, "", w) for w in re.split(r"[\s\-]+", fold(alias).strip()) if w]
        node = trie
        for i, w in enumerate(words):
            if i:
                node = node.setdefault(" ", {})
            for ch in w:
                node = node.setdefault(ch, {})
        node[_END] = True

    def emit(node: dict, prev_alpha: bool) -> str:
        alts: list[str] = []
        letters: list[str] = []  # consecutive letter branches after a letter share one mark

        def flush() -> None:
            if letters:
                body = letters[0] if len(letters) == 1 else "(?:" + "|".join(letters) + ")"
                # (possessive: a letter never matches an apostrophe, so giving one
                # back could not help; it saves the engine a backtracking point)
                alts.append(_FOLDED_APOS + "?+" + body)
                letters.clear()

        for ch in sorted(k for k in node if k is not _END):
            if prev_alpha and ch.isalpha():
                # "'?(?:a..|b..)" tries the same paths in the same order as "'?a..|'?b.."
                # (an apostrophe is never a trie character), but every branch now opens
                # with a literal the engine can reject at once (40% faster on the White
                # House corpus).
                letters.append(re.escape(ch) + emit(node[ch], True))
                continue
            flush()
            piece = _SEP if ch == " " else re.escape(ch)
            alts.append(piece + emit(node[ch], ch.isalpha()))
        flush()
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        # Greedy optional tail: the engine tries the longer alias first and backs off.
        return f"(?:{body})?" if _END in node else body

    return re.compile(before + emit(trie, False) + r"(?![a-z0-9])")


def _acronym_regex(forms: list[str]) -> re.Pattern | None:
    """``(?<![A-Za-z0-9])(?:FORM|...)(?![A-Za-z0-9])``, longest form first, any dash for "-".

    Written so that every branch opens with a literal character: the engine then scans
    for those characters alone (a class test in C) instead of starting a match, and its
    look-behind, at every position. The look-behind follows the first character and
    checks the one before it; branches of different first characters exclude each other,
    and within one the forms keep their order.
    """
    if not forms:
        return None
    dash = "[-\u2010-\u2015\u2212]"
    by_first: dict[str, list[str]] = {}
    for f in sorted(forms, key=lambda f: (-len(f), f)):
        rest = dash.join(re.escape(p) for p in f[1:].split("-"))
        for c in _DASHES if f[0] == "-" else f[0]:
            by_first.setdefault(c, []).append(rest)
    branches = "|".join(
        f"{re.escape(c)}(?<![A-Za-z0-9]{re.escape(c)})(?:{'|'.join(rests)})"
        for c, rests in sorted(by_first.items())
    )
    return re.compile(rf"(?:{branches})(?![A-Za-z0-9])")


_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


def _nominal_regex(nominals: dict[str, frozenset[str]]) -> re.Pattern:
    heads = "|".join(sorted(nominals, key=len, reverse=True))
    return re.compile(
        r"(?<![a-z0-9'\-])(the|that|this|[a-z]+'s?)((?:[ \t\n]+[a-z][a-z'\-]*){0,3}?)[ \t\n]+"
        rf"({heads})(?![a-z0-9\-])"
    )


def _nominal_head_regex(nominals: dict[str, frozenset[str]]) -> re.Pattern:
    """Where a head of :func:`_nominal_regex` can end one of its matches (a prefilter)."""
    heads = "|".join(sorted(nominals, key=len, reverse=True))
    return re.compile(rf"[ \t\n](?:{heads})(?![a-z0-9\-])")


# Every character of a nominal match is a letter, apostrophe, hyphen or blank, so a match
# cannot start before the last other character ahead of its head.
_NOMINAL_BREAK = re.compile(r"[^a-z'\- \t\n][a-z'\- \t\n]*\Z")
_RUN_END = re.compile(r"[a-z'\- \t\n0-9]*")


def _nominal_search(model: EntityModel, folded: str, pos: int) -> re.Match | None:
    """``model.nominal_re.search(folded, pos)``, run only around the heads it can end on.

    A match is a run of letters, apostrophes, hyphens and blanks ending in a head, so the
    leftmost match at or after ``pos`` starts in the run of such characters that holds the
    first head after ``pos`` -- or, when that run has none, in a later run. Searching each
    run alone (cut off before the next character that could end a name or continue one)
    finds the same match as searching the whole text, without visiting every word.
    """
    heads, rx = model.nominal_head_re, model.nominal_re
    while (h := heads.search(folded, pos)) is not None:
        hs = h.start() + 1
        # (looking back at most 200 characters; past them, the run may start anywhere)
        back = _NOMINAL_BREAK.search(folded, max(pos, hs - 200), hs)
        start = back.start() + 1 if back is not None else pos
        # The run ends before the first character no match can hold (a digit is kept in:
        # "group1" must fail the head's look-ahead as it does in the full text).
        end = _RUN_END.match(folded, hs).end()
        m = rx.search(folded, start, end)
        if m is not None:
            return m
        pos = end  # no match starts before the end of this run
    return None


_LABEL_BODY = r"[ \t]*(?:Q|[A-Z][A-Z.'\u2019\-]*(?:[ \t]+[A-Z][A-Z.'\u2019\-]*)*)[ \t]*:"
_LABEL = re.compile("(?m)^" + _LABEL_BODY)
# The same labels after a line break, found by looking for the break itself (a literal the
# engine jumps to) instead of testing "^" at every character. A label holds no line
# break, so the matches are those of _LABEL after the first line.
_LABEL_AFTER_BREAK = re.compile("\n" + _LABEL_BODY)


def _label_spans(text: str) -> list[tuple[int, int]]:
    """``[m.span() for m in _LABEL.finditer(text)]``, faster.

    Examples
    --------
    >>> _label_spans("MS. JEAN-PIERRE: Hi.\\nQ  Why?\\nMR. KIRBY:  Because.\\n Q: no")
    [(0, 16), (29, 39), (50, 53)]
    """
    first = _LABEL.match(text)
    spans = [first.span()] if first is not None else []
    spans.extend((m.start() + 1, m.end()) for m in _LABEL_AFTER_BREAK.finditer(text))
    return spans


_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
_UPPER_BYTES = bytes(range(ord("A"), ord("Z") + 1))
_LOWER_BYTES = bytes(range(ord("a"), ord("z") + 1))


# --------------------------------------------------------------------------- extraction


@dataclass(slots=True)
class _M:
    """A mention being built (internal)."""

    start: int
    end: int
    entity_id: str
    kind: str
    alias: str
    resolution: str = ""
    entity_type: str = ""
    role: str = "other"
    in_quote: bool = False
    quoted_name: bool = False
    sent: int = 0
    antecedent: int = -1


class _Context:
    """Per-article helpers: folded text, quotes, sentences, speaker labels."""

    def __init__(self, doc: Doc, model: EntityModel):
        self.doc = doc
        self.model = model
        self.text = doc.text
        self.folded = doc.folded
        self.q_starts = [q.start for q in doc.quotes]
        self.s_starts = [s.start for s in doc.sentences]
        self.labels = _label_spans(doc.text)
        self.l_starts = [a for a, _ in self.labels]
        self._caps: dict[int, bool] = {}

    def all_caps_sentence(self, idx: int) -> bool:
        """Is sentence ``idx`` written in capitals (a headline, a shouted transcript)?"""
        caps = self._caps.get(idx)
        if caps is None:
            # ASCII letters counted in C: drop the rest, then delete each case in turn
            s = self.doc.sentences[idx].text.encode("ascii", "ignore")
            upper = len(s) - len(s.translate(None, _UPPER_BYTES))
            lower = len(s) - len(s.translate(None, _LOWER_BYTES))
            caps = self._caps[idx] = upper > 0.6 * (upper + lower)
        return caps

    def sentence(self, offset: int) -> int:
        return max(0, bisect_right(self.s_starts, offset) - 1)

    def sentence_start(self, offset: int) -> int:
        if not self.s_starts:
            return 0
        return self.doc.sentences[self.sentence(offset)].start

    def quote(self, start: int, end: int):
        i = bisect_right(self.q_starts, start) - 1
        if i >= 0:
            q = self.doc.quotes[i]
            if q.start <= start and end <= q.end:
                return q
        return None

    def in_label(self, start: int) -> bool:
        i = bisect_right(self.l_starts, start) - 1
        return i >= 0 and start < self.labels[i][1]

    def prev_tokens(self, start: int, n: int = 4, *, sent: int | None = None) -> list[str]:
        """The last ``n`` tokens of the sentence before ``start`` (``sent``: its index,
        when the caller knows it), at most 60 characters back."""
        if sent is None or not self.s_starts:
            s0 = self.sentence_start(start)
        else:
            s0 = self.doc.sentences[sent].start
        a = s0 if s0 > start - 60 else start - 60
        return _TOKEN.findall(self.folded, a, start)[-n:]

    def next_tokens(self, end: int, n: int = 8) -> list[str]:
        return _TOKEN.findall(self.folded, end, end + 80)[:n]  # (re stops at the end)


def extract(doc: Doc, model: EntityModel, found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Mentions, salience and unknown capitalised names for one article.

    Parameters
    ----------
    doc : Doc
        The article (see :func:`conflictlens.text.make_doc`).
    model : EntityModel
        From :func:`build`.
    found : dict
        Rows of earlier stages (unused: entities run first).

    Returns
    -------
    dict with ``mentions``, ``salience`` and ``unknown_names`` row lists.

    Examples
    --------
    >>> from conflictlens.text import make_doc
    >>> doc = make_doc("a", "Washington said Kataib Hezbollah struck in Baghdad. The group denied it.")
    >>> [(m["surface"], m["entity_id"], m["resolution"]) for m in extract(doc, build(), {})["mentions"]]
    [('Washington', 'united_states', 'metonym'), ('Kataib Hezbollah', 'kataeb_hezbollah', 'alias'), ('Baghdad', 'baghdad', 'name'), ('The group', 'kataeb_hezbollah', 'coref')]
    """
    ctx = _Context(doc, model)
    named = _named_mentions(ctx)
    _read_capitals(ctx, named)
    unknown = _unknown_names(ctx, named)
    mentions = _add_nominals(ctx, named, unknown)
    aid = doc.article_id
    rows = [
        {"article_id": aid, "sent_idx": m.sent, "start": m.start, "end": m.end,
         "surface": doc.text[m.start:m.end], "entity_id": m.entity_id,
         "entity_type": m.entity_type, "resolution": m.resolution, "in_quote": m.in_quote,
         "quoted_name": m.quoted_name, "role": m.role, "alias": m.alias,
         "antecedent": m.antecedent}
        for m in mentions
    ]  # fmt: skip
    return {
        "mentions": rows,
        "salience": _salience_rows(ctx, mentions),
        "unknown_names": unknown,
    }


def _named_mentions(ctx: _Context) -> list[_M]:
    """Gazetteer matches (names and acronyms), longest first, without overlaps."""
    model, text, folded = ctx.model, ctx.text, ctx.folded
    found: list[_M] = []
    pos = 0
    aliases = model.aliases
    continuation = model.cues["name_continuation"]
    while (span := _alias_span(model, folded, pos)) is not None:
        a, b = span
        pos = a + 1  # after a rejected match, a shorter name may start inside it
        hit = aliases.get(_folded_key(folded[a:b]))
        if hit is None:
            continue
        eid, kind, alias = hit
        if not _case_fits(alias, text[a:b]):
            continue  # "turkey", "jordan river", "us military" are not the names
        if (
            kind != "name"
            # (the pattern ends in "-$": test that character before searching)
            and (text[a - 1 : a] == "-" or text[a - 2 : a] == "-\n")
            and _SURNAME_BEFORE.search(text, max(0, a - 30), a)
        ):
            continue  # "Mohammed Ali al-Houthi" is a man, not the Houthis
        nxt = _NEXT_WORD.match(text, b) if text.startswith(" ", b) else None
        if nxt and nxt.group(1).lower() in continuation:
            continue  # "Palestine Street", "Syrian Observatory": part of another name
        found.append(_M(a, b, eid, kind, alias))
        pos = b
    if model.acronym_re is not None:
        for m in model.acronym_re.finditer(text):
            eid, kind = model.acronyms[plain(m.group())]
            if _caps_word_misread(ctx, m.group(), m.start(), m.end()):
                continue
            found.append(_M(m.start(), m.end(), eid, kind, m.group()))
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    kept: list[_M] = []
    for m in found:
        if kept and m.start < kept[-1].end:
            if m.end - m.start > kept[-1].end - kept[-1].start:
                kept[-1] = m  # a longer match starting inside the previous one
            continue
        kept.extend(_split_nested(ctx, m))
    for m in kept:
        m.sent = ctx.sentence(m.start)
        m.entity_type = model.types[m.entity_id]
        m.resolution = _KIND_RESOLUTION[m.kind]
        q = ctx.quote(m.start, m.end)
        if q is not None:
            m.in_quote = True
            rest = text[q.start : m.start] + " " + text[m.end : q.end]
            m.quoted_name = len(re.findall(r"\w+", rest)) <= 1
        m.role = _role(ctx, m)
    return kept


def _alias_span(model: EntityModel, folded: str, pos: int) -> tuple[int, int] | None:
    """``model.alias_re.search(folded, pos).span()`` (None for no match), faster.

    Searches with ``alias_after_re``, which consumes the character before a name: from
    ``pos - 1`` it finds the first name at or after ``pos``. A name opening the text has
    no character before it: position 0 is tried after a space put before the text.
    """
    after = model.alias_after_re
    if pos == 0:
        m = after.match(" " + folded)
        if m is not None:
            return 0, m.end() - 1
        pos = 1
    m = after.search(folded, pos - 1)
    return None if m is None else (m.start() + 1, m.end())


@lru_cache(maxsize=65536)
def _case_fits(alias: str, surface: str) -> bool:
    """A capitalised alias needs a capitalised surface; a leading "al-" may be either case.

    Examples
    --------
    >>> _case_fits("Turkey", "turkey"), _case_fits("Albu Kamal", "al-Bukamal")
    (False, True)
    """
    alias, surface = _ARTICLE.sub("", alias), _ARTICLE.sub("", surface)
    if alias[:1].isupper():
        return surface[:1].isupper()
    return alias == alias.lower() or surface != surface.lower()


_NEXT_WORD = re.compile(r" ([A-Z][a-z]+)")
_SURNAME_BEFORE = re.compile(r"[A-Z][a-z]+ (?:al|el|Al|El)-$")
_ARTICLE = re.compile(r"^(?:al|el|the)[\s\-]+", re.I)


def _split_nested(ctx: _Context, m: _M) -> list[_M]:
    """ "US-led coalition" (one alias) also names the US: split off the leading actor."""
    if ctx.folded.find("-", m.start, m.end) < 0:
        return [m]  # (the pattern needs a hyphen)
    nm = _NESTED.match(ctx.folded, m.start, m.end)
    if nm is None or nm.group(2) not in ctx.model.cues["actor_suffix"]:
        return [m]
    prefix = ctx.text[m.start : nm.end(1)]
    hit = ctx.model.acronyms.get(plain(prefix))
    if hit is None:
        found = ctx.model.aliases.get(_key(prefix))
        hit = (found[0], found[1]) if found else None
    if hit is None or hit[0] == m.entity_id:
        return [m]
    inner = _M(m.start, nm.end(1), hit[0], hit[1], prefix)
    m.start = nm.end()
    return [inner, m]


_NESTED = re.compile(r"(\S+?)[ \t]*-[ \t]*([a-z]+)[ \t\n]+")


def _caps_word_misread(ctx: _Context, form: str, start: int, end: int) -> bool:
    """True for an acronym like US that, in ALL-CAPS text, is more likely the word (LET US)."""
    if form.lower() not in ctx.model.cues["caps_word"]:
        return False
    before = re.findall(r"[A-Za-z]+", ctx.text[max(0, start - 30) : start])[-1:]
    after = re.findall(r"[A-Za-z]+", ctx.text[end : end + 30])[:1]
    caps = [w for w in before + after if len(w) > 1]
    if not caps or not all(w.isupper() for w in caps):
        return False
    return not (
        (after and after[0].lower() in ctx.model.cues["qualified_noun"])
        or (before and before[0] == "THE")
    )


def _role(ctx: _Context, m: _M) -> str:
    """The mention's grammatical role, read from the words around it.

    One of ``possessor`` (Iraq's), ``place`` (in Iraq), ``agent`` (by Washington),
    ``qualifier`` (US officials), ``modifier`` (an Iraqi town), ``subject`` (Tehran denied;
    or the first words of the sentence), ``patient`` (Baghdad was hit) or ``other``.
    """
    cues = ctx.model.cues
    folded = ctx.folded
    if ctx.in_label(m.start):
        return "label"  # "MR. KIRBY:", a transcript's speaker label
    if folded.startswith("'s", m.end) or (
        folded.startswith("'", m.end) and folded[m.end - 1] == "s"
    ):
        return "possessor"
    # The token before the mention decides most roles; all the (up to four) tokens
    # before it only the last rule, and only when the last one is a determiner.
    s0 = ctx.doc.sentences[m.sent].start if ctx.s_starts else 0
    a = s0 if s0 > m.start - 60 else m.start - 60  # (as prev_tokens)
    last = _last_token(folded, a, m.start)
    if last in cues["locative"]:
        return "place"
    if last in cues["agent_preposition"]:
        return "agent"
    # The tokens after it, first from a short window: its tokens but the last (which the
    # window may cut) are those of next_tokens. Most often they decide; if not, the rest.
    nxt = _TOKEN.findall(folded, m.end, m.end + 24)
    whole = m.end + 24 >= len(folded)  # (the window reaches the end: no token is cut)
    if not whole and nxt:
        nxt.pop()
    if len(nxt) >= 8:
        nxt, whole = nxt[:8], True
    elif not whole and not nxt:
        nxt, whole = ctx.next_tokens(m.end), True
    if nxt and nxt[0] in cues["qualified_noun"]:
        return "qualifier"
    if m.kind == "demonym" and not folded[m.end - 1 : m.end] == "s":
        return "modifier"
    verb = _verb_after(ctx.model, nxt, partial=not whole)
    if verb is _MORE:
        verb = _verb_after(ctx.model, ctx.next_tokens(m.end))
    if verb == "active":
        return "subject"
    if verb == "passive":
        return "patient"
    if not last or (
        last in cues["determiner"]
        and all(t in cues["determiner"] for t in _TOKEN.findall(folded, a, m.start)[-4:])
    ):
        return "subject"  # first words of the sentence: "The Hezbollah Brigades, ... accused"
    return "other"


def _verb_after(
    model: EntityModel, nxt: list[str], *, loose: bool = False, partial: bool = False
) -> str | None:
    """``"active"``/``"passive"`` when the tokens after a name are its verb; else None.

    Auxiliaries, adverbs and "on Monday" may come between ("Washington had already
    carried out"). The verb must be in ``actor_verbs.csv``; with ``loose`` (a name opening
    its sentence) any past-tense-looking word or a word after an auxiliary will do
    ("Sanaa answered", "Kyiv did not comment"). With ``partial``, ``nxt`` is only the
    first of the tokens: ``_MORE`` when the answer depends on the others.
    """
    cues = model.cues
    passives, times, auxiliaries = cues["passive"], cues["time"], cues["auxiliary"]
    n = len(nxt)
    if partial and n < 2:
        return _MORE
    passive, aux = False, False
    i = 2 if n > 1 and nxt[0] == "," and nxt[1] in ("which", "who") else 0
    while i < n:
        t = nxt[i]
        if t in passives:
            passive = True
        elif t == "on" and i + 1 < n and nxt[i + 1] in times:
            i += 1
        elif t == "on" and partial and i + 1 >= n:
            return _MORE
        elif t not in auxiliaries and t not in times:
            break
        elif t != "not":
            aux = True
        i += 1
    if i >= n:
        return _MORE if partial else None
    t = nxt[i]
    if t not in model.verbs:
        looks_finite = (t.endswith("ed") and len(t) > 4) or (aux and t.isalpha())
        if not (loose and looks_finite):
            return None
    participle = t.endswith(("ed", "en")) or t in _IRREGULAR_PARTICIPLES
    return "passive" if passive and participle else "active"


_MORE = "more"  # (from _verb_after: the tokens given do not decide)

_DESCRIBED = re.compile(
    r"\s*,\s*(?:an?|the|one)\s+(?:[\w'\-]+\s+){0,3}?(?:group|militia|faction|movement|organi[sz]ation|party|alliance)\b"
)
_CONJUNCTIONS = frozenset({"and", ",", "or", ", and", "and/or", "nor"})
_IRREGULAR_PARTICIPLES = frozenset({"hit", "struck", "sent", "told", "shot", "held", "kept", "met"})


def _read_capitals(ctx: _Context, mentions: list[_M]) -> None:
    """Decide, for each capital, whether it is an actor (its state) or a place (the city)."""
    model, text = ctx.model, ctx.text
    readings: dict[int, tuple[str, bool]] = {}
    drop = set()
    for i, m in enumerate(mentions):
        if m.entity_type != "capital" or m.kind == "metonym":
            continue
        if _inside_other_name(ctx, m, mentions):
            drop.add(i)
            continue
        readings[i] = _capital_reading(ctx, m)
    # Coordination: "between Washington and Tehran", "Putin and Tehran" -- a conjunct
    # without a cue of its own reads like its partner.
    for i in sorted(readings):
        if readings[i][1] or i == 0:
            continue
        partner = mentions[i - 1]
        between = text[partner.end : mentions[i].start].strip().lower()
        if between not in _CONJUNCTIONS:
            continue
        if i - 1 in readings and readings[i - 1][1]:
            readings[i] = (readings[i - 1][0], False)
        elif partner.resolution == "metonym" or (
            partner.role in ("subject", "agent", "possessor")
            and model.types.get(partner.entity_id) in ("state", "person", "armed_group")
        ):
            readings[i] = ("actor", False)
    for i in sorted(readings, reverse=True):
        # ... and a first conjunct takes the reading of a second that has a cue
        if i + 1 in readings and readings[i + 1][1] and not readings[i][1]:
            between = text[mentions[i].end : mentions[i + 1].start].strip().lower()
            if between in _CONJUNCTIONS:
                readings[i] = (readings[i + 1][0], False)
    for i, (reading, _) in readings.items():
        m = mentions[i]
        state = model.affiliation.get(m.entity_id)
        if reading == "actor" and state:
            m.entity_id, m.entity_type, m.resolution = state, model.types[state], "metonym"
    for i in sorted(drop, reverse=True):
        del mentions[i]


def _inside_other_name(ctx: _Context, m: _M, mentions: list[_M]) -> bool:
    """ "Washington Post", "George Washington": the capital is part of another name."""
    text, ignore, titles = ctx.text, ctx.model.name_cues["ignore"], ctx.model.name_cues["title"]
    surface = text[m.start : m.end]
    if surface.isupper():
        return False
    after = re.match(r" ([A-Z][a-z][\w\-]*)", text[m.end : m.end + 40])
    if after and after.group(1).lower() not in ignore:
        nxt_start = m.end + 1
        if not any(o.start == nxt_start for o in mentions):
            return True
    before = re.search(r"([A-Z][a-z][\w\-]*) $", text[max(0, m.start - 40) : m.start])
    if before:
        word = before.group(1).lower()
        at_sentence_start = ctx.sentence_start(m.start) == m.start - len(before.group(0))
        if word in titles:
            return True  # "General Washington"
        if word not in ignore and not at_sentence_start:
            if not any(o.end == m.start - 1 for o in mentions):
                return True
    return False


def _capital_reading(ctx: _Context, m: _M) -> tuple[str, bool]:
    """``("actor"|"place", has_cue)`` for a capital mention."""
    model = ctx.model
    cues, verbs = model.cues, model.verbs
    prev = [t for t in ctx.prev_tokens(m.start, 5) if t not in ("both", "either", "neither")][-4:]
    nxt = ctx.next_tokens(m.end)
    if nxt[:1] == ["-"] and len(nxt) > 1:
        if nxt[1] in cues["actor_suffix"]:
            return "actor", True  # Tehran-backed
        if nxt[1] in cues["place_suffix"]:
            return "place", True  # Baghdad-based
    if prev:
        p = prev[-1]
        p2 = prev[-2] if len(prev) > 1 else ""
        if p in ("of", "to", "on", "for", "from") and p2 in cues["relation"]:
            return "actor", True  # "ally of Tehran", "pressure from Washington"
        if p in ("the", "a", "an"):
            # "the Amman stop" is a place; "the Baghdad government" is the state
            return (
                ("actor", True) if nxt[:1] and nxt[0] in cues["qualified_noun"] else ("place", True)
            )
        if p in cues["locative"]:
            return "place", True
        if p in cues["agent_preposition"] or p in cues["relation"]:
            return "actor", True
        if p in ("of", "to", "on", "for"):
            if p2 in cues["place_of"]:
                return "place", True
            if p2 in cues["relation"]:
                return "actor", True
            if p == "to" and verbs.get(p2) in ("speech", "volition"):
                return "actor", True  # "said to Tehran", "signal to Washington"
            if p == "to":
                return "place", True
        if p in verbs and p not in cues["passive"]:
            # object of a verb: "urged Baghdad" is the state, "strikes hit Baghdad" the city
            return ("place", True) if verbs[p] == "force" else ("actor", True)
    if m.role == "possessor":
        after = nxt[2:4]  # "'", "s", then "southern suburbs"
        if any(w in cues["place_noun"] for w in after):
            return "place", True
        return "actor", True
    if nxt and nxt[0] in cues["place_noun"]:
        return "place", True
    # a capital opening its sentence (or the clause after an introductory one) and
    # followed by a verb is its subject
    opening = all(t in cues["determiner"] for t in prev) or prev[-1:] == [","]
    verb = _verb_after(model, nxt, loose=opening)
    if verb == "active":
        return "actor", True  # Washington said; does Washington agree
    if verb == "passive":
        return "place", True  # Baghdad was hit
    if m.role == "qualifier":
        return "actor", True  # "Washington officials"
    return "place", False


def _add_nominals(ctx: _Context, named: list[_M], unknown: list[dict]) -> list[_M]:
    """Nominal mentions ("the group", "the Iraqi capital"), resolved in reading order."""
    model, folded = ctx.model, ctx.folded
    starts = [m.start for m in named]
    demonym_keys, followers = model.demonym_keys, model.nominal_followers
    nominals: list[tuple[int, int, str, _M | None]] = []
    pos = 0
    while (nm := _nominal_search(model, folded, pos)) is not None:
        span = _nominal_span(ctx, nm, named, starts, demonym_keys, followers)
        if span is None:
            pos = nm.start() + 1  # a real nominal may start inside a rejected one
            continue
        nominals.append((*span, nm.group(3), None))
        pos = nm.end()
    # "Iraq's capital" has no determiner of its own
    covered = {n[0] for n in nominals}
    for m in named:
        if model.types.get(m.entity_id) != "state" or m.in_quote:
            continue
        cm = _CAPITAL_AFTER.match(folded, m.end)
        if cm and cm.start(1) not in covered:
            cap = model.capital_of.get(m.entity_id)
            if cap:
                nominals.append((cm.start(1), cm.end(1), "capital", _fixed(cap, model, m)))
    nominals.sort(key=lambda n: n[0])
    blockers = sorted(
        u["start"] for u in unknown if u["type_hint"] in ("armed_group", "organization")
    )
    return _resolve_nominals(ctx, named, nominals, blockers)


def _nominal_span(ctx, nm, named, starts, demonym_keys, followers) -> tuple[int, int] | None:
    """The span of a nominal match worth resolving ("the group"), or None to skip it."""
    model, text, folded = ctx.model, ctx.text, ctx.folded
    det_start, head = nm.start(1), nm.group(3)
    hs, he = nm.start(3), nm.end(3)
    if ctx.quote(det_start, he) is not None:
        return None  # a speaker's "the movement" is the speaker's to resolve
    if nm.group(1).endswith(("'", "'s")):
        owner = bisect_left(starts, det_start)
        if not (
            owner < len(named)
            and named[owner].start == det_start
            and model.types.get(named[owner].entity_id) == "state"
        ):
            return None  # only a state's possessive opens a nominal: "Yemen's rebels"
    inner = named[bisect_left(starts, det_start) : bisect_left(starts, he)]
    if any(m.end > hs for m in inner):
        return None  # the head is part of a name already found ("US-led coalition")
    if not all(_is_modifier(w, model, demonym_keys) for w in nm.group(2).split()):
        return None
    nxt = _TOKEN.findall(folded, he, min(len(folded), he + 40))[:3]
    if nxt[:1] == ["of"]:
        return None  # "the group of seven", "the organization of"
    short = head in model.nominal_short
    if not short and nxt[:1] and (nxt[0] in followers or nxt[0][:-1] in followers):
        return None  # "the militia groups", "the group members" ("the group's" is fine)
    after = bisect_left(starts, he)
    if after < len(named) and _APPOSITION.fullmatch(folded, he, named[after].start):
        return None  # "the group Kataib Hezbollah", "the group called ...": the name is the mention
    if text[hs].isupper() and not text[det_start].isupper() and not text[hs:he].isupper():
        return None  # "the Group of Seven": part of a name
    return (hs if inner else det_start, he)


_NOUN_FOLLOWERS = frozenset({"members", "fighters", "leader", "leaders", "chief", "head",
                             "commander", "commanders", "spokesman", "official", "officials"})  # fmt: skip
_APPOSITION = re.compile(
    r"[\s,]*(?:(?:called|named|known as|dubbed|calling itself)[\s,]*)?(?:the\s+)?"
)
_CAPITAL_AFTER = re.compile(r"(?:'s?)?[ \t]+(capital)(?![a-z])")


def _fixed(entity_id: str, model: EntityModel, source: _M) -> _M:
    return _M(0, 0, entity_id, "nominal", "capital", "coref", model.types[entity_id],
              antecedent=source.start)  # fmt: skip


def _is_modifier(word: str, model: EntityModel, demonym_keys: set[str]) -> bool:
    if word in model.cues["modifier"]:
        return True
    key = _key(word, folded=True)
    if key in demonym_keys or (
        key in model.aliases and model.types[model.aliases[key][0]] == "state"
    ):
        return True
    return bool(_HYPHEN_MODIFIER.fullmatch(word))


_HYPHEN_MODIFIER = re.compile(
    r"pro-[a-z]+|[a-z]+-(?:backed|aligned|allied|affiliated|linked|based)"
)


def _resolve_nominals(
    ctx: _Context,
    named: list[_M],
    nominals: list[tuple[int, int, str, _M | None]],
    blockers: list[int],
) -> list[_M]:
    """Merge named and nominal mentions in reading order, resolving each nominal."""
    model = ctx.model
    out: list[_M] = []
    counts: Counter = Counter()
    first_seen: dict[str, int] = {}
    last_seen: dict[str, _M] = {}  # latest mention of each entity (for "the coalition")
    ni = 0
    for nom in [*nominals, None]:
        limit = nom[0] if nom is not None else len(ctx.text) + 1
        while ni < len(named) and named[ni].start < limit:
            m = named[ni]
            out.append(m)
            if m.resolution in NAMED:
                counts[m.entity_id] += 1
                first_seen.setdefault(m.entity_id, m.start)
            last_seen[m.entity_id] = m
            ni += 1
        if nom is None:
            break
        start, end, head, fixed = nom
        sent = ctx.sentence(start)
        if fixed is not None:
            m = fixed
            m.start, m.end = start, end
        else:
            ante = _antecedent(ctx, out, start, sent, head, counts, first_seen, blockers, last_seen)
            short = head in model.nominal_short
            if ante is not None:
                m = _M(start, end, ante.entity_id, "nominal", head, "alias" if short else "coref",
                       ante.entity_type, antecedent=ante.start)  # fmt: skip
            elif short and head in model.unique_name_word:
                # "the coalition" before any coalition was named: the only one the gazetteer knows
                eid = model.unique_name_word[head]
                m = _M(start, end, eid, "nominal", head, "alias", model.types[eid])
            else:
                continue
        m.sent = sent
        m.role = _role(ctx, m)
        counts[m.entity_id] += 1
        first_seen.setdefault(m.entity_id, m.start)
        last_seen[m.entity_id] = m
        out.append(m)
    return out


def _antecedent(
    ctx: _Context,
    prior: list[_M],
    start: int,
    sent: int,
    head: str,
    counts: Counter,
    first_seen: dict[str, int],
    blockers: list[int],
    last_seen: dict[str, _M],
) -> _M | None:
    """The most salient earlier mention a nominal can refer to, or None.

    Score: minus the sentence distance; a name that is a whole quotation (a label the
    text keeps at arm's length) -1.5, inside a speaker's quote -0.5; in subject position
    +0.6; the article's most-mentioned compatible actor so far +0.8; an unknown name that
    looks like an organisation ("... Organization", "... Brigades") standing between the
    candidate and the nominal -1.0 (it may be the referent). Nothing scoring above minus
    the window: the article's most-mentioned compatible armed group, if mentioned twice.
    """
    model = ctx.model
    allowed = model.nominal_types[head]
    best, best_score = None, None
    compatible = [e for e in counts if model.types.get(e) in allowed]
    topic = max(compatible, key=lambda e: (counts[e], -first_seen[e])) if compatible else None
    in_name = head in model.nominal_in_name
    if in_name:
        # "the coalition", "the court": the one named earlier, however far back
        fits = [m for e, m in last_seen.items()
                if m.entity_type in allowed and head in model.name_words.get(e, ())]  # fmt: skip
        return max(fits, key=lambda m: m.start) if fits else None
    for m in reversed(prior):
        if m.sent < sent - COREF_WINDOW:
            break
        if m.entity_type not in allowed:
            continue
        score = -(sent - m.sent)
        if m.quoted_name:
            score -= 1.5  # the “Islamic Resistance in Iraq”: named, but not what the text is about
        elif m.in_quote:
            score -= 0.5
        if m.role == "subject":
            score += 0.6
        if m.entity_id == topic:
            score += 0.8
        if _DESCRIBED.match(ctx.folded, m.end, m.end + 80):
            score += 0.5  # "Kata'ib Hizballah, an Iran-backed militia": introduced as a group
        b = bisect_left(blockers, m.end)
        if b < len(blockers) and blockers[b] < start:
            score -= 1.0
        if best_score is None or score > best_score:
            best, best_score = m, score
    if best_score is not None and best_score < -COREF_WINDOW:
        best = None
    if (
        best is None
        and not in_name
        and topic is not None
        and counts[topic] >= 2
        and model.types[topic] == "armed_group"
    ):
        # nothing in the window: the article's main actor is still what "the group" means
        return next((m for m in reversed(prior) if m.entity_id == topic), None)
    return best


def _salience_rows(ctx: _Context, mentions: list[_M]) -> list[dict]:
    """Per entity: mentioned in the title? in the first sentence? first sentence index."""
    doc, model = ctx.doc, ctx.model
    in_title: set[str] = set()
    if doc.title:
        tdoc = Doc(doc.article_id, doc.title)
        tctx = _Context(tdoc, model)
        title_mentions = _named_mentions(tctx)
        _read_capitals(tctx, title_mentions)
        in_title = {m.entity_id for m in title_mentions}
    per: dict[str, dict] = {}
    for m in mentions:
        if m.role == "label":
            continue
        row = per.setdefault(m.entity_id, {"article_id": doc.article_id, "entity_id": m.entity_id,
                                           "entity_type": m.entity_type, "mentions": 0,
                                           "named_mentions": 0, "first_sent_idx": m.sent,
                                           "in_title": m.entity_id in in_title, "in_lead": False})  # fmt: skip
        row["mentions"] += 1
        row["named_mentions"] += m.resolution in NAMED
        row["in_lead"] = row["in_lead"] or m.sent == 0
    return list(per.values())


# --------------------------------------------------------------------------- discovery

_CAP_TOKEN = r"(?:(?:[A-Z]\.)+|(?:(?:al|el|Al|El)-)?[A-Z][\w'\u2019]*(?:-[\w'\u2019]+)*)"
_CONNECT = r"(?:of the|of|al|el|bin|ibn|bint|for|de|la|du)"
_CONNECT_WORDS = frozenset({"of", "the", "al", "el", "bin", "ibn", "bint", "for", "de", "la", "du"})
_NONSPACE = re.compile(r"\S+")
_CLITIC = re.compile(r"'(?:s|re|ll|ve|d|m|t)?$")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_CAP_TAIL = rf"(?:[ \t]+(?:{_CONNECT}[ \t]+)?{_CAP_TOKEN})*"
# What the first _CAP_TOKEN matches after its first character, which the pattern has
# consumed already: the branches of _CAP_TOKEN in their order, each checking that first
# character with a look-behind.
_CAP_AFTER_FIRST = (
    r"(?:(?<=[A-Z])\.(?:[A-Z]\.)*"  # U.S.
    r"|(?<=[aeAE])l-[A-Z][\w'\u2019]*(?:-[\w'\u2019]+)*"  # al-Hashd
    r"|(?<=[A-Z])[\w'\u2019]*(?:-[\w'\u2019]+)*)"  # Hashd, Iran-backed
)
# = (?<![\w'\u2019\-]){_CAP_TOKEN}{_CAP_TAIL}, written to open with a class of characters
# (those a _CAP_TOKEN starts with): the engine scans for them in C instead of starting a
# match, and testing the look-behind, at every position. The look-behind then checks the
# character before the first one.
_CAP_SPAN = re.compile(rf"[A-Zae](?<![\w'\u2019\-][\s\S]){_CAP_AFTER_FIRST}{_CAP_TAIL}")


@lru_cache(maxsize=65536)
def _norm_word(token: str) -> str:
    """Lower-case, plain, without trailing punctuation or clitic; "" for a lone initial."""
    w = _CLITIC.sub("", plain(token).rstrip(".,;:").lower())
    return "" if len(w) == 1 else w


def _unknown_names(ctx: _Context, mentions: list[_M]) -> list[dict]:
    """Capitalised spans that no mention covers, with hints for their entity type."""
    text, cues = ctx.text, ctx.model.name_cues
    ignore, titles = cues["ignore"], cues["title"]
    m_starts = [m.start for m in mentions]
    rows = []
    ignorable = ctx.model.ignorable
    m_ends = [m.end for m in mentions]
    reach, top = [], -1  # reach[i]: the furthest end of mentions 0..i
    for e in m_ends:
        top = e if e > top else top
        reach.append(top)
    for sm in _CAP_SPAN.finditer(text):
        span = sm.group()
        if " " not in span and "\t" not in span:
            skip = ignorable.get(span)
            if skip is None:
                if len(ignorable) > 100_000:
                    ignorable.clear()
                w = _CLITIC.sub("", plain(span).rstrip(".").lower())
                skip = ignorable[span] = w in ignore or w in titles
            if skip:
                continue  # the bulk of capitalised words: "The", "But", "Monday"
            a, b = sm.span()
            i = bisect_right(m_starts, b) - 1
            if i >= 0 and m_ends[i] > a and m_starts[i] < b:
                continue  # (one word, and a mention covers it)
            row = _candidate_row(ctx, a, span)
            if row is not None:
                rows.append(row)
            continue
        base, end = sm.span()
        i = bisect_right(m_starts, end) - 1
        if i < 0 or reach[i] <= base:
            # no mention reaches into the span: no word of it is covered (as below)
            row = _candidate_row(ctx, base, span)
            if row is not None:
                rows.append(row)
            continue
        pieces: list[list[tuple[int, int]]] = [[]]
        for t in _NONSPACE.finditer(span):
            a, b = t.start() + base, t.end() + base
            i = bisect_right(m_starts, b) - 1
            if i >= 0 and m_ends[i] > a and m_starts[i] < b:
                pieces.append([])
            else:
                pieces[-1].append((a, b))
        for piece in pieces:
            if piece:
                row = _candidate_row(ctx, piece[0][0], text[piece[0][0] : piece[-1][1]])
                if row is not None:
                    rows.append(row)
    return rows


def _candidate_row(ctx: _Context, start: int, piece: str) -> dict | None:
    """The ``unknown_names`` row of the words ``piece`` found at ``start``, or None."""
    shape = ctx.model.piece_shapes.get(piece, _UNSEEN)
    if shape is _UNSEEN:
        shapes = ctx.model.piece_shapes
        if len(shapes) > 100_000:
            shapes.clear()
        shape = shapes[piece] = _piece_shape(piece, ctx.model.name_cues)
    if shape is None:
        return None
    offset, surface, n_words, title_before, hint = shape
    start += offset
    if ctx.in_label(start):
        return None
    idx = ctx.sentence(start)
    sent_start = 0
    if ctx.doc.sentences:
        sent_start = ctx.doc.sentences[idx].start
        if start == sent_start and n_words == 1 and not title_before:
            return None  # one capitalised word opening a sentence says nothing
        if ctx.all_caps_sentence(idx):
            return None  # an ALL-CAPS sentence: every word is capitalised
    prev = _last_token(ctx.folded, max(sent_start, start - 60), start)
    after_locative = prev in ctx.model.cues["locative"]
    if not hint:
        hint = "place" if after_locative else ""
    return {"article_id": ctx.doc.article_id, "sent_idx": idx, "start": start,
            "end": start + len(surface), "surface": surface, "title_before": title_before,
            "after_locative": after_locative, "type_hint": hint}  # fmt: skip


_UNSEEN = object()


def _piece_shape(piece: str, cues: dict[str, dict[str, str]]):
    """What a candidate's row takes from its words alone (cached per model by text).

    ``piece`` is a run of capitalised words (split on blanks). Titles, ignored and
    connecting words are trimmed from its ends. Returns None when nothing is left or
    it is not capitalised; else ``(offset of the name in piece, surface, number of
    words, title before it, type hint from the words or "")``.

    Examples
    --------
    >>> _piece_shape("Gen. Abu Fadak al-Mohammedawi's", build().name_cues)
    (5, 'Abu Fadak al-Mohammedawi', 3, True, 'person')
    >>> _piece_shape("The", build().name_cues) is None
    True
    """
    ignore, titles = cues["ignore"], cues["title"]
    spans = [(t.start(), t.end()) for t in _NONSPACE.finditer(piece)]
    words = [_norm_word(piece[a:b]) for a, b in spans]
    title_before = False
    i, j = 0, len(spans)
    while i < j:
        w = words[i]
        if w in titles:
            title_before = True
        elif w and w not in ignore and w not in _CONNECT_WORDS:
            break
        i += 1
    while j > i and (not words[j - 1] or words[j - 1] in _CONNECT_WORDS or words[j - 1] in ignore):
        j -= 1
    if i >= j:
        return None
    start, end = spans[i][0], spans[j - 1][1]
    surface = _POSSESSIVE.sub("", piece[start:end].rstrip(".,;:"))
    if not surface or not surface[0].isupper():
        return None
    names = surface.split()
    hint = (
        cues["head"].get(names[-1].lower())
        or cues["head"].get(names[0].lower())
        or ("person" if title_before or names[0].lower() in cues["prefix"] else None)
        or ""  # (or "place" after a locative: see _candidate_row)
    )
    return start, surface, j - i, title_before, hint


_TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _last_token(folded: str, a: int, b: int) -> str:
    """``(_TOKEN.findall(folded, a, b) or [""])[-1]`` without tokenising the whole window.

    Examples
    --------
    >>> [_last_token("in al-qaim, near", 0, n) for n in (2, 11, 12, 16)]
    ['in', ',', ',', 'near']
    """
    seg = folded[a:b].rstrip()  # (str.isspace is what the pattern's \s matches)
    if not seg:
        return ""
    word = len(seg) - len(seg.rstrip(_TOKEN_CHARS))
    return seg[-word:] if word else seg[-1]


# --------------------------------------------------------------------------- resolving a phrase


def resolve_phrase(
    phrase: str,
    model: EntityModel,
    *,
    mentions: list[dict] | pd.DataFrame | None = None,
    at: int | None = None,
) -> str | None:
    """The entity a noun phrase such as a quote's speaker refers to, or None.

    For other stages (quotes, framing) that hold a speaker phrase: "US officials" and
    "the Pentagon" give ``united_states``, "a Kataib Hezbollah spokesman" gives
    ``kataeb_hezbollah``, "Iraqi Prime Minister Mohammed Shia al-Sudani" gives the person.
    A person named in the phrase wins over a group, a group over a state. With
    ``mentions`` (this article's mention rows, e.g. ``found["mentions"]``) and ``at`` (the
    phrase's offset in the article), the rows inside the phrase answer first, ranked the
    same way -- so "the organization" gets what the entities stage resolved it to; a
    nominal without such a row takes the most recent compatible named mention before
    ``at``.

    Parameters
    ----------
    phrase : str
        The noun phrase.
    model : EntityModel
        From :func:`build`.
    mentions : list of dict or DataFrame, optional
        The article's ``mentions`` rows (``found["mentions"]`` inside a stage).
    at : int, optional
        Character offset of ``phrase`` in the article text.

    Examples
    --------
    >>> model = build()
    >>> resolve_phrase("US officials", model), resolve_phrase("the Pentagon", model)
    ('united_states', 'united_states')
    >>> resolve_phrase("a spokesman for Kataib Hezbollah", model)
    'kataeb_hezbollah'
    >>> rows = [{"start": 0, "end": 5, "entity_id": "hamas", "entity_type": "armed_group",
    ...          "resolution": "name"}]
    >>> resolve_phrase("the movement", model, mentions=rows, at=40)
    'hamas'
    >>> resolve_phrase("officials", model) is None
    True
    """
    rows = _rows(mentions)
    if at is not None:
        inside = [r for r in rows if r["start"] < at + len(phrase) and at < r["end"]]
        if inside:
            return min(inside, key=lambda r: (_SPEAKER_RANK.get(r["entity_type"], 4), r["start"]))[
                "entity_id"
            ]
    ctx = _Context(Doc("phrase", phrase), model)
    found = _named_mentions(ctx)
    _read_capitals(ctx, found)
    if found:
        best = min(found, key=lambda m: (_SPEAKER_RANK.get(m.entity_type, 4), m.start))
        if best.entity_type == "capital":  # a capital speaking is its state
            return model.affiliation.get(best.entity_id) or best.entity_id
        return best.entity_id
    nm = model.nominal_re.search(fold(phrase))
    if nm is None or not rows:
        return None
    allowed = model.nominal_types[nm.group(3)]
    before = [r for r in rows if at is None or r["start"] < at]
    for r in reversed(before):
        if r.get("entity_type") in allowed and r.get("resolution") in NAMED:
            return r["entity_id"]
    return None


_SPEAKER_RANK = {"person": 0, "armed_group": 1, "organization": 2, "state": 3}


def _rows(mentions) -> list[dict]:
    if mentions is None:
        return []
    if isinstance(mentions, pd.DataFrame):
        return mentions.to_dict("records")
    return list(mentions)


# --------------------------------------------------------------------------- analyze record


def record(tables: dict[str, pd.DataFrame], doc: Doc) -> dict:
    """The ``entities`` part of the analyze JSON record, sorted by mentions then id.

    Names inside transcript speaker labels are not counted (see :func:`mention_table`).

    Examples
    --------
    >>> from conflictlens.text import make_doc
    >>> doc = make_doc("a", "Baghdad wants talks. Iraq's partners are wary.")
    >>> record({"mentions": pd.DataFrame(extract(doc, build(), {})["mentions"])}, doc)
    {'entities': [{'entity_id': 'iraq', 'entity_type': 'state', 'mentions': 2, 'named_mentions': 1, 'surface_forms': ['Baghdad', 'Iraq']}]}
    """
    df = tables.get("mentions")
    if df is not None and "role" in df:
        df = df[df.role != "label"]
    if df is None or df.empty:
        return {"entities": []}
    out = []
    for eid, g in df.groupby("entity_id", sort=True):
        forms = Counter(g.surface)
        out.append({
            "entity_id": eid,
            "entity_type": g.entity_type.iloc[0],
            "mentions": int(len(g)),
            "named_mentions": int(g.resolution.isin(NAMED).sum()),
            "surface_forms": sorted(forms, key=lambda s: (-forms[s], s)),
        })  # fmt: skip
    out.sort(key=lambda r: (-r["mentions"], r["entity_id"]))
    return {"entities": out}


# --------------------------------------------------------------------------- counts and views
#
# Pure functions over the tables of DESIGN.md: they take ``tables`` (a dict of DataFrames
# as returned by :func:`conflictlens.load_tables`) and return DataFrames; none writes files.


def mention_table(
    tables: dict[str, pd.DataFrame],
    *,
    start=None,
    end=None,
    outlets=None,
    entity_types=None,
    named_only: bool = False,
    labels: bool = False,
) -> pd.DataFrame:
    """Mentions joined with their article's date, outlet and title, filtered.

    Parameters
    ----------
    tables : dict of DataFrame
        Needs ``mentions`` and ``articles``.
    start, end : date-like, optional
        Keep articles published on or after ``start`` and on or before ``end``.
    outlets : list of str, optional
        Keep these outlets only.
    entity_types : list of str, optional
        Keep these entity types only (``state``, ``armed_group``, ...).
    named_only : bool
        Keep names and aliases only (no metonyms, no "the group").
    labels : bool
        Keep names inside transcript speaker labels (``MR. KIRBY:``, role ``label``).
        Off by default: a label marks a turn (see the ``turns`` table), not coverage.

    Returns
    -------
    DataFrame: the ``mentions`` columns plus ``published`` (Timestamp), ``outlet``, ``title``.

    Examples
    --------
    >>> tables = example_tables()
    >>> mention_table(tables, entity_types=["armed_group"]).entity_id.unique().tolist()
    ['kataeb_hezbollah']
    """
    m = tables.get("mentions", pd.DataFrame(columns=MENTION_COLUMNS))
    arts = tables["articles"][["article_id", "published", "outlet", "title"]].copy()
    arts["published"] = pd.to_datetime(arts["published"], errors="coerce")
    df = m.merge(arts, on="article_id", how="left")
    keep = pd.Series(True, index=df.index)
    if start is not None:
        keep &= df.published >= pd.Timestamp(start)
    if end is not None:
        keep &= df.published <= pd.Timestamp(end)
    if outlets:
        keep &= df.outlet.isin(list(outlets))
    if entity_types:
        keep &= df.entity_type.isin(list(entity_types))
    if named_only:
        keep &= df.resolution.isin(NAMED)
    if not labels and "role" in df:
        keep &= df.role != "label"
    return df[keep].reset_index(drop=True)


def counts(
    tables: dict[str, pd.DataFrame],
    *,
    by: str | list[str] | None = None,
    start=None,
    end=None,
    outlets=None,
    entity_types=None,
) -> pd.DataFrame:
    """Mentions, named mentions and articles per entity, optionally per article/outlet/week.

    Parameters
    ----------
    tables : dict of DataFrame
        Needs ``mentions`` and ``articles``.
    by : str or list of str, optional
        ``"article"`` (article_id), ``"outlet"``, ``"week"`` (Monday of the ISO week of
        publication) or any column of :func:`mention_table`.
    start, end, outlets, entity_types
        Filters, as in :func:`mention_table`.

    Returns
    -------
    DataFrame with the ``by`` columns, ``entity_id``, ``entity_type``, ``mentions``,
    ``named_mentions``, ``articles``; sorted by the ``by`` columns, then mentions
    (descending), then id.

    Examples
    --------
    >>> counts(example_tables())[["entity_id", "mentions", "named_mentions", "articles"]]
              entity_id  mentions  named_mentions  articles
    0  kataeb_hezbollah         3               2         2
    1     united_states         3               1         2
    2              iraq         2               2         2
    3           baghdad         1               1         1
    """
    df = mention_table(tables, start=start, end=end, outlets=outlets, entity_types=entity_types)
    keys = _group_keys(df, by)
    cols = [*keys, "entity_id", "entity_type", "mentions", "named_mentions", "articles"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df.assign(named=df.resolution.isin(NAMED))
    out = (
        df.groupby([*keys, "entity_id", "entity_type"], dropna=False, sort=False)
        .agg(
            mentions=("entity_id", "size"),
            named_mentions=("named", "sum"),
            articles=("article_id", "nunique"),
        )  # fmt: skip
        .reset_index()
    )
    out["named_mentions"] = out["named_mentions"].astype(int)
    out = out.sort_values(
        [*keys, "mentions", "entity_id"], ascending=[*[True] * len(keys), False, True]
    )
    return out[cols].reset_index(drop=True)


def _group_keys(df: pd.DataFrame, by) -> list[str]:
    if by is None:
        return []
    keys = [by] if isinstance(by, str) else list(by)
    out = []
    for k in keys:
        if k == "article":
            out.append("article_id")
        elif k == "week":
            df["week"] = df.published.dt.to_period("W-SUN").dt.start_time
            out.append("week")
        else:
            out.append(k)
    return out


def over_time(
    tables: dict[str, pd.DataFrame],
    *,
    freq: str = "W",
    actors: list[str] | None = None,
    top_n: int = 8,
    named_only: bool = False,
    **filters,
) -> pd.DataFrame:
    """Mentions per period (rows) and actor (columns), zeros where an actor is absent.

    ``actors`` picks the columns; by default the ``top_n`` most-mentioned actors.
    ``freq`` is a pandas period alias (``"W"`` weeks starting Monday, ``"M"`` months).
    Articles without a date are left out.

    Examples
    --------
    >>> over_time(example_tables(), actors=["iraq"]).to_dict("list")
    {'iraq': [1, 1]}
    """
    df = mention_table(tables, named_only=named_only, **filters).dropna(subset=["published"])
    if df.empty:
        return pd.DataFrame()
    if actors is None:
        actors = (
            df.entity_id.value_counts()
            .sort_index()
            .sort_values(ascending=False, kind="stable")
            .index[:top_n]
            .tolist()
        )
    df = df[df.entity_id.isin(actors)]
    period = df.published.dt.to_period("W-SUN" if freq == "W" else freq).dt.start_time
    table = pd.crosstab(period.rename("period"), df.entity_id)
    if not table.empty:
        full = pd.period_range(
            table.index.min(), table.index.max(), freq="W-SUN" if freq == "W" else freq
        )
        table = table.reindex(full.start_time, fill_value=0)
        table.index.name = "period"
    return table.reindex(columns=[a for a in actors if a in table.columns])


def outlet_matrix(
    tables: dict[str, pd.DataFrame],
    *,
    top_n: int = 15,
    share: bool = True,
    **filters,
) -> pd.DataFrame:
    """Outlets (rows) by the ``top_n`` most-mentioned actors (columns).

    With ``share`` each cell is the actor's share of that outlet's mentions (rows of the
    full table sum to 1 over all actors, so outlets of different size compare).

    Examples
    --------
    >>> int(outlet_matrix(example_tables(), share=False).loc["Wire A", "kataeb_hezbollah"])
    3
    """
    df = mention_table(tables, **filters)
    if df.empty:
        return pd.DataFrame()
    top = (
        df.entity_id.value_counts()
        .sort_index()
        .sort_values(ascending=False, kind="stable")
        .index[:top_n]
    )
    table = pd.crosstab(df.outlet.fillna("(unknown)"), df.entity_id)
    if share:
        table = table.div(table.sum(axis=1), axis=0).round(4)
    return table[list(top)]


def salience(tables: dict[str, pd.DataFrame], **filters) -> pd.DataFrame:
    """How prominently each actor appears: in titles, in first sentences, across articles.

    Returns one row per entity: ``articles``, ``in_title`` and ``in_lead`` (articles
    naming it in the title / the first sentence), their shares, and ``mentions``.

    Examples
    --------
    >>> salience(example_tables()).loc[0, ["entity_id", "in_lead", "in_title"]].astype(str).tolist()
    ['kataeb_hezbollah', '2', '1']
    """
    sal = tables.get("salience")
    if sal is None or sal.empty:
        return pd.DataFrame(columns=["entity_id", "entity_type", "articles", "in_title", "in_lead",
                                     "title_share", "lead_share", "mentions"])  # fmt: skip
    keep_ids = set(mention_table(tables, **filters).article_id) if filters else None
    if keep_ids is not None:
        sal = sal[sal.article_id.isin(keep_ids)]
    out = (
        sal.groupby(["entity_id", "entity_type"])
        .agg(
            articles=("article_id", "nunique"),
            in_title=("in_title", "sum"),
            in_lead=("in_lead", "sum"),
            mentions=("mentions", "sum"),
        )  # fmt: skip
        .reset_index()
    )
    out["title_share"] = (out.in_title / out.articles).round(4)
    out["lead_share"] = (out.in_lead / out.articles).round(4)
    out = out.sort_values(["in_lead", "mentions", "entity_id"], ascending=[False, False, True])
    cols = ["entity_id", "entity_type", "articles", "in_title", "in_lead", "title_share",
            "lead_share", "mentions"]  # fmt: skip
    return out[cols].reset_index(drop=True)


def cooccurrence(
    tables: dict[str, pd.DataFrame],
    *,
    min_sentences: int = 1,
    entity_types=None,
    named_only: bool = False,
    **filters,
) -> pd.DataFrame:
    """Pairs of actors mentioned in the same sentence: how often, in how many articles.

    Returns ``source, target, sentences, articles`` (``source`` < ``target``), sorted by
    ``sentences`` descending.

    Examples
    --------
    >>> cooccurrence(example_tables()).head(2).values.tolist()
    [['iraq', 'united_states', 2, 2], ['kataeb_hezbollah', 'united_states', 2, 2]]
    """
    df = mention_table(tables, entity_types=entity_types, named_only=named_only, **filters)
    cols = ["source", "target", "sentences", "articles"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    pairs = df[["article_id", "sent_idx", "entity_id"]].drop_duplicates()
    joined = pairs.merge(pairs, on=["article_id", "sent_idx"])
    joined = joined[joined.entity_id_x < joined.entity_id_y]
    if joined.empty:
        return pd.DataFrame(columns=cols)
    out = (
        joined.groupby(["entity_id_x", "entity_id_y"])
        .agg(sentences=("sent_idx", "size"), articles=("article_id", "nunique"))
        .reset_index()
        .rename(columns={"entity_id_x": "source", "entity_id_y": "target"})
    )
    out = out[out.sentences >= min_sentences]
    return out.sort_values(["sentences", "source", "target"], ascending=[False, True, True])[
        cols
    ].reset_index(drop=True)


def cooccurrence_graph(
    edges: pd.DataFrame, mentions: pd.DataFrame | None = None, *, top_n: int | None = None
):
    """A networkx graph from :func:`cooccurrence` edges (weight = shared sentences).

    With ``mentions`` (e.g. :func:`counts`), nodes carry ``mentions`` and ``entity_type``;
    ``top_n`` keeps the nodes with the most mentions (or the highest weighted degree).

    Examples
    --------
    >>> g = cooccurrence_graph(cooccurrence(example_tables()))
    >>> g["kataeb_hezbollah"]["united_states"]["weight"]
    2
    """
    import networkx as nx

    g = nx.Graph()
    for r in edges.itertuples(index=False):
        g.add_edge(r.source, r.target, weight=int(r.sentences), articles=int(r.articles))
    if mentions is not None and not mentions.empty:
        per = mentions.groupby("entity_id").agg(
            mentions=("mentions", "sum"), entity_type=("entity_type", "first")
        )
        for node in g.nodes:
            if node in per.index:
                g.nodes[node]["mentions"] = int(per.loc[node, "mentions"])
                g.nodes[node]["entity_type"] = per.loc[node, "entity_type"]
    if top_n is not None and g.number_of_nodes() > top_n:

        def size(n):
            return g.nodes[n].get("mentions", g.degree(n, weight="weight"))

        keep = sorted(g.nodes, key=lambda n: (-size(n), n))[:top_n]
        g = g.subgraph(keep).copy()
    return g


def evidence(
    tables: dict[str, pd.DataFrame],
    entity_id: str | None = None,
    *,
    resolution: str | None = None,
    limit: int | None = None,
    **filters,
) -> pd.DataFrame:
    """Every mention with its sentence, article, date and outlet: where each count comes from.

    Examples
    --------
    >>> ev = evidence(example_tables(), "united_states")
    >>> ev[["article_id", "surface", "resolution"]].values.tolist()
    [['a1', 'Washington', 'metonym'], ['a2', 'US', 'alias'], ['a2', 'Pentagon', 'metonym']]
    """
    df = mention_table(tables, **filters)
    if entity_id is not None:
        df = df[df.entity_id == entity_id]
    if resolution is not None:
        df = df[df.resolution == resolution]
    sents = tables.get("sentences")
    if sents is not None and not sents.empty:
        df = df.merge(sents[["article_id", "sent_idx", "text"]].rename(columns={"text": "sentence"}),
                      on=["article_id", "sent_idx"], how="left")  # fmt: skip
    else:
        df = df.assign(sentence=None)
    df = df.sort_values(["published", "article_id", "start"], na_position="last")
    cols = ["article_id", "published", "outlet", "title", "sent_idx", "start", "end", "surface",
            "entity_id", "entity_type", "resolution", "sentence"]  # fmt: skip
    df = df[cols].reset_index(drop=True)
    return df.head(limit) if limit else df


def concordance(
    tables: dict[str, pd.DataFrame],
    entity_id: str,
    *,
    width: int = 80,
    lines: int | None = 25,
    **filters,
) -> pd.DataFrame:
    """Keyword-in-context lines for every mention of ``entity_id``, via NLTK.

    Each article's words become tokens, and each mention (whatever its surface: "KH",
    "Kataib Hezbollah", "the group") one token keyed by its entity id, so
    ``nltk.text.ConcordanceIndex`` lines them up. Needs ``mentions``, ``articles``
    (with ``text``).

    Returns ``article_id, sent_idx, start, left, match, right, line``.

    Examples
    --------
    >>> kwic = concordance(example_tables(), "kataeb_hezbollah", width=40)
    >>> kwic.match.tolist()
    ['Kataib Hezbollah', 'The group', 'KH']
    """
    from nltk.text import ConcordanceIndex

    m = mention_table(tables, **filters)
    ids = m.loc[m.entity_id == entity_id, "article_id"].unique()
    arts = tables["articles"].set_index("article_id")
    tokens: list[str] = []
    where: list[tuple[str, int, int]] = []
    for aid in ids:
        text = arts.at[aid, "text"]
        spans = m[m.article_id == aid].sort_values("start")
        marks = {(r.start, r.end): r.entity_id for r in spans.itertuples()}
        sent_of = dict(zip(spans.start, spans.sent_idx, strict=False))
        pos = 0
        for (a, b), eid in sorted(marks.items()):
            if a < pos:
                continue
            _add_words(tokens, where, aid, text, pos, a)
            tokens.append(_Tok(text[a:b], eid))
            where.append((aid, int(sent_of.get(a, 0)), a))
            pos = b
        _add_words(tokens, where, aid, text, pos, len(text))
    index = ConcordanceIndex(tokens, key=lambda t: getattr(t, "entity", None) or t.lower())
    rows = []
    for line in index.find_concordance(entity_id, width=width):
        aid, sent_idx, start = where[line.offset]
        rows.append({"article_id": aid, "sent_idx": sent_idx, "start": start,
                     "left": line.left_print, "match": line.query, "right": line.right_print,
                     "line": line.line})  # fmt: skip
    out = pd.DataFrame(
        rows, columns=["article_id", "sent_idx", "start", "left", "match", "right", "line"]
    )
    return out.head(lines) if lines else out


class _Tok(str):
    """A token that remembers the entity it stands for (for the concordance key)."""

    entity: str | None = None

    def __new__(cls, surface: str, entity: str | None = None):
        tok = super().__new__(cls, " ".join(surface.split()))
        tok.entity = entity
        return tok


def _add_words(tokens, where, aid, text, a, b) -> None:
    for s, _e, w in word_spans(text[a:b]):
        tokens.append(w)
        where.append((aid, -1, a + s))


def candidates(
    tables: dict[str, pd.DataFrame],
    *,
    min_mentions: int = 2,
    top_n: int | None = 50,
) -> pd.DataFrame:
    """Capitalised names the gazetteer does not know, ranked for adding to ``actors.csv``.

    Ranked by the number of outlets, then articles, then mentions. ``suggested_type``
    is read from the words (a head such as "Brigades" or "Ministry", a title before the
    name, a preposition of place) and is only a hint; ``suggested_id`` and ``alias`` are
    ready to paste as an ``actors.csv`` row (``entity_id,entity_type,affiliation,alias,kind``).

    Examples
    --------
    >>> candidates(example_tables(), min_mentions=1)[["candidate", "n_mentions", "suggested_type"]].values.tolist()
    [['Saraya Thar', 2, 'armed_group']]
    """
    un = tables.get("unknown_names")
    cols = ["candidate", "n_mentions", "n_articles", "n_outlets", "suggested_type", "suggested_id",
            "example", "article_id", "sent_idx"]  # fmt: skip
    if un is None or un.empty:
        return pd.DataFrame(columns=cols)
    arts = tables["articles"][["article_id", "outlet"]]
    df = un.merge(arts, on="article_id", how="left")
    df["key"] = df.surface.map(lexicons.alias_key)
    df = df[df.key.str.len() > 1]
    sents = tables.get("sentences")
    rows = []
    for _, g in df.groupby("key", sort=True):
        if len(g) < min_mentions:
            continue
        forms = g.surface.value_counts()
        name = sorted(forms.index, key=lambda f: (-forms[f], f))[0]
        hints = [h for h in g.type_hint if h]
        hint = Counter(hints).most_common(1)[0][0] if hints else _shape_hint(name)
        first = g.sort_values(["article_id", "start"]).iloc[0]
        rows.append({"candidate": name, "n_mentions": len(g), "n_articles": g.article_id.nunique(),
                     "n_outlets": g.outlet.nunique(), "suggested_type": hint,
                     "suggested_id": re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_"),
                     "article_id": first.article_id, "sent_idx": int(first.sent_idx),
                     "example": None})  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    if sents is not None and not sents.empty:
        text = sents.set_index(["article_id", "sent_idx"]).text
        out["example"] = [
            text.get((a, s)) for a, s in zip(out.article_id, out.sent_idx, strict=True)
        ]
    out = out.sort_values(["n_outlets", "n_articles", "n_mentions", "candidate"],
                          ascending=[False, False, False, True])  # fmt: skip
    out = out.reset_index(drop=True)
    return out.head(top_n) if top_n else out


def _shape_hint(name: str) -> str:
    words = name.split()
    if len(words) == 1 and name.isupper() and len(name) <= 6:
        return "organization"  # an acronym
    if 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words):
        return "person"
    return ""


def example_tables() -> dict[str, pd.DataFrame]:
    """Three tiny articles run through the extractor: for examples and quick tries.

    Examples
    --------
    >>> sorted(example_tables())
    ['articles', 'mentions', 'salience', 'sentences', 'unknown_names']
    """
    from conflictlens.text import make_doc

    texts = [
        ("a1", "2024-01-29", "Wire A", "Washington blames Kataib Hezbollah",
         "Washington blamed Kataib Hezbollah for the attack in Iraq. The group denied it. "
         "A new faction, Saraya Thar, claimed it."),
        ("a2", "2024-02-08", "Wire A", "Strike in Baghdad",
         "KH said a US drone killed a commander in Baghdad. The Pentagon confirmed the strike "
         "in Iraq. Saraya Thar vowed revenge."),
        ("a3", "2024-02-09", "Wire B", "Talks", "Nothing happened today."),
    ]  # fmt: skip
    model = _example_model()
    articles, rows = [], {}
    for aid, day, outlet, title, text in texts:
        articles.append({"article_id": aid, "published": pd.Timestamp(day), "outlet": outlet,
                         "title": title, "text": text})  # fmt: skip
        doc = make_doc(aid, text, title=title, outlet=outlet)
        rows.setdefault("sentences", []).extend(
            {"article_id": aid, "sent_idx": s.idx, "start": s.start, "end": s.end, "text": s.text}
            for s in doc.sentences
        )
        for name, found in extract(doc, model, {}).items():
            rows.setdefault(name, []).extend(found)
    out = {"articles": pd.DataFrame(articles)}
    for name, found in rows.items():
        out[name] = pd.DataFrame(found)
    return out


_EXAMPLE_MODEL: list[EntityModel] = []


def _example_model() -> EntityModel:
    if not _EXAMPLE_MODEL:
        _EXAMPLE_MODEL.append(build())
    return _EXAMPLE_MODEL[0]
