"""Fast paths of the entities stage give what the plain computation gives, on varied input."""

from __future__ import annotations

import random
import re

import pytest

from conflictlens import entities
from conflictlens.text import fold


@pytest.fixture(scope="module")
def model():
    return entities.build()


def _texts(rng: random.Random, pieces: list[str], n: int, length: int = 30) -> list[str]:
    """Random texts glued from ``pieces`` with random joins (spaces, breaks, marks)."""
    joins = [" ", " ", "", "  ", "\n", "-", " \t", ". ", ", ", "'", "\u2019", "\n\n", ".", "\u2013"]
    return [
        "".join(rng.choice(pieces) + rng.choice(joins) for _ in range(rng.randint(0, length)))
        for _ in range(n)
    ]


def _all_spans(search, text: str) -> list[tuple[int, int]]:
    """Every span a search from each position after the last match start finds."""
    out, pos = [], 0
    while (span := search(text, pos)) is not None:
        out.append(span)
        pos = span[0] + 1
    return out


def test_label_spans_are_the_label_matches():
    rng = random.Random(11)
    pieces = ["Q", "MR.", "KIRBY", "MS.", "JEAN-PIERRE", ":", "said", "US", "\n", " ", "\t", "Q:",
              "O\u2019BRIEN", "a", "ADM.", "\r\n"]  # fmt: skip
    for t in _texts(rng, pieces, 3000):
        assert entities._label_spans(t) == [m.span() for m in entities._LABEL.finditer(t)], t


def test_acronym_regex_finds_what_the_plain_pattern_finds(model):
    # The plain form of the pattern: a look-behind, then the forms longest first.
    rng = random.Random(7)
    dash = "[-\u2010-\u2015\u2212]"
    form_sets = [
        list(model.acronyms),
        ["US", "U.S.", "CJTF-OIR", "-X", "KH", "PMF", "AAH", "\u2013Y", "USA", "U", "X-"],
    ]
    for forms in form_sets:
        alts = "|".join(
            dash.join(re.escape(p) for p in f.split("-"))
            for f in sorted(forms, key=lambda f: (-len(f), f))
        )
        plain = re.compile(rf"(?<![A-Za-z0-9])(?:{alts})(?![A-Za-z0-9])")
        fast = entities._acronym_regex(forms)
        pieces = [
            *forms,
            "a",
            "the",
            "LET",
            "S",
            "1",
            "-",
            "\u2014",
            "U.S.A",
            "KHX",
            "'s",
            "(",
            ".",
        ]
        for t in _texts(rng, pieces, 2000):
            assert [m.span() for m in fast.finditer(t)] == [m.span() for m in plain.finditer(t)], t


def test_acronym_regex_examples():
    forms = ["US", "U.S.", "CJTF-OIR", "-X", "KH", "PMF", "AAH"]
    text = "US, U.S. and CJTF\u2013OIR. KHX aKH -X \u2014X PMF-led AAH's USA"
    assert [m.group() for m in entities._acronym_regex(forms).finditer(text)] == [
        "US", "U.S.", "CJTF\u2013OIR", "-X", "\u2014X", "PMF", "AAH"]  # fmt: skip


