"""Attack events, reported tallies, and the clustering of events across articles.

Reading one article
-------------------
1. **Triggers.** Words that name an attack (``data/lexicons/event_triggers.csv``):
   nouns ("drone strike", "barrage"), weapons that need an attack verb near them
   ("rockets slammed into", "US jets bombed") and a few attack verbs ("attacked").
2. **Mentions.** The triggers of a sentence are grouped into mentions; a boundary cue
   ("in retaliation for", "after", ", which") between two triggers starts a new
   happening, so "strikes a week ago in retaliation for an attack in late January"
   gives two mentions. Each mention's *clause* (the stretch of the sentence between
   boundaries) supplies its arguments: the date (from the ``timexes`` rows), the
   perpetrator, the target, the place (from the ``mentions`` rows), the dead and
   wounded ("killed three Americans", "two US service members and a British soldier
   were killed").
3. **Not attacks.** A mention is dropped as ``not_attack`` when a hypothetical,
   threat, plan, warning or denial governs the trigger ("any attack", "could strike",
   "vowed to attack", "denied attacking"), and kept apart as ``aggregate`` when it
   names many attacks ("dozens of rockets since mid-October", "repeatedly bombed",
   "attacks on coalition troops" with no date of its own). Aggregates are not events.
4. **One event per happening.** Mentions of the same happening are merged: a definite
   mention ("the attack in Jordan", "that attack", "the strikes") joins the best
   compatible event told before it; an indefinite one joins when it shares evidence
   (the same day, place or death toll, or it elaborates the mention just before).
   Compatible means: event types that can name the same thing (``attack`` names
   anything; a drone strike can be an air strike or a missile strike), overlapping
   dates, the same (or an enclosing) place, no swapped perpetrator and target.
5. **Who is speaking.** In a transcript, a journalist's or moderator's words and any
   question ("Was it a drone?") tell no happening: their mentions (status ``question``)
   may refer to one told before, or presuppose a definite, dated one ("Was the strike
   successful last night?"), but start none. "We", "us" and "our" are the state of the
   voice they are spoken in (an official's turn, a quote whose speaker is known, the
   author a statement's title names), so "we struck seven facilities" has a perpetrator
   and "attacks on our forces" a target. A bare "the attack" long after the last word on
   a happening, with no fact in common, refers back (``reference``) and starts nothing.
6. **Attribution.** ``stated`` (the narrator says who did it: "a US drone strike",
   "strikes by Washington"), ``claimed`` (the perpetrator says so: "claimed the
   attack", "said it struck"), ``alleged`` (someone else says so: "blamed", "bore the
   imprint of", "was the likely culprit") and ``inferred`` (not said of this event;
   taken from the article's other strikes on the same target).

Reported tallies ("more than 165 attacks since mid-October on US troops in Iraq and
Syria", "the 66th attack", "attacked ... some 160 times", "about a dozen over the last
several days" after a word on attacks, "30 service members have been killed in
attacks") become ``tallies`` rows: count, qualifier, unit, since, as_of (publication
date unless stated), target, region. Numbers that count anything but attacks (troops,
targets, ships, countries, dollars, ages; Article 51, Section 2339B, Count 3) and
counts of attacks planned, threatened or foiled are not tallies.

Across articles
---------------
:func:`finish` clusters the article-level events of a corpus into unique happenings
(``cluster_id``); :func:`unique_events` gives one row per happening with its mention
count and outlets, and :func:`acled_export` lays them out as ACLED columns.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from conflictlens import lexicons
from conflictlens.text import Doc, fold

EVENT_TYPES = ("drone_strike", "rocket_attack", "missile_attack", "air_strike", "ied_attack",
               "attack")  # fmt: skip
"""Event types of DESIGN.md; ``attack`` is an attack of unstated kind."""

ATTRIBUTIONS = ("stated", "claimed", "alleged", "inferred")
"""How the perpetrator is known, strongest first."""

STATUSES = ("event", "aggregate", "not_attack", "reference", "question")

_TRIGGER_TYPES = (*EVENT_TYPES, "strike", "none")
_TRIGGER_KINDS = ("noun", "weapon", "verb")
_CUE_ROLES = (
    "boundary", "not_det", "not_before", "not_after", "aggregate", "aggregate_clause",
    "definite", "attack_verb", "claim", "no_claim", "allege", "culprit", "report",
    "target_prep", "killed", "wounded", "actor_noun", "target_noun", "place_noun",
    "capital_noun", "proxy", "group_noun", "not_target", "denial", "definite_verb",
    "aggregate_plural", "aggregate_plural_clause", "hedge", "abstract", "agent_verb", "labour",
)  # fmt: skip
_TALLY_ROLES = ("qualifier", "unit", "modifier")
_QUALIFIERS = ("more_than", "at_least", "nearly", "about", "at_most", "exact", "ordinal")
_NUMBER_KINDS = ("cardinal", "ordinal", "approx", "multiplier")

# Types that can name the same happening (besides "attack", which names anything).
REACH = 25
"""A mention that refers back ("the attack") with no shared fact joins a happening last
told at most this many sentences before it."""

_COMPATIBLE = {
    frozenset({"drone_strike", "air_strike"}),
    frozenset({"drone_strike", "missile_attack"}),
    frozenset({"air_strike", "missile_attack"}),
    frozenset({"rocket_attack", "missile_attack"}),
}
_GENERIC = frozenset({"attack", "strike"})
_PLACE_TYPES = ("place", "city", "capital")
_PLACE_RANK = {"place": 0, "city": 1, "capital": 2, "region": 3}
_ACTOR_TYPES = ("state", "armed_group", "organization", "person")
_PRECISION_RANK = {"day": 0, "week": 1, "part_of_month": 2, "month": 3, "year": 4}
_SLACK = {"day": 1, "week": 3, "part_of_month": 0, "month": 0, "year": 0}
_ATTR_RANK = {a: i for i, a in enumerate(ATTRIBUTIONS)}

EVENT_COLUMNS = ["article_id", "sent_idx", "event_type", "date", "date_start", "date_end",
                 "date_precision", "date_text", "perpetrator_id", "target_id", "location_id",
                 "country_id", "killed", "wounded", "weapon", "attribution", "cluster_id",
                 "event_idx", "n_mentions", "sent_idxs", "start", "end", "trigger",
                 "published", "outlet"]  # fmt: skip
MENTION_COLUMNS = ["article_id", "sent_idx", "start", "end", "trigger", "status", "reason",
                   "event_idx", "event_type", "date", "date_start", "date_end",
                   "date_precision", "date_text", "perpetrator_id", "target_id", "location_id",
                   "country_id", "killed", "wounded", "weapon", "attribution", "definite",
                   "clause_start", "clause_end"]  # fmt: skip
TALLY_COLUMNS = ["article_id", "sent_idx", "count", "qualifier", "unit", "since", "as_of",
                 "target_id", "region", "start", "end", "text"]  # fmt: skip


# --------------------------------------------------------------------------- model


@dataclass
class EventModel:
    """Compiled triggers, cues, number words and the actor table (built by :func:`build`)."""

    triggers: dict[str, tuple[str, str, str]]
    trigger_re: re.Pattern
    cue_re: dict[str, re.Pattern]
    numbers: dict[str, tuple[int, str]]
    number_re: str
    qualifiers: dict[str, str]
    tally_re: re.Pattern
    death_re: re.Pattern
    units: dict[str, str]
    actors: dict[str, tuple[str, str | None]]
    capitals: dict[str, str]
    names: dict[str, str] = field(default_factory=dict)
    demonyms: frozenset = frozenset()
    speakers: re.Pattern | None = None  # names of people and states, to find a document's author
    speaker_ids: dict[str, str] = field(default_factory=dict)
    bare_re: re.Pattern | None = (
        None  # a count whose noun is left out ("about a dozen over the last week")
    )
    # every tally holds one of these strings (a unit word's first letters) and none of
    # the characters ``tally_cuts`` matches, so only stretches holding one need scanning
    tally_keys: tuple[str, ...] = ()
    tally_cuts: re.Pattern | None = None
    # every culprit cue holds one of these strings (see :func:`_anchored`)
    culprit_keys: tuple[str, ...] | None = None
    # the cue roles a sentence can hold, found in one scan (see :meth:`EventModel.cues_in`)
    cue_gate: re.Pattern | None = None
    cue_key_roles: dict[str, int] = field(default_factory=dict)  # a bit for each of _CUE_ROLES
    cue_ungated: int = 0
    cue_views: dict[int, dict] = field(default_factory=dict, repr=False, compare=False)

    def cues_in(self, f: str, a: int, b: int) -> dict:
        """``cue_re`` for a search of ``f`` inside ``[a, b)``, a role that cannot match
        there replaced by a pattern that finds nothing without looking.

        A cue of a word role starts with its first word's leading letters (its *key*) at
        a place no letter or hyphen precedes; ``cue_gate`` finds such keys, longest first,
        so a role whose key starts none of them in ``[a, b)`` has no match anywhere in it.
        """
        if self.cue_gate is None:
            return self.cue_re
        roles, key_roles = self.cue_ungated, self.cue_key_roles
        for k in self.cue_gate.findall(f, a, b):
            roles |= key_roles[k]
        view = self.cue_views.get(roles)
        if view is None:
            view = self.cue_views[roles] = {
                r: (self.cue_re[r] if roles >> i & 1 else _NO_CUE) for i, r in enumerate(_CUE_ROLES)
            }
        return view


class _NoCue:
    """A cue pattern known to find nothing in the text it is given."""

    def finditer(self, *args) -> tuple:
        return ()

    def search(self, *args) -> None:
        return None

    match = search


_NO_CUE = _NoCue()


def _cue_key(cue: str) -> str | None:
    """The letters every match of a word cue starts with (see :meth:`EventModel.cues_in`),
    or None for a cue that may start with anything else ("', which", "'s")."""
    if not (cue[0].isalnum() or cue[0] == "'"):
        return None  # punctuation cues are matched as they are, with no look-behind
    words = fold(cue).split()
    if not words:
        return None
    key = re.match(r"\w+", re.split(r"-", words[0].rstrip("*"))[0])
    return key.group() if key else None


def _cue_gate(cues) -> tuple[re.Pattern | None, dict[str, int], int]:
    """The key scan, each key's roles (with those of the keys it starts with) and the
    roles that cannot be gated, for :meth:`EventModel.cues_in`; a set of roles is an
    int with bit ``i`` for ``_CUE_ROLES[i]``."""
    by_key: dict[str, int] = {}
    ungated = 0
    for cue, role in zip(cues.cue, cues.role, strict=True):
        bit, k = 1 << _CUE_ROLES.index(role), _cue_key(cue)
        if k is None:
            ungated |= bit
        else:
            by_key[k] = by_key.get(k, 0) | bit
    if not by_key:
        return None, {}, ungated
    roles = {k: 0 for k in by_key}
    for k in by_key:
        for i in range(1, len(k) + 1):
            roles[k] |= by_key.get(k[:i], 0)
    alts = sorted(by_key, key=len, reverse=True)  # the longest key at a place is found
    gate = re.compile(r"(?<![\w-])(?:" + _trie([re.escape(k) for k in alts]) + ")")
    return gate, roles, ungated


def _phrase(p: str) -> str:
    """Regex for a lexicon phrase: spaces/hyphens flexible, ``*`` = any word ending."""
    out = []
    for w in fold(p).split():
        parts = [re.escape(x) for x in re.split(r"-", w.rstrip("*"))]
        out.append(r"[-\s]?".join(parts) + (r"\w*" if w.endswith("*") else ""))
    return r"[\"\s]*\s[\"\s]*".join(out)


def _alternation(phrases, plural: bool = False) -> str:
    alts = sorted(set(phrases), key=len, reverse=True)
    suffix = r"(?:e?s)?" if plural else ""
    return _trie([_phrase(p) + suffix for p in alts])


def _literal(a: str) -> bool:
    """Does regex ``a`` start with a letter or digit matched as itself (no quantifier)?"""
    return a[:1].isalnum() and a[1:2] not in ("?", "*", "+", "{")


def _trie(alts: list[str]) -> str:
    """``"|".join(alts)`` with alternatives that start with the same letter grouped
    behind it ("drone|drones|dhow" -> "d(?:rone|rones|how)"), recursively.

    The regex engine tries alternatives one by one at every position; grouped, it
    compares one letter per group. The match is the same: only alternatives that start
    with the same letter can match at one position, and those keep their order. An
    alternative that starts with anything else (``[-\\s]?``, a group) may match where a
    letter does, so nothing is moved across it.
    """
    out: list[str] = []
    run: dict[str, list[str]] = {}  # a stretch of alternatives that all start with a letter

    def flush() -> None:
        for ch, group in run.items():
            if len(group) == 1:
                out.append(ch + group[0])
                continue
            k = 0  # letters every alternative of the group goes on with
            while all(_literal(g[k:]) and g[k] == group[0][k] for g in group):
                k += 1
            out.append(ch + group[0][:k] + "(?:" + _trie([g[k:] for g in group]) + ")")
        run.clear()

    for a in alts:
        if _literal(a):
            run.setdefault(a[0], []).append(a[1:])
        else:
            flush()
            out.append(a)
    flush()
    return "|".join(out)


def _check_trigger(line: int, row: dict[str, str]) -> str | None:
    if not row["trigger"]:
        return "empty trigger"
    if row["event_type"] not in _TRIGGER_TYPES:
        return f"unknown event_type {row['event_type']!r}; use one of {_TRIGGER_TYPES}"
    if row["kind"] not in _TRIGGER_KINDS:
        return f"unknown kind {row['kind']!r}; use one of {_TRIGGER_KINDS}"
    return None


def _check_cue(line: int, row: dict[str, str]) -> str | None:
    if not row["cue"]:
        return "empty cue"
    if row["role"] not in _CUE_ROLES:
        return f"unknown role {row['role']!r}; use one of {_CUE_ROLES}"
    return None


def _check_number(line: int, row: dict[str, str]) -> str | None:
    if not row["word"]:
        return "empty word"
    if not re.fullmatch(r"\d+", row["value"]):
        return f"value must be a whole number, got {row['value']!r}"
    if row["kind"] not in _NUMBER_KINDS:
        return f"unknown kind {row['kind']!r}; use one of {_NUMBER_KINDS}"
    return None


def _check_tally(line: int, row: dict[str, str]) -> str | None:
    if not row["word"]:
        return "empty word"
    if row["role"] not in _TALLY_ROLES:
        return f"unknown role {row['role']!r}; use one of {_TALLY_ROLES}"
    if row["role"] == "qualifier" and row["value"] not in _QUALIFIERS:
        return f"unknown qualifier {row['value']!r}; use one of {_QUALIFIERS}"
    if row["role"] == "unit" and not row["value"]:
        return "a unit needs a value (what the tally counts, e.g. attacks)"
    return None


def build(lexicon_dir: Path | str | None = None) -> EventModel:
    """Load and compile the event lexicons and the actor table.

    Files in ``lexicon_dir``: ``event_triggers.csv``, ``event_cues.csv``,
    ``numbers.csv``, ``tally_words.csv`` and ``actors.csv``.

    Examples
    --------
    >>> m = build()
    >>> m.triggers["drone strike"][:2]
    ('drone_strike', 'drone')
    >>> bool(m.cue_re["allege"].search("bore the imprint of"))
    True
    """
    d = Path(lexicon_dir) if lexicon_dir else lexicons.default_dir()
    trig = lexicons.load_table(d / "event_triggers.csv", ["trigger", "event_type", "weapon", "kind"],
                               validate=_check_trigger)  # fmt: skip
    triggers = {" ".join(fold(t).replace("-", " ").split()): (e, w, k)
                for t, e, w, k in zip(trig.trigger, trig.event_type, trig.weapon, trig.kind,
                                      strict=True)}  # fmt: skip
    plural = [t for t, k in zip(trig.trigger, trig.kind, strict=True) if k != "verb"]
    verbs = [t for t, k in zip(trig.trigger, trig.kind, strict=True) if k == "verb"]
    trigger_re = re.compile(
        r"(?<![\w-])(?:"
        + _alternation(plural, plural=True)
        + "|"
        + _alternation(verbs)
        + r")(?![\w])"
    )
    cues = lexicons.load_table(d / "event_cues.csv", ["cue", "role"], validate=_check_cue)
    cue_re = {}
    for role in _CUE_ROLES:
        words = list(cues.loc[cues.role == role, "cue"])
        if not words:
            cue_re[role] = re.compile(r"(?!x)x")
            continue
        body = _alternation(w for w in words if w[0].isalnum() or w[0] == "'")
        punct = [re.escape(w.strip('"')) for w in words if not (w[0].isalnum() or w[0] == "'")]
        pat = (r"(?<![\w-])(?:" + body + r")(?![\w])") if body else ""
        if punct:
            pat = "|".join(filter(None, [pat, *punct]))
        cue_re[role] = re.compile(pat)
    nums = lexicons.load_table(d / "numbers.csv", ["word", "value", "kind"], validate=_check_number)
    numbers = {fold(w): (int(v), k) for w, v, k in zip(nums.word, nums.value, nums.kind,
                                                         strict=True)}  # fmt: skip
    number_re = r"\d{1,3}(?:,\d{3})+|\d+|" + _alternation(numbers)
    tw = lexicons.load_table(
        d / "tally_words.csv", ["word", "role", "value"], validate=_check_tally
    )
    quals = {fold(w): v for w, r, v in zip(tw.word, tw.role, tw.value, strict=True)
             if r == "qualifier"}  # fmt: skip
    units = [w for w, r in zip(tw.word, tw.role, strict=True) if r == "unit"]
    unit_value = {" ".join(fold(w).split()): v for w, r, v in zip(tw.word, tw.role, tw.value, strict=True)
                  if r == "unit"}  # fmt: skip
    mods = [w for w, r in zip(tw.word, tw.role, strict=True) if r == "modifier"]
    counting = [w for w, (v, k) in numbers.items() if k in ("cardinal", "ordinal", "multiplier")
                and w not in ("a", "an", "single", "first")]  # fmt: skip
    # "twenty-three", "forty-fifth": a tens word and a unit word
    tens = [w for w, (v, k) in numbers.items() if k == "cardinal" and 20 <= v <= 90 and v % 10 == 0]
    units1 = [w for w, (v, k) in numbers.items() if k in ("cardinal", "ordinal") and 1 <= v <= 9
              and w not in ("a", "an", "single")]  # fmt: skip
    compound = rf"(?:{_alternation(tens)})[-\s](?:{_alternation(units1)})(?![\w])"
    num_alt = (
        r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:st|nd|rd|th)?|" + compound + "|" + _alternation(counting)
    )
    starters = [
        "the",
        "their",
        "its",
        *(w.split()[0] for w in quals),
        *(w.split()[0] for w in counting),
    ]
    gate = r"(?=\d|(?:" + _alternation(set(starters)) + r")\b)"
    tally_re = re.compile(
        r"(?<![\w-])"
        + gate
        + r"(?:(?P<qual>"
        + _alternation(quals)
        + r")\s+)?(?:(?P<the>the|their|its)\s+)?"
        r"(?P<num>(?:" + num_alt + r")(?:[-\s]+(?:hundred|thousand|dozen))?)"
        r"(?P<mods>(?:[-\s]+(?:"
        + _alternation(mods)
        + r"|(?!(?:"
        + _alternation(units)
        + r")\b)[a-z][\w-]*)){0,2})"
        r"\s+(?P<unit>" + _alternation(units) + r")(?![\w-])"
    )
    qual_alt = _alternation(quals)
    # a count with its noun left out, then a period: "about a dozen over the last several days"
    bare_re = re.compile(r"(?<![\w$-])(?=\d|(?:" + _alternation(set(starters) - {"the", "their", "its"}) + r")\b)"
                         r"(?:(?P<qual>" + qual_alt + r")\s+)?(?P<num>" + num_alt + r")\s+(?:(?:over|in|during|within)\s+)?$")  # fmt: skip
    death_num = r"(?P<num>\d{1,3}(?:,\d{3})+|\d+|" + _alternation(counting) + r")"
    death_re = re.compile(
        r"\b(?=\d|(?:has|have|had|"
        + _alternation({w.split()[0] for w in [*quals, *counting]})
        + r")\b)"
        r"(?:\b(?:has|have|had)\s+(?:now\s+|so\s+far\s+)?killed\s+(?:(?P<qual>"
        + qual_alt
        + r")\s+)?"
        + death_num
        + r"\s+(?P<who>people|civilians|persons|[a-z]+s)\b"
        + r"|(?:(?P<qual2>"
        + qual_alt
        + r")\s+)?"
        + death_num.replace("<num>", "<num2>")
        + r"\s+(?:[\w.'-]+\s+){0,2}?(?P<who2>people|civilians|persons|[a-z]+s)\s+(?:[a-z]+\s+){0,2}"
        r"(?:have|has|had)\s+been\s+killed\b)"
    )
    actors_df = lexicons.load_actors(d / "actors.csv")
    first = actors_df.drop_duplicates("entity_id")
    actors = {e: (t, a) for e, t, a in zip(first.entity_id, first.entity_type, first.affiliation,
                                           strict=True)}  # fmt: skip
    capitals = {a: e for e, (t, a) in actors.items() if t == "capital" and a}
    names = dict(zip(first.entity_id, first.alias, strict=True))
    demonyms = frozenset(fold(a) for a in actors_df.loc[actors_df.kind == "demonym", "alias"])
    # who a first-person document speaks for: "Statement from President Joe Biden on ..."
    typed = actors_df.assign(
        entity_type=actors_df.entity_id.map(lambda e: actors.get(e, ("", None))[0])
    )
    named = typed[typed.kind.isin(["name", "alias"]) & typed.entity_type.isin(["person", "state"])]
    speaker_ids = {
        fold(a): e for a, e in zip(named.alias, named.entity_id, strict=True) if len(a) > 3
    }
    speakers = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in sorted(speaker_ids, key=len, reverse=True))
                          + r")\b") if speaker_ids else None  # fmt: skip
    firsts = {re.split(r"-", fold(u).split()[0])[0] for u in units if fold(u).split()}
    tally_keys = tuple(
        sorted(k for k in firsts if k and not any(o != k and o in k for o in firsts))
    )
    inside = set('"').union(*(fold(w) for w in [*quals, *mods, *units, *numbers]))
    cuts = "".join(c for c in ".;:!?()" if c not in inside)
    tally_cuts = re.compile("[" + re.escape(cuts) + "]") if cuts and tally_keys else None
    return EventModel(triggers, trigger_re, cue_re, numbers, number_re, quals, tally_re, death_re, unit_value,
                      actors, capitals, names, demonyms, speakers, speaker_ids, bare_re, tally_keys,
                      tally_cuts, _anchor_keys(cues.loc[cues.role == "culprit", "cue"]),
                      *_cue_gate(cues))  # fmt: skip


_PHRASE_CUT = re.compile(r"[^\w\s\"'-]")
"""Characters no :func:`_phrase` match holds: a match lies between two of them."""


def _anchor_keys(phrases) -> tuple[str, ...] | None:
    """Strings one of which every match of ``_alternation(phrases)`` holds (each
    phrase's longest hyphen-free piece), or None when the phrases are not all words."""
    keys = set()
    for p in phrases:
        if not (p[:1].isalnum() or p[:1] == "'"):
            return None  # punctuation cues are matched as they are
        parts = [x for w in fold(p).split() for x in w.rstrip("*").split("-") if x]
        if not parts:
            return None
        keys.add(max(parts, key=len))
    return tuple(sorted(k for k in keys if not any(o != k and o in k for o in keys)))


def _anchored(pat: re.Pattern, keys: tuple[str, ...] | None, f: str):
    """``pat.finditer(f)`` for a pattern of phrases, scanning only the stretches between
    two :data:`_PHRASE_CUT` characters that hold one of ``keys``.

    A match holds a key and no cut character, so it lies in such a stretch; scanned
    alone (its ends are cuts or the text's ends, which the look-arounds see as the
    whole scan does), a stretch gives what the whole scan gives there.
    """
    if keys is None:
        yield from pat.finditer(f)
        return
    hits = []
    for k in keys:
        i = f.find(k)
        while i >= 0:
            hits.append(i)
            i = f.find(k, i + 1)
    hits.sort()
    n, end, rev = len(f), -1, None
    for i in hits:
        if i < end:
            continue  # in the stretch just scanned
        if rev is None:
            rev = f[::-1]
        cut = _PHRASE_CUT.search(rev, n - i)
        start = n - cut.start() if cut else 0
        cut = _PHRASE_CUT.search(f, i)
        end = cut.start() if cut else n
        yield from pat.finditer(f, start, end)


def _word_starts(exact: re.Pattern, fast: re.Pattern, f: str):
    """``exact.finditer(f)`` where ``exact`` is ``fast`` behind a look-behind: ``fast``
    (which the engine searches quickly) finds every place ``exact`` may match, and only
    there is ``exact`` tried."""
    x, search, match = 0, fast.search, exact.match
    while True:
        c = search(f, x)
        if c is None:
            return
        mt = match(f, c.start())
        if mt is not None:
            yield mt
            x = mt.end()
        else:
            x = c.start() + 1


_DEFAULT: EventModel | None = None


def default_model() -> EventModel:
    """The model built from the shipped lexicons (cached)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = build()
    return _DEFAULT


# --------------------------------------------------------------------------- small helpers


@dataclass(slots=True)
class _Ent:
    start: int
    end: int
    entity_id: str
    etype: str  # the gazetteer's type (state, armed_group, person, place, city, capital...)
    resolution: str
    ok: bool | None = field(default=None, compare=False, repr=False)  # :meth:`_Reader.usable`


@dataclass(slots=True)
class _Mention:
    """One sentence-level mention of an attack (before merging within the article)."""

    sent_idx: int
    start: int
    end: int
    trigger: str
    kind: str
    event_type: str
    weapon: str | None
    clause: tuple[int, int]
    definite: bool = False
    det: str | None = None
    plural: bool = False
    status: str = "event"
    reason: str | None = None
    timex: dict | None = None
    perpetrator_id: str | None = None
    attribution: str | None = None
    target_id: str | None = None
    location_id: str | None = None
    country_id: str | None = None
    killed: int | None = None
    wounded: int | None = None
    event_idx: int | None = None
    other_than: _Mention | None = None  # "X, a day after Y": X and Y are two happenings
    victims: frozenset = frozenset()  # people named as killed or wounded
    asked: bool = False  # in a question or a journalist's turn: it tells of no happening by itself
    day_before: bool = False  # "the day prior": a day before the happening told just before it


_PERFECT = re.compile(
    r"\b(?:has|have)\s+(?:\w+ly\s+|also\s+|long\s+)?(?:been\s+)?[a-z]+(?:ed|uck|it|ot|ought|own)\b"
)
_SELF_REPORT = re.compile(
    r"\b(?:said|says|announced|confirmed)\s+(?:that\s+)?(?:it|they|its\s+[\w-]+|their\s+[\w-]+)\b"
)
_REPORT_BEFORE = re.compile(  # "said on Friday", "a statement today": the date of the telling
    r"\b(?:said|says|told|announced|reported|added|stated|confirmed|admitted|acknowledged|noted|explained|"
    r"insisted|wrote|tweeted|posted|briefed|testified|spoke|statement|remarks|comments|speech|"
    r"briefing|interview|letter|report|testimony|announcement|conference|call|vote)\s+(?:reporters\s+)?(?:on\s+)?$"
)
_KILLED_IN = re.compile(
    r"\s+(?:in|by|during|from)\s+(?:the\s+|a\s+series\s+of\s+)?(?:[\w-]+\s+){0,2}?(?=[a-z])"
)
_TIME_UNIT = re.compile(
    r"\s+(?:(?:\d+|a|one|two|three|four|five|six|seven|few|several|couple\s+of)\s+)?(?:hours?|days?|nights?|weeks?|months?|years?)\b"
)
_ON_AGAINST = re.compile(
    r"\s+(?:on|against|upon)\s+(?:the\s+|our\s+|their\s+|its\s+|american\s+|western\s+)?"
)
_DAYS_SINCE = re.compile(
    r"\b(?P<n>\d+|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?P<u>days?|weeks?)\s+since\s+"
    r"(?:the\s+|that\s+|this\s+|last\s+)?(?:[\w-]+\s+){0,2}$"
)
_DAY_BEFORE = re.compile(
    r"\bthe\s+(?:(?:day|night)\s+(?:before|prior|earlier)|previous\s+(?:day|night))\b(?!\s+(?:the|a|an|its|his|her|their|it|they)\b)"
)
_NAMED = re.compile(
    r"(?:(?:an?|the)\s+)?(?:[\w-]+\s+){0,3}?(?:(?:called|named|known\s+as|dubbed)\s+|[\w-]+\s*,\s+)(?:the\s+)?"
)
_OPEN_ASIDE = re.compile(r"(?:\u2014|\u2013|--|\(|\s-\s)(?!.*(?:\u2014|\u2013|--|\(|\s-\s))", re.S)
_CLOSE_ASIDE = re.compile(r"\u2014|\u2013|--|\)|\s-\s")
_ASIDE_WORDS = re.compile(
    r",\s*(?:in\s+fact|of\s+course|again|indeed|too|also|though|then|certainly|clearly|as\s+you\s+know)\s*,"
)
_PREDICATE = re.compile(
    r"\b(?:this|that|it)\s+(?:was|is|has\s+been|had\s+been|remains)\s+(?:(?:also|clearly|certainly|obviously|not)\s+)?"
    r"(?:an?|one|the)\s+(?:[\w-]+\s+){0,3}$"
)
_FRONTED = re.compile(r"\s*,")
_AS_OF = re.compile(
    r"\b(?:as\s+of|by|through|until|up\s+to)\s+$"
)  # the count's date, not an attack's
_LIVES = re.compile(r"\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?lives\b")
_NOT_AT = re.compile(
    r"\b(?:before|prior\s+to|ahead\s+of|until|till|up\s+to)\s+(?:the\s+)?$"
)  # not on that day
_SINCE_CLAUSE = re.compile(r"\bsince\b[^.;,]{0,60}$")
_FROM = re.compile(r"\bfrom\s+(?:the\s+)?")
_COORDINATED = re.compile(r"\s*,?\s*(?:or|and)?\s*(?:a|an|the|any)?\s*(?:[\w-]+\s+){0,2}")
_GATHERING = re.compile(
    r"\b(?:summit|meeting|talks|conference|visit|trip|session|rally|funeral|ceremony|hearing)s?\s+"
    r"(?:held\s+|due\s+)?(?:in|at)\s+(?:the\s+)?$"
)
_DISTINCT = re.compile(
    r"\s*(?:after|before|following|since|in\s+retaliation|in\s+response|in\s+revenge|a\s+response|as\s+a\s+response|"
    r"response|followed|came\s+after)\b"
)
_INTERCEPT = re.compile(
    r"\b(?:shot|shoot|shoots|shooting)\s+down|\bintercept(?:ed|s|ing)?\b|\bdowned\b"
)
_ADVERBS = re.compile(r"\s+(?:(?:just|also|only|again|simply|certainly|now|\w+ly)\s+){0,2}")
_RETURNED_FIRE = re.compile(r"\breturn\w*\s+(?:\w+\s+)?$")
_WORD = re.compile(r"\d{1,3}(?:,\d{3})+|\d+|(?:[a-z]\.){2,}|[a-z]+(?:['-][a-z0-9]+)*|[,;:.()]")
_STOP = frozenset(
    """of in on at for by with to from against into near after before during when
    while as who which that according said says told the a an this these those is are was were
    has have had will would could and or but , ; : . ( )""".split()
)
_AUX = frozenset(
    """has have had was were is are been be being also already reportedly allegedly
    then later again repeatedly apparently jointly separately just recently itself""".split()
)
_NOT_MODIFIER = frozenset(
    {"came", "come", "comes", "coming", "under", "faced", "face", "suffered", "survived"}
)
_RELATIVE_AGENT = re.compile(
    r"\s+(?:that\s+|which\s+)?(?:the\s+)?(?P<who>[\w.'-]+)(?:\s+[\w.'-]+){0,2}?\s+(?:have\s+|has\s+|had\s+)?"
    r"(?:took|did|conducted|carried\s+out|launched|made|undertook|ordered)\b"
)
_SHIFT = re.compile(
    r"\s*[\"']?\s*(?:separately|meanwhile|elsewhere|in\s+another|in\s+a\s+separate|earlier|last\s+(?:week|month|year))\b"
)
_REPORT_WORDS = frozenset({"said", "says", "told", "reported", "added", "according", "confirmed"})
_NP_STOP = frozenset(
    """in on at near when while after before during as who which that according
    said says told ; . ( ) by from since killing killed wounding wounded injuring injured
    leaving left with were was are is have has had""".split()
)


_DASH = re.compile("[\u2014\u2013]")


def _keep_dashes(text: str, f: str) -> str:
    """``f`` (the folded ``text``) with its em and en dashes put back: "killed\u2014and many
    wounded\u2014during" is three phrases, not the hyphenated words "killed-and" and
    "wounded-during"."""
    if "\u2014" not in text and "\u2013" not in text:
        return f
    out, pos = [], 0
    for mt in _DASH.finditer(text):
        out.append(f[pos : mt.start()])
        out.append(mt.group())
        pos = mt.end()
    out.append(f[pos:])
    return "".join(out)


def _words(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
    return [(m.start() + offset, m.end() + offset, m.group()) for m in _WORD.finditer(text)]


def _words_at(text: str, a: int, b: int) -> list[tuple[int, int, str]]:
    """``_words(text[a:b], a)`` without the copy (``_WORD`` looks at nothing outside a match).

    Each token is found after the previous one with ``str.find``: a token's first
    character (a letter, digit or ``,;:.()``) starts a token wherever it stands, so the
    characters the scan skipped hold none and the first place of the token is its own.
    """
    out, pos, find = [], a, text.find
    for w in _WORD.findall(text, a, b):
        pos = find(w, pos)
        out.append((pos, pos + len(w), w))
        pos += len(w)
    return out


_AGE = re.compile(r", (?:aged? |ages )?\d{1,3}(?: and \d{1,3})* ,")


def _drop_ages(words: list) -> list:
    """``words`` without ages set off by commas: "two soldiers, aged 23 and 24, and a
    sergeant, 46, were killed" is counted as "two soldiers and a sergeant were killed"."""
    line = " ".join(w for _, _, w in words)
    if not _AGE.search(line):
        return words
    keep, pos, out = [], 0, []
    for s, e, w in words:
        keep.append((pos, pos + len(w), (s, e, w)))
        pos += len(w) + 1
    drop = [(mt.start(), mt.end()) for mt in _AGE.finditer(line)]
    for a, b, item in keep:
        if not any(x <= a and b <= y for x, y in drop):
            out.append(item)
    return out


def _source_ahead(words: list, i: int) -> bool:
    """Does a reporting verb end the phrase at ``words[i]`` (", a U.S. official said")?"""
    for _, _, w in words[i : i + 5]:
        if w in _REPORT_WORDS:
            return True
        if w in ("and", ",", ".", ";"):
            return False
    return False


def _compatible_types(a: str, b: str) -> bool:
    return a == b or a in _GENERIC or b in _GENERIC or frozenset({a, b}) in _COMPATIBLE


def _specific(types: list[str]) -> str:
    for t in types:
        if t not in _GENERIC:
            return t
    return "strike" if "strike" in types else "attack"


# --------------------------------------------------------------------------- the article reader

# Patterns of the article reader, compiled once rather than looked up in re's cache on
# every call; each is named for the method that uses it.
_RE_LEAD_DAYS_1 = re.compile(r"(\w+) days later")
_RE_SENTENCE_MENTIONS_1 = re.compile(r"\s*[\"']?\s*")
_RE_DEFINITE_1 = re.compile(r"'s\s+(?:\w+[-\s]){0,2}$")
_RE_AFTER_BY_1 = re.compile(r"\s*(?:\w+ly\s+)?by\s+(?:the\s+)?")
_RE_TARGET_1 = re.compile(r"'s\s+(?:\w+\s+){0,2}")
_RE_TARGET_2 = re.compile(
    r"\b(?:was|were|been|is|are|being)\s+(?:\w+ly\s+)?(?:bombed|attacked|struck|targeted|hit|shelled|raided)\b"
    r"|\b(?:came|come|comes|coming)\s+under\s+(?:\w+\s+)?(?:attack|fire|assault)"
)
_TARGET_2_KEYS = ("bombed", "attacked", "struck", "targeted", "hit", "shelled", "raided", "under")
"""One of these is in every match of ``_RE_TARGET_2``."""
_RE_NUMBER_AT_1 = re.compile(r"\d[\d,]*")
_RE_CASUALTIES_1 = re.compile(r"\bdeath toll\b[^.;]{0,30}?\b(?:to|of|at|reached|hit)\s+")
_RE_CASUALTIES_2 = re.compile(r"\b(?:left|leaving)\s+")
_RE_COUNT_1 = re.compile(r"(\d[\d,]*)(?:st|nd|rd|th)?$")
_RE_NOT_ATTACK_1 = re.compile(r"(?<![\w-])to\s+$")
_RE_NOT_ATTACK_2 = re.compile(r"strike|attack|bomb|hit|target|shell|retaliate")
_RE_NOT_ATTACK_3 = re.compile(r"\bunder\s+$")
_RE_MENTION_1 = re.compile(r"\bone\s+of\s+the\s+(?:[\w-]+\s+){0,3}$")
_RE_DATE_1 = re.compile(r",?\s*when\b")
_RE_ACTORS_1 = re.compile(r"\bsaid\s+(?:it|its\s+\w+|they)\b")
_RE_OWNED_OTHER_1 = re.compile(r"'s\s+([\w-]+)")
_RE_VICTIMS_1 = re.compile(r"\b(?:were|was|been|are)\s+(?:\w+\s+)?$")
_RE_PLACE_1 = re.compile(
    r"\b(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:-\w+)?\s+of\s+(?:the\s+)?$"
)
_RE_PLACE_2 = re.compile(
    r"\b(?:in|at|near|on|outside|inside|into|across|over|around|throughout|of|"
    r"targeting|struck|hit|hitting|striking|north|south|east|west|northern|southern|"
    r"eastern|western|central)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$"
)
_RE_TALLIES_1 = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:the\s+)?$"
)
_RE_TALLIES_2 = re.compile(r"\b(?:article|resolution|section|no\.|number|route|tower)\s*$")
_RE_NOT_ATTACK_4 = re.compile(r"\s+than\b")
_RE_NOT_ATTACK_5 = re.compile(
    r"\b(?:response|retaliation|reaction|reply|prior|due|related|linked|up)\s+to\s+$"
)
_RE_SENTENCE_MENTIONS_2 = re.compile(
    r",\s+(?:and|while|but)\s+(?:a|an|another)\s+(?:[\w-]+\s+){0,3}$"
)
_RE_MENTION_2 = re.compile(r"\s+(?:\w+\s+){0,2}?(\w+ed|hit|struck)\b")
_RE_USABLE_1 = re.compile(r"[a-z]")
_RE_ACTORS_2 = re.compile(r"(?:,\s*)?(?:which|who|whom)\s+(?:\S+\s+){0,4}$")
_RE_ACTORS_3 = re.compile(r"\bfrom\s+(?:the\s+)?$")
_RE_VICTIMS_2 = re.compile(r"[;.]|\b(?:in|near|at|when|after|by)\b")
_RE_VICTIMS_3 = re.compile(r"(?:\s+[a-z-]+){1,3}\s+(?:were|was|have been|had been)\s+(?:also\s+)?")
_RE_PLACE_3 = re.compile(r"\bfrom\s+(?:\S+\s+){0,4}$")
_RE_PLACE_4 = re.compile(r"[\s\w'-]*")
_RE_CASUALTIES_3 = re.compile(r"\bamong\s+the\s+$")
_RE_CASUALTIES_4 = re.compile(r"\b(?:no one|nobody|none)\s+(?:was|were)\s+(?:\w+\s+)?$")
_RE_CASUALTIES_5 = re.compile(r"\b(?:with\s+(?:\w+\s+){0,2}injuries|wounded|injured|hurt)\b")
_RE_ABSORB_1 = re.compile(r"\b(?:sites|targets|locations)\b")
_RE_TALLIES_3 = re.compile(r"\b(?:of|the|and|or|in|on|at)\b")
_RE_BARE_TALLIES_1 = re.compile(r"\d(?:st|nd|rd|th)$")
_RE_REGION_1 = re.compile(r"\b(?:in|across|inside|throughout)\s+(?:the\s+)?$")
_RE_REGION_2 = re.compile(r"\s*(?:,|and|, and)\s*")
_RE_INT_LIST_1 = re.compile(r"\d+")
_RE_MENTION_3 = re.compile(r"\b(?:have|has)\s+(?:\w+\s+)?(?:been\s+)?\w+(?:ed|ck|uck|it)\b")
_RE_STATUS_1 = re.compile(r"\s+of\s+(?:[\w-]+\s+){0,2}")
_RE_AFTER_BY_2 = re.compile(r"'s\s+")
_RE_PLACE_5 = re.compile(r"\bfar from")
_RE_PLACE_6 = re.compile(r"side\b")
_RE_PLACE_7 = re.compile(
    r"\b(?:in|across|inside|into|throughout|near|over)\s+(?:the\s+)?(?:[\w]+-[\w-]+\s+)?$"
)
_RE_CASUALTIES_6 = re.compile(r"\bno\s+(?:\w+\s+)?$")
_RE_CASUALTIES_7 = re.compile(r"\bdead\b")
_RE_TALLIES_4 = re.compile(r"\bthe\s+$")
_RE_USABLE_2 = re.compile(r"(?:[\w-]+\s+){0,2}")
_RE_AFTER_BY_3 = re.compile(r"[\w-]+\s+")
_RE_ACTORS_4 = re.compile(r"\bfor\b")
_RE_TARGET_3 = re.compile(r"[,;.]|\b(?:by|from|in|near|of)\b")
_RE_PLACE_8 = re.compile(r"\s*(?:,|and|or|, and)\s*")
_RE_TALLIES_5 = re.compile(r"\bsince\b[^.;]{0,40}$")
_RE_SENTENCE_MENTIONS_3 = re.compile(r",\s+(?:and|but|while|as|with)\s|;")
_RE_SENTENCE_MENTIONS_4 = re.compile(r",")
_RE_DATE_2 = re.compile(r"\d{4}")
_RE_AFTER_BY_4 = re.compile(r"\b(?:a|an|missiles?|drones?|rockets?)\b")
_RE_TARGET_4 = re.compile(r"\b(?:hosting|housing|of)\b")
_RE_ACTORS_5 = re.compile(r"\s+and\s+")
_RE_CASUALTIES_8 = re.compile(r"\s*(?:in|by|when)\b")
_RE_TALLIES_6 = re.compile(r"[-\s]")


