"""Narrative framing: frames by voice, actor labels, agency, blame and tone.

Runs last in the pipeline, on the ``mentions`` of the entities stage and the
``quotes`` of the quotes stage. Everything is lexicon-driven and needs no tagger or
downloaded data; the lexicons in ``data/lexicons`` are researchers' to edit:

``frames.csv``
    Frame cues (DESIGN.md frame ids), multi-word, with inflections.
``labels.csv``
    Descriptors that name an actor ("Iran-backed militia", "terrorist group").
``violence_verbs.csv`` and ``instruments.csv``
    Violence verbs and nouns, light verbs ("carried out strikes"), and the attack and
    weapon nouns that, as a subject, tell violence without an actor.
``blame_cues.csv``
    Accusation and responsibility cues ("accused", "are responsible", "bore the
    imprint of").

**Voice.** Every cue, label, clause and accusation belongs to a voice: inside a
direct, partial or reported quote it is the speaker's (their entity id, or
``unknown_speaker``); outside it is the ``narrator``'s. Words in scare quotes (and
quoted names) are the narrator's: the marks are the outlet distancing itself from a
word it still chose to print. Per-outlet frame profiles count narrator cues only;
:func:`frames_by_speaker` shows what each speaker brings in.

Tables written per article: ``frames``, ``labels``, ``agency``, ``blame``, ``tone``.
The functions after the stage interface take these tables and return tables for the
narrative-framing notebook.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import compress
from pathlib import Path

import networkx as nx
import pandas as pd

from conflictlens import lexicons
from conflictlens import quotes as Q
from conflictlens.quotes import (
    BE,
    DETERMINERS,
    HAVE,
    MODALS,
    PREPOSITIONS,
    PRONOUNS,
    RELATIVES,
    TIME_WORDS,
    CueMatcher,
    Hit,
    NounPhrase,
    Tokens,
    cue_words,
    inflections,
    is_adverb,
    is_descriptor_mention,
    np_after,
    resolve_np,
    subject_np,
)
from conflictlens.text import Doc

FRAME_IDS = ("resistance", "terrorism", "proxy", "retaliation", "escalation", "diplomacy",
             "sovereignty", "casualties")  # fmt: skip
"""Frame ids fixed by DESIGN.md; ``frames.csv`` may use only these."""

NARRATOR = "narrator"
UNKNOWN_SPEAKER = "unknown_speaker"
SPEECH_KINDS = ("direct", "partial", "reported")
"""Quote kinds whose words belong to the speaker (scare quotes and names are the narrator's)."""

CONSTRUCTIONS = ("active", "passive_with_agent", "passive_agentless", "nominal_agentless")
ACTOR_TYPES = frozenset({"armed_group", "organization", "person", "state"})
"""Entity types that can do, suffer or blame (a capital read as a place cannot)."""
_NEGATIONS = frozenset({"not", "n't", "never", "no", "deny", "denies", "denied", "denying",
                        "rejected", "rejects"})  # fmt: skip
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten dozens dozen scores hundreds several".split()
)
# word classes joined once (not at every test)
_NUMBER_WORDS_LEAST = _NUMBER_WORDS | {"least", "to", "more"}
_BEFORE_VERB = BE | HAVE | MODALS | {"to"} | PRONOUNS | RELATIVES
_BEFORE_VERB_OR_AND = _BEFORE_VERB | {"and", "or", ","}
_HAVE_MODALS = HAVE | MODALS
_HAVE_RELATIVES_PRONOUNS = HAVE | RELATIVES | PRONOUNS
_PREDICATE_VERBS = BE | {"remains", "remain", "became", "become", "designated", "as", "called",
                         "branded", "labelled", "labeled"}  # fmt: skip


# --------------------------------------------------------------------------- lexicons


def load_frames(path: str | Path) -> pd.DataFrame:
    """Load and validate ``frames.csv``: ``frame_id, cue, match, note``.

    Raises :class:`~conflictlens.lexicons.LexiconError` with ``file:line`` for an
    unknown frame id, an empty cue, a bad ``match`` or a cue listed twice (after
    folding case, hyphens and quote marks).

    Examples
    --------
    >>> from conflictlens.lexicons import default_dir
    >>> frames = load_frames(default_dir() / "frames.csv")
    >>> sorted(frames.frame_id.unique()) == sorted(FRAME_IDS)
    True
    """
    path = Path(path)
    rows = lexicons.read_csv_rows(path, ["frame_id", "cue"], optional=["match", "note"])
    seen: dict[tuple[str, ...], int] = {}
    out = []
    for n, r in rows:
        fid, cue = r["frame_id"], r["cue"]
        lexicons.check(
            fid in FRAME_IDS, path, n, f"unknown frame_id {fid!r}; use one of {FRAME_IDS}"
        )
        lexicons.check(bool(cue), path, n, "empty cue")
        match = r.get("match") or "lemma"
        lexicons.check(
            match in ("lemma", "exact"), path, n, f"match {match!r} must be lemma or exact"
        )
        key = tuple(cue_words(cue))
        lexicons.check(bool(key), path, n, f"cue {cue!r} has no words")
        lexicons.check(
            key not in seen, path, n, f"duplicate cue {cue!r} (also on line {seen.get(key)})"
        )
        seen[key] = n
        out.append({"frame_id": fid, "cue": cue, "match": match, "line": n})
    return pd.DataFrame(out, columns=["frame_id", "cue", "match", "line"])


LABEL_ROLES = ("modifier", "head", "label_head", "post")


def load_labels(path: str | Path) -> pd.DataFrame:
    """Load and validate ``labels.csv``: ``cue, role, note`` (roles: :data:`LABEL_ROLES`)."""
    path = Path(path)
    seen: dict[tuple, int] = {}

    def validate(n: int, r: dict) -> str | None:
        if not r["cue"]:
            return "empty cue"
        if r["role"] not in LABEL_ROLES:
            return f"role {r['role']!r} must be one of {LABEL_ROLES}"
        key = (tuple(cue_words(r["cue"])), r["role"])
        if key in seen:
            return f"duplicate cue {r['cue']!r} (also on line {seen[key]})"
        seen[key] = n
        return None

    return lexicons.load_table(path, ["cue", "role"], optional=["note"], validate=validate)


def load_violence_verbs(path: str | Path) -> pd.DataFrame:
    """Load and validate ``violence_verbs.csv``: ``verb, nouns, role, note``."""
    path = Path(path)
    seen: dict[str, int] = {}

    def validate(n: int, r: dict) -> str | None:
        if not r["verb"]:
            return "empty verb"
        if r["role"] not in ("violence", "light", "violence_light"):
            return f"role {r['role']!r} must be violence, light or violence_light"
        key = " ".join(cue_words(r["verb"]))
        if key in seen:
            return f"duplicate verb {r['verb']!r} (also on line {seen[key]})"
        seen[key] = n
        return None

    return lexicons.load_table(
        path, ["verb", "nouns", "role"], optional=["note"], validate=validate
    )


def load_instruments(path: str | Path) -> pd.DataFrame:
    """Load and validate ``instruments.csv``: ``noun, note``."""
    path = Path(path)
    seen: dict[str, int] = {}

    def validate(n: int, r: dict) -> str | None:
        if not r["noun"]:
            return "empty noun"
        key = " ".join(cue_words(r["noun"]))
        if key in seen:
            return f"duplicate noun {r['noun']!r} (also on line {seen[key]})"
        seen[key] = n
        return None

    return lexicons.load_table(path, ["noun"], optional=["note"], validate=validate)


BLAME_PATTERNS = ("accuse", "hold", "subject", "of")


def load_blame_cues(path: str | Path) -> pd.DataFrame:
    """Load and validate ``blame_cues.csv``: ``cue, pattern, note``."""
    path = Path(path)
    seen: dict[str, int] = {}

    def validate(n: int, r: dict) -> str | None:
        if not r["cue"]:
            return "empty cue"
        if r["pattern"] not in BLAME_PATTERNS:
            return f"pattern {r['pattern']!r} must be one of {BLAME_PATTERNS}"
        key = " ".join(cue_words(r["cue"]))
        if key in seen:
            return f"duplicate cue {r['cue']!r} (also on line {seen[key]})"
        seen[key] = n
        return None

    return lexicons.load_table(path, ["cue", "pattern"], optional=["note"], validate=validate)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class FrameCue:
    frame_id: str
    cue: str


@dataclass(frozen=True)
class LabelPart:
    role: str
    lemma: str


@dataclass(frozen=True)
class ViolenceWord:
    lemma: str
    role: str  # violence | light
    tags: dict  # form -> frozenset of tags ("noun", "base", "s", "past", "pp", "ing")


@dataclass(frozen=True)
class BlameCue:
    cue: str
    pattern: str


_NEUTRAL = (0.0, 1.0, 0.0, 0.0)
"""(neg, neu, pos, compound) of a sentence without lexicon words or emoji."""
_EMPTY = (0.0, 0.0, 0.0, 0.0)
"""(neg, neu, pos, compound) of an empty or blank sentence."""
# What a token is to the VADER rules: in capitals; a booster, negation or rule word; a
# word of an idiom; a lexicon word; "kind"; "of".
_UPPER, _ODD, _IDIOM, _KNOWN, _KIND, _OF = 1, 2, 4, 8, 16, 32