def test_alias_span_finds_what_the_alias_pattern_finds(model):
    rng = random.Random(3)
    names = [fold(a) for _, _, a in model.aliases.values()]
    words = [w for n in names for w in re.split(r"[\s\-]+", n)]
    pieces = [*rng.sample(names, 200), *rng.sample(words, 200), "the", "of", "a", "'s", "1",
              "x", "al", "iraq", "us", "kata'ib", "kata\u02bfib", "(", "\u2014"]  # fmt: skip
    texts = _texts(rng, pieces, 3000)
    texts += [n for n in names] + [n + "x" for n in names] + ["x" + n for n in names]
    # (and the pattern with a plain optional apostrophe instead of a possessive one)
    plain = re.compile(model.alias_re.pattern.replace(entities._FOLDED_APOS + "?+",
                                                      entities._FOLDED_APOS + "?")).search  # fmt: skip
    assert plain.__self__.pattern != model.alias_re.pattern

    def plain_span(t, pos):
        m = plain(t, pos)
        return None if m is None else m.span()

    for t in texts:
        fast = _all_spans(lambda f, p: entities._alias_span(model, f, p), t)
        assert fast == _all_spans(plain_span, t), t
        # and from any position, as the caller searches after an accepted name
        for pos in {0, 1, len(t) // 2, len(t)}:
            assert entities._alias_span(model, t, pos) == plain_span(t, pos), (t, pos)


def test_cap_span_finds_what_the_plain_pattern_finds():
    t_ = entities._CAP_TOKEN
    plain = re.compile(rf"(?<![\w'\u2019\-]){t_}(?:[ \t]+(?:{entities._CONNECT}[ \t]+)?{t_})*")
    rng = random.Random(5)
    pieces = ["Saraya", "Thar", "al-Hashd", "Al-Asad", "el-Sisi", "al", "el", "of the", "of",
              "bin", "U.S.", "J.", "Smith", "Army", "a", "e", "the", "Iran-backed", "ALL",
              "O'Brien", "D\u2019Souza", "\u00c9mile", "x", "1", "ae", "A.", "Ae"]  # fmt: skip
    for t in _texts(rng, pieces, 4000):
        assert [m.span() for m in entities._CAP_SPAN.finditer(t)] == [
            m.span() for m in plain.finditer(t)
        ], t


def _plain_unknown_names(ctx, mentions) -> list[dict]:
    """The discovery pass written plainly: every word checked, every row built afresh."""
    text, cues = ctx.text, ctx.model.name_cues
    ignore, titles = cues["ignore"], cues["title"]
    starts, ends = [m.start for m in mentions], [m.end for m in mentions]
    plain_cap = re.compile(
        rf"(?<![\w'\u2019\-]){entities._CAP_TOKEN}"
        rf"(?:[ \t]+(?:{entities._CONNECT}[ \t]+)?{entities._CAP_TOKEN})*"
    )
    rows = []
    for sm in plain_cap.finditer(text):
        pieces: list[list[tuple[int, int]]] = [[]]
        for t in re.finditer(r"\S+", sm.group()):
            a, b = t.start() + sm.start(), t.end() + sm.start()
            i = entities.bisect_right(starts, b) - 1
            if i >= 0 and ends[i] > a and starts[i] < b:
                pieces.append([])
            else:
                pieces[-1].append((a, b))
        for piece in pieces:
            row = _plain_row(ctx, piece, ignore, titles) if piece else None
            if row is not None:
                rows.append(row)
    return rows


def _plain_row(ctx, piece, ignore, titles) -> dict | None:
    text, title_before = ctx.text, False
    words = [entities._norm_word(text[a:b]) for a, b in piece]
    i, j = 0, len(piece)
    while i < j:
        if words[i] in titles:
            title_before = True
        elif words[i] and words[i] not in ignore and words[i] not in entities._CONNECT_WORDS:
            break
        i += 1
    while j > i and (
        not words[j - 1] or words[j - 1] in entities._CONNECT_WORDS or words[j - 1] in ignore
    ):
        j -= 1
    piece = piece[i:j]
    if not piece:
        return None
    start, end = piece[0][0], piece[-1][1]
    surface = re.sub(r"['\u2019]s?$", "", text[start:end].rstrip(".,;:"))
    if not surface or not surface[0].isupper() or ctx.in_label(start):
        return None
    idx = ctx.sentence(start)
    sent_start = 0
    if ctx.doc.sentences:
        sent_start = ctx.doc.sentences[idx].start
        if start == sent_start and len(piece) == 1 and not title_before:
            return None
        if ctx.all_caps_sentence(idx):
            return None
    prev = (entities._TOKEN.findall(ctx.folded, max(sent_start, start - 60), start) or [""])[-1]
    after_locative = prev in ctx.model.cues["locative"]
    names, cues = surface.split(), ctx.model.name_cues
    hint = (
        cues["head"].get(names[-1].lower())
        or cues["head"].get(names[0].lower())
        or ("person" if title_before or names[0].lower() in cues["prefix"] else None)
        or ("place" if after_locative else None)
        or ""
    )
    return {"article_id": ctx.doc.article_id, "sent_idx": idx, "start": start,
            "end": start + len(surface), "surface": surface, "title_before": title_before,
            "after_locative": after_locative, "type_hint": hint}  # fmt: skip


def test_unknown_names_are_what_the_plain_pass_finds(model):
    from conflictlens.text import make_doc

    rng = random.Random(9)
    pieces = ["Saraya", "Thar", "Brigades", "Gen.", "General", "Abu", "Fadak", "al-Mohammedawi",
              "The", "the", "of", "Monday", "Iraq", "Kataib", "Hezbollah", "US", "U.S.", "in",
              "near", "Mr.", "MR. KIRBY:", "Q", "said", "Ministry", "of the", "Interior", "x",
              "Washington", "Post", "O'Neil", "Thar's", "ALL", "CAPS", "Al-Asad", "Basra"]  # fmt: skip
    texts = _texts(rng, pieces, 1500, length=40)
    found = 0
    for n, t in enumerate(texts):
        doc = make_doc(str(n), t)
        ctx = entities._Context(doc, model)
        named = entities._named_mentions(ctx)
        entities._read_capitals(ctx, named)
        fast = entities._unknown_names(ctx, named)
        assert fast == _plain_unknown_names(ctx, named), t
        found += len(fast)
    assert found > 1000


def _plain_role(ctx, m) -> str:
    """The role as read from the whole window of tokens before and after the mention."""
    cues, folded = ctx.model.cues, ctx.folded
    if ctx.in_label(m.start):
        return "label"
    if folded.startswith("'s", m.end) or (
        folded.startswith("'", m.end) and folded[m.end - 1] == "s"
    ):
        return "possessor"
    prev = ctx.prev_tokens(m.start, sent=m.sent)
    if prev and prev[-1] in cues["locative"]:
        return "place"
    if prev and prev[-1] in cues["agent_preposition"]:
        return "agent"
    nxt = ctx.next_tokens(m.end)
    if nxt and nxt[0] in cues["qualified_noun"]:
        return "qualifier"
    if m.kind == "demonym" and not folded[m.end - 1 : m.end] == "s":
        return "modifier"
    verb = entities._verb_after(ctx.model, nxt)
    if verb == "active":
        return "subject"
    if verb == "passive":
        return "patient"
    if all(t in cues["determiner"] for t in prev):
        return "subject"
    return "other"


def test_role_is_the_role_read_from_the_whole_window(model):
    from conflictlens.text import make_doc

    rng = random.Random(13)
    pieces = ["Iraq", "Baghdad", "Washington", "Iraqi", "Kataib Hezbollah", "the", "a", "The",
              "in", "by", "said", "was", "hit", "officials", "forces", "'s", "'", "MR. KIRBY:",
              "Q", "on", "Monday", "has", "not", "denied", "x", "1", "Tehran-backed", "its",
              "the group", "that militia", "and", "troops", "\u2019s"]  # fmt: skip
    roles = set()
    texts = _texts(rng, pieces, 1500, length=40) + _texts(rng, pieces, 300, length=200)
    texts += _texts(rng, [*pieces, ",", "which", "who", "has been", "had already", "on"], 1000)
    for n, t in enumerate(texts):
        ctx = entities._Context(make_doc(str(n), t), model)
        for m in entities._named_mentions(ctx):
            assert entities._role(ctx, m) == _plain_role(ctx, m), (t, m)
            roles.add(m.role)
    assert len(roles) >= 7, roles