_WE = re.compile(r"(?<![\w'\u2019.-])(?:we|us|our)(?![\w'\u2019.-])")
_WE_FAST = re.compile(r"(?:we|us|our)(?![\w'\u2019.-])")  # where _WE may match
_FIRST_PERSON_TITLE = re.compile(
    r"(?:joint\s+)?(?:statement|remarks|readout|(?:background\s+|on-the-record\s+)?press\s+(?:briefing|call|gaggle|conference)|"
    r"address|letter|message|proclamation|fact\s+sheet|op-ed|speech|testimony)\b"
)


class _Reader:
    """Reads one article: mentions, merging, tallies. Internal; see :func:`extract`."""

    def __init__(self, doc: Doc, model: EventModel, found: dict[str, list[dict]]):
        self.doc, self.m = doc, model
        self.text = doc.text
        self.folded = _keep_dashes(doc.text, doc.folded)
        self.sents = doc.sentences
        self.ents = self._entities(found.get("mentions", []))
        self.ent_starts = [e.start for e in self.ents]
        self.timexes = sorted(
            (
                t
                for t in found.get("timexes", [])
                if t.get("article_id", doc.article_id) == doc.article_id
            ),
            key=lambda t: t["start"],
        )
        self.tx_starts = [t["start"] for t in self.timexes]
        turns = found.get("turns")
        if turns is None:
            turns = [{"start": t.start, "end": t.end, "speaker_role": t.speaker_role,
                      "affiliation": t.affiliation} for t in getattr(doc, "turns", None) or []]  # fmt: skip
        self.asked = self._asked_sentences(turns)
        self._first_person(turns, found.get("quotes", []))
        self._sent_words: dict[int, tuple[int, int, list, list[int], list[int]]] = {}
        self._last_words: tuple[int, int, list, list[int], list[int]] | None = None
        self._sent_cues: dict[int, dict] = {}
        self._usable_in: dict[tuple[int, int], list[_Ent]] = {}
        self._bounds: dict[tuple[int, int], list[re.Match]] = {}
        self._left: dict[tuple[int, int, int], list[tuple[int, int, str]]] = {}
        self._ents_in: dict[tuple[int, int], list[_Ent]] = {}
        self.tally_rows = self._tallies()
        self.tally_spans = [(r["start"], r["end"]) for r in self.tally_rows]

    def words(self, a: int, b: int) -> list[tuple[int, int, str]]:
        """``_words(self.folded[a:b], a)``, read off the tokens of the sentence holding the span.

        Each sentence is tokenised once. The scan of a slice differs from the sentence's
        tokens only where the slice cuts a token, so those edges are scanned again: at
        the start until a token ends where no sentence token straddles (from there both
        scans agree), at the end the token the slice cuts off.
        """
        if a >= b or not self.sents:
            return []
        cached = self._last_words  # callers read one sentence after another
        if cached is None or a < cached[0] or b > cached[1]:
            si = self.doc.sentence_at(a)
            sent = self.sents[si]
            if a < sent.start or b > sent.end:
                return _words(self.folded[a:b], a)
            cached = self._sent_words.get(si)
            if cached is None:
                toks = _words_at(self.folded, sent.start, sent.end)
                cached = self._sent_words[si] = (sent.start, sent.end, toks,
                                                 [t[0] for t in toks], [t[1] for t in toks])  # fmt: skip
            self._last_words = cached
        _, _, toks, starts, ends = cached
        f, out, pos = self.folded, [], a
        j = bisect_right(starts, a) - 1
        if j >= 0 and a < ends[j] and starts[j] < a:  # the slice starts inside a token
            for mt in _WORD.finditer(f, a, b):
                out.append((mt.start(), mt.end(), mt.group()))
                pos = mt.end()
                k = bisect_right(starts, pos) - 1
                if not (k >= 0 and starts[k] < pos < ends[k]):
                    break
            else:
                return out
        i, k = bisect_left(starts, pos), bisect_right(ends, b)
        out.extend(toks[i:k])
        if k < len(toks) and starts[k] < b:  # the slice ends inside a token
            out.extend(_words_at(f, starts[k], b))
        return out

    def cues(self, si: int) -> dict:
        """``cue_re`` for searches inside sentence ``si`` (see :meth:`EventModel.cues_in`)."""
        view = self._sent_cues.get(si)
        if view is None:
            s = self.sents[si]
            view = self._sent_cues[si] = self.m.cues_in(self.folded, s.start, s.end)
        return view

    def cues_for(self, a: int, b: int) -> dict:
        """``cue_re`` for searches inside ``[a, b)``."""
        if a < b and self.sents:
            si = self.doc.sentence_at(a)
            if self.sents[si].start <= a and b <= self.sents[si].end:
                return self.cues(si)
        return self.m.cue_re

    # ---- who is speaking

    def _asked_sentences(self, turns: list[dict]) -> set[int]:
        """Sentences that assert nothing on their own: questions, and whatever a journalist
        or a moderator says in a transcript ("Was it a drone?", "There are reports that...")."""
        out = {s.idx for s in self.sents if s.text.rstrip(" \"'\u201d\u2019)\u2014-").endswith("?")}
        for t in turns:
            if t.get("speaker_role") in ("journalist", "moderator"):
                i = self.doc.sentence_at(int(t["start"]))
                while i < len(self.sents) and self.sents[i].start < int(t["end"]):
                    if self.sents[i].end > int(t["start"]):
                        out.add(i)
                    i += 1
        return out

    def _first_person(self, turns: list[dict], quotes: list[dict]) -> None:
        """Read "we", "us" and "our" as the state of the voice they are spoken in.

        The voice is an official's transcript turn (its affiliation), a quotation whose
        speaker is known, or, outside both, the author a first-person document's title
        names ("Statement from President Joe Biden on ..."). "We struck seven facilities"
        then gives a perpetrator and "attacks on our forces" a target.
        """
        voices = []
        for t in turns:
            if t.get("speaker_role") == "official":
                voices.append(
                    (int(t["start"]), int(t["end"]), self.country_of(t.get("affiliation")))
                )
        for q in quotes:
            if q.get("kind") in ("direct", "partial") and q.get("speaker_id"):
                voices.append((int(q["start"]), int(q["end"]), self.country_of(q["speaker_id"])))
        author = None
        if (
            not turns
            and self.m.speakers is not None
            and _FIRST_PERSON_TITLE.match(fold(self.doc.title or ""))
        ):
            hit = self.m.speakers.search(fold(self.doc.title))
            author = self.country_of(self.m.speaker_ids.get(hit.group())) if hit else None
        if not voices and author is None:
            return
        voices.sort()
        starts = [a for a, _, _ in voices]
        added = []
        for mt in _word_starts(_WE, _WE_FAST, self.folded):
            if mt.group() == "us" and self.text[mt.start() : mt.end()] == "US":
                continue  # the United States, found by the entities stage
            state, k = None, bisect_right(starts, mt.start()) - 1
            stop = k - 20  # voices nest shallowly (a quote in a turn): look back a little
            while k >= 0 and k > stop and state is None:  # the innermost voice
                if voices[k][1] > mt.start():
                    state = voices[k][2] or ""
                k -= 1
            if state is None:
                state = None if self.doc.in_quote(mt.start()) else author
            if state:
                added.append(_Ent(mt.start(), mt.end(), state, "state", "pronoun"))
        if added:
            self.ents = sorted(self.ents + added, key=lambda e: (e.start, -e.end))
            self.ent_starts = [e.start for e in self.ents]

    # ---- entities

    def _entities(self, rows: list[dict]) -> list[_Ent]:
        out = []
        aid, actors = self.doc.article_id, self.m.actors
        for r in rows:
            eid = r.get("entity_id")
            if not eid or r.get("article_id", aid) != aid:
                continue
            known = actors.get(eid)
            etype = known[0] if known is not None else r.get("entity_type") or ""
            out.append(
                _Ent(int(r["start"]), int(r["end"]), eid, etype, r.get("resolution") or "name")
            )
        out.sort(key=lambda e: (e.start, -e.end))
        return out

    def clause_ents(self, a: int, b: int) -> list[_Ent]:
        """``ents_in(a, b)``, cached: each argument of a mention reads its clause's."""
        out = self._ents_in.get((a, b))
        if out is None:
            out = self._ents_in[(a, b)] = self.ents_in(a, b)
        return out

    def ents_in(self, a: int, b: int) -> list[_Ent]:
        i = bisect_right(self.ent_starts, a - 1)
        out = []
        while i < len(self.ents) and self.ents[i].start < b:
            if self.ents[i].end <= b:
                out.append(self.ents[i])
            i += 1
        return out

    def is_proxy(self, e: _Ent) -> bool:
        """ "Iran-backed", "pro-Iranian", "Iranian-made": the name modifies someone else."""
        after = self.folded[e.end : e.end + 14]
        before = self.folded[max(0, e.start - 4) : e.start]
        if after[:1] == "-" and self.m.cue_re["proxy"].match(after[1:]):
            return True
        return before.endswith(("pro-", "pro "))

    def is_place_use(self, e: _Ent) -> bool:
        """ "the Jordanian desert", "the Iraqi side of the border": a demonym naming a place."""
        after = self.folded[e.end : e.end + 24]
        return bool(self.m.cue_re["place_noun"].match(after.lstrip()))

    def actor(self, e: _Ent) -> str | None:
        """The actor an entity mention stands for (a person stands for their group/state)."""
        if e.etype in _PLACE_TYPES:
            return None
        if e.etype == "person":
            aff = self.m.actors.get(e.entity_id, (None, None))[1]
            return aff or e.entity_id
        return e.entity_id

    def country_of(self, eid: str | None) -> str | None:
        seen = set()
        while eid and eid not in seen:
            seen.add(eid)
            etype, aff = self.m.actors.get(eid, (None, None))
            if etype == "state":
                return eid
            eid = aff
        return None

    # ---- mentions of attacks

    def mentions(self) -> list[_Mention]:
        out: list[_Mention] = []
        by_sent: dict[int, list[tuple[int, int, str, tuple]]] = {}
        for mt in self.m.trigger_re.finditer(self.folded):
            key = " ".join(mt.group().replace("-", " ").split())
            info = self.m.triggers.get(key)
            if info is None:
                for cut in ("es", "s"):
                    if key.endswith(cut) and key[: -len(cut)] in self.m.triggers:
                        info = self.m.triggers[key[: -len(cut)]]
                        break
            if info is None or info[0] == "none":
                continue
            if info[2] != "verb" and not self.text[mt.start()].isalpha():
                continue
            si = self.doc.sentence_at(mt.start())
            by_sent.setdefault(si, []).append((mt.start(), mt.end(), key, info))
        for si in sorted(by_sent):
            out.extend(self._sentence_mentions(si, by_sent[si]))
        out.extend(self._culprit_references([m.clause for m in out if m.status != "not_attack"]))
        out.sort(key=lambda m: m.start)
        return out

    def _boundaries(self, a: int, b: int) -> list[re.Match]:
        """The boundary cues in ``[a, b)`` (cached: a sentence's first trigger asks twice)."""
        out = self._bounds.get((a, b))
        if out is None:
            out = self._bounds[(a, b)] = list(self.m.cue_re["boundary"].finditer(self.folded, a, b))
        return out

    def _not_attack(self, t: tuple, s) -> str | None:
        """Why a trigger names no attack (hypothetical, threat, plan, denial), or None."""
        f = self.folded
        start, end = t[0], t[1]
        # a tally's unit may lie past the sentence its count starts in
        cue = self.cues(s.idx) if end <= s.end else self.m.cue_re
        lo = max(s.start, start - 30)
        dw = self.words(lo, start)[-3:]
        for _, we, w in reversed(dw):
            if self.m.cue_re["not_det"].fullmatch(w):
                if _RE_NOT_ATTACK_4.match(f[we : we + 6]):
                    continue  # "more than 30 rockets": a count
                return f"'{w}' before the trigger"
            if w in _STOP and w not in ("the", "a", "an"):
                break
        floor = s.start
        for bd in self._boundaries(s.start, start):
            floor = bd.end()
        lw = self._left_words(start, floor, 6)
        if lw:
            for hit in cue["not_before"].finditer(f, lw[0][0], start):
                adv = _ADVERBS.match(f, hit.end(), start)
                if cue["hedge"].match(f, adv.end() if adv else hit.end(), start):
                    continue  # "I would point to the strikes", "we can confirm": the modal is the speaker's
                return f"'{hit.group()}' governs the trigger"
        if _RE_NOT_ATTACK_2.fullmatch(t[2]) and _RE_NOT_ATTACK_1.search(f[max(s.start, start - 4) : start]
        ) and not _RE_NOT_ATTACK_5.search(f[max(s.start, start - 20) : start]):  # fmt: skip
            return "an infinitive: an intention, not a happening"
        under = f[max(s.start, start - 7) : start]
        if (
            "under" in under
            and _RE_NOT_ATTACK_3.search(under)
            and cue["abstract"].search(f, max(s.start, start - 45), start)
        ):
            return "a figure of speech: an abstraction is under attack"
        on = _ON_AGAINST.match(f, end)
        if on and self.m.cue_re["abstract"].match(f, on.end()):
            return "a figure of speech: an attack on an abstraction"
        hit = cue["denial"].search(f, floor, start)
        if hit:
            return f"'{hit.group()}': a denial"
        if (
            t[2] in ("strike", "strikes")
            and cue["labour"].search(f, s.start, s.end)
            and not (
                cue["killed"].search(f, s.start, s.end) or cue["wounded"].search(f, s.start, s.end)
            )
        ):
            return "a strike of workers"  # "the expanding auto workers' strike"
        after = f[end : min(s.end, end + 25)]
        # the copy starts where the sentence has a non-word character or a space before
        # it, so a cue starting there starts a word in the sentence too
        hit = cue["not_after"].match(after.lstrip(' "'))
        if hit:
            return f"'{hit.group()}' after the trigger"
        return None

    def _sentence_mentions(self, si: int, trigs: list) -> list[_Mention]:
        s = self.sents[si]
        f = self.folded
        out: list[_Mention] = []
        live = []
        dead = set()
        prev_dead = None
        for t in trigs:
            why = self._not_attack(t, s)
            if (
                why is None
                and prev_dead is not None
                and _COORDINATED.fullmatch(f, prev_dead[1], t[0])
            ):
                why = "coordinated with a trigger that names no attack"  # "a missile strike, a terrorist attack or..."
            prev_dead = t if why else None
            live.append(t)
            if why is None:
                continue
            dead.add(t[0])
            m = _Mention(si, t[0], t[1], self.text[t[0] : t[1]], t[3][2], t[3][0], t[3][1] or None,
                         (s.start, s.end), status="not_attack", reason=why)  # fmt: skip
            out.append(m)
        # A fronted phrase ("Since the Erbil attack, rockets have...") ends at its comma.
        fronted = None
        lead = _RE_SENTENCE_MENTIONS_1.match(f, s.start, s.end)  # no look-around: as on the slice
        first_b = self.m.cue_re["boundary"].match(f, lead.end()) if lead else None
        if first_b and live:
            comma = f.find(",", live[0][1], s.end)
            if comma > 0:
                fronted = comma
        groups: list[list] = []
        cuts: list[int] = []
        for t in live:
            if groups:
                prev_end = groups[-1][-1][1]
                if fronted is not None and prev_end <= fronted < t[0]:
                    groups.append([t])
                    cuts.append(fronted)
                    continue
                bds = self._boundaries(prev_end, t[0])
                if bds:
                    groups.append([t])
                    cut = bds[-1].start()
                    close = _CLOSE_ASIDE.search(f, bds[-1].end(), t[0])
                    if close and _OPEN_ASIDE.search(f, prev_end, cut):
                        cut = (
                            close.start()
                        )  # "-- including the attack at X on Sunday -- jets struck": the aside ends
                    cuts.append(cut)
                    continue
                new_np = _RE_SENTENCE_MENTIONS_2.search(
                    f[prev_end : t[0]],
                )
                if new_np:
                    groups.append([t])
                    cuts.append(prev_end + new_np.start())
                    continue
                if t[0] - prev_end > 60:
                    # two happenings in one sentence: cut at ", and" or the last comma between
                    between = f[prev_end : t[0]]
                    cj = list(_RE_SENTENCE_MENTIONS_3.finditer(between)) or list(
                        _RE_SENTENCE_MENTIONS_4.finditer(between)
                    )
                    cut = prev_end + cj[-1].start() if cj else (prev_end + t[0]) // 2
                    groups.append([t])
                    cuts.append(cut)
                    continue
                groups[-1].append(t)
            else:
                groups.append([t])
        lead_bds = self._boundaries(s.start, groups[0][0][0]) if groups else []
        prev_m = None
        for gi, g in enumerate(groups):
            a = (
                cuts[gi - 1]
                if gi > 0
                else (
                    lead_bds[-1].start() if lead_bds and lead_bds[-1].start() > s.start else s.start
                )
            )
            b = cuts[gi] if gi < len(cuts) else s.end
            g = [t for t in g if t[0] not in dead]
            if not g:
                continue
            m = self._mention(si, g, (a, b))
            if m is not None:
                if gi > 0 and _DISTINCT.match(f, a) and prev_m is not None:
                    m.other_than = prev_m
                out.append(m)
                prev_m = m
        return out

    def _mention(self, si: int, g: list, clause: tuple[int, int]) -> _Mention | None:
        f = self.folded
        nouns = [t for t in g if t[3][2] == "noun"]
        weapons = [t for t in g if t[3][2] == "weapon"]
        verbs = [t for t in g if t[3][2] == "verb"]
        a, b = clause
        cue = self.cues(si)
        icp = (
            _INTERCEPT.search(f, a, b)
            if f.find("sho", a, b) >= 0
            or f.find("intercept", a, b) >= 0
            or f.find("downed", a, b) >= 0
            else None
        )
        if not nouns:
            # "intercepted a rocket", "shot down two missiles": one was fired, an attack
            has_verb = (bool(verbs) or bool(cue["attack_verb"].search(f, a, b))
                        or (icp is not None and icp.group().startswith(("shot", "intercepted", "downed"))
                            and any(w[0] >= icp.end() for w in weapons)))  # fmt: skip
            if weapons and not has_verb:
                return None  # "24 unfired rockets", "drones" as an object on display
            if not weapons:
                # an attack verb alone needs someone or somewhere it happened to
                if not any(
                    self.actor(e) or e.etype in _PLACE_TYPES for e in self.clause_ents(a, b)
                ):
                    return None
        if icp and any(w[0] >= icp.end() for w in weapons):
            weapons = [w for w in weapons if w[0] >= icp.end()]  # the attack, not the interceptors
        head = (nouns or weapons or verbs)[0]
        types = [t[3][0] for t in nouns]
        # a weapon close to a generic noun says what kind of attack it was
        for w in weapons:
            if any(abs(w[0] - n[1]) < 40 or abs(n[0] - w[1]) < 40 for n in nouns) or not nouns:
                types.append(w[3][0])
        types += [t[3][0] for t in verbs]
        etype = _specific(types)
        weapon = next((t[3][1] for t in nouns + weapons if t[3][0] == etype and t[3][1]), None)
        m = _Mention(si, head[0], head[1], self.text[head[0] : head[1]], head[3][2], etype,
                     weapon, clause)  # fmt: skip
        m.plural = (
            head[3][2] in ("noun", "weapon")
            and head[2].endswith("s")
            and not head[2].endswith("ss")
        )
        if m.plural and _RE_MENTION_1.search(f[max(a, head[0] - 50) : head[0]]):
            m.plural = False  # "one of the deadliest attacks": this one
        m.det = self._definite(head[0], a)
        if m.det is None and _PREDICATE.search(f, max(a, head[0] - 50), head[0]):
            m.det = "this"  # "this was a very serious attack": the one under discussion
        if m.det is None and cue["definite_verb"].search(f, max(a, head[0] - 45), head[0]):
            m.det = "the"  # "condemned what it called a horrific attack": the one told
        m.definite = m.det is not None
        m.asked = si in self.asked
        self._status(m, g)
        self._date(m)
        self._actors(m)
        self._place(m)
        m.killed, m.wounded = self._casualties(a, b)
        m.victims = self._named_victims(a, b)
        if (
            m.status == "event"
            and m.plural
            and not m.definite
            and m.timex is None
            and _PERFECT.search(f, a, b)
        ):
            m.status, m.reason = "aggregate", "present perfect without a date"
        if m.status == "event" and m.plural and not m.definite and m.timex is None:
            if m.killed is None and m.wounded is None:
                verb_next = _RE_MENTION_2.match(f[head[1] : min(b, head[1] + 30)])
                if (
                    head[3][2] == "noun"
                    and not weapons
                    and not (
                        verb_next and self.m.cue_re["attack_verb"].fullmatch(verb_next.group(1))
                    )
                ):
                    m.status, m.reason = "aggregate", "plural without a date"
                elif _RE_MENTION_3.search(f[head[1] : b]):
                    m.status, m.reason = "aggregate", "present perfect without a date"
        return m

    def _left_words(self, pos: int, floor: int, n: int) -> list[tuple[int, int, str]]:
        """The last ``n`` words before ``pos`` (cached: a clause's first trigger is read
        for what governs it and for what counts it)."""
        key = (max(floor, pos - 80), pos, n)
        out = self._left.get(key)
        if out is None:
            out = self._left[key] = self.words(key[0], pos)[-n:]
        return out

    def _definite(self, pos: int, floor: int) -> str | None:
        """The determiner that makes a mention refer back ("the", "that", "'s"), or None."""
        left = self.folded[max(floor, pos - 40) : pos]
        if _RE_DEFINITE_1.search(left):
            return "'s"  # "Wednesday's strike", "the group's attack"
        words = self.words(max(floor, pos - 40), pos)
        for _, _, w in reversed(words[-3:]):
            if self.m.cue_re["definite"].fullmatch(w):
                return w
            if w in ("a", "an") or w in _STOP or (w.endswith("ed") and len(w) > 4):
                return None
        return None

    def _status(self, m: _Mention, g: list) -> None:
        f = self.folded
        a, b = m.clause
        first = g[0][0]
        cue = self.cues(m.sent_idx)
        lw = self._left_words(first, a, 6)
        agg = cue["aggregate"].search(f, lw[-3][0] if len(lw) >= 3 else a, first)
        if agg and m.kind == "noun" and agg.group() not in ("the", "that", "this"):
            m.status, m.reason = "aggregate", f"'{agg.group()}' before the trigger"
            return
        txs = self.timexes_in(a, b)

        def dating(c: re.Match) -> bool:  # "in the past 24 hours", "the past two days": a date
            return any(t["start"] <= c.start() < t["end"] for t in txs) or bool(
                _TIME_UNIT.match(f, c.end())
            )

        if m.plural:  # "the recent attacks", "escalating attacks": a series
            for agg in cue["aggregate_plural"].finditer(f, lw[-3][0] if len(lw) >= 3 else a, first):
                if not dating(agg):
                    m.status, m.reason = "aggregate", f"'{agg.group()}' before a plural trigger"
                    return
        roles = (
            ("aggregate_clause", "aggregate_plural_clause") if m.plural else ("aggregate_clause",)
        )
        for role in roles:
            for agg in cue[role].finditer(f, a, b):
                if not dating(agg):
                    m.status, m.reason = "aggregate", f"'{agg.group()}' in the clause"
                    return
        near = -1  # the distance to the nearest point in time, found when a period is there
        for t in txs:
            if t["kind"] in ("since", "range"):
                if near == -1:
                    near = min((abs(x["start"] - m.start) for x in txs if x["kind"] == "point"),
                               default=None)  # fmt: skip
                if not m.plural and near is not None and near < abs(t["start"] - m.start):
                    continue  # "the attack on Sunday was the latest of 150 since October 17"
                m.status, m.reason = "aggregate", f"'{t['text']}': a period, not a date"
                return
        for ts, te in self.tally_spans:
            if ts <= m.start < te + 2 or (0 <= m.start - te <= 25 and _RE_STATUS_1.fullmatch(f[te : m.start])):  # fmt: skip
                m.status, m.reason = "aggregate", "counted in a tally"

    # ---- arguments

    def timexes_in(self, a: int, b: int) -> list[dict]:
        i = bisect_right(self.tx_starts, a - 1)
        out = []
        while i < len(self.timexes) and self.timexes[i]["start"] < b:
            out.append(self.timexes[i])
            i += 1
        return out

    def _in_later_clause(self, m: _Mention, t: dict) -> bool:
        """Is the timex in a subordinate clause after the trigger ("stopped after X took office a year ago")?"""
        if t["start"] < m.end:
            return False
        for bd in self.m.cue_re["boundary"].finditer(self.folded, m.end, t["start"]):
            if (
                bd.group().strip(", ")
                in ("after", "since", "before", "following", "when", "while", "who", "which")
                and t["start"] - bd.end() > 25
            ):
                return True
        return False

    def _date(self, m: _Mention) -> None:
        pub = self.doc.published  # an attack told as having happened cannot postdate the report
        # the dating expression nearest the trigger, within reach of it in its clause
        points = [t for t in self.timexes_in(*m.clause) if t["kind"] == "point"
                  and min(abs(t["start"] - m.end), abs(m.start - t["end"])) <= 200
                  and not _SINCE_CLAUSE.search(self.folded, max(m.clause[0], t["start"] - 45), t["start"])
                  and not _REPORT_BEFORE.search(self.folded, max(0, t["start"] - 16), t["start"])
                  and not _NOT_AT.search(self.folded, max(0, t["start"] - 12), t["start"])
                  and not (pub is not None and t["date_start"] is not None and t["date_start"] > pub)
                  and not self._in_later_clause(m, t)
                  and not (_RE_DATE_2.fullmatch(t["text"]) and not 0 <= m.start - t["end"] <= 20)]  # fmt: skip
        if not points and _RE_DATE_1.match(self.folded[m.clause[0] : m.clause[0] + 8]):
            # "began in mid-April, when a drone hit the base": the clause shares that date
            points = [t for t in self.timexes_in(max(0, m.clause[0] - 40), m.clause[0] + 1)
                      if t["kind"] == "point" and m.clause[0] - t["end"] <= 3]  # fmt: skip
        if (
            not points
            and m.clause[0] > self.sents[m.sent_idx].start
            and not _DISTINCT.match(self.folded, m.clause[0])
        ):
            # "Yesterday, in response to a series of attacks, the military conducted strikes":
            # a date fronted before the sentence's first clause dates its main clause
            s = self.sents[m.sent_idx]
            points = [t for t in self.timexes_in(s.start, m.clause[0]) if t["kind"] == "point"
                      and t["start"] - s.start <= 40 and _FRONTED.match(self.folded, t["end"])
                      and not self.m.trigger_re.search(self.folded, s.start, t["start"])
                      and not self._boundaries(s.start, t["start"])
                      and not (pub is not None and t["date_start"] is not None and t["date_start"] > pub)
                      and not self._subordinate(t["end"], m)]  # fmt: skip
        if not points:
            f = self.folded
            since = _DAYS_SINCE.search(f, max(self.sents[m.sent_idx].start, m.start - 50), m.start)
            if since and pub is not None:
                # "it has been three days since the attack": counted back from publication
                n = _rel_days(since.group("n"), since.group("u"), self.m.numbers)
                d = pub - timedelta(days=n)
                m.timex = {"start": since.start(), "end": since.end(), "text": self.text[since.start() : since.end()],
                           "date": d, "date_start": d, "date_end": d, "kind": "point",
                           "precision": "day" if since.group("u").startswith("day") else "week"}  # fmt: skip
            elif _DAY_BEFORE.search(f, m.end, min(m.clause[1], m.end + 80)):
                m.day_before = True  # "the day prior": dated in :meth:`relative_dates`
            return
        t = min(points, key=lambda t: (abs(t["start"] - m.start), t["start"]))
        if pub is not None and t["date_end"] is not None and t["date_end"] > pub:
            # "this year", "this month": a happening told as past lies in the part gone by
            start = t["date_start"]
            t = {**t, "date_end": pub, "date": start + (pub - start) / 2}
        m.timex = t

    def _subordinate(self, pos: int, m: _Mention) -> bool:
        """Is the noun ``m`` inside a phrase after ``pos`` that tells another happening ("in
        response to the attacks on our troops, and in particular the attack that ...")?"""
        if m.kind == "verb":
            return False
        subs = [
            bd for bd in self._boundaries(pos, m.start) if _DISTINCT.match(self.folded, bd.start())
        ]
        return bool(subs) and not _CLOSE_ASIDE.search(self.folded, subs[-1].end(), m.start)

    def usable(self, e: _Ent) -> bool:
        """Can this mention be a perpetrator or target (an actor, not a modifier of one)?"""
        if e.ok is None:
            e.ok = self._usable(e)  # asked of each mention of a clause, for each of its triggers
        return e.ok

    def usable_in(self, a: int, b: int) -> list[_Ent]:
        """The usable entity mentions inside ``[a, b)`` (cached: a clause's are asked often)."""
        out = self._usable_in.get((a, b))
        if out is None:
            out = self._usable_in[(a, b)] = [e for e in self.ents_in(a, b) if self.usable(e)]
        return out

    def _usable(self, e: _Ent) -> bool:
        if not self.actor(e) or self.is_proxy(e):
            return False
        surface = fold(self.text[e.start : e.end])
        if surface in self.m.demonyms:
            after = self.folded[e.end : e.end + 30].lstrip()
            if self.m.cue_re["group_noun"].match(after) or self.m.cue_re["place_noun"].match(after):
                return False  # "Iraqi factions", "the Jordanian desert"
            if not surface.endswith("s") and _RE_USABLE_1.match(after):
                # "American troops" names them; "Russian naphtha", "British oil tanker" does not
                nxt = _RE_USABLE_2.match(after).group(0)
                words = [after.split()[0]] + nxt.split()[1:2]
                if not any(self.m.cue_re["actor_noun"].fullmatch(w) or self.m.cue_re["target_noun"].fullmatch(w)
                           for w in words) and not self.m.trigger_re.match(after):  # fmt: skip
                    return False
        return True

    def _after_by(self, pos: int, b: int) -> _Ent | None:
        """The actor right after "by" at ``pos`` ("by Yemen's Houthis" -> the Houthis)."""
        if self.folded.find("by", pos, b) < 0:
            return None
        mt = _RE_AFTER_BY_1.match(self.folded, pos, b)  # no look-around: as on the slice
        if not mt:
            return None
        p = mt.end()
        named = _NAMED.match(self.folded, p, b)
        if named:
            p = named.end()  # "by an umbrella group called the Islamic Resistance in Iraq"
        ents = [e for e in self.ents_in(p, min(b, p + 60))]
        chosen = None
        for e in ents:
            gap = self.folded[p : e.start]
            if chosen is None and (gap.strip() == "" or _RE_AFTER_BY_3.fullmatch(gap) and
                                   not _RE_AFTER_BY_4.search(gap)):  # fmt: skip
                chosen = e
            elif chosen is not None and _RE_AFTER_BY_2.fullmatch(self.folded[chosen.end : e.start]):
                chosen = e  # "Yemen's Houthis"
            else:
                break
            p = e.end
        return chosen if chosen and self.usable(chosen) else None

    def _actors(self, m: _Mention) -> None:
        f = self.folded
        a, b = m.clause
        cue = self.cues(m.sent_idx)
        ents = self.usable_in(a, b)
        perp, how = None, None
        no_claim = cue["no_claim"].search(f, a, b)
        # claimed: "X claimed (responsibility for) the attack", "claimed by X", "X said it struck"
        if not no_claim:
            for c in cue["claim"].finditer(f, a, b):
                if _LIVES.match(f, c.end()):
                    continue  # "an attack that claimed three lives": a death toll
                by = self._after_by(c.end(), b)
                if by:
                    perp, how = self.actor(by), "claimed"
                    break
                before = [e for e in ents if e.end <= c.start() and c.start() - e.end < 60]
                if before:
                    perp, how = self.actor(before[-1]), "claimed"
                    break
        # alleged: "blamed X for", "bore the imprint of X", "X, which Y blamed for"
        if perp is None:
            for c in cue["allege"].finditer(f, a, b):
                after = [e for e in ents if e.start >= c.end() and e.start - c.end() < 25]
                if after and not _RE_ACTORS_4.search(f[c.end() : after[0].start]):
                    perp, how = self.actor(after[0]), "alleged"
                    break
                before = [e for e in ents if e.end <= c.start()]
                which = _RE_ACTORS_2.search(f[a : c.start()])
                if which:
                    before = [e for e in before if e.end <= a + which.start()]
                elif before and c.start() - before[-1].end < 12 and len(before) >= 2:
                    before = before[:-1]  # "the faction Washington blames for": skip the blamer
                else:
                    before = []
                if before:
                    perp, how = self.actor(before[-1]), "alleged"
                    break
        # claimed: "Hezbollah said its fighters had struck", "Israel's military said it struck"
        if perp is None:
            for c in _SELF_REPORT.finditer(f, a, b):
                if not cue["attack_verb"].search(f, c.end(), min(b, c.end() + 40)):
                    continue
                before = [e for e in ents if e.end <= c.start() and c.start() - e.end < 40]
                if before:
                    perp, how = self.actor(before[-1]), "claimed"
                    break
        # stated: "attack by X", "bombed by X"
        if perp is None:
            verbs = [
                *cue["attack_verb"].finditer(f, a, b),
                *cue["agent_verb"].finditer(f, a, b),
            ]
            for pos in [m.end] + sorted(v.end() for v in verbs):
                e = self._after_by(pos, b)
                if e:
                    perp, how = self.actor(e), "stated"
                    break
        # stated: "the strikes we took on Friday", "the raid that US forces carried out"
        if perp is None:
            rel = _RELATIVE_AGENT.match(f, m.end, b)
            if rel:
                e = next((x for x in ents if x.start == rel.start("who")), None)
                if e is not None:
                    perp, how = self.actor(e), "stated"
        # stated: "a US drone strike", "Israeli airstrikes", "American warplanes struck"
        if perp is None:
            pre = [e for e in ents if e.end <= m.start and m.start - e.end <= 30]
            if pre:
                e = pre[-1]
                gap = self.words(e.end, m.start)
                if gap and gap[0][2] in ("s", "'s"):
                    gap = gap[1:]  # "Iran's reckless ballistic missile attacks"
                if (all(w not in _STOP and w not in _NOT_MODIFIER and not self.m.cue_re["attack_verb"].fullmatch(w)
                        for _, _, w in gap)  # fmt: skip
                        and len(gap) <= 3 and not _INTERCEPT.search(f, e.end, m.start)
                        and not _CLOSE_ASIDE.search(f, e.end, m.start)):  # fmt: skip
                    joint = [
                        x
                        for x in ents
                        if x.end <= e.start and _RE_ACTORS_5.fullmatch(f[x.end : e.start])
                    ]
                    perp, how = self.actor(joint[-1] if joint else e), "stated"
        # stated: "Washington had already carried out strikes", "Russia fired missiles"
        if perp is None:
            for v in cue["attack_verb"].finditer(f, a, b):
                if v.group().endswith("ing"):
                    continue  # "killing a contractor working with the coalition"
                pre = [e for e in ents if e.end <= v.start() and v.start() - e.end <= 40]
                if not pre:
                    continue
                e = pre[-1]
                gap_text = f[e.end : v.start()]
                close = _CLOSE_ASIDE.search(gap_text)
                if close:
                    # "US forces -- together with the UK and the Netherlands -- conducted
                    # strikes": the subject is before the aside
                    opening = _OPEN_ASIDE.search(f, max(a, e.start - 200), e.start)
                    outer = [x for x in ents if opening and x.end <= opening.start()
                             and opening.start() - x.end <= 40]  # fmt: skip
                    if not outer:
                        continue
                    e = outer[-1]
                    gap_text = f[e.end : opening.start()] + " " + gap_text[close.end() :]
                if _RE_ACTORS_3.search(f[max(a, e.start - 12) : e.start]):
                    continue  # "a barrage from Lebanon killed": where it came from
                gap = [w for _, _, w in _words(_ASIDE_WORDS.sub(" ", gap_text))]
                if any(w in ("was", "were", "been", "is", "are", "be") for w in gap):
                    continue  # passive: the name is what was hit
                if gap and gap[0] == "'s":
                    gap = gap[1:]
                ok = all(w in _AUX or self.m.cue_re["actor_noun"].fullmatch(w) or
                         (w not in _STOP and not self.m.cue_re["report"].fullmatch(w))
                         for w in gap) and len(gap) <= 4  # fmt: skip
                if ok and not any(w in ("said", "it", "that") for w in gap):
                    joint = [
                        x
                        for x in ents
                        if x.end <= e.start and _RE_ACTORS_5.fullmatch(f[x.end : e.start])
                    ]
                    perp, how = self.actor(joint[-1] if joint else e), "stated"
                    break
        # a self-report: "X said it struck" / "X said its forces had carried out"
        if perp is not None and how == "stated":
            rep = _RE_ACTORS_1.search(f[a:b])
            if rep:
                sp = [e for e in ents if e.end <= a + rep.start() and self.actor(e) == perp]
                if sp:
                    how = "claimed"
        if perp is None and (cue["allege"].search(f, a, b) or cue["culprit"].search(f, a, b)):
            how = "alleged"  # "Iran-backed militias were behind it": blamed, on no one named
        m.perpetrator_id, m.attribution = perp, how
        m.target_id = self._target(m, ents, perp)

    def _target(self, m: _Mention, ents: list[_Ent], perp: str | None) -> str | None:
        f = self.folded
        a, b = m.clause
        cands: list[tuple[int, str]] = []

        def owned_other(e: _Ent) -> bool:
            # "Syria's sovereignty": the name owns something that is not what was hit
            mt = _RE_OWNED_OTHER_1.match(f[e.end : e.end + 30])
            return bool(mt and self.m.cue_re["not_target"].fullmatch(mt.group(1)))

        every = self.clause_ents(a, b)
        cue = self.cues(m.sent_idx)
        for c in cue["target_prep"].finditer(f, max(a, m.start), b):
            for e in every:
                if e.start >= c.end() and e.start - c.end() <= 40:
                    gap = f[c.end() : e.start]
                    if _RE_TARGET_3.search(gap) and not _RE_TARGET_4.search(gap):
                        continue
                    if not self.usable(e) or owned_other(e):
                        if self.actor(e):
                            break  # "sites used by Iran-aligned militias": no named target here
                        continue
                    cands.append((c.start(), self.actor(e)))
                    break
        for c in _RE_TARGET_1.finditer(f[a:b]):
            nxt = f[a + c.end() : b]
            if self.m.cue_re["target_noun"].match(nxt):
                owner = [e for e in ents if e.end == a + c.start()]
                if owner:
                    cands.append((a + c.start(), self.actor(owner[0])))
        # "The group ... has been repeatedly bombed by Washington", "our forces came under
        # attack": the subject was hit
        seg = f[a:b]
        for v in _RE_TARGET_2.finditer(seg) if any(k in seg for k in _TARGET_2_KEYS) else ():
            before = [e for e in ents if e.end <= a + v.start()]
            if before:
                cands.append((before[0].start, self.actor(before[0])))
        for c in cue["killed"].finditer(f, a, b):
            cands.extend(self._victims(c, ents))
        for c in cue["wounded"].finditer(f, a, b):
            cands.extend(self._victims(c, ents))
        cands = [(p, t) for p, t in cands if t and t != perp]
        if not cands:
            return None
        return min(cands, key=lambda c: c[0])[1]

    def _victims(self, c: re.Match, ents: list[_Ent]) -> list[tuple[int, str]]:
        f = self.folded
        out = []
        after = [e for e in ents if 0 <= e.start - c.end() <= 45]
        if after and not _RE_VICTIMS_2.search(f[c.end() : after[0].start]):
            out.append((c.start(), self.actor(after[0])))
        before = [e for e in ents if 0 <= c.start() - e.end <= 45]
        if before and _RE_VICTIMS_1.search(f[before[-1].end : c.start()]):
            out.append((before[-1].start, self.actor(before[-1])))
        elif before and _RE_VICTIMS_3.fullmatch(f[before[-1].end : c.start()]):  # fmt: skip
            out.append((before[-1].start, self.actor(before[-1])))
        return out

    def _named_victims(self, a: int, b: int) -> frozenset:
        """People named next to a word for death or injury ("killed Wissam al-Tawil", "X died")."""
        f = self.folded
        out = set()
        cue = self.cues_for(a, b)
        cues = [*cue["killed"].finditer(f, a, b), *cue["wounded"].finditer(f, a, b)]
        if not cues:
            return frozenset()
        for e in self.clause_ents(a, b):
            if e.etype == "person" and any(
                0 <= e.start - c.end() <= 40 or 0 <= c.start() - e.end <= 60 for c in cues
            ):
                out.add(e.entity_id)
        return frozenset(out)

    def _place(self, m: _Mention) -> None:
        f = self.folded
        a, b = m.clause
        places, countries = [], []
        last_country = None
        for e in self.clause_ents(a, b):
            place = e.etype in _PLACE_TYPES
            if not place and e.etype != "state":
                continue  # only a place or a state says where
            left = f[max(a, e.start - 30) : e.start]
            if "from" in left and _RE_PLACE_3.search(left) and not _RE_PLACE_5.search(left):
                continue  # where it was fired from
            if "of" in left and _RE_PLACE_1.search(left):
                if place and self.country_of(e.entity_id):
                    countries.append(self.country_of(e.entity_id))
                continue  # "the base north of Baghdad": Baghdad is a reference point, not the place
            if _GATHERING.search(left):
                continue  # "a NATO summit in Washington": where the meeting is, not the attack
            if place:
                if (
                    e.resolution == "metonym"
                    or not (
                        _RE_PLACE_2.search(left)  # a locative
                        or 0 <= m.start - e.end <= 12
                        and _RE_PLACE_4.fullmatch(f[e.end : m.start])
                    )
                ):
                    continue  # "Washington said", "Baghdad wants": the state, not the city
                places.append(e)
                continue
            after = f[e.end : e.end + 24].lstrip()
            cap = self.m.cue_re["capital_noun"].match(after)
            if cap and not self.m.cue_re["proxy"].match(after):
                capital = self.m.capitals.get(e.entity_id)
                if capital:
                    places.append(_Ent(e.start, e.end, capital, "capital", "name"))
                    continue
            if (
                fold(self.text[e.start : e.end]) in self.m.demonyms
                and self.m.cue_re["place_noun"].match(after)
                and not _RE_PLACE_6.match(after)
            ):
                countries.append(e.entity_id)
                last_country = e
            elif _RE_PLACE_7.search(
                left,
            ) or (
                last_country is not None and _RE_PLACE_8.fullmatch(f[last_country.end : e.start])
            ):
                countries.append(e.entity_id)
                last_country = e
        if places:
            best = min(places, key=lambda e: (self.place_rank(e.entity_id), e.start))
            m.location_id = self.settlement(best.entity_id)
            m.country_id = self.country_of(best.entity_id)
        if m.country_id is None and countries:
            distinct = list(dict.fromkeys(countries))
            m.country_id = distinct[0] if len(distinct) == 1 else None

    def place_rank(self, eid: str | None) -> int:
        """Specific sites first, then cities, capitals, and regions or seas in no country."""
        etype = self.m.actors.get(eid or "", (None, None))[0]
        if etype == "place" and self.country_of(eid) is None:
            etype = "region"
        return _PLACE_RANK.get(etype, 4)

    def settlement(self, eid: str) -> str:
        """A facility in a city is located at the city (Baghdad airport -> Baghdad), as ACLED does."""
        etype, aff = self.m.actors.get(eid, (None, None))
        if (
            etype == "place"
            and aff
            and self.m.actors.get(aff, (None, None))[0] in ("city", "capital")
        ):
            return aff
        return eid

    # ---- casualties

    def _number_at(self, words: list, i: int) -> tuple[int, int] | None:
        """(value, next index) of a number phrase at ``words[i]`` ("at least 25", "two hundred")."""
        n = len(words)
        while i < n and words[i][2] in ("at", "least", "more", "than", "over", "nearly", "almost",
                                        "about", "around", "some", "roughly", "approximately",
                                        "estimated", "up", "to", "as", "many"):  # fmt: skip
            i += 1
        if i >= n:
            return None
        w = words[i][2]
        if _RE_NUMBER_AT_1.fullmatch(w):
            return int(w.replace(",", "")), i + 1
        two = f"{w} {words[i + 1][2]}" if i + 1 < n else ""
        if two in self.m.numbers and self.m.numbers[two][1] == "cardinal":
            return self.m.numbers[two][0], i + 2
        val = self.m.numbers.get(w)
        if val is None or val[1] in ("ordinal", "approx"):
            return None  # "dozens were wounded": too vague to count
        if i + 1 < n and self.m.numbers.get(words[i + 1][2], (0, ""))[1] == "multiplier":
            return val[0] * self.m.numbers[words[i + 1][2]][0], i + 2
        if val[1] == "multiplier":
            return None
        return val[0], i + 1

    def _np_list(self, words: list, i: int, persons: set[int]) -> int | None:
        """Sum a list of counted noun phrases: "three soldiers, two police officers and a civilian"."""
        total, counted, last_person = 0, False, False
        expecting = True
        n = len(words)
        if i < n and words[i][2] in ("and", ","):
            return None  # "were killed and more than 30 were wounded": no object of its own
        after_comma = False
        while i < n:
            s, _, w = words[i]
            if w in ("and", ","):
                expecting = True
                after_comma = w == ","
                i += 1
                continue
            if expecting:
                if after_comma and _source_ahead(words, i):
                    break  # "wounded two service members, a U.S. official said": the source
                if s in persons:
                    if not counted or last_person:
                        total += 1
                        counted, last_person = True, True
                    expecting = False
                    i += 1
                    continue
                num = self._number_at(words, i)
                if num is not None:
                    total += num[0]
                    counted, last_person = True, False
                    expecting = False
                    i = num[1]
                    continue
                if not counted or w in _NP_STOP:
                    break
                expecting = False  # an appositive: ", commander of the Quds Force,"
            elif w in _NP_STOP:
                break
            i += 1
        return total if counted else None

    def _casualties(self, a: int, b: int) -> tuple[int | None, int | None]:
        f = self.folded
        seg = f[a:b]
        cues = self.cues_for(a, b)
        hits = {role: list(cues[role].finditer(f, a, b)) for role in ("killed", "wounded")}
        if not (hits["killed"] or hits["wounded"] or "death toll" in seg or "left" in seg
                or "leaving" in seg):  # fmt: skip
            return None, None  # no word for the dead or wounded, no toll, no "left"/"leaving"
        words = _drop_ages(self.words(a, b))
        persons = {e.start for e in self.clause_ents(a, b) if e.etype == "person"}
        found = {"killed": [], "wounded": []}
        for role in ("killed", "wounded"):
            for c in hits[role]:
                cue = c.group()
                left = f[max(a, c.start() - 14) : c.start()]
                if _RE_CASUALTIES_3.search(left):
                    continue  # "among the dead": not a count
                if _RE_CASUALTIES_6.search(left) and cue in (
                    "deaths",
                    "injuries",
                    "casualties",
                ):
                    found[role].append(0)
                    continue
                if _RE_CASUALTIES_4.search(left):
                    found[role].append(0)
                    continue
                idx = next((k for k, wd in enumerate(words) if wd[0] >= c.end()), len(words))
                if cue in ("killing", "killed", "kills", "kill", "wounding", "wounded", "injuring",
                           "injured", "hurt"):  # fmt: skip
                    val = self._np_list(words, idx, persons)
                    if (
                        val is not None
                        and not _RE_CASUALTIES_8.match(f[c.end() : c.end() + 6])
                        or (val is not None and cue in ("killing", "wounding", "injuring"))
                    ):
                        found[role].append(val)
                        continue
                val = self._subject_count(words, c.start(), persons, a)
                if val is not None:
                    found[role].append(val)
            # "the death toll rose to 36", "left more than 100 with brain injuries"
        for mt in _RE_CASUALTIES_1.finditer(seg):
            idx = next((k for k, wd in enumerate(words) if wd[0] >= a + mt.end()), len(words))
            num = self._number_at(words, idx)
            if num:
                found["killed"].append(num[0])
        for mt in _RE_CASUALTIES_2.finditer(seg):
            idx = next((k for k, wd in enumerate(words) if wd[0] >= a + mt.end()), len(words))
            val = self._np_list(words, idx, persons)
            tail = seg[mt.end() : mt.end() + 80]
            if val is not None:
                if _RE_CASUALTIES_5.search(tail):
                    found["wounded"].append(val)
                elif _RE_CASUALTIES_7.search(tail):
                    found["killed"].append(val)
        return (max(found["killed"]) if found["killed"] else None,
                max(found["wounded"]) if found["wounded"] else None)  # fmt: skip

    def _subject_count(self, words: list, pos: int, persons: set[int], floor: int) -> int | None:
        """Count in "two US service members and a British soldier were killed"."""
        before = [w for w in words if w[1] <= pos]
        j = len(before)
        while j > 0 and before[j - 1][2] in _AUX | {"also", "all"}:
            j -= 1
        k = j
        while k > 0:
            w = before[k - 1][2]
            if w in (";", ".", ":", "(", ")", "when", "after", "while", "that", "who", "which",
                     "said", "says", "told", "as", "for", "in", "on", "at", "by", "with", "than"):  # fmt: skip
                break
            if (
                w == ","
                and k >= 2
                and not self._number_at(before, k)
                and before[k - 2][2] not in ("and",)
            ):
                # a comma before a list item keeps going; before anything else it ends the subject
                if not (
                    k < len(before) and (self._number_at(before, k) or before[k][0] in persons)
                ):
                    break
            if w in (
                "killing",
                "killed",
                "wounding",
                "wounded",
                "injuring",
                "injured",
                "kill",
                "wound",
            ):
                return (
                    None  # "killed three and wounded dozens": the count belongs to the first verb
                )
            k -= 1
        chunk = before[k:j]
        if not chunk:
            return None
        if chunk[0][2] == "of" or (
            chunk and self._number_at(chunk, 0) is None and chunk[0][0] not in persons
        ):
            # "members of the Iraqi security forces were wounded": count starts earlier
            first_num = next((i for i in range(len(chunk)) if self._number_at(chunk, i) or
                              chunk[i][0] in persons), None)  # fmt: skip
            if first_num is None:
                return None
            chunk = chunk[first_num:]
        return self._np_list(chunk + [(pos, pos, ".")], 0, persons)

    # ---- attribution sentences that name no attack ("X was the likely culprit")

    def _culprit_references(self, clauses: list[tuple[int, int]]) -> list[_Mention]:
        out = []
        for c in _anchored(self.m.cue_re["culprit"], self.m.culprit_keys, self.folded):
            if any(a <= c.start() < b for a, b in clauses):
                continue
            si = self.doc.sentence_at(c.start())
            s = self.sents[si]
            floor = max([s.start] + [b for a, b in clauses if a >= s.start and b <= c.start()])
            ents = [e for e in self.ents_in(floor, c.start()) if self.usable(e)]
            rep = None
            for r in self.cues(si)["report"].finditer(self.folded, floor, c.start()):
                rep = r
            if rep is not None:
                ents = [e for e in ents if e.start >= rep.end()] or ents
            if not ents:
                continue
            e = ents[0]
            m = _Mention(si, c.start(), c.end(), self.text[c.start() : c.end()], "reference",
                         "attack", None, (s.start, s.end), definite=True, status="reference")  # fmt: skip
            m.perpetrator_id, m.attribution = self.actor(e), "alleged"
            out.append(m)
        return out

    # ---- dates told relative to another happening

    def relative_dates(self, mentions: list[_Mention]) -> None:
        """Date undated mentions from the happenings they are told against.

        "X, a day after rockets killed..." (the rockets: X's date - 1), "Within hours
        jets struck..." / "hours later" (the date of the happening told just before),
        "The military responded with a drone strike" (a response, told right after a
        dated happening, shares its date). The day is shifted; the precision is kept.
        """
        f = self.folded
        dated: list[_Mention] = []
        for m in mentions:
            if m.status not in ("event", "aggregate"):
                continue
            if m.timex is None and m.status == "event":
                prev = dated[-1] if dated else None
                a = m.clause[0]
                rel = _REL_BEFORE_CLAUSE.search(f, max(0, a - 30), min(len(f), a + 7))
                same_sent = [d for d in dated if d.sent_idx == m.sent_idx and d.start < m.start]
                anchor = same_sent[-1].timex if same_sent else None
                if rel and anchor is None:
                    # "since October 8, a day after the Hamas attack": the date just before
                    near = [t for t in self.timexes_in(self.sents[m.sent_idx].start, rel.start())
                            if t["date_start"] is not None and rel.start() - t["end"] <= 4]  # fmt: skip
                    anchor = {**near[-1], "date": near[-1]["date_start"],
                              "date_end": near[-1]["date_start"]} if near else None  # fmt: skip
                if prev is not None:
                    # a response is to the main happening of the last sentence that dates one
                    last_sent = prev.sent_idx
                    prev = next(d for d in dated if d.sent_idx == last_sent)
                if rel and anchor is not None:
                    n = _rel_days(rel.group("n"), rel.group("u"), self.m.numbers)
                    sign = -1 if rel.group("dir") == "after" else 1
                    m.timex = _shift(anchor, sign * n, rel.group(0))
                elif m.day_before:
                    near = prev if prev is not None and m.sent_idx - prev.sent_idx <= 1 else None
                    base = near.timex if near is not None else self._publication()
                    if base is not None:
                        m.timex = _shift(base, -1, "the day before")
                elif prev is not None and m.sent_idx - prev.sent_idx <= 1:
                    lead = _REL_LEAD.search(
                        f, max(self.sents[m.sent_idx].start, m.start - 60), m.start
                    )
                    if lead:
                        m.timex = _shift(
                            prev.timex, _lead_days(lead.group(0), self.m.numbers), lead.group(0)
                        )
                    elif not m.definite and _RESPONSE.search(
                        f, max(self.sents[m.sent_idx].start, m.start - 40), m.end + 5
                    ):
                        m.timex = _shift(prev.timex, 0, "(context)")
            if m.timex is not None and m.timex.get("date_start") is not None:
                dated.append(m)

    def next_sentence_tolls(self, mentions: list[_Mention], events: list[dict]) -> None:
        """Take the dead and wounded from the sentence right after an attack when that
        sentence names no attack of its own: "... came under attack by a drone. Three of our
        soldiers were killed and more than 30 were wounded." Only a toll still unknown is
        filled, and not from a sentence that turns to something else ("Separately, ...")."""
        f = self.folded
        told = {m.sent_idx for m in mentions}
        by_sent = {
            m.sent_idx: m for m in mentions if m.status == "event" and m.event_idx is not None
        }
        for si in sorted(by_sent):
            prev = by_sent[si]
            if si + 1 in told or si + 1 >= len(self.sents):
                continue
            s = self.sents[si + 1]
            cue = self.cues(si + 1)
            if _SHIFT.match(f, s.start) or not (
                cue["killed"].search(f, s.start, s.end) or cue["wounded"].search(f, s.start, s.end)
            ):
                continue
            ev = events[prev.event_idx]
            killed, wounded = self._casualties(s.start, s.end)
            if ev["killed"] is None and killed is not None:
                ev["killed"] = killed
            if ev["wounded"] is None and wounded is not None:
                ev["wounded"] = wounded

    def _publication(self) -> dict | None:
        """The publication day as a dating expression (the story's "now")."""
        pub = self.doc.published
        if pub is None:
            return None
        return {"start": 0, "end": 0, "text": "publication", "date": pub, "date_start": pub,
                "date_end": pub, "precision": "day", "kind": "point"}  # fmt: skip

    # ---- merging mentions into article-level events

    def merge(self, mentions: list[_Mention]) -> list[dict]:
        events: list[dict] = []
        self._latest = None
        self._only_by: dict[str, int | None] = {}  # perpetrator -> their one event so far
        for m in mentions:
            if m.status not in ("event", "reference"):
                continue
            best, best_key, best_score = None, None, -99
            too_far = False
            dated = m.timex is not None and m.timex.get("date_start") is not None
            for ev in events:
                if not self._compatible(ev, m):
                    continue
                if m.other_than is not None and m.other_than in ev["mentions"]:
                    continue
                hard, soft, facts = self._evidence(ev, m)
                if ((m.definite or m.status == "reference") and facts < 1
                        and m.sent_idx - ev["last_sent"] > REACH):  # fmt: skip
                    # a bare "the attack" long after the last word on a happening (a briefing
                    # has moved on to other stories): no telling which one it means
                    too_far = True
                    continue
                if m.status == "reference" or m.det in ("that", "this", "these", "those"):
                    key = (hard, ev["last_start"])  # "that attack": the one just told
                elif m.definite:
                    # "the attack": the main one (most told, then the lead)
                    key = (hard, len(ev["mentions"]), -ev["event_idx"], ev["last_start"])
                else:
                    key = (hard + soft, len(ev["mentions"]), -ev["event_idx"], ev["last_start"])
                if best_key is None or key > best_key:
                    best, best_key, best_score = ev, key, hard + soft
            joins = best is not None and (
                ((m.definite or m.status == "reference") and best_key[0] >= 0) or best_score >= 2
            )
            if joins:
                self._absorb(best, m)
                m.event_idx = best["event_idx"]
            elif m.status == "event" and m.asked and not (m.definite and dated):
                # "Was it a drone?", "are these strikes targeted enough?": a question may
                # refer to a happening told before, or presuppose a dated one ("Was the
                # strike successful last night?"), but it tells of none
                m.status, m.reason = "question", "asked, not told"
            elif m.status == "event" and m.plural and m.det in ("these", "those"):
                m.status, m.reason = "aggregate", f"'{m.det}' names attacks told of before, not one"
            elif (
                m.status == "event"
                and too_far
                and not dated
                and not (m.location_id or m.country_id)
            ):
                m.status, m.reason = "reference", "refers back to a happening told long before"
            elif m.status == "event":
                events.append(self._new_event(m, len(events)))
                m.event_idx = events[-1]["event_idx"]
            if m.event_idx is not None:
                self._latest = m.event_idx
                ev = events[m.event_idx]
                if ev["perp"] is not None:
                    by = [e["event_idx"] for e in events if e["perp"] == ev["perp"]]
                    self._only_by[ev["perp"]] = by[0] if len(by) == 1 else None
        return events

    def _new_event(self, m: _Mention, idx: int) -> dict:
        ev = {"event_idx": idx, "mentions": [], "last_start": m.start, "last_sent": m.sent_idx,
              "plural": False, "victims": set(),
              "types": [], "timex": None, "perp": None, "attr": None, "target": None,
              "location": None, "country": None, "killed": None, "wounded": None,
              "weapon": None}  # fmt: skip
        self._absorb(ev, m)
        return ev

    def _absorb(self, ev: dict, m: _Mention) -> None:
        ev["mentions"].append(m)
        ev["victims"] |= m.victims
        ev["last_start"], ev["last_sent"] = m.start, m.sent_idx
        ev["plural"] = (
            ev["plural"]
            or m.plural
            or bool(_RE_ABSORB_1.search(self.folded[m.clause[0] : m.clause[1]]))
        )
        if m.status == "event":
            ev["types"].append(m.event_type)
        if m.timex is not None and m.timex.get("date_start") is not None:
            old = ev["timex"]
            if old is None or _tx_rank(m.timex) < _tx_rank(old):
                ev["timex"] = m.timex
        if m.perpetrator_id is not None:
            if ev["perp"] is None or (_ATTR_RANK[m.attribution] < _ATTR_RANK[ev["attr"]] and
                                      m.perpetrator_id == ev["perp"]):  # fmt: skip
                ev["perp"], ev["attr"] = m.perpetrator_id, m.attribution
        elif m.attribution == "alleged" and ev["perp"] is None:
            ev["attr"] = "alleged"
        if ev["target"] is None and m.target_id is not None:
            ev["target"] = m.target_id
        if m.location_id is not None:
            old = ev["location"]
            if old is None or self.place_rank(m.location_id) < self.place_rank(old):
                ev["location"] = m.location_id
        if ev["country"] is None and m.country_id is not None:
            ev["country"] = m.country_id
        for k in ("killed", "wounded"):
            v = getattr(m, k)
            if v is not None and (ev[k] is None or v > ev[k]):
                ev[k] = v
        if ev["weapon"] is None and m.weapon:
            ev["weapon"] = m.weapon

    def _compatible(self, ev: dict, m: _Mention) -> bool:
        if m.status == "event" and not all(_compatible_types(t, m.event_type) for t in ev["types"]):
            return False
        if (
            m.timex is not None
            and ev["timex"] is not None
            and not _overlap(ev["timex"], m.timex, slack=False)
        ):
            return False
        if (m.location_id and ev["location"] and not self._same_place(m.location_id, ev["location"])
                and max(self.place_rank(m.location_id), self.place_rank(ev["location"])) < 3):  # fmt: skip
            return False  # two seas or regions may name the same waters; two towns may not
        mc = m.country_id or self.country_of(m.location_id)
        if mc and ev["country"] and mc != ev["country"]:
            return False
        if m.perpetrator_id and ev["perp"] and m.perpetrator_id != ev["perp"]:
            return False
        if (m.perpetrator_id and m.perpetrator_id == ev["target"]) or (
            m.target_id and m.target_id == ev["perp"]
        ):
            return False
        return True

    def _same_place(self, a: str, b: str) -> bool:
        def chain(x):
            out, seen = [], set()
            while x and x not in seen:
                seen.add(x)
                out.append(x)
                x = self.m.actors.get(x, (None, None))[1]
            return out

        return a in chain(b) or b in chain(a)

    def _evidence(self, ev: dict, m: _Mention) -> tuple[int, int, int]:
        """(hard, soft, facts) evidence that ``m`` tells of ``ev``: all shared evidence, then
        proximity, then the shared facts alone (date, place, toll, victims: what may join a
        mention to a happening told long before)."""
        score = 0
        if (
            m.timex is not None
            and ev["timex"] is not None
            and m.timex["precision"] in ("day", "week")
        ):
            score += 2
        if m.location_id and ev["location"] and self._same_place(m.location_id, ev["location"]):
            score += 2  # (two seas or regions may be compatible without being the same place)
        if m.country_id and ev["country"] == m.country_id:
            score += 1
        if m.killed and ev["killed"] == m.killed:
            score += 2
        by_same = 0  # who did it: evidence nearby, but a state strikes often, so not from afar
        if m.perpetrator_id and ev["perp"] == m.perpetrator_id:
            by_same = 1
            if (
                m.timex is None
                and not m.asked
                and self._only_by.get(m.perpetrator_id) == ev["event_idx"]
            ):
                by_same = 2  # "we struck targets": the one operation of theirs this text tells
        penalty = 0
        if m.target_id and ev["target"]:
            if ev["target"] == m.target_id:
                score += 1
            else:
                penalty -= 1
        if m.event_type not in _GENERIC and m.event_type in ev["types"]:
            score += 1
        if m.victims and m.victims & ev["victims"]:
            score += 3  # the same person killed
        if (m.timex is not None and ev["timex"] is not None and m.timex["precision"] not in ("day", "week")
                and (m.timex["date_start"], m.timex["date_end"]) == (ev["timex"]["date_start"], ev["timex"]["date_end"])):  # fmt: skip
            score += 2
        origin = _FROM.search(self.folded, max(m.clause[0], m.end), min(m.clause[1], m.end + 20))
        if origin and ev["perp"]:
            src = [
                e for e in self.ents_in(origin.end(), origin.end() + 30) if e.start == origin.end()
            ]
            if src and (
                src[0].entity_id == ev["perp"]
                or src[0].entity_id in _place_chain(ev["perp"], self.m.actors)
            ):
                score += 2  # "the attack from Lebanon" and Hezbollah's rockets
        facts = score
        score += by_same
        if m.plural and m.definite:
            score += 1 if ev["plural"] else -1  # "the strikes" after "jets struck five sites"
        if _RETURNED_FIRE.search(self.folded, max(m.clause[0], m.start - 30), m.start):
            score -= 3  # "its forces returned artillery fire": a new exchange
        score += penalty
        soft = 0
        if (m.timex is None and ev["event_idx"] == self._latest and m.sent_idx - ev["last_sent"] <= 3
                and (not m.location_id or not ev["location"])):  # fmt: skip
            soft = 2  # an undated mention right after the last one told: the story elaborates
        elif m.sent_idx - ev["last_sent"] <= 2:
            soft = 1  # told close by
        return score, soft, facts

    # ---- tallies

    def tallies(self) -> list[dict]:
        return self.tally_rows

    def _tallies(self) -> list[dict]:
        rows = self._death_tallies()
        pub = self.doc.published
        f = self.folded
        for mt in self._tally_matches():
            num = mt.group("num")
            unit_word = " ".join(mt.group("unit").split())
            ordinal = bool(_RE_BARE_TALLIES_1.search(num)) or (
                self.m.numbers.get(_RE_TALLIES_6.split(num)[-1], (0, ""))[1] == "ordinal"
            )
            count = self._count(num)
            if mt.group("mods") and not ordinal and _RE_TALLIES_3.search(mt.group("mods")):
                continue
            if count is None or count < 2:
                continue
            plural_unit = unit_word.endswith("s")
            if unit_word == "times" and mt.group("mods"):
                continue
            if ordinal == plural_unit and unit_word != "times":
                continue  # "the 66th attack", "165 attacks" - not "3rd attacks"
            if (
                ordinal
                and not mt.group("the")
                and not _RE_TALLIES_4.search(f[max(0, mt.start() - 5) : mt.start()])
            ):
                continue
            if not ordinal and self.m.units.get(unit_word) in ("missiles", "rounds"):
                continue  # "122 missiles": one barrage's size, not a running count
            if any(t["start"] < mt.end("num") and mt.start("num") < t["end"] for t in self.timexes):
                continue  # "the February 15 rocket attack": a date, not a count
            if _RE_TALLIES_1.search(f[max(0, mt.start("num") - 16) : mt.start("num")]):  # fmt: skip
                continue  # "October the 7th attack"
            si = self.doc.sentence_at(mt.start())
            s = self.sents[si]
            if unit_word == "times" and not self.cues(si)["attack_verb"].search(
                f, max(s.start, mt.start() - 60), mt.start()
            ):
                continue
            left = f[max(s.start, mt.start() - 14) : mt.start()]
            if _RE_TALLIES_2.search(left):
                continue
            if self._not_attack((mt.start("unit"), mt.end("unit"), unit_word, None), s):
                continue  # "45 strikes were planned", "could face 100 more attacks"
            if not ordinal:
                txs = self.timexes_in(s.start, s.end)
                if any(
                    t["kind"] == "point"
                    and t["precision"] in ("day", "week")
                    and not _AS_OF.search(f, max(0, t["start"] - 12), t["start"])
                    for t in txs
                ) and not any(t["kind"] in ("since", "range") for t in txs):
                    continue  # "five strikes on Saturday": one event's count, not a tally
            qual = "ordinal" if ordinal else self.m.qualifiers.get(
                " ".join((mt.group("qual") or "").split()), "exact")  # fmt: skip
            since, as_of = None, pub
            for t in self.timexes_in(s.start, s.end):
                if t["kind"] in ("since", "range") and since is None:
                    since = t["date_start"]
                    if (
                        t["kind"] == "range"
                        and t["date_end"] is not None
                        and (pub is None or t["date_end"] < pub)
                    ):
                        as_of = t["date_end"]  # "between October 17 and December 21"
                elif (
                    since is None
                    and t["kind"] == "point"
                    and _RE_TALLIES_5.search(f[max(s.start, t["start"] - 45) : t["start"]])
                ):
                    since = t["date_start"]  # "since he took office in January"
                elif _AS_OF.search(f, max(0, t["start"] - 12), t["start"]):
                    as_of = t["date_end"] or as_of
            ents = self.usable_in(s.start, s.end)
            probe = _Mention(si, mt.start(), mt.end(), "", "noun", "attack", None, (s.start, s.end))
            target = self._target(probe, ents, None)
            rows.append({
                "article_id": self.doc.article_id, "sent_idx": si, "count": count,
                "qualifier": qual, "unit": self.m.units.get(unit_word, "attacks"), "since": since,
                "as_of": as_of,
                "target_id": target, "region": self._region(s.start, s.end),
                "start": mt.start(), "end": mt.end(), "text": self.text[mt.start() : mt.end()],
            })  # fmt: skip
        rows += self._bare_tallies([(r["start"], r["end"]) for r in rows])
        return rows

    def _tally_matches(self):
        """``tally_re.finditer`` over the text, scanning only the stretches that can hold a tally.

        A tally spans no character ``tally_cuts`` matches (".", ";", "?"...) and holds a
        unit word, so the stretches between cuts without a unit word's first letters hold
        none. Scanned alone (its bounds are cuts, which the pattern's look-arounds treat
        as the whole text does), a stretch gives what the whole scan gives there.
        """
        f, m = self.folded, self.m
        if m.tally_cuts is None:
            yield from m.tally_re.finditer(f)
            return
        hits = []
        for k in m.tally_keys:
            i = f.find(k)
            while i >= 0:
                hits.append(i)
                i = f.find(k, i + 1)
        if not hits:
            return
        hits.sort()
        cuts = [mt.start() for mt in m.tally_cuts.finditer(f)]
        end = -1
        for i in hits:
            if i < end:
                continue  # in the stretch just scanned
            j = bisect_right(cuts, i)
            start, end = (cuts[j - 1] + 1 if j else 0), (cuts[j] if j < len(cuts) else len(f))
            yield from m.tally_re.finditer(f, start, end)

    def _bare_tallies(self, taken: list[tuple[int, int]]) -> list[dict]:
        """Counts that leave out what they count, in a sentence about attacks: "we've seen
        ... about a dozen over the last several days", "some 160 since October 17"."""
        f = self.folded
        rows = []
        for t in self.timexes if self.m.bare_re is not None else ():
            if t["kind"] not in ("since", "range"):
                continue
            mt = self.m.bare_re.search(
                f, max(0, t["start"] - 60), t["start"]
            )  # the count just before
            if mt is None or any(a < mt.end() and mt.start() < b for a, b in taken):
                continue
            count = self._count(mt.group("num"))
            if count is None or count < 2 or _RE_BARE_TALLIES_1.search(mt.group("num")):
                continue
            si = self.doc.sentence_at(mt.start())
            s = self.sents[si]
            topic = self.sents[si - 1].start if si > 0 else s.start
            if not self.m.trigger_re.search(f, topic, s.end) or self.cues(si)["killed"].search(
                f, s.start, s.end
            ):
                continue  # a count of attacks only where attacks are the topic (and not of the dead)
            if any(x["start"] < mt.end("num") and mt.start() < x["end"] for x in self.timexes):
                continue
            rows.append({
                "article_id": self.doc.article_id, "sent_idx": si, "count": count,
                "qualifier": self.m.qualifiers.get(" ".join((mt.group("qual") or "").split()), "exact"),
                "unit": "attacks", "since": t["date_start"], "as_of": self.doc.published, "target_id": None,
                "region": self._region(s.start, s.end), "start": mt.start(), "end": mt.end("num"),
                "text": self.text[mt.start() : mt.end("num")],
            })  # fmt: skip
        return rows

    def _death_tallies(self) -> list[dict]:
        """Running death tolls: "Fighting has killed at least 231 people in Lebanon since October"."""
        f = self.folded
        rows = []
        spans, i = [], f.find("killed")  # only sentences that tell of the dead can hold a toll
        while i >= 0:
            s = self.sents[self.doc.sentence_at(i)] if self.sents else None
            if s is not None and (not spans or spans[-1] != (s.start, s.end)):
                spans.append((s.start, s.end))
            i = f.find("killed", i + 6)
        for mt in (m for a, b in spans for m in self.m.death_re.finditer(f, a, b)):
            count = self._count(mt.group("num") or mt.group("num2"))
            if count is None or count < 2:
                continue
            si = self.doc.sentence_at(mt.start())
            s = self.sents[si]
            if mt.group("num2"):
                # the dead of many attacks or of a period ("30 service members have been killed
                # in attacks on US troops", "since October 8"), not one attack's toll ("700
                # Israelis have been killed since Hamas fighters broke through")
                by = _KILLED_IN.match(f, mt.end())
                tr = self.m.trigger_re.match(f, by.end()) if by else None
                series = (
                    tr is not None and tr.group().endswith("s") and not tr.group().endswith("ss")
                )
                if not series and not any(
                    t["kind"] in ("since", "range") for t in self.timexes_in(s.start, s.end)
                ):
                    continue
            since = None
            for t in self.timexes_in(s.start, s.end):
                if t["kind"] in ("since", "range"):
                    since = t["date_start"]
                    break
            who = mt.group("who") or mt.group("who2") or ""
            ents = self.usable_in(s.start, s.end)
            probe = _Mention(si, mt.start(), mt.end(), "", "noun", "attack", None, (s.start, s.end))
            rows.append({
                "article_id": self.doc.article_id, "sent_idx": si, "count": count,
                "qualifier": self.m.qualifiers.get(" ".join((mt.group("qual") or mt.group("qual2") or "").split()), "exact"),
                "unit": "civilian deaths" if who.startswith("civilian") else "deaths", "since": since,
                "as_of": self.doc.published, "target_id": self._target(probe, ents, None),
                "region": self._region(s.start, s.end), "start": mt.start(), "end": mt.end(),
                "text": self.text[mt.start() : mt.end()],
            })  # fmt: skip
        return rows

    def _count(self, num: str) -> int | None:
        num = " ".join(num.replace("-", " ").split())
        m = _RE_COUNT_1.match(num)
        if m:
            return int(m.group(1).replace(",", ""))
        parts = num.split()
        tens, unit = (
            (self.m.numbers.get(p, (None, ""))[0] for p in parts[:2])
            if len(parts) == 2
            else (None, None)
        )
        if tens and unit and tens >= 20 and tens % 10 == 0 and unit < 10:
            return tens + unit  # "twenty-three", "forty-fifth"
        if len(parts) == 2 and parts[1] in ("hundred", "thousand", "dozen"):
            base = self.m.numbers.get(parts[0], (None, ""))[0]
            return base * self.m.numbers[parts[1]][0] if base else None
        v = self.m.numbers.get(num)
        return v[0] if v else None

    def _region(self, a: int, b: int) -> str | None:
        """Where a tally counts: "in Iraq and Syria" -> "Iraq and Syria"."""
        f = self.folded
        ents = [e for e in self.ents_in(a, b) if e.etype in ("state", *_PLACE_TYPES)]
        for i, e in enumerate(ents):
            if not _RE_REGION_1.search(
                f[max(a, e.start - 12) : e.start],
            ):
                continue
            last = e
            for nxt in ents[i + 1 :]:
                if _RE_REGION_2.fullmatch(f[last.end : nxt.start]):
                    last = nxt
                else:
                    break
            return self.text[e.start : last.end]
        return None