class Vader:
    """VADER sentence scores with the lexicon shipped in ``vaderSentiment`` (no download).

    Gives exactly ``SentimentIntensityAnalyzer.polarity_scores``, faster:

    - what the rules need to know of a token (its SentiText word, lower-cased, its
      lexicon valence, whether it is in capitals, holds an emoji or is a word that can
      change a neighbour's valence) is worked out once per distinct token;
    - a sentence whose tokens are neither lexicon words nor emoji is neutral at once;
    - a lexicon word with no booster, negation or other rule word ("no", "so", "this",
      "without", "doubt", "least") among itself and the three words before keeps its
      lexicon valence, give or take the capitals rule, and the idiom check runs only
      when two idiom words stand side by side near it; any other lexicon word goes
      through :meth:`_valence`, which is ``sentiment_valence`` of vaderSentiment 3.3.2,
      rule for rule, as :meth:`_score` is its ``score_valence``;
    - a sentence text seen before (boilerplate, a repeated line) is not scored again.

    ``tests/test_framing.py`` compares the two on the corpora and on random text.

    Examples
    --------
    >>> v = Vader()
    >>> v.scores("The attack killed two soldiers.") == v.analyzer.polarity_scores(
    ...     "The attack killed two soldiers.")
    True
    >>> v.scores("Talks resume on Sunday.")
    {'neg': 0.0, 'neu': 1.0, 'pos': 0.0, 'compound': 0.0}
    """

    _MEMO_SIZE = 100_000  # sentence texts remembered (then forgotten all at once)
    _TOKENS_SIZE = 200_000  # distinct tokens described (likewise)
    _RULE_WORDS = frozenset({"no", "never", "so", "this", "without", "doubt", "least"})

    def __init__(self) -> None:
        from vaderSentiment import vaderSentiment as vs

        self._vs = vs
        self.analyzer = vs.SentimentIntensityAnalyzer()
        self._emoji = frozenset(k for k in self.analyzer.emojis if len(k) == 1)
        self._lexicon = self.analyzer.lexicon
        self._boosters = vs.BOOSTER_DICT
        self._negate = frozenset(vs.NEGATE)
        # every word of an idiom or of a multi-word booster ("kiss of death", "kind of")
        self._idiom_words = frozenset(
            w for k in (*vs.SPECIAL_CASES, *vs.BOOSTER_DICT) if " " in k for w in k.split(" ")
        )
        # token -> its SentiText word, lower-cased, in the lexicon?, its valence before the
        # rules (0 outside the lexicon and for boosters) and its flags
        self._word: dict[str, str] = {}
        self._low: dict[str, str] = {}
        self._known: dict[str, bool] = {}
        self._value: dict[str, float] = _Described(self._describe)  # describes new tokens
        self._flags: dict[str, int] = {}  # _UPPER | _ODD | _IDIOM | _KNOWN | _KIND | _OF
        self._neutral: set[str] = set()  # neither lexicon words nor emoji
        self._emoji_tokens: set[str] = set()
        self._upper_tokens: set[str] = set()
        self._marked: set[str] = set()  # emoji, capitals and "but"
        self._but: set[str] = set()  # tokens that are the word "but"
        self._memo: dict[str, tuple[float, float, float, float]] = {}
        self._scored: dict[tuple, tuple[float, float, float, float]] = {}

    def emoji_free(self, text: str) -> bool:
        """True when ``text`` has no character the analyzer reads as an emoji."""
        return self._emoji.isdisjoint(text)

    def scores(self, text: str) -> dict[str, float]:
        """``polarity_scores(text)``: ``neg``, ``neu``, ``pos`` and ``compound``."""
        neg, neu, pos, compound = self.polarity(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def polarity(self, text: str) -> tuple[float, float, float, float]:
        """``(neg, neu, pos, compound)`` of ``text``, as :meth:`scores` gives them.

        Examples
        --------
        >>> Vader().polarity("The attack killed two soldiers.")
        (0.717, 0.283, 0.0, -0.8225)
        """
        out = self._memo.get(text)
        if out is None:
            out = self._polarity(text)
            if len(self._memo) >= self._MEMO_SIZE:
                self._memo.clear()
            self._memo[text] = out
        return out

    def _polarity(self, text: str) -> tuple[float, float, float, float]:
        tokens = text.split()  # SentiText splits the stripped text: the same tokens
        if not tokens:
            return _EMPTY
        if self._neutral.issuperset(tokens):
            return _NEUTRAL
        if len(self._word) > self._TOKENS_SIZE:  # a vocabulary, not a corpus: bound it
            for table in (self._word, self._low, self._known, self._value, self._flags,
                          self._neutral, self._emoji_tokens, self._upper_tokens, self._but,
                          self._marked):  # fmt: skip
                table.clear()
        sentiments = list(map(self._value.__getitem__, tokens))  # new tokens described
        if not any(sentiments) and self._neutral.issuperset(tokens):
            return _NEUTRAL  # its new tokens were neither lexicon words nor emoji
        n = len(tokens)
        cap_diff = but = False
        if not self._marked.isdisjoint(tokens):  # emoji, capitals or "but"
            if self._emoji_tokens and not self._emoji_tokens.isdisjoint(tokens):
                s = self.analyzer.polarity_scores(text)  # emoji become their descriptions
                return (s["neg"], s["neu"], s["pos"], s["compound"])
            if not self._upper_tokens.isdisjoint(tokens):  # allcap_differential
                n_caps = sum(map(self._upper_tokens.__contains__, tokens))
                cap_diff = 0 < n - n_caps < n
            but = not self._but.isdisjoint(tokens)
        flag = self._flags.__getitem__
        for i in compress(range(n), sentiments):  # lexicon words other than boosters
            here = flag(tokens[i])
            nxt = flag(tokens[i + 1]) if i < n - 1 else 0
            if here & _KIND and nxt & _OF:
                sentiments[i] = 0  # "kind of" is a booster
                continue
            one = flag(tokens[i - 1]) if i > 0 else 0
            two = flag(tokens[i - 2]) if i > 1 else 0
            three = flag(tokens[i - 3]) if i > 2 else 0
            if (here | one | two | three) & _ODD:
                sentiments[i] = self._valence(tokens, i, cap_diff)
                continue
            # no rule word: the words before add 0 and negate nothing
            valence = sentiments[i]
            if cap_diff and here & _UPPER:
                valence = valence + self._vs.C_INCR if valence > 0 else valence - self._vs.C_INCR
            if (
                i > 2
                and not three & _KNOWN
                and (one & (here | two) | two & three | here & nxt) & _IDIOM
            ):
                # two idiom words side by side: the idiom check may change something
                low = list(map(self._low.__getitem__, tokens))
                valence = self._special_idioms_check(valence, low, i)
            sentiments[i] = valence
        if but:
            self._but_check(tokens, sentiments)
        return self._score(sentiments, text)

    def _but_check(self, tokens: list[str], sentiments: list[float]) -> None:
        # SentimentIntensityAnalyzer._but_check, quirks and all: each valence halves (before
        # the first "but") or grows by half (after it) at the FIRST position holding that
        # value. Zeros stay zeros (which one is scaled changes no score), so only the
        # others are walked.
        bi = next(k for k, t in enumerate(tokens) if t in self._but)
        for k in compress(range(len(sentiments)), sentiments):
            sentiment = sentiments[k]
            si = sentiments.index(sentiment)
            if si < bi:
                sentiments[si] = sentiment * 0.5
            elif si > bi:
                sentiments[si] = sentiment * 1.5

    def _describe(self, token: str) -> float:
        # what the rules need to know of a token not seen before; returns its valence
        # SentiText._strip_punc_if_word: punctuation around a word goes, unless that
        # leaves two characters or fewer (an emoticon)
        lex, boosters = self._lexicon, self._boosters
        stripped = token.strip(self._vs.string.punctuation)
        word = token if len(stripped) <= 2 else stripped
        low = word.lower()
        self._word[token], self._low[token] = word, low
        self._known[token] = known = low in lex
        value = self._value[token] = lex[low] if known and low not in boosters else 0
        rule = low in boosters or low in self._RULE_WORDS or self._negated(low)
        self._flags[token] = (
            (_UPPER if word.isupper() else 0) | (_ODD if rule else 0)
            | (_IDIOM if low in self._idiom_words else 0) | (_KNOWN if known else 0)
            | (_KIND if low == "kind" else 0) | (_OF if low == "of" else 0)
        )  # fmt: skip
        if word.isupper():
            self._upper_tokens.add(token)
            self._marked.add(token)
        if low == "but":  # _but_check lower-cases the words again: the same
            self._but.add(token)
            self._marked.add(token)
        if not token.isascii() and not self._emoji.isdisjoint(token):
            self._emoji_tokens.add(token)
            self._marked.add(token)
        elif not known:
            self._neutral.add(token)
        return value

    def _valence(self, tokens: list[str], i: int, cap_diff: bool) -> float:
        # SentimentIntensityAnalyzer.sentiment_valence for the lexicon word at ``i``. The
        # rules look at most three words back and two ahead: they get that stretch
        # (``i`` and the end of the sentence keep their meaning in it).
        lo = i - 3 if i > 3 else 0
        window = tokens[lo : i + 3]
        words = list(map(self._word.__getitem__, window))
        low = list(map(self._low.__getitem__, window))
        known = list(map(self._known.__getitem__, window))
        i -= lo
        item = words[i]
        vs, lex = self._vs, self._lexicon
        item_lowercase = low[i]
        valence = lex[item_lowercase]
        if item_lowercase == "no" and i != len(words) - 1 and known[i + 1]:
            valence = 0.0  # "no" negates the next lexicon word instead
        if (
            (i > 0 and low[i - 1] == "no")
            or (i > 1 and low[i - 2] == "no")
            or (i > 2 and low[i - 3] == "no" and low[i - 1] in ["or", "nor"])
        ):
            valence = lex[item_lowercase] * vs.N_SCALAR
        if item.isupper() and cap_diff:
            if valence > 0:
                valence += vs.C_INCR
            else:
                valence -= vs.C_INCR
        for start_i in range(0, 3):
            if i > start_i and not known[i - (start_i + 1)]:
                s = vs.scalar_inc_dec(words[i - (start_i + 1)], valence, cap_diff)
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = self._negation_check(valence, low, start_i, i)
                if start_i == 2:
                    valence = self._special_idioms_check(valence, low, i)
        return self._least_check(valence, low, known, i)

    def _negated(self, word: str) -> bool:
        # vaderSentiment.negated([word])
        w = word.lower()
        return w in self._negate or "n't" in w

    def _negation_check(self, valence: float, low: list[str], start_i: int, i: int) -> float:
        n_scalar = self._vs.N_SCALAR
        if start_i == 0:
            if self._negated(low[i - 1]):
                valence = valence * n_scalar
        if start_i == 1:
            if low[i - 2] == "never" and (low[i - 1] == "so" or low[i - 1] == "this"):
                valence = valence * 1.25
            elif low[i - 2] == "without" and low[i - 1] == "doubt":
                valence = valence
            elif self._negated(low[i - 2]):
                valence = valence * n_scalar
        if start_i == 2:
            if (
                low[i - 3] == "never"
                and (low[i - 2] == "so" or low[i - 2] == "this")
                or (low[i - 1] == "so" or low[i - 1] == "this")
            ):
                valence = valence * 1.25
            elif low[i - 3] == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt"):
                valence = valence
            elif self._negated(low[i - 3]):
                valence = valence * n_scalar
        return valence

    def _special_idioms_check(self, valence: float, low: list[str], i: int) -> float:
        # ``i > 2``. Every n-gram looked up below is two or three neighbouring words of
        # an idiom or multi-word booster: with no two such words side by side from
        # ``i - 3`` to ``i + 1``, none can match.
        idiom = self._idiom_words
        if not (
            (low[i - 1] in idiom and (low[i] in idiom or low[i - 2] in idiom))
            or (low[i - 2] in idiom and low[i - 3] in idiom)
            or (low[i] in idiom and len(low) - 1 > i and low[i + 1] in idiom)
        ):
            return valence
        special, boosters = self._vs.SPECIAL_CASES, self._boosters
        onezero = f"{low[i - 1]} {low[i]}"
        twoonezero = f"{low[i - 2]} {low[i - 1]} {low[i]}"
        twoone = f"{low[i - 2]} {low[i - 1]}"
        threetwoone = f"{low[i - 3]} {low[i - 2]} {low[i - 1]}"
        threetwo = f"{low[i - 3]} {low[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in special:
                valence = special[seq]
                break
        if len(low) - 1 > i:
            zeroone = f"{low[i]} {low[i + 1]}"
            if zeroone in special:
                valence = special[zeroone]
        if len(low) - 1 > i + 1:
            zeroonetwo = f"{low[i]} {low[i + 1]} {low[i + 2]}"
            if zeroonetwo in special:
                valence = special[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in boosters:
                valence = valence + boosters[n_gram]
        return valence

    def _least_check(self, valence: float, low: list[str], known: list[bool], i: int) -> float:
        n_scalar = self._vs.N_SCALAR
        if i > 1 and not known[i - 1] and low[i - 1] == "least":
            if low[i - 2] != "at" and low[i - 2] != "very":
                valence = valence * n_scalar
        elif i > 0 and not known[i - 1] and low[i - 1] == "least":
            valence = valence * n_scalar
        return valence

    def _score(self, sentiments: list[float], text: str) -> tuple[float, float, float, float]:
        # score_valence depends on the non-zero valences in order, the number of words and
        # the "!" and "?" counted up to 4: sentences alike in these are scored once
        values = tuple(filter(None, sentiments))
        ep_count, qm_count = text.count("!"), text.count("?")
        key = (len(sentiments), values, min(ep_count, 4), min(qm_count, 4))
        out = self._scored.get(key)
        if out is None:
            if len(self._scored) >= self._MEMO_SIZE:
                self._scored.clear()
            out = self._scored[key] = _score_valence(values, len(sentiments), *key[2:])
        return out


def _score_valence(values: tuple[float, ...], n: int, ep_count: int, qm_count: int):
    """``SentimentIntensityAnalyzer.score_valence`` (vaderSentiment 3.3.2), operation for
    operation, of ``n`` word valences whose non-zero ones are ``values`` (the zeros add
    nothing to the sums) in a text with ``ep_count`` "!" and ``qm_count`` "?" (up to 4)."""
    sum_s = float(sum(values))
    ep_amplifier = ep_count * 0.292  # _punctuation_emphasis
    qm_amplifier = 0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    punct_emph_amplifier = ep_amplifier + qm_amplifier
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier
    compound = sum_s / math.sqrt((sum_s * sum_s) + 15)  # normalize
    if compound < -1.0:
        compound = -1.0
    elif compound > 1.0:
        compound = 1.0
    pos_sum, neg_sum = 0.0, 0.0  # _sift_sentiment_scores
    for s in values:
        if s > 0:
            pos_sum += float(s) + 1
        else:
            neg_sum += float(s) - 1
    neu_count = n - len(values)
    if pos_sum > math.fabs(neg_sum):
        pos_sum += punct_emph_amplifier
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= punct_emph_amplifier
    total = pos_sum + math.fabs(neg_sum) + neu_count
    return (round(math.fabs(neg_sum / total), 3), round(math.fabs(neu_count / total), 3),
            round(math.fabs(pos_sum / total), 3), round(compound, 4))  # fmt: skip


class _Described(dict):
    """token -> its valence before the rules, the token described (every table of
    :class:`Vader` filled) when first looked up."""

    def __init__(self, describe) -> None:
        super().__init__()
        self._describe = describe

    def __missing__(self, token: str) -> float:
        return self._describe(token)


@dataclass
class FramingModel:
    """Compiled lexicons of the framing stage (one matcher pass per article)."""

    quotes: Q.QuoteModel
    matcher: CueMatcher  # groups: frame, label_mod, label_head, label_post, violence, light, instrument, blame
    sentiment: Vader


def build(lexicon_dir: Path) -> FramingModel:
    """Compile every framing lexicon in ``lexicon_dir`` into one cue matcher."""
    lexicon_dir = Path(lexicon_dir)
    m = CueMatcher()
    for r in load_frames(lexicon_dir / "frames.csv").itertuples():
        m.add(r.cue, FrameCue(r.frame_id, r.cue), group="frame", inflect=r.match == "lemma")
    for r in load_labels(lexicon_dir / "labels.csv").itertuples():
        words = cue_words(r.cue)
        lemma = " ".join(words)
        if r.role in ("head", "label_head"):
            lemma = _singular(lemma)
        group = {"modifier": "label_mod", "head": "label_head", "label_head": "label_head",
                 "post": "label_post"}[r.role]  # fmt: skip
        m.add(r.cue, LabelPart(r.role, lemma), group=group, inflect=False)
    for r in load_violence_verbs(lexicon_dir / "violence_verbs.csv").itertuples():
        words = cue_words(r.verb)
        vforms = inflections(words[0])
        tags: dict[str, set] = {f: set(t) for f, t in vforms.items()}
        nouns = [" ".join(cue_words(n)) for n in r.nouns.split()] if r.nouns else []
        for noun in nouns:
            tags.setdefault(noun.split()[-1], set()).add("noun")
        entry = ViolenceWord(" ".join(words), r.role, {k: frozenset(v) for k, v in tags.items()})
        groups = {"violence": ["violence"], "light": ["light"],
                  "violence_light": ["violence", "light"]}[r.role]  # fmt: skip
        for group in groups:
            m.add(r.verb, entry, group=group, inflect=False, forms=set(vforms))
        for noun in nouns:
            if noun not in vforms or len(words) > 1:
                m.add(noun, entry, group="violence", inflect=False)
    for r in load_instruments(lexicon_dir / "instruments.csv").itertuples():
        m.add(r.noun, r.noun, group="instrument")
    for r in load_blame_cues(lexicon_dir / "blame_cues.csv").itertuples():
        m.add(r.cue, BlameCue(r.cue, r.pattern), group="blame")
    return FramingModel(Q.build(lexicon_dir), m, Vader())


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("men"):
        return word[:-3] + "man"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# --------------------------------------------------------------------------- voice


class Voices:
    """Who speaks at each point of an article, from its ``quotes`` rows.

    Examples
    --------
    >>> v = Voices([{"start": 10, "end": 40, "kind": "direct", "speaker_id": "iran"},
    ...             {"start": 50, "end": 60, "kind": "scare", "speaker_id": None}])
    >>> v.at(12), v.at(55), v.at(45)
    ('iran', 'narrator', 'narrator')
    """

    def __init__(self, quote_rows: list[dict], turns: list[dict] = ()):
        self.spans = sorted(
            ((r["start"], r["end"], r.get("speaker_id") or UNKNOWN_SPEAKER, r.get("kind"))
             for r in quote_rows if r.get("kind") in SPEECH_KINDS),
            key=lambda s: s[1] - s[0],
        )  # fmt: skip
        # transcript turns: an official's words are theirs; a journalist asks as the narrator
        self.turns = [
            (t["start"], t["end"], t.get("speaker_id") or UNKNOWN_SPEAKER)
            for t in turns
            if t.get("speaker_role") != "journalist"
        ]
        # The voice and quote kind of each stretch between two consecutive quote or turn
        # bounds, so that a lookup is one bisect: turns first, then quotes over them; both
        # painted last to first, so the first listed (the innermost quote) wins.
        bounds = sorted({x for a, b, *_ in (*self.spans, *self.turns) for x in (a, b)})
        voice: list[str] = [NARRATOR] * len(bounds)
        kind: list[str | None] = [None] * len(bounds)
        for a, b, speaker in reversed(self.turns):
            for k in range(bisect_left(bounds, a), bisect_left(bounds, b)):
                voice[k] = speaker
        for a, b, speaker, quote_kind in reversed(self.spans):
            for k in range(bisect_left(bounds, a), bisect_left(bounds, b)):
                voice[k], kind[k] = speaker, quote_kind
        self._bounds, self._voice, self._kind = bounds, voice, kind

    def at(self, offset: int) -> str:
        """The voice at a character offset (the innermost quote containing it, else the
        transcript turn, else the narrator)."""
        k = bisect_right(self._bounds, offset) - 1
        return self._voice[k] if k >= 0 else NARRATOR

    def kind_at(self, offset: int) -> str | None:
        """The kind of the innermost speech quote containing ``offset`` (None outside)."""
        k = bisect_right(self._bounds, offset) - 1
        return self._kind[k] if k >= 0 else None


# --------------------------------------------------------------------------- extraction


class _Ctx:
    """One article: tokens, mentions, voices and every cue hit of the one matcher pass."""

    def __init__(self, doc: Doc, model: FramingModel, found: dict[str, list[dict]]):
        self.doc = doc
        self.art = Q.Article.of(doc, model.quotes, found)
        self.toks: Tokens = self.art.toks
        self.mentions = self.art.mentions
        self.voices = Voices(found.get("quotes", []), found.get("turns", []))
        self.names = [
            (q["start"], q["end"]) for q in found.get("quotes", []) if q.get("kind") == "name"
        ]
        self.hits: dict[str, list[Hit]] = {}
        for h in model.matcher.find(self.toks):
            self.hits.setdefault(h.group, []).append(h)
        n = len(self.toks)
        # mention covering each token (actor mentions only), -1 if none
        self.mention_at = [-1] * n
        starts = self.toks.starts
        for idx, m in enumerate(self.mentions.rows):
            k = self.toks.index_at(m["start"])  # to the first token starting at its end
            j = bisect_left(starts, m["end"], k)
            self.mention_at[k:j] = [idx] * (j - k)
        self.verb_tokens: set[int] = set()  # filled by the agency pass
        self.verb_set: set[int] | None = None  # the agency pass's verbs, and sorted (_stops)
        self.verb_sorted: list[int] = []
        # the sentence of each token (``doc.sentence_at`` of its start) and its token range
        self.sent_of = _TokenSentences(doc, self.toks.starts)
        self.sent_rng = _SentenceRanges(self.sent_of, self.art.sent_tok)
        self._actor: dict[int, tuple] = {}  # id(mention) -> (mention, actor id)
        self._descriptor: dict[int, tuple] = {}  # id(mention) -> (mention, is a descriptor)
        self.instrument_end = {h.j - 1 for h in self.hits.get("instrument", [])}
        self.event_nouns: set[int] = set(self.instrument_end)
        for h in self.hits.get("violence", []):
            if "noun" in h.payload.tags.get(self.toks.words[h.i], ()):
                self.event_nouns.add(h.i)

    def sent_of_tok(self, k: int) -> int:
        return self.sent_of[k]

    def sent_range(self, k: int) -> tuple[int, int]:
        return self.sent_rng[k]

    def mention(self, k: int) -> dict | None:
        idx = self.mention_at[k] if 0 <= k < len(self.mention_at) else -1
        return self.mentions.rows[idx] if idx >= 0 else None

    def in_name(self, a: int, b: int) -> bool:
        """Is ``[a, b)`` part of a longer actor name or a quoted name?"""
        for m in self.mentions.within(max(0, a - 80), b + 80):
            if m["start"] <= a and b <= m["end"] and (m["end"] - m["start"]) > (b - a):
                return True
        return bool(self.names) and any(s <= a and b <= e for s, e in self.names)

    def actor(self, m: dict | None) -> str | None:
        if m is None:
            return None
        hit = self._actor.get(id(m))
        if hit is None or hit[0] is not m:  # (the mention is kept, so its id stays its own)
            actor = None
            if not self.descriptor(m):
                actor = m["entity_id"] if m.get("entity_type", "state") in ACTOR_TYPES else None
            hit = self._actor[id(m)] = (m, actor)
        return hit[1]

    def resolve(self, np: NounPhrase | None) -> dict | None:
        """``resolve_np`` of ``np`` in this article, at once None for a phrase without
        appositives whose tokens no mention covers (a mention inside it would cover its
        first token: the tokens hold every character of a name)."""
        if np is None:
            return None
        if not np.appositives and np.start < np.end and max(self.mention_at[np.start : np.end]) < 0:
            return None
        return resolve_np(self.toks, np, self.mentions)

    def descriptor(self, m: dict) -> bool:
        """``is_descriptor_mention`` of ``m``, worked out once per mention."""
        hit = self._descriptor.get(id(m))
        if hit is None or hit[0] is not m:
            hit = self._descriptor[id(m)] = (m, is_descriptor_mention(self.doc.text, m))
        return hit[1]


class _TokenSentences(dict):
    """``sent_of[k]``: ``doc.sentence_at`` of token ``k``'s start, found when first asked
    (only the tokens of cue hits ever are), not listed for every token.

    Examples
    --------
    >>> from conflictlens.text import make_doc
    >>> _TokenSentences(make_doc("a", "One two. Three."), [0, 4, 9])[2]
    1
    """

    def __init__(self, doc: Doc, tok_starts: list[int]) -> None:
        super().__init__()
        self._doc, self._starts = doc, tok_starts

    def __missing__(self, k: int) -> int:
        out = self[k] = self._doc.sentence_at(self._starts[k])
        return out


class _SentenceRanges(dict):
    """``sent_rng[k]``: (first token, token after the last) of the sentence of token ``k``,
    found when first asked, like :class:`_TokenSentences`.

    Examples
    --------
    >>> _SentenceRanges([0, 0, 1], [(0, 2), (2, 3)])[2]
    (2, 3)
    """

    def __init__(self, sent_of: _TokenSentences | list[int], sent_tok) -> None:
        super().__init__()
        self._sent_of, self._sent_tok = sent_of, sent_tok

    def __missing__(self, k: int) -> tuple[int, int]:
        out = self[k] = self._sent_tok[self._sent_of[k]]
        return out


def extract(doc: Doc, model: FramingModel, found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Frames, labels, agency, blame and tone rows for one article (pipeline entry point).

    Examples
    --------
    >>> from conflictlens.text import make_doc
    >>> from conflictlens.lexicons import default_dir
    >>> doc = make_doc("a", "Iran-backed militias vowed revenge. A drone strike killed two.")
    >>> out = extract(doc, build(default_dir()), {"mentions": [], "quotes": []})
    >>> [(f["frame_id"], f["cue"], f["voice"]) for f in out["frames"]]
    [('proxy', 'Iran-backed', 'narrator'), ('retaliation', 'revenge', 'narrator'), ('casualties', 'killed', 'narrator')]
    >>> [(a["verb"], a["construction"]) for a in out["agency"]]
    [('strike', 'nominal_agentless'), ('killed', 'nominal_agentless')]
    """
    ctx = _Ctx(doc, model, found)
    return {
        "frames": _frames(ctx),
        "labels": _labels(ctx),
        "agency": _agency(ctx),
        "blame": _blame(ctx),
        "tone": _tone(ctx, model),
    }


def _base(ctx: _Ctx, k: int) -> dict:
    return {"article_id": ctx.doc.article_id, "sent_idx": ctx.sent_of[k]}


# ----- frames


def _frames(ctx: _Ctx) -> list[dict]:
    toks, rows = ctx.toks, []
    article_id, sent_of, voices = ctx.doc.article_id, ctx.sent_of, ctx.voices
    for h in ctx.hits.get("frame", []):
        a, b = toks.starts[h.i], toks.ends[h.j - 1]
        if ctx.in_name(a, b) or _is_name_like(ctx, h):
            continue
        rows.append({"article_id": article_id, "sent_idx": sent_of[h.i],
                     "frame_id": h.payload.frame_id, "cue": toks.text[a:b],
                     "voice": voices.at(a), "start": a, "end": b, "lexicon_cue": h.payload.cue,
                     "quote_kind": voices.kind_at(a)})  # fmt: skip
    return rows


def _is_name_like(ctx: _Ctx, h: Hit) -> bool:
    """All words capitalised mid-sentence: part of a name the gazetteer does not know."""
    toks = ctx.toks
    if not toks.cap[h.i] and toks.words[h.i][0].isalpha():
        return False  # most cues: a lower-case word first
    words = [k for k in range(h.i, h.j) if toks.words[k][0].isalpha()]
    if not words or not all(toks.cap[k] for k in words):
        return False
    lo, _ = ctx.sent_rng[h.i]
    first = next((k for k in range(lo, h.i + 1) if not toks.skip[k]), h.i)
    return first != h.i


# ----- labels


def _labels(ctx: _Ctx) -> list[dict]:
    toks = ctx.toks
    mods = {h.i: h for h in ctx.hits.get("label_mod", [])}
    mod_end = {h.j - 1: h for h in ctx.hits.get("label_mod", [])}
    posts = {h.i: h for h in ctx.hits.get("label_post", [])}
    rows: list[dict] = []
    used: set[int] = set()
    for h in ctx.hits.get("label_head", []):
        if ctx.in_name(*toks.span(h.i, h.j)):
            continue
        m = ctx.mention(h.i)
        if m is not None and not ctx.descriptor(m):
            continue  # "Islamic State group": the head is part of a name
        a, n_mod = h.i, 0
        while a > 0:
            k = a - 1
            if toks.skip[k]:
                a = k
                continue
            if k in mod_end:
                n_mod += 1
                a = mod_end[k].i
                continue
            m = ctx.mention(k)
            if m is not None and (m.get("entity_type") == "state" or ctx.descriptor(m)):
                a = toks.index_at(m["start"])  # "Iraqi armed organization"
                continue
            if is_adverb(toks.words[k]) and a in mods:
                a = k
                continue
            break
        b = h.j
        sponsor = None
        if h.payload.role == "label_head" and b + 1 < len(toks) and toks.words[b] == "of":
            sponsor = ctx.mention(b + 1)
        elif b in posts:
            sponsor = ctx.mention(posts[b].j)
        if sponsor is not None and ctx.actor(sponsor):
            b = toks.index_at(sponsor["end"] - 1) + 1
        if n_mod == 0 and h.payload.role != "label_head" and sponsor is None:
            continue
        while a < h.i and toks.skip[a]:
            a += 1
        used.update(range(a, b))
        rows.append(_label_row(ctx, a, b, h.payload.lemma, sponsor))
    # modifiers straight before a name: "the Iran-backed Kataeb Hezbollah"
    for h in ctx.hits.get("label_mod", []):
        if h.i in used or ctx.in_name(*toks.span(h.i, h.j)):
            continue
        if h.i > 0 and toks.skip[h.i - 1] and toks.words[h.i - 1] == "-":
            continue  # "anti-jihadist": the modifier is half of a compound
        k = h.j
        while k < len(toks) and (toks.skip[k] or k in mods):
            k = mods[k].j if k in mods else k + 1
        m = ctx.mention(k)
        if m is not None and ctx.actor(m) and m.get("entity_type") != "state":
            used.update(range(h.i, k))
            row = _label_row(ctx, h.i, k, None, None)
            row["entity_id"] = m["entity_id"]
            row["attached_by"] = "premodifier"
            rows.append(row)
    for row in rows:
        if row["entity_id"] is None:
            _attach(ctx, row, rows)
    return sorted(rows, key=lambda r: r["start"])


def _label_row(ctx: _Ctx, a: int, b: int, head: str | None, sponsor: dict | None) -> dict:
    toks = ctx.toks
    parts: list[str] = []
    for k in range(a, b):
        if toks.skip[k] and toks.words[k] != "-":
            continue
        w = toks.words[k]
        if toks.skip[k] or (parts and parts[-1].endswith("-")):
            parts[-1] += w
        else:
            parts.append(w)
    n = len(head.split()) if head else 0
    if head and parts and " ".join(parts[-n:]) != head and sponsor is None:
        # plural head -> its lemma ("militias" -> "militia"), over all of a multi-word head
        # ("terrorist organizations" -> "terrorist organization", not "terrorist terrorist …")
        parts[-n:] = [head]
    elif head and sponsor is not None:
        parts = [head if _singular(p) == head else p for p in parts]
    start, end = toks.span(a, b)
    return {**_base(ctx, a), "start": start, "end": end, "label": " ".join(parts), "head": head,
            "entity_id": None, "voice": ctx.voices.at(start), "surface": toks.text[start:end],
            "sponsor_id": ctx.actor(sponsor), "attached_by": None}  # fmt: skip


def _attach(ctx: _Ctx, row: dict, rows: list[dict]) -> None:
    """Attach a label to the actor it describes: appositive, predicate, or "such as X"."""
    toks = ctx.toks
    a = toks.index_at(row["start"])
    b = bisect_left(toks.starts, row["end"])
    lo, hi = ctx.sent_rng[a]
    # "Iran-backed militias such as Kataeb Hezbollah", "including", "like"
    k = b
    if k < hi and toks.words[k] in {"such", "including", "like", "namely"}:
        k += 2 if toks.words[k] == "such" else 1
        m = ctx.mention(k)
        if m is not None and ctx.actor(m):
            row["entity_id"], row["attached_by"] = m["entity_id"], "example"
            return
    # appositive: "<actor>, <...label...>," — walk back over the segment to its comma
    k = a - 1
    steps = 0
    while k >= lo and toks.words[k] not in {",", ".", ";", ":"} and steps < 8:
        k -= 1
        steps += 1
    if k > lo and toks.words[k] == ",":
        m = ctx.mention(k - 1 - (1 if toks.skip[k - 1] else 0))
        if m is not None and ctx.actor(m):
            row["entity_id"], row["attached_by"] = m["entity_id"], "appositive"
            return
        prev = next((r for r in rows if r["end"] <= toks.starts[k] and
                     toks.starts[k] - r["end"] <= 2 and r["entity_id"]), None)  # fmt: skip
        if prev is not None:  # a chain: "X, an armed organization, an ally of Tehran,"
            row["entity_id"], row["attached_by"] = prev["entity_id"], "appositive"
            return
    # predicate: "<actor> is a/an <label>", "<actor>, designated a <label>"
    k = a - 1
    while k >= lo and (toks.words[k] in DETERMINERS or toks.skip[k]):
        k -= 1
    if k >= lo and toks.words[k] in _PREDICATE_VERBS:
        np = subject_np(toks, k + 1, lo)
        m = ctx.resolve(np)
        if m is not None and ctx.actor(m):
            row["entity_id"], row["attached_by"] = m["entity_id"], "predicate"


# ----- agency


def _agency(ctx: _Ctx) -> list[dict]:
    toks = ctx.toks
    violence = ctx.hits.get("violence", [])
    lights = ctx.hits.get("light", [])
    decided = [(h, _pos(ctx, h)) for h in violence]
    verb_tokens = {h.i for h, pos in decided if pos == "verb"} | {h.i for h in lights}
    ctx.verb_tokens = verb_tokens | set(ctx.art.speech_starts)
    light_end = {h.j - 1: h for h in lights}
    rows: list[dict] = []
    absorbed: set[int] = set()
    # verbs first: their subjects may absorb violence nouns ("a drone strike killed")
    hypothetical: set[int] = set()
    for h, pos in decided:
        if pos not in ("verb", "adjectival"):
            continue
        if _hypothetical(ctx, h) or _coordinated_with(ctx, h, hypothetical):
            hypothetical.add(h.i)
            continue
        if pos == "adjectival":
            # "four wounded soldiers", "six wounded in 73 strikes": a passive without its verb
            lo, hi = ctx.sent_rng[h.i]
            rows.append(_passive_row(ctx, h, toks.surface(h.i, h.j), hi,
                                     _patient_after(ctx, h.j, hi, direct=True)))  # fmt: skip
            continue
        row = _verb_clause(ctx, h, verb_tokens, rows)
        if row:
            rows.append(row)
    for h in lights:
        if _light_is_verb(ctx, h) and not _hypothetical(ctx, h) and h.i not in hypothetical:
            row = _light_clause(ctx, h, verb_tokens, rows, absorbed)
            if row:
                rows.append(row)
    for h, pos in decided:
        if pos != "noun" or h.i in absorbed or _hypothetical(ctx, h):
            continue
        row = _noun_clause(ctx, h, light_end)
        if row:
            rows.append(row)
    return sorted(rows, key=lambda r: r["start"])


_IF_WORDS = frozenset({"if", "unless"})
_CLAUSE_BREAK = frozenset({",", ";"})
_HYPOTHETICAL_NOUN = frozenset("any future possible potential further".split())
_MODAL_WORDS = frozenset("will would could can may might should must shall 'll".split())
_ACTUAL_BEFORE_TO = frozenset(
    "continued continue continues began begin begun started start starts first second last "
    "only".split()
)


def _hypothetical(ctx: _Ctx, h: Hit) -> bool:
    """A threatened, future or conditional act: "would be answered", "vowed to strike",
    "any attack", "if ... attacked", "stop targeting" — not an act that happened."""
    toks = ctx.toks
    lo, _ = ctx.sent_rng[h.i]
    k = h.i - 1
    steps = 0
    nominal = False  # looked past a determiner: "to" and "stop" then govern a noun phrase
    while k >= lo and steps < 4:
        w = toks.words[k]
        if toks.skip[k] or is_adverb(w) or w in {"be", "been", "not", "have", "n't"}:
            k -= 1
            steps += 1
            continue
        if w in _MODAL_WORDS:
            return True
        if w in {"stop", "stopped", "cease"} and not nominal:
            return True
        if w == "to" and not nominal:
            return k - 1 < lo or toks.words[k - 1] not in _ACTUAL_BEFORE_TO
        if w in _HYPOTHETICAL_NOUN:
            return True
        if w in DETERMINERS or w in _NUMBER_WORDS or w.isdigit() or k in ctx.instrument_end:
            nominal = True
            k -= 1  # "any drone attack": look past the noun's modifiers
            steps += 1
            continue
        break
    # an "if" or "unless" within ten words back, with no comma or semicolon after it
    for w in reversed(toks.words[max(lo, h.i - 10) : h.i]):
        if w in _CLAUSE_BREAK:
            return False
        if w in _IF_WORDS:
            return True
    return False


def _coordinated_with(ctx: _Ctx, h: Hit, hypothetical: set[int]) -> bool:
    """ "shoot at our bases and kill and wound": coordinated with a hypothetical act."""
    toks = ctx.toks
    k = h.i - 1
    while k >= 0 and toks.words[k] in {"and", "or", ","}:
        k -= 1
    return k < h.i - 1 and k >= 0 and any(t in hypothetical for t in range(max(0, k - 6), k + 1))


def _prev(toks: Tokens, k: int, lo: int) -> int:
    """Index of the previous token that is not an adverb or skipped mark (``lo - 1`` if none)."""
    k -= 1
    while k >= lo and (toks.skip[k] or is_adverb(toks.words[k])):
        k -= 1
    return k


def _pos(ctx: _Ctx, h: Hit) -> str:
    """``verb``, ``noun`` or ``skip`` (an adjectival participle: "four wounded soldiers")."""
    toks = ctx.toks
    w = toks.words[h.i]
    tags = h.payload.tags.get(w, frozenset())
    if h.j - h.i > 1 and "noun" in tags:
        return "noun"
    lo, hi = ctx.sent_rng[h.i]
    p = _prev(toks, h.i, lo)
    pw = toks.words[p] if p >= lo else "."
    nxt = h.j if h.j < hi else None
    nw = toks.words[nxt] if nxt is not None else "."
    verb_tags = tags - {"noun"}
    verbish_prev = pw in _BEFORE_VERB
    if not verb_tags:
        return "noun"
    if h.payload.lemma == "fire" and pw in {"caught", "catch", "catches", "catching", "set"}:
        return "skip"  # "the vessel caught fire": no one's act
    if h.payload.lemma == "shoot" and nw == "down":
        return "skip"  # "shot down 38 drones": an interception
    if nw in _COMPOUND_HEADS:
        return "skip"  # "attack plans", "launch sites", "strike group": a modifier
    if "noun" not in tags:
        if (
            tags <= {"past", "pp"}
            and pw not in RELATIVES
            and (pw in DETERMINERS or pw.isdigit() or pw in _NUMBER_WORDS)
            and not _object_follows(toks, nxt, hi)
        ):
            return "adjectival"  # "four wounded soldiers", "more than 80 wounded"
        actorish = (pw in _BEFORE_VERB_OR_AND
                    or (p >= lo and (ctx.mention(p) is not None or toks.cap[p]))
                    or (pw.endswith("s") and pw.isalpha() and pw not in DETERMINERS))  # fmt: skip
        if (tags <= {"s", "base"} or tags <= {"ing"}) and not actorish:
            return "skip"  # "60 targets", "a primary target", "political targeting"
        return "verb"
    # a word that is both ("attack", "attacks", "strike", "fire", "raid", "killing")
    if verbish_prev:
        return "verb"
    if pw in DETERMINERS or pw == "'s" or pw.isdigit() or pw in _NUMBER_WORDS or pw in PREPOSITIONS:
        return "noun"
    if "ing" in tags:
        return "noun" if nw == "of" else ("verb" if pw in {",", "began", "started", "continued",
                                                          "kept", "stopped", "resumed"} else "noun")  # fmt: skip
    if tags & {"past", "pp"} and not tags & {"base", "s"}:
        return "verb"
    if (
        p in ctx.instrument_end
        or p >= lo
        and toks.words[p] in {"air", "drone", "rocket", "missile"}
    ):
        # "a drone strike killed" (noun) but "a drone strike hit the base" (verb)
        if tags & {"base", "past"} and _object_follows(toks, nxt, hi) and pw not in DETERMINERS:
            return "verb"
        return "noun"
    m = ctx.mention(p) if p >= lo else None
    # "Houthis attack ships" (verb) vs "Houthi attacks" / "US strikes" (noun)
    object_follows = nw in DETERMINERS or (nxt is not None and (toks.cap[nxt] or nw.isdigit()))
    subject_like = (m is not None and not ctx.descriptor(m)) or (
        pw.endswith("s") and pw.isalpha() and not toks.cap[p]
    )
    if subject_like and object_follows:
        return "verb"
    return "noun"


def _object_follows(toks: Tokens, k: int | None, hi: int) -> bool:
    """Does a noun phrase start at token ``k`` ("killed a man", "killed at least 41",
    "killed about 30 people")?"""
    if k is None or k >= hi:
        return False
    w = toks.words[k]
    if w in {"at", "about", "around", "over", "some", "nearly", "almost", "up"}:
        return k + 1 < hi and (toks.words[k + 1].isdigit() or toks.words[k + 1] in
                               _NUMBER_WORDS_LEAST)  # fmt: skip
    return (w in DETERMINERS or w.isdigit() or w in _NUMBER_WORDS or toks.cap[k]
            or w in {"more", "dozens", "hundreds", "thousands"}) and w not in RELATIVES  # fmt: skip


_COMPOUND_HEADS = frozenset(
    """plan plans planning helicopter helicopters aircraft jet jets group groups site sites
    capability capabilities boat boats submarine submarines team teams package packages
    warning warnings dog dogs force""".split()
)


def _is_passive(ctx: _Ctx, k: int, lo: int) -> bool:
    p = _prev(ctx.toks, k, lo)
    return p >= lo and ctx.toks.words[p] in BE


def _by_agent(ctx: _Ctx, j: int, hi: int, window: int = 5) -> tuple[NounPhrase | None, int | None]:
    """The noun phrase of a "by" phrase within ``window`` tokens after ``j``."""
    toks = ctx.toks
    for k in range(j, min(hi, j + window)):
        w = toks.words[k]
        if w == "by":
            return np_after(toks, k + 1, hi, stop_at_prep=True), k
        if w in {",", ";", ".", "and", "that", "which", "who"}:
            break
    return None, None


def _np_head(ctx: _Ctx, np: NounPhrase) -> int:
    """Head token of a noun phrase: the last token of its core, before a complement."""
    toks = ctx.toks
    end = np.end
    for k in range(np.start, np.end):
        if toks.words[k] in PREPOSITIONS and k > np.start:
            end = k
            break
    k = end - 1
    while k > np.start and (toks.skip[k] or not toks.words[k][0].isalnum()):
        k -= 1
    return k


def _agent_of(ctx: _Ctx, np: NounPhrase | None) -> tuple[str, str | None, str | None]:
    """(kind, entity_id, text) of a subject: ``event`` (an attack or weapon), ``actor`` or ``none``."""
    if np is None:
        return "none", None, None
    toks = ctx.toks
    text = toks.surface(np.start, np.end)
    if np.relative:
        # "the attack that killed", "an attack in late January that killed": look back a few
        # words from the relative pronoun for an attack noun or an actor
        for k in range(np.end - 1, max(np.start, np.end - 7) - 1, -1):
            if k in ctx.event_nouns:
                return "event", None, toks.surface(k, k + 1)
            m = ctx.mention(k)
            if m is not None and ctx.actor(m):
                return "actor", m["entity_id"], m["surface"]
            if toks.cap[k] and toks.words[k] not in TIME_WORDS:
                break
    head = _np_head(ctx, np)
    if head in ctx.event_nouns:
        # "an Israeli strike", "Houthi missiles", "a US drone strike": the modifier is the doer
        for k in range(np.start, head):
            m = ctx.mention(k)
            if m is not None and ctx.actor(m) and toks.words[k] != "of":
                return "event_actor", m["entity_id"], text
        return "event", None, text
    if toks.words[head] in {"it", "they"}:
        # "saying they killed three": the nearer of an attack noun and an actor named before
        ev = max((k for k in ctx.event_nouns if k < head), default=-1)
        m = ctx.mentions.before(toks.starts[head], types={"armed_group", "organization", "state"})
        m_tok = toks.index_at(m["start"]) if m is not None else -1
        if ev > m_tok:
            return "event", None, text
        return "actor", (m["entity_id"] if m and ctx.actor(m) else None), text
    if toks.words[head] in PRONOUNS:
        m = ctx.mentions.before(toks.starts[head], types={"person"})
        return "actor", (m["entity_id"] if m and ctx.actor(m) else None), text
    m = ctx.resolve(np)
    return "actor", ctx.actor(m), text


def _patient_after(ctx: _Ctx, j: int, hi: int, *, direct: bool) -> tuple[str | None, str | None]:
    """The patient after a violence word: its object, or an on/against/targeting phrase."""
    toks = ctx.toks
    k = j
    while k < hi and (toks.skip[k] or is_adverb(toks.words[k])):
        k += 1
    cands: list[NounPhrase] = []
    if direct and k < hi and toks.words[k] not in PREPOSITIONS and toks.words[k][0].isalnum():
        np = np_after(toks, k, hi, stop_at_prep=True, stops=ctx.verb_tokens)
        if np:
            cands.append(np)
    for t in range(j, min(hi, j + 10)):
        w = toks.words[t]
        if w in {"on", "against", "targeting", "at"} or (w == "of" and not direct and t == j):
            np = np_after(
                toks, t + 1, hi, stop_at_prep=True, stop_at_ing=False, stops=ctx.verb_tokens
            )
            if np:
                cands.append(np)
            break
        if w in {";", ".", "that", "which", "who"}:
            break
    for np in cands:
        m = ctx.resolve(np)
        if m is not None and ctx.actor(m):
            return m["entity_id"], toks.surface(np.start, np.end)
    return None, (toks.surface(cands[0].start, cands[0].end) if cands else None)


def _clause_row(ctx: _Ctx, i: int, j: int, verb: str, construction: str, agent, patient) -> dict:
    toks = ctx.toks
    a, b = toks.starts[i], toks.ends[j - 1]
    return {"article_id": ctx.doc.article_id, "sent_idx": ctx.sent_of[i], "verb": verb,
            "construction": construction,
            "agent_id": agent[0], "patient_id": patient[0], "start": a, "end": b,
            "agent_text": agent[1], "patient_text": patient[1], "voice": ctx.voices.at(a)}  # fmt: skip


def _stops(ctx: _Ctx, verb_tokens: set[int], lo: int, k: int) -> list[int]:
    # the verb and speech tokens in ``lo .. k-1`` (subject_np takes them as a set)
    if verb_tokens is not ctx.verb_set:  # sorted once per agency pass
        ctx.verb_set, ctx.verb_sorted = verb_tokens, sorted(verb_tokens)
    vs = ctx.verb_sorted
    return vs[bisect_left(vs, lo) : bisect_left(vs, k)] + ctx.art.speech_between(lo, k)


def _coordinated(ctx: _Ctx, k: int, lo: int, rows: list[dict]) -> dict | None:
    """The previous clause when this verb shares its subject ("have fired ... and carry out")."""
    toks = ctx.toks
    p = _prev(toks, k, lo)
    while p >= lo and toks.words[p] in _HAVE_MODALS:
        p = _prev(toks, p, lo)
    if p >= lo and toks.words[p] in {"and", "or"}:
        here, sent = ctx.toks.starts[k], ctx.sent_of[k]
        before = [r for r in rows if r["sent_idx"] == sent and r["start"] < here]
        if before:
            prev = max(before, key=lambda r: r["start"])
            if prev["construction"] == "active":
                return prev
    return None


def _verb_clause(ctx, h: Hit, verb_tokens, rows) -> dict | None:
    toks = ctx.toks
    lo, hi = ctx.sent_rng[h.i]
    verb = toks.surface(h.i, h.j)
    tags = h.payload.tags.get(toks.words[h.i], frozenset())
    if tags & {"pp"} and _is_passive(ctx, h.i, lo):
        subj = subject_np(toks, h.i, lo, _stops(ctx, verb_tokens, lo, h.i))
        _, patient_id, patient_text = _agent_of(ctx, subj)
        return _passive_row(ctx, h, verb, hi, (patient_id, patient_text))
    p = _prev(toks, h.i, lo)
    pw = toks.words[p] if p >= lo else "."
    nxt = toks.words[h.j] if h.j < hi else "."
    if (
        tags & {"pp"}
        and not tags & {"base", "s"}
        and pw not in _HAVE_RELATIVES_PRONOUNS
        and (nxt in PREPOSITIONS or not nxt[0].isalnum() or is_adverb(nxt))
        and not _object_follows(toks, h.j, hi)
        and p >= lo
        and pw not in {"and", "or"}
    ):
        # reduced relative: "the commander killed in the strike", "a base hit by rockets"
        subj = subject_np(toks, h.i, lo, _stops(ctx, verb_tokens, lo, h.i))
        _, patient_id, patient_text = _agent_of(ctx, subj)
        return _passive_row(ctx, h, verb, hi, (patient_id, patient_text))
    patient = _patient_after(ctx, h.j, hi, direct=True)
    coord = _coordinated(ctx, h.i, lo, rows)
    if coord is not None:
        return _clause_row(ctx, h.i, h.j, verb, "active", (coord["agent_id"], coord["agent_text"]),
                           patient)  # fmt: skip
    if pw == "," and "ing" in tags:
        # "..., killing three": the clause before is the doer
        prev = next((r for r in reversed(rows) if r["sent_idx"] == ctx.sent_of[h.i]), None)
        if prev is not None:
            return _clause_row(ctx, h.i, h.j, verb, prev["construction"] if prev["construction"]
                               in ("active", "nominal_agentless") else "nominal_agentless",
                               (prev["agent_id"], prev["agent_text"]), patient)  # fmt: skip
    v = h.i
    if pw == "to" and p - 1 >= lo:  # "continued to target": the subject of "continued"
        v = p - 1
    elif pw in _ACTUAL_BEFORE_TO | {"kept", "resumed"}:  # "began attacking"
        v = p
    subj = subject_np(toks, v, lo, _stops(ctx, verb_tokens, lo, v))
    kind, agent_id, agent_text = _agent_of(ctx, subj)
    if kind in ("event", "none"):
        return _clause_row(ctx, h.i, h.j, verb, "nominal_agentless", (None, None), patient)
    return _clause_row(ctx, h.i, h.j, verb, "active", (agent_id, agent_text), patient)


def _passive_row(ctx: _Ctx, h: Hit, verb: str, hi: int, patient: tuple) -> dict:
    """A passive: with an agent when a by-phrase names an actor, or an in/by phrase holds an
    attack told with its doer ("killed in American air strikes"); a weapon alone is no agent
    ("hit by at least 11 missiles")."""
    toks = ctx.toks
    np, _ = _by_agent(ctx, h.j, hi)
    if np is None and h.j < hi and toks.words[h.j] in {"in", "during"}:
        np = np_after(toks, h.j + 1, hi, stop_at_prep=True)
    if np is not None:
        kind, agent_id, agent_text = _agent_of(ctx, np)
        by = toks.words[h.j : h.j + 5].count("by") > 0
        if (kind == "actor" and by) or (kind == "event_actor" and agent_id is not None):
            return _clause_row(
                ctx, h.i, h.j, verb, "passive_with_agent", (agent_id, agent_text), patient
            )
    return _clause_row(ctx, h.i, h.j, verb, "passive_agentless", (None, None), patient)


def _light_is_verb(ctx: _Ctx, h: Hit) -> bool:
    toks = ctx.toks
    lo, hi = ctx.sent_rng[h.i]
    if h.i > lo and toks.words[h.i - 1] in DETERMINERS:
        return False  # "a launch point"
    k = h.j
    steps = 0
    while k < hi and steps < 5:
        if k in ctx.event_nouns:
            return True
        if toks.words[k] in {",", ".", ";", "that", "which"}:
            return False
        k += 1
        steps += 1
    return False


def _light_clause(ctx, h: Hit, verb_tokens, rows, absorbed) -> dict | None:
    """ "carried out strikes", "launched an attack": the noun is the act, and the verb's
    subject its doer. The row spans the noun."""
    toks = ctx.toks
    lo, hi = ctx.sent_rng[h.i]
    k = h.j
    while k < hi and k not in ctx.event_nouns:
        k += 1
    noun_end = k + 1
    while noun_end < hi and noun_end in ctx.event_nouns:  # "drone strikes"
        noun_end += 1
    first = k
    while first - 1 >= h.j and (first - 1) in ctx.event_nouns:
        first -= 1
    absorbed.update(range(h.j, noun_end))
    verb = toks.surface(first, noun_end)
    patient = _patient_after(ctx, noun_end, hi, direct=False)
    if h.payload.tags.get(toks.words[h.i], frozenset()) & {"pp"} and _is_passive(ctx, h.i, lo):
        np, _ = _by_agent(ctx, noun_end, hi)
        if np is not None:
            _, agent_id, agent_text = _agent_of(ctx, np)
            return _clause_row(
                ctx, first, noun_end, verb, "passive_with_agent", (agent_id, agent_text), patient
            )
        return _clause_row(ctx, first, noun_end, verb, "passive_agentless", (None, None), patient)
    coord = _coordinated(ctx, h.i, lo, rows)
    if coord is not None:
        return _clause_row(
            ctx, first, noun_end, verb, "active", (coord["agent_id"], coord["agent_text"]), patient
        )
    subj = subject_np(toks, h.i, lo, _stops(ctx, verb_tokens, lo, h.i))
    kind, agent_id, agent_text = _agent_of(ctx, subj)
    if kind in ("event", "none"):
        return _clause_row(ctx, first, noun_end, verb, "nominal_agentless", (None, None), patient)
    return _clause_row(ctx, first, noun_end, verb, "active", (agent_id, agent_text), patient)


def _noun_clause(ctx, h: Hit, light_end) -> dict | None:
    """A violence noun on its own: "the attack on bases", "US strikes", "an attack by X"."""
    toks = ctx.toks
    lo, hi = ctx.sent_rng[h.i]
    verb = toks.surface(h.i, h.j)
    patient = _patient_after(ctx, h.j, hi, direct=False)
    k = h.j
    if (
        k + 1 < hi
        and toks.words[k] in BE
        and (k + 1) in light_end
        or (k + 1 < hi and toks.words[k] in BE and any(t.i == k + 1 for t in light_end.values()))
    ):
        # "the strike was carried out (by X)": the noun is a passive's subject
        light = next(t for t in light_end.values() if t.i == k + 1)
        np, _ = _by_agent(ctx, light.j, hi)
        if np is not None:
            kind, agent_id, agent_text = _agent_of(ctx, np)
            if kind in ("actor", "event_actor"):
                return _clause_row(
                    ctx, h.i, h.j, verb, "passive_with_agent", (agent_id, agent_text), patient
                )
        return _clause_row(ctx, h.i, h.j, verb, "passive_agentless", (None, None), patient)
    np, _ = _by_agent(ctx, h.j, hi, window=1)
    if np is not None:
        kind, agent_id, agent_text = _agent_of(ctx, np)
        if kind == "actor":
            return _clause_row(
                ctx, h.i, h.j, verb, "passive_with_agent", (agent_id, agent_text), patient
            )
    # an actor right before the noun: "Houthi attacks", "Israel's strikes", "US airstrikes"
    p = h.i - 1
    while p >= lo and (toks.skip[p] or toks.words[p] == "'s" or p in ctx.instrument_end
                       or toks.words[p] in {"air", "drone", "rocket", "missile", "deadly", "latest",
                                            "recent", "new", "retaliatory"}):  # fmt: skip
        if toks.words[p] == "'s" or ctx.mention(p) is not None:
            break
        p -= 1
    m = ctx.mention(p - 1 if p >= lo and toks.words[p] == "'s" else p) if p >= lo else None
    if m is not None and ctx.actor(m) and toks.index_at(m["end"] - 1) >= h.i - 4:
        if m.get("entity_type") == "person" and h.payload.lemma in {
            "kill",
            "assassinate",
            "wound",
            "shoot",
        }:
            # "Haniyeh's killing": the person is the victim
            return _clause_row(ctx, h.i, h.j, verb, "nominal_agentless", (None, None),
                               (m["entity_id"], m["surface"]))  # fmt: skip
        return _clause_row(ctx, h.i, h.j, verb, "active", (m["entity_id"], m["surface"]), patient)
    return _clause_row(ctx, h.i, h.j, verb, "nominal_agentless", (None, None), patient)


# ----- blame


def _blame(ctx: _Ctx) -> list[dict]:
    toks = ctx.toks
    rows: list[dict] = []
    last_accuse: dict[int, int] = {}
    for h in ctx.hits.get("blame", []):
        lo, hi = ctx.sent_rng[h.i]
        cue: BlameCue = h.payload
        voice = ctx.voices.at(toks.starts[h.i])
        voice_id = None if voice in (NARRATOR, UNKNOWN_SPEAKER) else voice
        negated = any(toks.words[k] in _NEGATIONS for k in range(max(lo, h.i - 4), h.i))
        accuser = accused = None
        accuser_text = accused_text = None
        # no speech-verb stops: "officials said KH was responsible" resolves to the last
        # actor of the core ("KH"), and "those who deny ..." stays inside the subject
        stops: list[int] = []
        sent = ctx.sent_of[h.i]
        if cue.pattern in ("accuse", "hold"):
            passive = _is_passive(ctx, h.i, lo)
            if passive:
                subj = subject_np(toks, h.i, lo, stops)
                _, accused, accused_text = _agent_of(ctx, subj)
                np, _ = _by_agent(ctx, h.j, hi)
                if np is not None:
                    _, accuser, accuser_text = _agent_of(ctx, np)
                else:
                    accuser = voice_id
            else:
                subj = subject_np(toks, h.i, lo, stops)
                _, accuser, accuser_text = _agent_of(ctx, subj)
                accuser = accuser or voice_id
                accused, accused_text = _accused_after(ctx, h, hi)
            if cue.pattern == "hold" and not any(
                toks.words[k] in {"responsible", "accountable"}
                for k in range(h.j, min(hi, h.j + 8))
            ):
                continue
            last_accuse[sent] = h.j
        elif cue.pattern == "subject":
            if sent in last_accuse and h.i - last_accuse[sent] < 10:
                continue  # "accused X of being responsible": one accusation
            p = _prev(toks, h.i, lo)
            w = toks.words[p] if p >= lo else ""
            if w not in BE and not toks.words[h.i].startswith(("bear", "bore")):
                continue
            subj = subject_np(toks, p if w in BE else h.i, lo, stops)
            _, accused, accused_text = _agent_of(ctx, subj)
            accuser = voice_id
        else:  # of
            np = np_after(toks, h.j, hi, stop_at_prep=True)
            m = ctx.resolve(np)
            accused = ctx.actor(m)
            accused_text = toks.surface(np.start, np.end) if np else None
            accuser = voice_id
        if accused is None or accused == accuser:
            continue
        a, b = toks.span(h.i, h.j)
        rows.append({"article_id": ctx.doc.article_id, "sent_idx": sent, "start": a, "end": b,
                     "accuser_id": accuser, "accused_id": accused, "cue": toks.text[a:b],
                     "voice": voice, "negated": negated, "accuser_text": accuser_text,
                     "accused_text": accused_text})  # fmt: skip
    return rows


def _accused_after(ctx: _Ctx, h: Hit, hi: int) -> tuple[str | None, str | None]:
    toks = ctx.toks
    np = np_after(toks, h.j, hi, stop_at_prep=True)
    if np is not None:
        m = ctx.resolve(np)
        if ctx.actor(m):
            return m["entity_id"], toks.surface(np.start, np.end)
    for k in range(h.j, min(hi, h.j + 10)):  # "blamed the attack on Y", "attributed it to Y"
        if toks.words[k] in {"on", "to"}:
            np = np_after(toks, k + 1, hi, stop_at_prep=True)
            m = ctx.resolve(np)
            if ctx.actor(m):
                return m["entity_id"], toks.surface(np.start, np.end)
            break
    return None, None


# ----- tone


def _tone(ctx: _Ctx, model: FramingModel) -> list[dict]:
    vader, article_id = model.sentiment, ctx.doc.article_id
    memo, polarity = vader._memo, vader.polarity  # a repeated sentence: no call at all
    rows = []
    for s in ctx.doc.sentences:
        neg, neu, pos, compound = memo.get(s.text) or polarity(s.text)
        rows.append({"article_id": article_id, "sent_idx": s.idx, "compound": compound,
                     "pos": pos, "neu": neu, "neg": neg})  # fmt: skip
    return rows


# --------------------------------------------------------------------------- record


def record(tables: dict[str, pd.DataFrame], doc: Doc) -> dict:
    """``frames``, ``agency`` and ``tone`` of the analyze JSON record (DESIGN.md)."""
    out: dict = {"frames": [], "agency": [], "tone": {"compound_mean": None, "by_entity": {}}}
    frames = tables.get("frames")
    if frames is not None and not frames.empty:
        g = frames.groupby(["frame_id", "voice"], sort=True)
        for (fid, voice), grp in g:
            out["frames"].append({"frame_id": fid, "voice": voice,
                                  "cues": sorted(set(grp["cue"].str.lower())),
                                  "n_sentences": int(grp["sent_idx"].nunique())})  # fmt: skip
    agency = tables.get("agency")
    if agency is not None and not agency.empty:
        text = {s.idx: s.text for s in doc.sentences}
        for r in agency.sort_values("start").itertuples():
            out["agency"].append({"sentence": text.get(r.sent_idx), "verb": r.verb,
                                  "construction": r.construction, "agent_id": _none(r.agent_id),
                                  "patient_id": _none(r.patient_id)})  # fmt: skip
    tone = tables.get("tone")
    if tone is not None and not tone.empty:
        out["tone"]["compound_mean"] = round(float(tone["compound"].mean()), 4)
        by = tone_by_entity(tone, tables.get("mentions"))
        out["tone"]["by_entity"] = {k: round(float(v), 4) for k, v in by["compound"].items()}
    return out


def _none(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


# --------------------------------------------------------------------------- analysis (tables -> tables)


def select_articles(
    articles: pd.DataFrame,
    *,
    start: str | None = None,
    end: str | None = None,
    outlets: list[str] | None = None,
) -> pd.DataFrame:
    """The ``articles`` rows published in ``[start, end]`` by ``outlets`` (None = all).

    Examples
    --------
    >>> a = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "Y"],
    ...                   "published": pd.to_datetime(["2024-01-02", "2024-03-01"])})
    >>> select_articles(a, end="2024-02-01").article_id.tolist()
    ['a']
    """
    out = articles
    pub = pd.to_datetime(out["published"], errors="coerce")
    if start is not None:
        out, pub = out[pub >= pd.Timestamp(start)], pub[pub >= pd.Timestamp(start)]
    if end is not None:
        out = out[pub <= pd.Timestamp(end)]
    if outlets:
        out = out[out["outlet"].isin(list(outlets))]
    return out


TABLE_COLUMNS = {
    "quotes": ["article_id", "sent_idx", "start", "end", "text", "kind", "speaker_id",
               "speaker_text", "verb"],
    "frames": ["article_id", "sent_idx", "frame_id", "cue", "voice", "start", "end"],
    "labels": ["article_id", "sent_idx", "start", "end", "label", "head", "entity_id", "voice"],
    "agency": ["article_id", "sent_idx", "verb", "construction", "agent_id", "patient_id", "start",
               "end", "agent_text", "patient_text", "voice"],
    "blame": ["article_id", "sent_idx", "start", "end", "accuser_id", "accused_id", "cue", "voice",
              "negated"],
    "tone": ["article_id", "sent_idx", "compound", "pos", "neu", "neg"],
}  # fmt: skip
"""Columns of the tables this stage (and the quotes stage) write, for empty selections."""


def framing_tables(
    tables: dict[str, pd.DataFrame],
    *,
    start: str | None = None,
    end: str | None = None,
    outlets: list[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """The framing tables restricted to the selected articles (empty tables when absent).

    Returns ``articles`` (the selection), ``quotes``, ``frames``, ``labels``, ``agency``,
    ``blame``, ``tone``, and ``mentions``, ``events`` and ``sentences`` when present.

    Examples
    --------
    >>> t = framing_tables({"articles": pd.DataFrame({"article_id": ["a"], "outlet": ["X"],
    ...                                               "published": ["2024-01-02"]})})
    >>> list(t["frames"].columns)[:5]
    ['article_id', 'sent_idx', 'frame_id', 'cue', 'voice']
    """
    articles = select_articles(tables["articles"], start=start, end=end, outlets=outlets)
    keep = set(articles["article_id"])
    out = {"articles": articles}
    for name in [*TABLE_COLUMNS, "mentions", "events", "sentences"]:
        df = tables.get(name)
        if df is None:
            df = pd.DataFrame(columns=TABLE_COLUMNS.get(name, ["article_id", "sent_idx"]))
        out[name] = df[df["article_id"].isin(keep)].reset_index(drop=True)
    return out


def _with_outlet(df: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    cols = ["article_id", "outlet", "published"]
    return df.merge(
        articles[[c for c in cols if c in articles.columns]], on="article_id", how="inner"
    )


def frame_profile(
    frames: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    voice: str | None = NARRATOR,
    normalize: bool = True,
    frame_ids: list[str] | None = None,
    sentences: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Outlet × frame: how often each outlet's own voice uses each frame.

    Counts sentences carrying a frame (a sentence with two cues of one frame counts
    once). By default only narrator cues count: a frame a speaker brings in is the
    speaker's, not the outlet's (see :func:`frames_by_speaker`).

    Parameters
    ----------
    frames, articles : DataFrame
        The ``frames`` and ``articles`` tables (``articles`` already filtered).
    voice : str or None
        ``"narrator"`` (default), a speaker's entity id, or None for every voice.
    normalize : bool
        Frame sentences per 100 sentences of the outlet's articles (counted from
        ``sentences``, or ``n_sentences`` in ``articles``; with neither, each row is the
        outlet's frame sentences as shares).
    sentences : DataFrame, optional
        The ``sentences`` table, to count each outlet's sentences.
    frame_ids : list of str, optional
        Columns to keep (all of :data:`FRAME_IDS` by default, in that order).

    Examples
    --------
    >>> f = pd.DataFrame({"article_id": ["a", "a", "a"], "sent_idx": [0, 0, 1],
    ...                   "frame_id": ["proxy", "proxy", "terrorism"],
    ...                   "voice": ["narrator", "narrator", "iran"]})
    >>> a = pd.DataFrame({"article_id": ["a"], "outlet": ["X"]})
    >>> frame_profile(f, a, normalize=False)[["proxy", "terrorism"]].to_dict("records")
    [{'proxy': 1, 'terrorism': 0}]
    """
    cols = list(frame_ids or FRAME_IDS)
    df = frames if voice is None else frames[frames["voice"] == voice]
    df = _with_outlet(df, articles).drop_duplicates(["article_id", "sent_idx", "frame_id"])
    table = pd.crosstab(df["outlet"], df["frame_id"]) if len(df) else pd.DataFrame()
    outlets = sorted(articles["outlet"].dropna().unique())
    table = table.reindex(index=outlets, columns=cols, fill_value=0).fillna(0).astype(int)
    table.index.name, table.columns.name = "outlet", "frame_id"
    if not normalize:
        return table
    if sentences is not None and len(sentences):
        per = _with_outlet(sentences[["article_id"]], articles).groupby("outlet").size()
        per = per.reindex(outlets)
        return table.div(per.where(per > 0), axis=0).mul(100).fillna(0.0)
    if "n_sentences" in articles.columns:
        per = articles.groupby("outlet")["n_sentences"].sum().reindex(outlets)
        return table.div(per.where(per > 0), axis=0).mul(100).fillna(0.0)
    total = table.sum(axis=1)
    return table.div(total.where(total > 0), axis=0).fillna(0.0)


