"""Speaker turns of transcripts (press briefings, gaggles, calls) and stage notes.

A briefing transcript is a run of turns, each opened by a label in capitals
(``MR. KIRBY:``, ``MS. JEAN-PIERRE:``, ``SENIOR ADMINISTRATION OFFICIAL:``) or by a
bare ``Q`` for a reporter's question; paragraphs without a label continue the turn
before. A label glued to the end of the paragraph before it (a paragraph break lost in
the source: "... in their discussions? MR. KIRBY:  I won't ...") opens a turn too.
Who a label is comes from ``data/lexicons/speakers.csv``; an unlisted label
is still a turn, with a role guessed from its words (a title such as SECRETARY or
AMBASSADOR makes an official) and no affiliation.

Stage notes (``(Laughter.)``, ``(Inaudible.)``), the labels themselves and time stamps
(``2:16 P.M. EDT``) are not text anyone said: :func:`non_text_spans` lists them so
sentence splitting and the extractors skip them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from conflictlens.lexicons import check, default_dir, read_csv_rows

ROLES = ("official", "journalist", "moderator", "other")

# A label opens a paragraph: "Q", or capitals with optional periods, ending in ":".
_LABEL = re.compile(r"(?:Q(?=\s{1,4}\S)|Q:|(?P<name>[A-Z][A-Z.'\u2019\- ]{1,60}[A-Z.]):)[ \t]*")
_STAGE = re.compile(
    r"\((?:[A-Z][a-z]+|As interpreted|Cross-talk|The |Referring |Addressing |Calling |Reporter )[^()\n]{0,80}\.?\)"
)
# "2:16 P.M. EDT", "11:02 A.M.  EST", and the "END" line (alone or before a time) that
# closes many transcripts.
_TIMESTAMP = re.compile(
    r"^(?:(?:END[ \t]+)?\d{1,2}:\d{2}[ \t]+[AP]\.M\.[ \t]+[A-Z]{2,4}|END)$", re.M
)
# A label glued to the end of the turn before it (a lost paragraph break in the source:
# "... in their discussions? MR. KIRBY:  I won't get into ..."). Only looked for in a text
# already known to be a transcript, only after a sentence end, and only for a title plus
# surname, a known label, or a "Q" followed by two spaces or a capital.
_GLUED_NAME = r"(?:MR|MS|MRS|DR)\.?[ \t]+[A-Z][A-Z'\u2019\-]+"
_OFFICIAL_WORDS = re.compile(
    r"\b(?:SECRETARY|OFFICIAL|AMBASSADOR|GENERAL|ADMIRAL|MINISTER|PRESIDENT|KING|GOVERNOR|SENATOR|REPRESENTATIVE|SPOKESPERSON|SPOKESMAN|COLONEL|MAYOR)\b"
)
# Stage notes must be in parentheses and look like a short stage direction.
_STAGE_WORDS = re.compile(
    r"^\((?:Laughter|Laughs|Applause|Inaudible|Cross-talk|Crosstalk|Singing|Coughs|Sneezes|Pause|Audio|Video|Break|As interpreted|Speaks|Gestures|Shakes|Nods|Referring|Addressing|Calling|Reporter|The |Air Force)"
)


@dataclass(frozen=True)
class Turn:
    """One speaker turn: the label's span, the words' span, and who is speaking."""

    idx: int
    label: str
    label_start: int
    start: int  # first character of the spoken words
    end: int
    speaker_id: str | None
    speaker_role: str
    affiliation: str | None


@dataclass(frozen=True)
class Speakers:
    by_label: dict[str, tuple[str, str, str | None]]

    @cached_property
    def glued(self) -> re.Pattern:
        """Where a label glued to the end of the turn before it begins (see ``_GLUED_NAME``)."""
        known = sorted(
            (k for k in self.by_label if k != "Q" and not re.fullmatch(_GLUED_NAME, k)),
            key=len,
            reverse=True,
        )
        names = "|".join([_GLUED_NAME, *(re.escape(k).replace("\\ ", r"[ \t]+") for k in known)])
        return re.compile(
            rf"(?<=[.?!\u2014\u2013\-)\"\u201d])[ \t]+"
            rf"(?=(?:(?:{names}):[ \t]|Q(?:[ \t]{{2,}}|[ \t](?=[A-Z]))\S))"
        )


def _norm_label(label: str) -> str:
    return (
        re.sub(r"\s+", " ", label.replace(".", ". ")).replace(" .", ".").strip().rstrip(":").upper()
    )


@lru_cache(maxsize=8)
def load_speakers(path: str | Path | None = None) -> Speakers:
    """Load and validate ``speakers.csv`` (label, speaker_id, speaker_role, affiliation)."""
    path = Path(path) if path else default_dir() / "speakers.csv"
    table: dict[str, tuple[str, str, str | None]] = {}
    for n, r in read_csv_rows(path, ["label", "speaker_id", "speaker_role", "affiliation"]):
        check(bool(r["label"]), path, n, "empty label")
        check(
            r["speaker_role"] in ROLES,
            path,
            n,
            f"unknown speaker_role {r['speaker_role']!r}; use one of {ROLES}",
        )
        key = _norm_label(r["label"])
        check(key not in table, path, n, f"label {r['label']!r} listed twice")
        table[key] = (r["speaker_id"] or None, r["speaker_role"], r["affiliation"] or None)
    return Speakers(table)


def identify(label: str, speakers: Speakers | None = None) -> tuple[str | None, str, str | None]:
    """``(speaker_id, role, affiliation)`` for a transcript label.

    Examples
    --------
    >>> identify("MR.  KIRBY")
    ('john_kirby', 'official', 'united_states')
    >>> identify("Q")
    ('journalist', 'journalist', None)
    >>> identify("AMBASSADOR HEUSGEN")
    ('ambassador_heusgen', 'official', None)
    """
    speakers = speakers or load_speakers()
    key = _norm_label(label)
    if key in speakers.by_label:
        return speakers.by_label[key]
    alt = key.replace("MR ", "MR. ").replace("MS ", "MS. ")
    if alt in speakers.by_label:
        return speakers.by_label[alt]
    ident = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")
    role = "official" if _OFFICIAL_WORDS.search(key) else "other"
    return ident or None, role, None


def parse_turns(
    text: str, paragraphs: list[tuple[int, int]], speakers: Speakers | None = None
) -> list[Turn]:
    """Speaker turns of a transcript; ``[]`` unless at least two paragraphs open with a label.

    Examples
    --------
    >>> from conflictlens.text import paragraph_spans
    >>> t = "MR. KIRBY:  The attacks must stop.\\n\\nQ  Will you strike back?\\n\\nMR. KIRBY:  We will respond."
    >>> [(x.label, x.speaker_role, t[x.start:x.end]) for x in parse_turns(t, paragraph_spans(t))]
    [('MR. KIRBY', 'official', 'The attacks must stop.'), ('Q', 'journalist', 'Will you strike back?'), ('MR. KIRBY', 'official', 'We will respond.')]
    """
    labelled = []
    for a, b in paragraphs:
        m = _LABEL.match(text, a, b)
        if m and m.end() < b:
            labelled.append((a, m))
    if len(labelled) < 2:
        return []
    speakers = speakers or load_speakers()
    starts = {a: m for a, m in labelled}
    segments = []  # (start, end, label match or None): paragraphs, split at glued labels
    for a, b in paragraphs:
        for s, e in _split_glued(text, a, b, speakers):
            segments.append((s, e, starts.get(s) or (_LABEL.match(text, s, e) if s != a else None)))
    turns: list[Turn] = []
    current = None
    for a, b, m in segments:
        if m is not None and m.end() < b:
            if current is not None:
                turns.append(current)
            label = (m.group("name") or "Q").strip()
            sid, role, aff = identify(label, speakers)
            current = Turn(len(turns), label, a, m.end(), b, sid, role, aff)
        elif current is not None and not _TIMESTAMP.fullmatch(text[a:b]):
            current = Turn(current.idx, current.label, current.label_start, current.start, b,
                           current.speaker_id, current.speaker_role, current.affiliation)  # fmt: skip
    if current is not None:
        turns.append(current)
    return turns


def _split_glued(text: str, a: int, b: int, speakers: Speakers) -> list[tuple[int, int]]:
    """``[a, b)`` cut before every label glued inside it (see ``_GLUED_NAME``)."""
    cuts = [m.end() for m in speakers.glued.finditer(text, a, b)]
    if not cuts:
        return [(a, b)]
    bounds = [a, *cuts, b]
    out = []
    for s, e in zip(bounds, bounds[1:], strict=False):
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def non_text_spans(text: str, turns: list[Turn]) -> list[tuple[int, int]]:
    """Spans that nobody said: turn labels, stage notes, time stamps (sorted).

    Examples
    --------
    >>> t = "Thank you. (Laughter.) We will respond.\\n\\n2:16 P.M. EDT"
    >>> [t[a:b] for a, b in non_text_spans(t, [])]
    ['(Laughter.)', '2:16 P.M. EDT']
    """
    spans = [(t.label_start, t.start) for t in turns]
    spans += [(m.start(), m.end()) for m in _STAGE.finditer(text) if _STAGE_WORDS.match(m.group())]
    spans += [(m.start(), m.end()) for m in _TIMESTAMP.finditer(text)]
    return sorted(spans)