_REL_BEFORE_CLAUSE = re.compile(
    r"(?P<n>a|an|one|two|three|four|five|six|seven|\d+|several|hours|days)\s+(?P<u>hours?|days?|weeks?)?\s*(?P<dir>after|before)\b"
)
_REL_LEAD = re.compile(
    r"\b(?:within\s+(?:hours|a\s+day|minutes)|hours\s+later|later\s+that\s+day|the\s+same\s+day|that\s+day|"
    r"the\s+(?:next|following)\s+day|a\s+day\s+later|(?:two|three|four|\d+)\s+days\s+later)\b"
)
_RESPONSE = re.compile(r"\b(?:respond\w*|retaliat\w*|in\s+response|hit\s+back|returned\s+fire)\b")


def _rel_days(n: str, unit: str | None, numbers: dict) -> int:
    if n in ("hours", "days") and unit is None:
        return 0 if n == "hours" else 2
    if unit is None or unit.startswith("hour"):
        return 0
    k = int(n) if n.isdigit() else numbers.get(n, (1, ""))[0]
    return k * (7 if unit.startswith("week") else 1)


def _lead_days(text: str, numbers: dict) -> int:
    t = " ".join(text.split())
    if "next day" in t or "following day" in t or t in ("a day later", "within a day"):
        return 1
    m = _RE_LEAD_DAYS_1.match(t)
    if m:
        return int(m.group(1)) if m.group(1).isdigit() else numbers.get(m.group(1), (1, ""))[0]
    return 0