def frames_by_speaker(frames: pd.DataFrame, *, top_n: int = 15, frame_ids=None) -> pd.DataFrame:
    """Speaker × frame: the frames each quoted voice brings into the coverage.

    Counts sentences (per speaker and frame) inside quotes and reported speech; the
    narrator is left out. Rows are the ``top_n`` named speakers by frame sentences, then
    ``unknown_speaker`` (speakers not resolved to an actor) last.

    Examples
    --------
    >>> f = pd.DataFrame({"article_id": ["a", "a"], "sent_idx": [0, 1],
    ...                   "frame_id": ["resistance", "casualties"],
    ...                   "voice": ["kataeb_hezbollah", "narrator"]})
    >>> frames_by_speaker(f)["resistance"].to_dict()
    {'kataeb_hezbollah': 1}
    """
    cols = list(frame_ids or FRAME_IDS)
    df = frames[frames["voice"] != NARRATOR].drop_duplicates(
        ["article_id", "sent_idx", "frame_id", "voice"]
    )
    if df.empty:
        return pd.DataFrame(columns=cols, dtype=int).rename_axis(index="voice", columns="frame_id")
    table = pd.crosstab(df["voice"], df["frame_id"]).reindex(columns=cols, fill_value=0)
    order = table.sum(axis=1).sort_values(ascending=False, kind="mergesort")
    named = [v for v in order.index if v != UNKNOWN_SPEAKER][:top_n]
    table = table.loc[named + ([UNKNOWN_SPEAKER] if UNKNOWN_SPEAKER in order.index else [])]
    table.columns.name = "frame_id"
    return table


def frame_trends(
    frames: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    freq: str = "W",
    voice: str | None = NARRATOR,
    frame_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Frame sentences per period, one column per frame.

    ``freq`` is a pandas period alias: ``"W"`` (weeks from Monday, the default),
    ``"M"`` (months), ``"D"``. The index is each period's first day; periods without
    a frame sentence are kept as zeros.

    Examples
    --------
    >>> f = pd.DataFrame({"article_id": ["a", "b"], "sent_idx": [0, 0],
    ...                   "frame_id": ["proxy", "proxy"], "voice": ["narrator", "narrator"]})
    >>> a = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "X"],
    ...                   "published": pd.to_datetime(["2024-01-02", "2024-01-20"])})
    >>> frame_trends(f, a, freq="M")["proxy"].tolist()
    [2]
    """
    cols = list(frame_ids or FRAME_IDS)
    df = frames if voice is None else frames[frames["voice"] == voice]
    df = _with_outlet(df, articles).drop_duplicates(["article_id", "sent_idx", "frame_id"])
    df = df.assign(published=pd.to_datetime(df["published"], errors="coerce")).dropna(
        subset=["published"]
    )
    if df.empty:
        return pd.DataFrame(columns=cols, dtype=int)
    period = df["published"].dt.to_period(freq).dt.start_time
    table = pd.crosstab(period, df["frame_id"]).reindex(columns=cols, fill_value=0)
    full = pd.period_range(table.index.min(), table.index.max(), freq=freq).start_time
    table = table.reindex(full, fill_value=0)
    table.index.name, table.columns.name = "period", "frame_id"
    return table


def label_table(
    labels: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    actors: list[str] | None = None,
    voice: str | None = NARRATOR,
    top_n: int = 25,
) -> pd.DataFrame:
    """Label × outlet: how each outlet names the actors (counts of label uses).

    ``actors`` keeps labels attached to those entity ids; ``voice`` (narrator by
    default) keeps the outlet's own wording. Rows are the ``top_n`` labels overall.

    Examples
    --------
    >>> l = pd.DataFrame({"article_id": ["a", "a"], "label": ["iran-backed militia"] * 2,
    ...                   "entity_id": ["kataeb_hezbollah", None], "voice": ["narrator"] * 2})
    >>> label_table(l, pd.DataFrame({"article_id": ["a"], "outlet": ["X"]}))["X"].tolist()
    [2]
    """
    df = labels if voice is None else labels[labels["voice"] == voice]
    if actors:
        df = df[df["entity_id"].isin(list(actors))]
    df = _with_outlet(df, articles)
    if df.empty:
        return pd.DataFrame(columns=sorted(articles["outlet"].dropna().unique()), dtype=int)
    table = pd.crosstab(df["label"], df["outlet"])
    order = table.sum(axis=1).sort_values(ascending=False, kind="mergesort")
    return table.loc[order.index[:top_n]]


def voice_share(quotes: pd.DataFrame, articles: pd.DataFrame, *, top_n: int = 8) -> pd.DataFrame:
    """Outlet × speaker: the share of each outlet's quotes given to each voice.

    Direct, partial and reported quotes count; speakers outside the ``top_n`` overall
    are pooled as ``other``, and unresolved speakers as ``unknown_speaker``. Rows sum to 1.

    Examples
    --------
    >>> q = pd.DataFrame({"article_id": ["a", "a", "a"], "kind": ["direct", "reported", "scare"],
    ...                   "speaker_id": ["iran", None, None]})
    >>> voice_share(q, pd.DataFrame({"article_id": ["a"], "outlet": ["X"]})).loc["X"].to_dict()
    {'iran': 0.5, 'unknown_speaker': 0.5}
    """
    df = quotes[quotes["kind"].isin(SPEECH_KINDS)]
    df = _with_outlet(df, articles)
    if df.empty:
        return pd.DataFrame()
    speaker = df["speaker_id"].fillna(UNKNOWN_SPEAKER)
    top = speaker[speaker != UNKNOWN_SPEAKER].value_counts().index[:top_n]
    speaker = speaker.where(speaker.isin(top) | (speaker == UNKNOWN_SPEAKER), "other")
    table = pd.crosstab(df["outlet"], speaker, normalize="index")
    order = [c for c in top if c in table.columns] + [
        c for c in ("other", UNKNOWN_SPEAKER) if c in table.columns
    ]
    table = table[order]
    table.columns.name = "speaker"
    return table


def agentless_rate(
    agency: pd.DataFrame,
    articles: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    min_clauses: int = 1,
) -> pd.DataFrame:
    """Share of violence clauses told without naming who did it, per outlet × perpetrator.

    The perpetrator of a clause is its agent when one is named, else the perpetrator
    the ``events`` table gives for the same sentence (when the events stage found
    one), else ``unknown``. Agentless = ``passive_agentless`` or ``nominal_agentless``.

    Returns
    -------
    DataFrame with ``outlet, perpetrator, clauses, agentless, rate``.

    Examples
    --------
    >>> ag = pd.DataFrame({"article_id": ["a", "a"], "sent_idx": [0, 1],
    ...                    "construction": ["active", "nominal_agentless"],
    ...                    "agent_id": ["united_states", None]})
    >>> ev = pd.DataFrame({"article_id": ["a"], "sent_idx": [1], "perpetrator_id": ["kataeb_hezbollah"]})
    >>> r = agentless_rate(ag, pd.DataFrame({"article_id": ["a"], "outlet": ["X"]}), ev)
    >>> r[["perpetrator", "rate"]].to_dict("records")
    [{'perpetrator': 'kataeb_hezbollah', 'rate': 1.0}, {'perpetrator': 'united_states', 'rate': 0.0}]
    """
    df = _with_outlet(agency, articles)
    cols = ["outlet", "perpetrator", "clauses", "agentless", "rate"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    perp = df["agent_id"]
    if events is not None and not events.empty and "perpetrator_id" in events.columns:
        ev = (events.dropna(subset=["perpetrator_id"])
              .drop_duplicates(["article_id", "sent_idx"])[["article_id", "sent_idx", "perpetrator_id"]])  # fmt: skip
        ev = ev.assign(sent_idx=ev["sent_idx"].astype(int))
        df = df.assign(sent_idx=df["sent_idx"].astype(int)).merge(
            ev, on=["article_id", "sent_idx"], how="left"
        )
        perp = df["agent_id"].fillna(df["perpetrator_id"])
    df = df.assign(perpetrator=perp.fillna("unknown"),
                   agentless=df["construction"].isin(["passive_agentless", "nominal_agentless"]))  # fmt: skip
    out = (df.groupby(["outlet", "perpetrator"], sort=True)
             .agg(clauses=("agentless", "size"), agentless=("agentless", "sum"))
             .reset_index())  # fmt: skip
    out["agentless"] = out["agentless"].astype(int)
    out["rate"] = out["agentless"] / out["clauses"]
    return out[out["clauses"] >= min_clauses][cols].reset_index(drop=True)


def blame_among(blame: pd.DataFrame, actors: list[str] | None = None) -> pd.DataFrame:
    """``blame`` rows whose accuser or accused is one of ``actors`` (all rows for None)."""
    if not actors:
        return blame
    return blame[blame["accuser_id"].isin(list(actors)) | blame["accused_id"].isin(list(actors))]


def agentless_clauses(agency: pd.DataFrame) -> pd.DataFrame:
    """``agency`` rows told without a doer (passive or nominal agentless)."""
    return agency[agency["construction"].isin(["passive_agentless", "nominal_agentless"])]


def narrator_cues(frames: pd.DataFrame, frame_ids: list[str] | None = None) -> pd.DataFrame:
    """``frames`` rows in the narrator's voice (of ``frame_ids``, all for None)."""
    out = frames[frames["voice"] == NARRATOR]
    return out[out["frame_id"].isin(list(frame_ids))] if frame_ids else out