def _shift(t: dict, days: int, text: str) -> dict:
    d = timedelta(days=days)
    return {**t, "date": t["date"] + d if t.get("date") else None,
            "date_start": t["date_start"] + d, "date_end": t["date_end"] + d,
            "text": f"{text.strip()} ({t.get('text')})", "kind": "point"}  # fmt: skip


def _tx_rank(t: dict) -> tuple[int, int]:
    span = (
        (t["date_end"] - t["date_start"]).days if t.get("date_end") and t.get("date_start") else 999
    )
    return (_PRECISION_RANK.get(t["precision"], 9), span)


def _overlap(t1: dict, t2: dict, slack: bool = True) -> bool:
    if t1.get("date_start") is None or t2.get("date_start") is None:
        return True
    # two reports a day apart may tell one happening (time zones, late-night attacks)
    s = timedelta(
        days=max(_SLACK.get(t1["precision"], 0), _SLACK.get(t2["precision"], 0)) if slack else 0
    )
    return t1["date_start"] - s <= t2["date_end"] and t2["date_start"] - s <= t1["date_end"]


def _iso(d) -> date | None:
    """A plain date from a date, Timestamp, datetime64 or ISO string; None for missing."""
    if d is None or d is pd.NaT:
        return None
    if isinstance(d, str):
        return date.fromisoformat(d[:10]) if d else None
    try:
        if pd.isna(d):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(d, datetime):  # Timestamp included
        return d.date()
    if isinstance(d, date):
        return d
    return pd.Timestamp(d).date()