def scare_quotes(quotes: pd.DataFrame) -> pd.DataFrame:
    """``quotes`` rows that are scare quotes or quoted names."""
    return quotes[quotes["kind"].isin(["scare", "name"])]


def blame_network(blame: pd.DataFrame, *, include_negated: bool = False) -> nx.DiGraph:
    """Who blames whom: a directed graph, one edge per (accuser, accused) pair.

    Edges carry ``weight`` (number of accusations) and ``evidence``: a list of
    ``(article_id, sent_idx, start, end, cue)``. Accusations by the narrator (no
    accuser id) and denials are left out unless ``include_negated``.

    Examples
    --------
    >>> b = pd.DataFrame({"article_id": ["a"], "sent_idx": [0], "start": [4], "end": [11],
    ...                   "accuser_id": ["kataeb_hezbollah"], "accused_id": ["united_states"],
    ...                   "cue": ["accused"], "negated": [False]})
    >>> g = blame_network(b)
    >>> g["kataeb_hezbollah"]["united_states"]["weight"]
    1
    """
    g = nx.DiGraph()
    if blame is None or blame.empty:
        return g
    df = blame.dropna(subset=["accuser_id", "accused_id"])
    if not include_negated and "negated" in df.columns:
        df = df[~df["negated"].astype(bool)]
    for r in df.sort_values(["article_id", "start"]).itertuples():
        ev = (r.article_id, int(r.sent_idx), int(r.start), int(r.end), r.cue)
        if g.has_edge(r.accuser_id, r.accused_id):
            g[r.accuser_id][r.accused_id]["weight"] += 1
            g[r.accuser_id][r.accused_id]["evidence"].append(ev)
        else:
            g.add_edge(r.accuser_id, r.accused_id, weight=1, evidence=[ev])
    return g


def blame_edges(graph: nx.DiGraph) -> pd.DataFrame:
    """The edges of :func:`blame_network` as a table: accuser, accused, weight."""
    rows = [
        {"accuser_id": a, "accused_id": b, "weight": d["weight"]}
        for a, b, d in graph.edges(data=True)
    ]
    df = pd.DataFrame(rows, columns=["accuser_id", "accused_id", "weight"])
    return df.sort_values(["weight", "accuser_id", "accused_id"], ascending=[False, True, True],
                          kind="mergesort").reset_index(drop=True)  # fmt: skip


def tone_by_entity(
    tone: pd.DataFrame,
    mentions: pd.DataFrame | None,
    *,
    min_sentences: int = 1,
    actors: list[str] | None = None,
    top_n: int | None = None,
) -> pd.DataFrame:
    """Mean VADER compound over the sentences that mention each entity.

    ``actors`` keeps those entity ids; else ``top_n`` keeps the most-mentioned entities
    (by sentences). Rows are sorted by entity id.

    Examples
    --------
    >>> t = pd.DataFrame({"article_id": ["a", "a"], "sent_idx": [0, 1], "compound": [-0.5, 0.1]})
    >>> m = pd.DataFrame({"article_id": ["a", "a", "a"], "sent_idx": [0, 0, 1],
    ...                   "entity_id": ["iran", "iran", "iraq"]})
    >>> tone_by_entity(t, m)["compound"].to_dict()
    {'iran': -0.5, 'iraq': 0.1}
    """
    cols = ["compound", "sentences"]
    if mentions is None or mentions.empty or tone.empty:
        return pd.DataFrame(columns=cols).rename_axis("entity_id")
    pairs = mentions[["article_id", "sent_idx", "entity_id"]].dropna().drop_duplicates()
    pairs = pairs.assign(sent_idx=pairs["sent_idx"].astype(int))
    t = tone[["article_id", "sent_idx", "compound"]].assign(sent_idx=tone["sent_idx"].astype(int))
    df = pairs.merge(t, on=["article_id", "sent_idx"], how="inner")
    out = df.groupby("entity_id", sort=True).agg(compound=("compound", "mean"),
                                                 sentences=("compound", "size"))  # fmt: skip
    out = out[out["sentences"] >= min_sentences]
    if actors:
        return out[out.index.isin(list(actors))]
    if top_n:
        keep = out["sentences"].sort_values(ascending=False, kind="mergesort").index[:top_n]
        return out[out.index.isin(keep)]
    return out