# --------------------------------------------------------------------------- inference


def _infer(events: list[dict], mentions: list[_Mention], model: EventModel) -> None:
    """Fill a missing perpetrator from the article's other strikes on the same target."""
    strike = ("drone_strike", "air_strike", "strike")
    known = [(m.perpetrator_id, m.target_id, m.event_type) for m in mentions
             if m.perpetrator_id and m.status in ("event", "aggregate") and m.event_type in strike]  # fmt: skip
    for ev in events:
        if ev["perp"] is not None or not set(ev["types"]) & set(strike):
            continue
        same_target = {p for p, t, _ in known if t and t == ev["target"]}
        if len(same_target) == 1:
            p = same_target.pop()
            if p != ev["target"]:
                ev["perp"], ev["attr"] = p, "inferred"
                continue
        types = set(ev["types"])
        if types & {"drone_strike", "air_strike", "strike"} and ev["target"]:
            strikers = {p for p, t, et in known if et in ("drone_strike", "air_strike", "strike")}
            if len(strikers) == 1:
                p = strikers.pop()
                if p != ev["target"] and model.actors.get(ev["target"], ("", None))[0] != "state":
                    ev["perp"], ev["attr"] = p, "inferred"


def _final_type(ev: dict, model: EventModel) -> str:
    t = _specific(ev["types"])
    if t == "strike":
        # a strike of unstated kind by a state is an air strike; by anyone else, an attack
        return (
            "air_strike"
            if model.actors.get(ev["perp"] or "", ("", None))[0] == "state"
            else "attack"
        )
    return t