def tone_by_outlet(tone: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Mean VADER compound, positive, neutral and negative share per outlet.

    Examples
    --------
    >>> t = pd.DataFrame({"article_id": ["a", "a"], "sent_idx": [0, 1], "compound": [-0.5, 0.1],
    ...                   "pos": [0, 0.2], "neu": [0.5, 0.8], "neg": [0.5, 0]})
    >>> tone_by_outlet(t, pd.DataFrame({"article_id": ["a"], "outlet": ["X"]}))["compound"].round(2).tolist()
    [-0.2]
    """
    df = _with_outlet(tone, articles)
    cols = ["compound", "pos", "neu", "neg", "sentences"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    return df.groupby("outlet", sort=True).agg(
        compound=("compound", "mean"), pos=("pos", "mean"), neu=("neu", "mean"),
        neg=("neg", "mean"), sentences=("compound", "size"))  # fmt: skip


def evidence(
    rows: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    *,
    columns: list[str] | None = None,
    limit: int | None = 20,
) -> pd.DataFrame:
    """Rows of a framing table with their outlet, date and sentence text, for reading.

    The sentence is plain text (the report's HTML export escapes it).

    Examples
    --------
    >>> tables = {"articles": pd.DataFrame({"article_id": ["a"], "outlet": ["X"],
    ...                                     "published": ["2024-01-02"]}),
    ...           "sentences": pd.DataFrame({"article_id": ["a"], "sent_idx": [0],
    ...                                      "text": ["A drone strike killed two."]})}
    >>> rows = pd.DataFrame({"article_id": ["a"], "sent_idx": [0], "verb": ["killed"]})
    >>> evidence(rows, tables, columns=["verb"]).columns.tolist()
    ['outlet', 'published', 'verb', 'sentence']
    """
    arts = tables["articles"][["article_id", "outlet", "published"]]
    sents = tables["sentences"][["article_id", "sent_idx", "text"]].rename(
        columns={"text": "sentence"}
    )
    sents = sents.assign(sent_idx=sents["sent_idx"].astype(int))
    df = rows.assign(sent_idx=rows["sent_idx"].astype(int))
    df = df.merge(arts, on="article_id", how="left").merge(
        sents, on=["article_id", "sent_idx"], how="left"
    )
    keep = ["outlet", "published", *(columns or [c for c in rows.columns
                                                 if c not in ("article_id", "sent_idx")]), "sentence"]  # fmt: skip
    df = df.sort_values(["published", "article_id", "sent_idx"], kind="mergesort")[keep]
    return (df.head(limit) if limit else df).reset_index(drop=True)


def quote_counts(quotes: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Outlet × quote kind: how many quotes of each kind each outlet prints."""
    df = _with_outlet(quotes, articles)
    kinds = ["direct", "partial", "reported", "scare", "name"]
    if df.empty:
        return pd.DataFrame(columns=kinds)
    return pd.crosstab(df["outlet"], df["kind"]).reindex(columns=kinds, fill_value=0)


__all__ = [
    "FRAME_IDS", "NARRATOR", "UNKNOWN_SPEAKER", "build", "extract", "record", "load_frames",
    "framing_tables", "blame_among", "agentless_clauses", "narrator_cues", "scare_quotes",
    "load_labels", "load_violence_verbs", "load_instruments", "load_blame_cues", "Voices",
    "select_articles", "frame_profile", "frames_by_speaker", "frame_trends", "label_table",
    "voice_share", "agentless_rate", "blame_network", "blame_edges", "tone_by_entity",
    "tone_by_outlet", "evidence", "quote_counts",
]  # fmt: skip


# --------------------------------------------------------------------------- voice by speaker role (10)
# In a transcript the same words mean something else in an official's answer and in a
# journalist's question. These views give each row the role of the turn it lies in and
# compare the roles' own voices. Words an official quotes from someone else are that
# speaker's (see ``voice``), not the official's, and are left out here.

ROLE_ORDER = ("official", "journalist", "moderator", "other", NARRATOR)
"""Roles of :mod:`conflictlens.transcripts`, then ``narrator``: text outside any speaker turn
(a statement, a written release, an outlet's own article)."""
QUOTED = "quoted"
"""Role of words inside a speaker's turn (or outside turns) that quote someone else."""


def turn_roles(
    rows: pd.DataFrame, turns: pd.DataFrame | None, sentences: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``rows`` with the speaker turn each lies in, and whose voice it is.

    A row is placed by its ``start`` offset or, without one (``tone``), by the start of
    its sentence ``sent_idx`` in ``sentences``. Adds ``speaker_role`` (the turn's role,
    ``narrator`` outside any turn), ``turn_speaker_id`` and ``role``: the turn's role
    when the row is in the turn speaker's own voice (the ``voice`` column is
    ``narrator``, the turn's speaker or, for an unnamed official, ``unknown_speaker``),
    :data:`QUOTED` when it quotes someone else. Rows without a ``voice`` column take the
    turn's role.

    Parameters
    ----------
    rows : DataFrame
        A table with ``article_id`` and ``start`` or ``sent_idx`` (``frames``, ``labels``,
        ``agency``, ``tone``, ``tallies``, ``sentences``...).
    turns : DataFrame or None
        The ``turns`` table of the whole corpus (not filtered to relevant passages: a
        relevant paragraph may lie in a turn that starts in an irrelevant one).
    sentences : DataFrame, optional
        The ``sentences`` table, for rows without ``start``.

    Examples
    --------
    >>> turns = pd.DataFrame({"article_id": ["a", "a"], "start": [0, 50], "end": [40, 90],
    ...                       "speaker_id": ["john_kirby", "journalist"],
    ...                       "speaker_role": ["official", "journalist"]})
    >>> f = pd.DataFrame({"article_id": ["a", "a", "a", "a"], "start": [5, 20, 60, 95],
    ...                   "voice": ["john_kirby", "houthis", "narrator", "narrator"]})
    >>> turn_roles(f, turns)[["speaker_role", "role"]].values.tolist()
    [['official', 'official'], ['official', 'quoted'], ['journalist', 'journalist'], ['narrator', 'narrator']]
    """
    out = rows.copy()
    if "start" in out.columns:
        pos = pd.to_numeric(out["start"], errors="coerce").astype("float64")
    elif sentences is not None and len(sentences) and "sent_idx" in out.columns:
        starts = sentences.drop_duplicates(["article_id", "sent_idx"]).set_index(
            ["article_id", "sent_idx"]
        )["start"]
        key = pd.MultiIndex.from_arrays(
            [out["article_id"], pd.to_numeric(out["sent_idx"], errors="coerce")]
        )
        pos = pd.Series(starts.reindex(key).to_numpy(), index=out.index, dtype="float64")
    else:
        pos = pd.Series(float("nan"), index=out.index)
    role = pd.Series(NARRATOR, index=range(len(out)), dtype=object)
    speaker = pd.Series(None, index=range(len(out)), dtype=object)
    if turns is not None and len(turns) and len(out):
        work = pd.DataFrame({"article_id": out["article_id"].astype(str).to_numpy(),
                             "_pos": pos.to_numpy(), "_row": range(len(out))})  # fmt: skip
        work = work.dropna(subset=["_pos"]).sort_values("_pos", kind="mergesort")
        tu = turns[["article_id", "start", "end", "speaker_id", "speaker_role"]]
        tu = tu.assign(article_id=tu["article_id"].astype(str),
                       _t_start=tu["start"].astype("float64"), _t_end=tu["end"].astype("float64"))  # fmt: skip
        tu = tu.drop(columns=["start", "end"]).sort_values("_t_start", kind="mergesort")
        hit = pd.merge_asof(work, tu, left_on="_pos", right_on="_t_start", by="article_id",
                            direction="backward")  # fmt: skip
        hit = hit[hit["_pos"] < hit["_t_end"]]
        role.iloc[hit["_row"].to_numpy()] = hit["speaker_role"].astype(object).to_numpy()
        speaker.iloc[hit["_row"].to_numpy()] = hit["speaker_id"].astype(object).to_numpy()
    out["speaker_role"] = role.fillna("other").to_numpy()
    out["turn_speaker_id"] = speaker.to_numpy()
    if "voice" in out.columns:
        voice = out["voice"].astype(object)
        own = (voice.isna() | (voice == NARRATOR) | (voice == out["turn_speaker_id"])
               | ((voice == UNKNOWN_SPEAKER) & out["turn_speaker_id"].isna()))  # fmt: skip
        out["role"] = out["speaker_role"].where(own, QUOTED)
    else:
        out["role"] = out["speaker_role"]
    return out


def _has_turns(turns: pd.DataFrame | None) -> bool:
    return turns is not None and len(turns) > 0


def _role_order(present) -> list[str]:
    present = set(present)
    return [r for r in ROLE_ORDER if r in present]


def sentences_by_role(sentences: pd.DataFrame, turns: pd.DataFrame | None) -> pd.DataFrame:
    """How many sentences each role speaks (empty when the corpus has no speaker turns).

    Returns
    -------
    DataFrame indexed by role (:data:`ROLE_ORDER`, those present) with ``sentences``
    and ``share``.

    Examples
    --------
    >>> turns = pd.DataFrame({"article_id": ["a"], "start": [0], "end": [40],
    ...                       "speaker_id": ["john_kirby"], "speaker_role": ["official"]})
    >>> s = pd.DataFrame({"article_id": ["a", "a", "a"], "sent_idx": [0, 1, 2], "start": [0, 20, 50]})
    >>> sentences_by_role(s, turns)["sentences"].to_dict()
    {'official': 2, 'narrator': 1}
    >>> sentences_by_role(s, None).empty
    True
    """
    if not _has_turns(turns) or sentences is None or sentences.empty:
        return pd.DataFrame(columns=["sentences", "share"]).rename_axis("role")
    counts = turn_roles(sentences, turns)["speaker_role"].value_counts()
    counts = counts.reindex(_role_order(counts.index))
    return pd.DataFrame(
        {"sentences": counts.astype(int), "share": (counts / counts.sum()).round(4)}
    ).rename_axis("role")


def frames_by_role(
    frames: pd.DataFrame,
    sentences: pd.DataFrame,
    turns: pd.DataFrame | None,
    *,
    frame_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Role × frame: sentences with a frame in each role's own voice, per 100 of its sentences.

    An official's frame is one used in the official's own words (not in a quote of
    someone else inside the answer); a journalist's, one used in a question. Empty when
    the corpus has no speaker turns.

    Examples
    --------
    >>> turns = pd.DataFrame({"article_id": ["a", "a"], "start": [0, 50], "end": [40, 90],
    ...                       "speaker_id": ["john_kirby", "journalist"],
    ...                       "speaker_role": ["official", "journalist"]})
    >>> s = pd.DataFrame({"article_id": ["a"] * 4, "sent_idx": [0, 1, 2, 3], "start": [0, 20, 50, 70]})
    >>> f = pd.DataFrame({"article_id": ["a", "a", "a"], "sent_idx": [0, 1, 2], "start": [5, 25, 55],
    ...                   "frame_id": ["retaliation", "retaliation", "escalation"],
    ...                   "voice": ["john_kirby", "houthis", "narrator"]})
    >>> frames_by_role(f, s, turns, frame_ids=["retaliation", "escalation"]).to_dict("index")
    {'official': {'retaliation': 50.0, 'escalation': 0.0}, 'journalist': {'retaliation': 0.0, 'escalation': 50.0}}
    """
    cols = list(frame_ids or FRAME_IDS)
    per = sentences_by_role(sentences, turns)["sentences"]
    if per.empty:
        return pd.DataFrame(columns=cols, dtype=float).rename_axis(index="role", columns="frame_id")
    df = turn_roles(frames, turns, sentences)
    df = df[df["role"] != QUOTED].drop_duplicates(["article_id", "sent_idx", "frame_id", "role"])
    table = pd.crosstab(df["role"], df["frame_id"]) if len(df) else pd.DataFrame()
    table = table.reindex(index=per.index, columns=cols, fill_value=0).fillna(0)
    table = table.div(per.where(per > 0), axis=0).mul(100).fillna(0.0)
    table.index.name, table.columns.name = "role", "frame_id"
    return table


def labels_by_role(
    labels: pd.DataFrame,
    turns: pd.DataFrame | None,
    *,
    actors: list[str] | None = None,
    top_n: int = 15,
) -> pd.DataFrame:
    """Label × role: how officials, journalists and the rest name the actors (label uses).

    Counts labels in each role's own voice ("Iran-backed militia" in an official's
    answer, "resistance groups" in a question); ``actors`` keeps labels attached to those
    entity ids. Rows are the ``top_n`` labels overall; empty without speaker turns.

    Examples
    --------
    >>> turns = pd.DataFrame({"article_id": ["a", "a"], "start": [0, 50], "end": [40, 90],
    ...                       "speaker_id": ["john_kirby", "journalist"],
    ...                       "speaker_role": ["official", "journalist"]})
    >>> l = pd.DataFrame({"article_id": ["a", "a", "a"], "start": [5, 10, 60],
    ...                   "label": ["iran-backed militia", "iran-backed militia", "resistance group"],
    ...                   "entity_id": [None, None, "kataeb_hezbollah"],
    ...                   "voice": ["john_kirby", "john_kirby", "narrator"]})
    >>> labels_by_role(l, turns).to_dict("index")
    {'iran-backed militia': {'official': 2, 'journalist': 0}, 'resistance group': {'official': 0, 'journalist': 1}}
    """
    if not _has_turns(turns) or labels is None or labels.empty:
        return pd.DataFrame(dtype=int).rename_axis(index="label", columns="role")
    df = labels if not actors else labels[labels["entity_id"].isin(list(actors))]
    df = turn_roles(df, turns)
    df = df[df["role"] != QUOTED]
    if df.empty:
        return pd.DataFrame(dtype=int).rename_axis(index="label", columns="role")
    table = pd.crosstab(df["label"], df["role"])
    table = table.reindex(columns=_role_order(table.columns))
    order = table.sum(axis=1).sort_values(ascending=False, kind="mergesort")
    table = table.loc[order.index[:top_n]]
    table.columns.name = "role"
    return table


def agentless_by_role(agency: pd.DataFrame, turns: pd.DataFrame | None) -> pd.DataFrame:
    """Violence clauses told without a doer, per role (own voice): clauses, agentless, rate.

    Agentless = ``passive_agentless`` or ``nominal_agentless`` (as :func:`agentless_rate`).
    Empty without speaker turns.

    Examples
    --------
    >>> turns = pd.DataFrame({"article_id": ["a"], "start": [0], "end": [40],
    ...                       "speaker_id": ["john_kirby"], "speaker_role": ["official"]})
    >>> ag = pd.DataFrame({"article_id": ["a", "a", "a"], "start": [5, 20, 60],
    ...                    "construction": ["active", "passive_agentless", "nominal_agentless"],
    ...                    "voice": ["john_kirby", "john_kirby", "narrator"]})
    >>> agentless_by_role(ag, turns).to_dict("index")
    {'official': {'clauses': 2, 'agentless': 1, 'rate': 0.5}, 'narrator': {'clauses': 1, 'agentless': 1, 'rate': 1.0}}
    """
    cols = ["clauses", "agentless", "rate"]
    if not _has_turns(turns) or agency is None or agency.empty:
        return pd.DataFrame(columns=cols).rename_axis("role")
    df = turn_roles(agency, turns)
    df = df[df["role"] != QUOTED]
    df = df.assign(agentless=df["construction"].isin(["passive_agentless", "nominal_agentless"]))
    out = df.groupby("role").agg(clauses=("agentless", "size"), agentless=("agentless", "sum"))
    out = out.reindex(_role_order(out.index))
    out["agentless"] = out["agentless"].astype(int)
    out["rate"] = (out["agentless"] / out["clauses"]).round(4)
    return out[cols]


def tone_by_role(
    tone: pd.DataFrame, sentences: pd.DataFrame, turns: pd.DataFrame | None
) -> pd.DataFrame:
    """Mean VADER compound, positive, neutral and negative share of each role's sentences.

    A sentence belongs to the turn it lies in (tone is scored per sentence, so a quote
    inside an answer counts as the answer's). Empty without speaker turns.

    Examples
    --------
    >>> turns = pd.DataFrame({"article_id": ["a"], "start": [0], "end": [40],
    ...                       "speaker_id": ["john_kirby"], "speaker_role": ["official"]})
    >>> s = pd.DataFrame({"article_id": ["a", "a"], "sent_idx": [0, 1], "start": [0, 50]})
    >>> t = pd.DataFrame({"article_id": ["a", "a"], "sent_idx": [0, 1], "compound": [-0.5, 0.1],
    ...                   "pos": [0, 0.2], "neu": [0.5, 0.8], "neg": [0.5, 0]})
    >>> tone_by_role(t, s, turns)["compound"].to_dict()
    {'official': -0.5, 'narrator': 0.1}
    """
    cols = ["compound", "pos", "neu", "neg", "sentences"]
    if not _has_turns(turns) or tone is None or tone.empty:
        return pd.DataFrame(columns=cols).rename_axis("role")
    df = turn_roles(tone, turns, sentences)
    out = df.groupby("role").agg(compound=("compound", "mean"), pos=("pos", "mean"),
                                 neu=("neu", "mean"), neg=("neg", "mean"),
                                 sentences=("compound", "size"))  # fmt: skip
    return out.reindex(_role_order(out.index))[cols]


__all__ += [
    "ROLE_ORDER", "QUOTED", "turn_roles", "sentences_by_role", "frames_by_role",
    "labels_by_role", "agentless_by_role", "tone_by_role",
]  # fmt: skip