# --------------------------------------------------------------------------- pipeline stage


def extract(doc: Doc, model: EventModel, found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The ``events``, ``event_mentions`` and ``tallies`` rows of one article.

    ``found`` must hold the ``mentions`` (entities stage) and ``timexes`` (timex stage)
    rows of the article; without them events are still found, with fewer arguments.

    Examples
    --------
    >>> from datetime import date
    >>> from conflictlens import timex
    >>> from conflictlens.text import make_doc
    >>> doc = make_doc("a1", "A drone strike killed three fighters on Tuesday. "
    ...                "Officials warned of future attacks.", published=date(2024, 2, 8))
    >>> found = timex.extract(doc, timex.build(), {})
    >>> out = extract(doc, build(), found)
    >>> [(e["event_type"], str(e["date"]), e["killed"]) for e in out["events"]]
    [('drone_strike', '2024-02-06', 3)]
    >>> [(m["trigger"], m["status"]) for m in out["event_mentions"]]
    [('drone strike', 'event'), ('attacks', 'not_attack')]
    """
    r = _Reader(doc, model, found)
    mentions = r.mentions()
    r.relative_dates(mentions)
    events = r.merge(mentions)
    r.next_sentence_tolls(mentions, events)
    _infer(events, mentions, model)
    ev_rows = []
    for ev in events:
        first = next(m for m in ev["mentions"] if m.status == "event")
        tx = ev["timex"] or {}
        etype = _final_type(ev, model)
        country = ev["country"] or r.country_of(ev["location"])
        attribution = ev["attr"] or "stated"  # no one named and no one blamed: the report's account
        ev_rows.append({
            "article_id": doc.article_id, "sent_idx": first.sent_idx, "event_type": etype,
            "date": tx.get("date"), "date_start": tx.get("date_start"),
            "date_end": tx.get("date_end"), "date_precision": tx.get("precision"),
            "date_text": tx.get("text"), "perpetrator_id": ev["perp"],
            "target_id": ev["target"], "location_id": ev["location"], "country_id": country,
            "killed": ev["killed"], "wounded": ev["wounded"],
            "weapon": ev["weapon"] or _WEAPON.get(etype), "attribution": attribution,
            "cluster_id": None, "event_idx": ev["event_idx"], "n_mentions": len(ev["mentions"]),
            "sent_idxs": sorted({m.sent_idx for m in ev["mentions"]}), "start": first.start,
            "end": first.end, "trigger": first.trigger, "published": doc.published,
            "outlet": doc.outlet,
        })  # fmt: skip
    m_rows = []
    for m in mentions:
        tx = m.timex or {}
        m_rows.append({
            "article_id": doc.article_id, "sent_idx": m.sent_idx, "start": m.start, "end": m.end,
            "trigger": m.trigger, "status": m.status, "reason": m.reason,
            "event_idx": m.event_idx, "event_type": m.event_type, "date": tx.get("date"),
            "date_start": tx.get("date_start"), "date_end": tx.get("date_end"),
            "date_precision": tx.get("precision"), "date_text": tx.get("text"),
            "perpetrator_id": m.perpetrator_id, "target_id": m.target_id,
            "location_id": m.location_id, "country_id": m.country_id, "killed": m.killed,
            "wounded": m.wounded, "weapon": m.weapon, "attribution": m.attribution,
            "definite": m.definite, "clause_start": m.clause[0], "clause_end": m.clause[1],
        })  # fmt: skip
    return {"events": ev_rows, "event_mentions": m_rows, "tallies": r.tallies()}


_WEAPON = {"drone_strike": "drone", "rocket_attack": "rocket", "missile_attack": "missile",
           "air_strike": "aircraft", "ied_attack": "ied"}  # fmt: skip


def _json_value(v):
    if v is None:
        return None
    if isinstance(v, float):
        return None if pd.isna(v) else (int(v) if v.is_integer() else v)
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    return v


_RECORD_EVENT = ["event_type", "date", "date_start", "date_end", "date_precision", "date_text",
                 "perpetrator_id", "target_id", "location_id", "country_id", "killed", "wounded",
                 "attribution"]  # fmt: skip
_RECORD_TALLY = ["count", "qualifier", "unit", "since", "as_of", "target_id", "region"]


def record(tables: dict[str, pd.DataFrame], doc: Doc) -> dict:
    """The ``events`` and ``tallies`` lists of the analyze JSON record (DESIGN.md).

    Each item carries the ``sentence`` it was read from (an event: its first mention).
    """

    def sentence(si) -> str | None:
        si = _json_value(si)
        return (
            doc.sentences[int(si)].text
            if si is not None and 0 <= int(si) < len(doc.sentences)
            else None
        )

    out = {"events": [], "tallies": []}
    ev = tables.get("events")
    if ev is not None and len(ev):
        for r in ev.to_dict("records"):
            item = {k: _json_value(r.get(k)) for k in _RECORD_EVENT}
            item["sentence"] = sentence(r.get("sent_idx"))
            out["events"].append(item)
    ta = tables.get("tallies")
    if ta is not None and len(ta):
        for r in ta.to_dict("records"):
            item = {k: _json_value(r.get(k)) for k in _RECORD_TALLY}
            item["sentence"] = sentence(r.get("sent_idx"))
            out["tallies"].append(item)
    return out


# --------------------------------------------------------------------------- across articles

CLUSTER_WINDOW_DAYS = 45
"""An article-level event is compared with happenings dated within this many days."""


def _event_profile(r: dict) -> dict:
    ds, de = _iso(r.get("date_start")), _iso(r.get("date_end"))
    pub = _iso(r.get("published"))
    return {
        "type": r.get("event_type"), "start": ds, "end": de,
        "precision": r.get("date_precision") if ds else None, "pub": pub,
        "perp": _none(r.get("perpetrator_id")), "target": _none(r.get("target_id")),
        "location": _none(r.get("location_id")), "country": _none(r.get("country_id")),
        "killed": _int(r.get("killed")), "wounded": _int(r.get("wounded")),
    }  # fmt: skip


def _none(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else v


def _int(v):
    v = _none(v)
    return None if v is None else int(v)


def _int_list(v) -> list[int]:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return []
    if isinstance(v, str):
        return [int(x) for x in _RE_INT_LIST_1.findall(v)]
    return [int(x) for x in v]


_CHAINS: dict[tuple[int, str], tuple[dict, tuple[str, ...]]] = {}


def _place_chain(eid: str | None, actors: dict) -> tuple[str, ...]:
    """``eid`` and the places that enclose it (its affiliation chain), memoised.

    Clustering asks for the same few chains hundreds of thousands of times; the
    gazetteer does not change while a model lives, so the chain is computed once.
    """
    if not eid:
        return ()
    key = (id(actors), eid)
    hit = _CHAINS.get(key)
    if hit is not None and hit[0] is actors:  # the entry holds its dict, so ids are not reused
        return hit[1]
    out, seen, cur = [], set(), eid
    while cur and cur not in seen:
        seen.add(cur)
        out.append(cur)
        cur = actors.get(cur, (None, None))[1]
    chain = tuple(out)
    if actors:  # an empty dict is built per call; caching it would only grow the table
        _CHAINS[key] = (actors, chain)
    return chain


_COMPATIBLE_PAIRS = frozenset((x, y) for pair in _COMPATIBLE for x in pair for y in pair if x != y)
_SLACK_DAYS = {k: timedelta(days=v) for k, v in _SLACK.items()}
_NO_SLACK = timedelta(0)


_PROFILE = ("type", "start", "end", "precision", "pub", "perp", "target", "location", "country",
            "killed", "wounded")  # fmt: skip
"""The fields of an event profile; clustering keeps a profile as a tuple in this order."""
_TY, _ST, _EN, _PR, _PUB, _PE, _TA, _LO, _CO, _KI, _WO = range(len(_PROFILE))


def pair_score(a: dict, b: dict, actors: dict | None = None) -> int | None:
    """How strongly two event profiles look like one happening; ``None`` if they cannot be.

    Compatible: types that can name the same thing, dates overlapping within their
    precision (an undated report cannot predate the happening), the same or an
    enclosing place, the same perpetrator and target where both are known. The score
    adds evidence: same day (+2), same place (+2), same country (+1), same perpetrator
    (+1), same target (+1; another target -1), the same specific type (+1), same death
    toll (+2), same wounded (+1); two different named sites in one country cost 4, other
    differing places 1.

    Examples
    --------
    >>> a = {"type": "attack", "start": date(2024, 1, 21), "end": date(2024, 1, 31),
    ...      "precision": "part_of_month", "pub": date(2024, 2, 8), "perp": None,
    ...      "target": "united_states", "location": None, "country": "jordan",
    ...      "killed": 3, "wounded": None}
    >>> b = dict(a, type="drone_strike", start=date(2024, 1, 28), end=date(2024, 1, 28),
    ...          precision="day", pub=date(2024, 1, 29), perp="islamic_resistance_in_iraq")
    >>> pair_score(a, b)
    4
    >>> pair_score(a, dict(b, country="iraq")) is None
    True
    """
    places = _Places(actors or {})
    return _score(tuple(a[k] for k in _PROFILE), tuple(b[k] for k in _PROFILE), places)


class _Places(dict):
    """Place id -> (its :func:`_place_chain`, is it a named site in a place), computed
    on first use: clustering asks for the same few places millions of times."""

    def __init__(self, actors: dict):
        super().__init__()
        self.actors = actors

    def __missing__(self, eid: str) -> tuple[tuple[str, ...], bool]:
        chain = _place_chain(eid, self.actors)
        site = self.actors.get(eid, ("", None))[0] in ("place", "city") and len(chain) > 1
        self[eid] = (chain, site)
        return chain, site


def _score(a, b, places: _Places) -> int | None:
    """:func:`pair_score` of two profiles in :data:`_PROFILE` order (tuples or lists)."""
    ta, sa, ea, pra, puba, pea, taa, loa, coa, kia, woa = a
    tb, sb, eb, prb, pubb, peb, tab, lob, cob, kib, wob = b
    if not (ta == tb or ta in _GENERIC or tb in _GENERIC or (ta, tb) in _COMPATIBLE_PAIRS):
        return None
    score = 0
    if sa and sb:
        # :func:`_overlap` inlined: this runs once per candidate pair of the corpus
        slack = max(_SLACK_DAYS.get(pra, _NO_SLACK), _SLACK_DAYS.get(prb, _NO_SLACK))
        if not (sa - slack <= eb and sb - slack <= ea):
            return None
        if pra == prb == "day" and sa == sb:
            score += 2
    elif sa:
        if pubb and pubb < sa:
            return None
    elif sb:
        if puba and puba < sb:
            return None
    if loa and lob:
        chain_a, site_a = places[loa]
        chain_b, site_b = places[lob]
        if loa in chain_b or lob in chain_a:
            score += 2
        else:
            # two named sites in one country are two places; a city against a region or a
            # sea against a strait may be one place read two ways
            score -= 4 if site_a and site_b else 1
    if coa and cob:
        if coa != cob:
            return None
        score += 1
    if pea and peb:
        if pea != peb:
            return None
        score += 1
    if taa and tab:
        score += 1 if taa == tab else -1
    if (pea and pea == tab) or (taa and taa == peb):
        return None
    if ta == tb and ta not in _GENERIC:
        score += 1
    if kia and kib:
        score += 2 if kia == kib else 0
    if woa and wob and woa == wob:
        score += 1
    return score


def _merge(c: list, p) -> None:
    """Pool what report ``p`` knows into happening ``c`` (both in :data:`_PROFILE` order)."""
    if p[_ST] and (not c[_ST] or _PRECISION_RANK.get(p[_PR], 9) < _PRECISION_RANK.get(c[_PR], 9)):
        c[_ST], c[_EN], c[_PR] = p[_ST], p[_EN], p[_PR]
    for k in (_PE, _TA, _LO, _CO):
        if c[k] is None:
            c[k] = p[k]
    for k in (_KI, _WO):
        if p[k] is not None and (c[k] is None or p[k] > c[k]):
            c[k] = p[k]
    if c[_TY] in _GENERIC and p[_TY] not in _GENERIC:
        c[_TY] = p[_TY]
    if c[_PUB] is None or (p[_PUB] and p[_PUB] < c[_PUB]):
        c[_PUB] = p[_PUB]


_FACT_WEIGHTS = {"location": 2, "country": 1, "perp": 1, "target": 1, "type": 1, "killed": 2,
                 "wounded": 1}  # fmt: skip
"""What each shared fact adds in :func:`pair_score`: with the same day (dated pairs only)
these are its only positive terms, so a pair with an undated side scores at most the
weight of the facts it shares."""
_MAX_SLACK = max(_SLACK.values())
_MAX_SPAN = 400  # days: a dated happening longer than this is checked against every report
_FACT_FIELDS = (("location", _LO), ("country", _CO), ("perp", _PE), ("target", _TA))


def _facts(c) -> tuple[tuple[str, object], ...]:
    """The facts of a profile that can add to :func:`pair_score`, in a fixed order."""
    out = [(k, c[i]) for k, i in _FACT_FIELDS if c[i]]
    if c[_TY] not in _GENERIC:
        out.append(("type", c[_TY]))
    if c[_KI]:
        out.append(("killed", c[_KI]))
    if c[_WO]:
        out.append(("wounded", c[_WO]))
    return tuple(out)


class _Happenings:
    """The clusters of :func:`cluster_events` and the indexes that find a report's candidates.

    A report can only join a happening it is compatible with, so instead of scoring
    every happening within the window, candidates come from two exact indexes:

    * dated happenings by the days their dates cover: two dated reports must overlap
      within :data:`_SLACK` days;
    * every happening by the sets of facts whose weights reach ``min_score_undated``
      (the score a pair with an undated side needs): such a pair must share one of them.

    What the indexes return is then checked exactly as the plain scan did: in the window
    (:data:`CLUSTER_WINDOW_DAYS` around any date the happening was ever indexed under),
    no report of the same article, and a :func:`pair_score` reaching the threshold.

    Kept lean for millions of reports: a happening is a list in :data:`_PROFILE` order;
    its articles are one article code (a set only once a second article joins); its
    weeks, day span and fact keys are shared tuples, one per distinct value.
    """

    def __init__(self, actors: dict, min_score: int, min_score_undated: int):
        self.actors, self.min_score, self.min_undated = actors, min_score, min_score_undated
        self.places = _Places(actors)
        self.reach = CLUSTER_WINDOW_DAYS // 7 + 1
        self.clusters: list[list] = []
        self.first: list[int] = []  # the row that started each happening
        self.arts: list = []  # an article code, or a set of them
        self.weeks: list[tuple[int, ...]] = []  # every week a happening's start or pub fell in
        self.spans: list[tuple[int, int] | str | None] = []  # days indexed (None: undated)
        self.by_day: dict[int, set[int]] = {}
        self.wild: set[int] = set()  # dated, but open or too long to index by day
        self.undated = 0
        self.facts: list[tuple[tuple, list]] = []  # (facts, keys indexed)
        self.by_facts: dict[tuple, set[int]] = {}
        self._subsets: dict[tuple[str, ...], list[tuple[int, ...]]] = {}
        self._keys: dict[tuple, list[tuple]] = {}  # the same facts recur in many reports
        self._filed: dict[tuple, tuple[tuple, list]] = {(): ((), [])}
        self._shared: dict[tuple, tuple] = {}  # one object per distinct weeks or span tuple

    # ---- indexes

    def _minimal(self, names: tuple[str, ...]) -> list[tuple[int, ...]]:
        """Positions of the smallest sets of facts whose weights reach the undated threshold."""
        hit = self._subsets.get(names)
        if hit is None:
            w, need, hit = [_FACT_WEIGHTS[n] for n in names], self.min_undated, []
            for mask in range(1, 1 << len(names)):
                idx = [i for i in range(len(names)) if mask >> i & 1]
                tot = sum(w[i] for i in idx)
                if tot >= need and all(tot - w[i] < need for i in idx):
                    hit.append(tuple(idx))
            self._subsets[names] = hit
        return hit

    def _fact_keys(self, facts: tuple, query: bool) -> list[tuple]:
        # places match when one encloses the other: a happening is filed under every
        # place that encloses its own ("A") and under its own place ("S"); a report
        # looks up the happenings inside its place and those at a place enclosing it
        out = self._keys.get((facts, query))
        if out is not None:
            return out
        out = self._keys[(facts, query)] = []
        for subset in self._minimal(tuple(n for n, _ in facts)):
            keys: list[tuple] = [()]
            for i in subset:
                name, value = facts[i]
                if name == "location":
                    chain = _place_chain(value, self.actors)
                    forms = ([("A", value)] + [("S", x) for x in chain] if query
                             else [("A", x) for x in chain] + [("S", value)])  # fmt: skip
                else:
                    forms = [value]
                keys = [k + ((name, f),) for k in keys for f in forms]
            out.extend(keys)
        return out

    def _index(self, ci: int) -> None:
        """(Re)file happening ``ci`` after it was created or its profile changed."""
        c = self.clusters[ci]
        start, end = c[_ST], c[_EN]
        weeks = self.weeks[ci]
        for d in (start, c[_PUB]):
            if d and d.toordinal() // 7 not in weeks:
                weeks = weeks + (d.toordinal() // 7,)
                weeks = self.weeks[ci] = self._shared.setdefault(weeks, weeks)
        span: tuple[int, int] | str | None = None
        if start:
            if end is None:
                span = "wild"
            else:
                lo, hi = sorted((start.toordinal(), end.toordinal()))
                span = (lo, hi) if hi - lo <= _MAX_SPAN else "wild"
        old = self.spans[ci]
        if span != old:
            if old == "wild":
                self.wild.discard(ci)
            elif old is not None:
                for d in range(old[0], old[1] + 1):
                    self.by_day[d].discard(ci)
            if span == "wild":
                self.wild.add(ci)
            elif span is not None:
                span = self._shared.setdefault(span, span)
                for d in range(span[0], span[1] + 1):
                    self.by_day.setdefault(d, set()).add(ci)
            self.undated += (span is None) - (old is None)
            self.spans[ci] = span
        if self.min_undated <= 0:
            return  # every pair may reach the threshold: no fact index helps
        facts = _facts(c)
        if facts != self.facts[ci][0]:
            for k in self.facts[ci][1]:
                self.by_facts[k].discard(ci)
            filed = self._filed.get(facts)
            if filed is None:
                filed = self._filed[facts] = (facts, self._fact_keys(facts, query=False))
            for k in filed[1]:
                self.by_facts.setdefault(k, set()).add(ci)
            self.facts[ci] = filed

    def add(self, p: tuple, art: int, i: int) -> int:
        ci = len(self.clusters)
        self.clusters.append(list(p))
        self.first.append(i)
        self.arts.append(art)
        self.weeks.append(())
        self.spans.append(None)
        self.undated += 1
        self.facts.append(self._filed[()])
        self._index(ci)
        return ci

    def merge(self, ci: int, p: tuple, art: int) -> None:
        _merge(self.clusters[ci], p)
        had = self.arts[ci]
        if type(had) is int:
            if had != art:
                self.arts[ci] = {had, art}
        else:
            had.add(art)
        self._index(ci)

    # ---- search

    def _candidates(self, p: tuple) -> set[int] | range:
        """Happenings ``p`` may join (a superset), or all of them when no index applies."""
        out: set[int] = set()
        start, end = p[_ST], p[_EN]
        by_facts = self.min_undated > 0 and (self.undated or not start)
        if start:
            if end is None:
                return range(len(self.clusters))
            lo, hi = sorted((start.toordinal(), end.toordinal()))
            if hi - lo > _MAX_SPAN:
                return range(len(self.clusters))
            for d in range(lo - _MAX_SLACK, hi + _MAX_SLACK + 1):
                hit = self.by_day.get(d)
                if hit:
                    out |= hit
            out |= self.wild
            if self.undated and self.min_undated <= 0:
                return range(len(self.clusters))
        elif self.min_undated <= 0:
            return range(len(self.clusters))
        if by_facts:
            for k in self._fact_keys(_facts(p), query=True):
                hit = self.by_facts.get(k)
                if hit:
                    out |= hit
        return out

    def best(self, p: tuple, art: int) -> int | None:
        """The happening ``p`` joins: the best score reaching the threshold, the first on ties."""
        anchor = p[_ST] or p[_PUB]
        if not anchor:
            return None
        wk = anchor.toordinal() // 7
        lo, hi = wk - self.reach, wk + self.reach
        best, best_score = None, None
        clusters, weeks, arts, places = self.clusters, self.weeks, self.arts, self.places
        for ci in self._candidates(p):
            for w in weeks[ci]:
                if lo <= w <= hi:
                    break
            else:
                continue  # out of the window
            had = arts[ci]
            if (had == art) if type(had) is int else (art in had):
                continue
            c = clusters[ci]
            s = _score(c, p, places)
            if s is None:
                continue
            need = self.min_score if (c[_ST] and p[_ST]) else self.min_undated
            if s >= need and (
                best_score is None or s > best_score or (s == best_score and ci < best)
            ):
                best, best_score = ci, s
        return best


def _column(events: pd.DataFrame, col: str, convert, raw_missing: bool = False) -> list:
    """``convert`` of every value of column ``col``, one call and one object per distinct
    value (a million rows name a few hundred places and days); missing values (and an
    absent column) give ``convert(None)``, or with ``raw_missing`` the value as stored."""
    if col not in events:
        return [convert(None)] * len(events)
    codes, uniques = pd.factorize(events[col])
    values = [convert(u) for u in uniques]
    values.append(convert(None))  # code -1: missing
    out = [values[c] for c in codes.tolist()]
    if raw_missing and values and (codes < 0).any():
        raw = events[col].to_numpy(dtype=object)
        for i in (codes < 0).nonzero()[0].tolist():
            out[i] = raw[i]
    return out


def _same(v):
    return v


def _event_idx(v) -> int:
    return _int(v) or 0


def cluster_events(events: pd.DataFrame, actors: dict | None = None, *,
                   min_score: int = 2, min_score_undated: int = 4) -> pd.Series:  # fmt: skip
    """Cluster article-level events into happenings; returns a ``cluster_id`` per row.

    Events are taken in date order; each joins the best-scoring compatible happening
    (see :func:`pair_score`) that has no event from the same article, if the score
    reaches ``min_score`` (``min_score_undated`` when either side has no date: an
    undated report needs a shared place or death toll), else it starts a new one.
    Only happenings indexed within :data:`CLUSTER_WINDOW_DAYS` of the report are
    considered, and of those only the ones indexes show could reach the threshold, so
    the work grows with the number of reports, not with its square; the reports are
    read column by column into shared values, so memory stays small per report.
    Cluster ids are ``E`` + a running number in date order, so reruns give the same ids.

    Examples
    --------
    >>> ev = pd.DataFrame({"article_id": ["a", "b", "c"], "event_type": ["attack"] * 3,
    ...     "date_start": [date(2024, 1, 28), date(2024, 1, 28), date(2024, 1, 2)],
    ...     "date_end": [date(2024, 1, 28), date(2024, 1, 28), date(2024, 1, 2)],
    ...     "date_precision": ["day"] * 3, "published": [date(2024, 1, 29)] * 3,
    ...     "country_id": ["jordan", "jordan", "iraq"], "killed": [3, 3, None]})
    >>> list(cluster_events(ev))
    ['E0002', 'E0002', 'E0001']
    """
    actors = actors if actors is not None else default_model().actors
    if events is None or len(events) == 0:
        return pd.Series([], dtype="object")
    n = len(events)
    # the profile fields, column by column (see :func:`_event_profile` for one row)
    starts = _column(events, "date_start", _iso)
    precs = [p if s else None for p, s in
             zip(_column(events, "date_precision", _same, raw_missing=True), starts, strict=True)]  # fmt: skip
    cols = [_column(events, "event_type", _same, raw_missing=True), starts,
            _column(events, "date_end", _iso), precs, _column(events, "published", _iso),
            *(_column(events, c, _none) for c in ("perpetrator_id", "target_id", "location_id", "country_id")),
            _column(events, "killed", _int), _column(events, "wounded", _int)]  # fmt: skip
    # an article is its code; ordered as its id is as text
    if "article_id" in events:
        codes, uniques = pd.factorize(events["article_id"])
        names = [str(u) for u in uniques]
        if (codes < 0).any():  # a missing id: one more article, named as it is stored
            raw = events["article_id"].to_numpy(dtype=object)
            names.append(str(raw[(codes < 0).nonzero()[0][0]]))
            codes = np.where(codes < 0, len(names) - 1, codes)
    else:
        codes, names = np.zeros(n, dtype=np.int64), [str(None)]
    by_name = sorted(range(len(names)), key=names.__getitem__)
    name_rank = np.empty(len(names), dtype=np.int64)
    name_rank[by_name] = np.arange(len(names))
    arts = codes.tolist()
    # precise reports first, so a happening is anchored on its best-dated report; then by
    # date, article, event; ties in row order (lexsort is stable)
    order = np.lexsort((
        np.array(_column(events, "event_idx", _event_idx), dtype=np.int64),
        name_rank[codes],
        np.fromiter(((s or p or date.max).toordinal() for s, p in zip(starts, cols[_PUB], strict=True)),
                    dtype=np.int64, count=n),
        np.fromiter((_PRECISION_RANK.get(p, 9) for p in precs), dtype=np.int64, count=n),
    ))  # fmt: skip
    del codes, name_rank, by_name, names
    h = _Happenings(actors, min_score, min_score_undated)
    member = np.empty(n, dtype=np.int64)
    ty, st, en, pr, pub, pe, ta, lo, co, ki, wo = cols
    for i in order.tolist():
        p = (ty[i], st[i], en[i], pr[i], pub[i], pe[i], ta[i], lo[i], co[i], ki[i], wo[i])
        art = arts[i]
        best = h.best(p, art)
        if best is None:
            member[i] = h.add(p, art, i)
        else:
            h.merge(best, p, art)
            member[i] = best
    del cols, ty, st, en, pr, pub, pe, ta, lo, co, ki, wo, arts, order
    clusters, first = h.clusters, h.first
    # number clusters by date so ids are stable and readable
    rank = sorted(range(len(clusters)), key=lambda c: (
        clusters[c][_ST] or clusters[c][_PUB] or date.max, first[c]))  # fmt: skip
    ids = np.empty(len(clusters), dtype=object)
    for k, c in enumerate(rank):
        ids[c] = f"E{k + 1:04d}"
    return pd.Series(ids[member], index=events.index, dtype="object")


def finish(tables: dict[str, pd.DataFrame], model: EventModel) -> dict[str, pd.DataFrame]:
    """Corpus-level step: set ``cluster_id`` on the ``events`` table (cross-article clustering)."""
    ev = tables.get("events")
    if ev is None or len(ev) == 0:
        return tables
    ev = ev.copy(deep=False)  # new columns replace, never write into, the caller's
    ev["cluster_id"] = cluster_events(ev, model.actors)
    if "sent_idxs" in ev:  # read back from Parquet as arrays: keep plain lists of ints
        ev["sent_idxs"] = ev["sent_idxs"].map(_int_list)
    for col in ("killed", "wounded", "n_mentions", "event_idx"):
        if col in ev:
            ev[col] = _int_column(ev[col])
    tables = dict(tables)
    tables["events"] = ev
    for name in ("tallies",):
        t = tables.get(name)
        if t is not None and "count" in t and len(t):
            t = t.copy(deep=False)
            t["count"] = _int_column(t["count"])
            tables[name] = t
    return tables


def _int_column(s: pd.Series):
    """``s`` as nullable integers (``Int64``); integer columns convert without a Python
    object per row."""
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("Int64").array
    return pd.array(s.map(_int), dtype="Int64")


_STRENGTH = {a: i for i, a in enumerate(ATTRIBUTIONS)}


def unique_events(tables: dict[str, pd.DataFrame] | pd.DataFrame) -> pd.DataFrame:
    """One row per happening (``cluster_id``), merging what each report knows.

    Parameters
    ----------
    tables : dict or DataFrame
        The pipeline tables (``events`` and, for outlets, ``articles``) or the
        ``events`` table itself (with ``cluster_id`` set by :func:`finish`).

    Returns
    -------
    DataFrame with the ``events`` columns of DESIGN.md (most precise date, most
    specific type, the largest toll, the most direct attribution) plus ``n_mentions``
    (article-level events merged), ``n_articles``, ``outlets`` (sorted, ``"; "``-joined),
    ``first_reported``, ``article_ids`` and ``evidence`` (the first report's sentence
    when a ``sentences`` table is given), sorted by date.

    Examples
    --------
    >>> ev = pd.DataFrame({"article_id": ["a", "b"], "sent_idx": [0, 2],
    ...     "cluster_id": ["E0001", "E0001"], "event_type": ["attack", "drone_strike"],
    ...     "date": [None, date(2024, 1, 28)], "date_start": [None, date(2024, 1, 28)],
    ...     "date_end": [None, date(2024, 1, 28)], "date_precision": [None, "day"],
    ...     "killed": [3, 3], "perpetrator_id": [None, "kataeb_hezbollah"],
    ...     "attribution": [None, "alleged"], "outlet": ["X", "Y"],
    ...     "published": [date(2024, 1, 30), date(2024, 1, 29)]})
    >>> u = unique_events(ev)
    >>> r = u.iloc[0]
    >>> r.event_type, str(r.date), int(r.killed), int(r.n_articles), r.outlets
    ('drone_strike', '2024-01-28', 3, 2, 'X; Y')
    """
    if isinstance(tables, pd.DataFrame):
        ev, sentences = tables, None
    else:
        ev, sentences = tables.get("events"), tables.get("sentences")
    cols = ["cluster_id", "event_type", "date", "date_start", "date_end", "date_precision",
            "date_text", "perpetrator_id", "target_id", "location_id", "country_id", "killed",
            "wounded", "weapon", "attribution", "n_mentions", "n_articles", "outlets",
            "first_reported", "article_ids", "evidence"]  # fmt: skip
    if ev is None or len(ev) == 0:
        return pd.DataFrame(columns=cols)
    ev = ev.copy()
    if "cluster_id" not in ev or ev["cluster_id"].isna().all():
        ev["cluster_id"] = cluster_events(ev)
    sent_text = {}
    if sentences is not None and len(sentences):
        sent_text = {(a, int(i)): t for a, i, t in zip(sentences.article_id, sentences.sent_idx,
                                                        sentences.text, strict=True)}  # fmt: skip
    rows = []
    for cid, g in ev.groupby("cluster_id", sort=False):
        recs = g.to_dict("records")
        recs.sort(key=lambda r: (_iso(r.get("published")) or date.max, str(r.get("article_id"))))
        dated = [r for r in recs if _iso(r.get("date_start"))]
        best_date = min(dated, key=lambda r: (_PRECISION_RANK.get(r.get("date_precision"), 9),
                        (_iso(r["date_end"]) - _iso(r["date_start"])).days)) if dated else {}  # fmt: skip
        types = [r.get("event_type") for r in recs if _none(r.get("event_type"))]
        attributed = [r for r in recs if _none(r.get("perpetrator_id"))]
        attributed.sort(key=lambda r: _STRENGTH.get(r.get("attribution"), 9))

        def first(col, recs=recs):
            return next((_none(r.get(col)) for r in recs if _none(r.get(col)) is not None), None)

        def most(col, recs=recs):
            vals = [_int(r.get(col)) for r in recs if _none(r.get(col)) is not None]
            return max(vals) if vals else None

        outlets = sorted({str(r.get("outlet")) for r in recs if _none(r.get("outlet"))})
        first_rec = recs[0]
        rows.append({
            "cluster_id": cid, "event_type": _specific(types) if types else "attack",
            "date": _iso(best_date.get("date")), "date_start": _iso(best_date.get("date_start")),
            "date_end": _iso(best_date.get("date_end")),
            "date_precision": best_date.get("date_precision"),
            "date_text": best_date.get("date_text"),
            "perpetrator_id": attributed[0].get("perpetrator_id") if attributed else None,
            "target_id": first("target_id"), "location_id": first("location_id"),
            "country_id": first("country_id"), "killed": most("killed"),
            "wounded": most("wounded"), "weapon": first("weapon"),
            "attribution": attributed[0].get("attribution") if attributed else None,
            "n_mentions": len(recs), "n_articles": len({r.get("article_id") for r in recs}),
            "outlets": "; ".join(outlets),
            "first_reported": min((_iso(r.get("published")) for r in recs
                                   if _iso(r.get("published"))), default=None),
            "article_ids": "; ".join(sorted({str(r.get("article_id")) for r in recs})),
            "evidence": sent_text.get((first_rec.get("article_id"), _int(first_rec.get("sent_idx")))),
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    out["_k"] = out["date"].map(lambda d: d or date.max)
    out = out.sort_values(["_k", "cluster_id"]).drop(columns="_k").reset_index(drop=True)
    for col in ("killed", "wounded"):
        out[col] = pd.array(out[col], dtype="Int64")
    return out


ACLED_LAYOUT = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
                "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2",
                "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "iso", "region",
                "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
                "geo_precision", "source", "source_scale", "notes", "fatalities", "tags",
                "timestamp"]  # fmt: skip
"""ACLED's export columns, in ACLED's order."""

_ACLED_TYPES = {
    "drone_strike": ("Explosions/Remote violence", "Air/drone strike"),
    "air_strike": ("Explosions/Remote violence", "Air/drone strike"),
    "missile_attack": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "rocket_attack": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "ied_attack": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "attack": ("Battles", "Armed clash"),
}
_TIME_PRECISION = {"day": 1, "week": 2, "part_of_month": 2, "month": 3, "year": 3}
_INTER = {"state": 1, "armed_group": 3, "organization": 8, "person": 3}


def acled_export(unique: pd.DataFrame, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Unique events in ACLED's column layout (plus our ids), ready to save as CSV.

    ``event_type``/``sub_event_type`` follow ACLED's categories (a drone or air strike
    is "Explosions/Remote violence" / "Air/drone strike"; an attack of unstated kind is
    "Battles" / "Armed clash"); ``time_precision`` is 1 for a day, 2 for a week or part
    of a month, 3 for a month or year; actor and place names come from ``actors.csv``;
    ``fatalities`` is the death toll (0 when unknown, as ACLED records it);
    ``source`` lists the outlets; ``notes`` the evidence sentence. Undated events are
    left out (ACLED requires a date). The project columns ``event_type_cl``,
    ``perpetrator_id``, ``target_id``, ``location_id``, ``country_id`` and
    ``cluster_id`` follow, so :func:`conflictlens.corpus.load_acled` reads the file back.

    Examples
    --------
    >>> u = pd.DataFrame({"cluster_id": ["E0001"], "event_type": ["drone_strike"],
    ...     "date": [date(2024, 1, 28)], "date_precision": ["day"],
    ...     "perpetrator_id": ["islamic_resistance_in_iraq"], "target_id": ["united_states"],
    ...     "location_id": ["tower_22"], "country_id": ["jordan"], "killed": [3],
    ...     "outlets": ["Wire A; Wire B"], "evidence": ["Three US soldiers were killed."]})
    >>> row = acled_export(u).iloc[0]
    >>> row.event_date, row.sub_event_type, row.actor1, row.country, int(row.fatalities)
    ('2024-01-28', 'Air/drone strike', 'Islamic Resistance in Iraq', 'Jordan', 3)
    """
    actors = actors if actors is not None else lexicons.load_actors()
    first = actors.drop_duplicates("entity_id")
    names = dict(zip(first.entity_id, first.alias, strict=True))
    types = dict(zip(first.entity_id, first.entity_type, strict=True))
    extra = ["event_type_cl", "perpetrator_id", "target_id", "location_id", "country_id",
             "cluster_id"]  # fmt: skip
    rows = []
    if unique is None or len(unique) == 0:
        return pd.DataFrame(columns=ACLED_LAYOUT + extra)
    for r in unique.to_dict("records"):
        d = _iso(r.get("date"))
        if d is None:
            continue
        et = r.get("event_type") or "attack"
        acled_type, sub = _ACLED_TYPES.get(et, _ACLED_TYPES["attack"])
        perp, target = _none(r.get("perpetrator_id")), _none(r.get("target_id"))
        loc, country = _none(r.get("location_id")), _none(r.get("country_id"))
        i1, i2 = _INTER.get(types.get(perp), 0), _INTER.get(types.get(target), 0)
        rows.append({
            "event_id_cnty": f"CL{r['cluster_id']}", "event_date": d.isoformat(), "year": d.year,
            "time_precision": _TIME_PRECISION.get(r.get("date_precision"), 3),
            "disorder_type": "Political violence", "event_type": acled_type,
            "sub_event_type": sub, "actor1": names.get(perp, perp or ""), "assoc_actor_1": "",
            "inter1": i1, "actor2": names.get(target, target or ""), "assoc_actor_2": "",
            "inter2": i2, "interaction": int(f"{min(i1, i2)}{max(i1, i2)}") if i1 and i2 else i1 * 10 or i2 * 10,
            "civilian_targeting": "", "iso": "", "region": "Middle East",
            "country": names.get(country, country or ""), "admin1": "", "admin2": "",
            "admin3": "", "location": names.get(loc, loc or ""), "latitude": None,
            "longitude": None, "geo_precision": 1 if loc and types.get(loc) != "state" else 3,
            "source": r.get("outlets") or "", "source_scale": "National",
            "notes": r.get("evidence") or "", "fatalities": _int(r.get("killed")) or 0,
            "tags": "", "timestamp": 0, "event_type_cl": et, "perpetrator_id": perp or "",
            "target_id": target or "", "location_id": loc or "", "country_id": country or "",
            "cluster_id": r["cluster_id"],
        })  # fmt: skip
    return pd.DataFrame(rows, columns=ACLED_LAYOUT + extra)


def mention_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """How many attack mentions became events, aggregates, non-attacks or references.

    Returns one row per ``status`` of the ``event_mentions`` table with the number of
    mentions and articles and the commonest reasons given (for aggregates and
    non-attacks), so what was left out of the counts is visible.

    Examples
    --------
    >>> em = pd.DataFrame({"article_id": ["a", "a", "b"], "status": ["event", "not_attack", "not_attack"],
    ...                    "reason": [None, "'could' governs the trigger", "'could' governs the trigger"]})
    >>> mention_summary({"event_mentions": em})[["status", "mentions", "articles"]].values.tolist()
    [['event', 1, 1], ['not_attack', 2, 2]]
    """
    cols = ["status", "mentions", "articles", "top_reasons"]
    em = tables.get("event_mentions")
    if em is None or len(em) == 0:
        return pd.DataFrame(columns=cols)
    rows = []
    for status in [s for s in STATUSES if s in set(em["status"])]:
        g = em[em["status"] == status]
        reasons = (
            g["reason"].dropna().value_counts().head(3) if "reason" in g else pd.Series(dtype=int)
        )
        rows.append({"status": status, "mentions": len(g), "articles": g["article_id"].nunique(),
                     "top_reasons": "; ".join(f"{r} ({n})" for r, n in reasons.items())})  # fmt: skip
    return pd.DataFrame(rows, columns=cols)
