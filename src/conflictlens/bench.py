"""``conflictlens bench``: time full extraction on a synthetic or a given corpus.

The synthetic corpus is generated deterministically (same N → same bytes) with a
realistic spread of article lengths and the phenomena the extractors handle:
aliases and transliterations, metonyms, nominal references, quotes of every kind,
relative dates, tallies and numbers that are not tallies, agentless violence,
hard-wrapped lines and transcripts. It is written for benchmarking only and is
not, and does not imitate, real reporting.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from functools import partial
from pathlib import Path

ACTORS = ["Kataeb Hezbollah", "Kata'ib Hizballah", "the Hezbollah Brigades", "KH", "Harakat al-Nujaba",
          "the Islamic Resistance in Iraq", "Kataib Sayyid al-Shuhada", "Iran-backed militias",
          "pro-Iranian armed groups", "the Houthis", "the IRGC", "Hamas", "Islamic State remnants"]  # fmt: skip
STATES = ["Washington", "Baghdad", "Tehran", "Damascus", "Amman", "the Pentagon", "US officials",
          "Iraqi authorities", "the Iraqi government", "American commanders", "Israeli officials"]  # fmt: skip
PLACES = ["al-Asad air base", "Ain al-Asad", "al-Harir", "Erbil", "al-Tanf", "Tower 22", "Baghdad",
          "Jurf al-Sakhar", "al-Qaim", "Abu Kamal", "Deir ez-Zor", "eastern Syria", "western Iraq",
          "the Jordanian desert", "Kirkuk", "the Green Zone"]  # fmt: skip
WEAPONS = ["a drone", "two drones", "a one-way attack drone", "several rockets", "three rockets",
           "a ballistic missile", "a roadside bomb", "mortar rounds"]  # fmt: skip
WHEN = ["on Wednesday night", "on Sunday", "late January", "mid-October", "a week ago", "yesterday",
        "earlier this month", "on Tuesday morning", "last week", "the end of January",
        "on February 2", "since mid-October", "two days ago", "last night"]  # fmt: skip
SPEECH = ["said", "told reporters", "warned", "added", "charged", "announced", "claimed", "denied"]
FILLER = ["The statement did not give further details.", "Officials declined to comment on the intelligence.",
          "Talks on the future of the international coalition are expected to resume.",
          "Oil prices rose slightly on the news, traders said.",
          "The 2,500 US troops in Iraq advise and assist local forces.",
          "Parliament voted under Article 51 of the constitution to debate the matter.",
          "Some 40 countries belong to the coalition, and 12 ships escort convoys in the Red Sea.",
          "Analysts said the pattern pointed to a deliberate escalation.",
          "The ministry said negotiations on a withdrawal timeline would continue.",
          "Residents described hearing several loud explosions before dawn."]  # fmt: skip


def _sentence(r: random.Random) -> str:
    a, s, p, w, t = (r.choice(x) for x in (ACTORS, STATES, PLACES, WEAPONS, WHEN))
    n = r.choice([3, 5, 19, 34, 66, 130, 150, 165, 170])
    forms = [
        f"{w.capitalize()} struck {p} {t}, {s} said.",
        f"{s.capitalize() if s[0].islower() else s} {r.choice(SPEECH)} that {a} was behind the attack on {p}.",
        f"A drone strike killed a senior commander of {a} in {p} {t}.",
        f"“We will respond at a time and place of our choosing,” {s} {r.choice(SPEECH)}.",
        f"Since mid-October, more than {n} attacks have targeted US forces in Iraq and Syria.",
        f"The group, designated a “terrorist” organization by {s}, has been repeatedly bombed by Washington.",
        f"{a.capitalize() if a[0].islower() else a} claimed the attack on {p} in a statement, calling it “resistance”.",
        f"Three US soldiers were killed and dozens wounded {t} near {p}.",
        f"{s.capitalize() if s[0].islower() else s} accused {a} of violating Iraqi sovereignty.",
        f"In retaliation, US aircraft hit 85 targets at seven facilities in {p}.",
        r.choice(FILLER),
    ]
    return r.choice(forms)


PROFILES = ("news", "dense")
"""``news``: densities of the sample corpus's on-topic news; ``dense``: a phenomenon in
nearly every sentence and a new happening in every event sentence (a stress test)."""

_CONTEXT = FILLER + [
    "The base hosts troops from several countries and a small number of contractors.",
    "Iraq's government depends on a coalition of parties, some of them close to the armed factions.",
    "Electricity shortages and unemployment remain the main concerns of voters in the south.",
    "The prime minister has promised to bring all weapons under the control of the state.",
    "Provincial elections in December were the first in a decade.",
    "The border crossing reopened to trade after several weeks.",
    "Lawmakers have debated the budget for more than a month without agreement.",
    "The mission was first deployed in 2014 at the invitation of the government.",
    "Analysts note that the factions hold seats in parliament and posts in ministries.",
    "The region has seen periods of calm followed by sudden escalation before.",
    "Shipping insurers raised their rates for vessels crossing the area.",
    "The central bank said the currency had stabilised after weeks of volatility.",
    "Humanitarian groups warned about the conditions in displacement camps.",
    "The talks were held behind closed doors and no joint statement was issued.",
    "It was not possible to verify the claims independently.",
    "A spokesperson said the schedule of the visit had not changed.",
    "Observers expect the issue to dominate the next session of parliament.",
]  # fmt: skip
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]  # fmt: skip
_START, _DAYS = date(2023, 10, 1), 182


def _happenings(r: random.Random, n: int = 260) -> list[dict]:
    """A fixed pool of happenings that many articles report (as real coverage does)."""
    pool = []
    for _ in range(n):
        pool.append({"day": _START + timedelta(days=r.randint(16, _DAYS - 1)),
                     "place": r.choice(PLACES), "weapon": r.choice(WEAPONS),
                     "actor": r.choice(ACTORS[:8]),
                     "killed": r.choice([0, 0, 0, 0, 0, 1, 2, 3])})  # fmt: skip
    return sorted(pool, key=lambda h: h["day"])


def _when(h: dict, published: date, r: random.Random) -> str:
    days = (published - h["day"]).days
    if 1 <= days <= 6 and r.random() < 0.7:
        return f"on {_WEEKDAYS[h['day'].weekday()]}"
    return f"on {_MONTHS[h['day'].month - 1]} {h['day'].day}"


def _news_sentence(r: random.Random, hs: list[dict], published: date, tally: int) -> str:
    a, s = r.choice(ACTORS), r.choice(STATES)
    S = s[0].upper() + s[1:]
    if hs and r.random() < 0.3:
        h = r.choice(hs)
        w, p, t = h["weapon"], h["place"], _when(h, published, r)
        forms = [f"{w[0].upper() + w[1:]} struck {p} {t}, {s} said.",
                 f"{h['actor'][0].upper() + h['actor'][1:]} claimed the attack on {p} {t} in a statement.",
                 f"{S} {r.choice(SPEECH)} that {h['actor']} was behind the attack on {p} {t}."]  # fmt: skip
        if h["killed"]:
            forms.append(f"The attack on {p} {t} killed {h['killed']} people, officials said.")
        return r.choice(forms)
    x = r.random()
    if x < 0.07:
        return f"“We will respond at a time and place of our choosing,” {s} {r.choice(SPEECH)}."
    if x < 0.15:
        return f"{S} accused {a} of violating Iraqi sovereignty."
    if x < 0.18:
        return f"Since mid-October, more than {tally} attacks have targeted US forces in Iraq and Syria."
    if x < 0.22:
        return f"The group, designated a “terrorist” organization by {s}, has been repeatedly bombed by Washington."
    if x < 0.26:
        return f"{S} said {a} had been warned, calling its actions “resistance” in name only."
    return r.choice(_CONTEXT)


def synthetic_articles(n: int, *, seed: int = 20240208, profile: str = "news"):
    """Yield ``n`` synthetic article records (deterministic for a given ``n``, seed and profile).

    ``profile="news"`` draws the events from a fixed pool of happenings that several
    articles report, dated relative to publication, with the phenomenon densities of
    on-topic news; ``"dense"`` puts a phenomenon in nearly every sentence and a new
    random happening in every event sentence, a stress test for the extractors and
    for cross-article clustering.

    Examples
    --------
    >>> a = list(synthetic_articles(3))
    >>> [x["article_id"] for x in a] == ["bench-000000", "bench-000001", "bench-000002"]
    True
    >>> a == list(synthetic_articles(3)) and a != list(synthetic_articles(3, profile="dense"))
    True
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown bench profile {profile!r}; choose one of {', '.join(PROFILES)}")
    r = random.Random(seed)
    pool = _happenings(random.Random(seed + 1)) if profile == "news" else []
    outlets = ["Bench Wire", "Bench Ledger", "Bench Voice", "Bench Review"]
    for i in range(n):
        words_target = int(min(3000, max(80, r.lognormvariate(5.9, 0.5))))
        if profile == "news":
            published = _START + timedelta(days=r.randint(0, _DAYS - 1))
            recent = [h for h in pool if 0 <= (published - h["day"]).days <= 10]
            hs = r.sample(recent, min(len(recent), r.randint(1, 2)))
            tally = 10 + sum(1 for h in pool if h["day"] < published)
            sentence = partial(_news_sentence, r, hs, published, tally)
        else:
            sentence = partial(_sentence, r)
        paras, words = [], 0
        while words < words_target:
            para = " ".join(sentence() for _ in range(r.randint(1, 4)))
            if r.random() < 0.1:  # hard-wrapped copy
                para = "\n".join(para[k : k + 68] for k in range(0, len(para), 68))
            paras.append(para)
            words += len(para.split())
        if profile == "dense":
            published = _START + timedelta(days=r.randint(0, _DAYS - 1))
        yield {
            "article_id": f"bench-{i:06d}",
            "published": published.isoformat(),
            "outlet": r.choice(outlets),
            "title": "Synthetic benchmark article (not real reporting)",
            "text": "\n\n".join(paras),
            "language": "en",
        }


def write_synthetic(path: Path, n: int, profile: str = "news") -> Path:
    """Write ``n`` synthetic articles as JSON lines to ``path``."""
    with path.open("w", encoding="utf-8") as fh:
        for rec in synthetic_articles(n, profile=profile):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def peak_rss_mb() -> float:
    """Peak resident memory of this process and of its finished children, in MB."""
    own, kids = _peaks()
    return round(max(own, kids) / 1024, 1)


def peak_rss_total_mb(workers: int) -> float:
    """An upper bound on the peak memory of a run with ``workers`` worker processes, in MB.

    This process's peak plus ``workers`` times the largest finished child's. Pages the
    forked workers share with this process (the compiled models) are counted once per
    process, so the true peak is lower.
    """
    own, kids = _peaks()
    return round((own + (workers * kids if workers > 1 else 0)) / 1024, 1)


def _peaks() -> tuple[int, int]:
    # Linux reports KiB; RUSAGE_CHILDREN holds the largest child, not the sum
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # fmt: skip


def run_bench(*, articles: int = 1000, corpus: str | Path | None = None, jobs: int = 1,
              engine: str = "local", profile_stages: bool = True,
              profile: str = "news") -> dict:  # fmt: skip
    """Time full extraction; return the bench record (JSON-serialisable)."""
    from conflictlens.pipeline import extract_corpus

    with tempfile.TemporaryDirectory(prefix="conflictlens-bench-") as tmp:
        tmp = Path(tmp)
        if corpus is None:
            corpus_path = write_synthetic(tmp / "synthetic.jsonl", articles, profile)
            label = f"synthetic-{profile}:{articles}"
        else:
            corpus_path = Path(corpus)
            label = str(corpus)
        t0 = time.perf_counter()
        result = extract_corpus(corpus_path, tmp / "out", jobs=jobs, engine=engine, progress=False)
        seconds = time.perf_counter() - t0
        record = {
            "corpus": label,
            "articles": result.articles,
            "words": result.words,
            "jobs": jobs,
            "engine": engine,
            "seconds": round(seconds, 3),
            "words_per_second": round(result.words / seconds) if seconds else None,
            "peak_rss_mb": peak_rss_mb(),
            "peak_rss_total_mb": peak_rss_total_mb(jobs if engine == "local" else 1),
        }
        if profile_stages and jobs == 1:
            record["stage_seconds"] = stage_seconds(corpus_path, limit=min(result.articles, 400))
    return record


def stage_seconds(corpus_path: Path, limit: int = 400) -> dict[str, float]:
    """Seconds spent in each stage on the first ``limit`` articles (in-process)."""
    from conflictlens.engines import fewer_collections
    from conflictlens.pipeline import Models

    models = Models.build()
    timings: dict[str, float] = {}
    with fewer_collections():  # as extraction runs
        return _stage_seconds(corpus_path, limit, models, timings)


def _stage_seconds(corpus_path: Path, limit: int, models, timings: dict[str, float]):
    from conflictlens.corpus import iter_rows
    from conflictlens.pipeline import analyze_doc, doc_from_row

    done = 0
    for rows, _ in iter_rows(corpus_path, chunk_size=100, detect_near_duplicates=False):
        for row in rows:
            t0 = time.perf_counter()
            doc = doc_from_row(row)
            timings["segmentation"] = timings.get("segmentation", 0.0) + time.perf_counter() - t0
            analyze_doc(doc, models, timings=timings)
            done += 1
            if done >= limit:
                return {k: round(v, 3) for k, v in sorted(timings.items())}
    return {k: round(v, 3) for k, v in sorted(timings.items())}


def main(args) -> int:
    rec = run_bench(articles=args.articles, corpus=args.corpus, jobs=args.jobs,
                    profile=args.profile, profile_stages=args.stages)  # fmt: skip
    if args.format == "json":
        print(json.dumps(rec, sort_keys=True))
    else:
        for k, v in rec.items():
            print(f"{k:>18}: {v}")
    print(f"bench: {rec['words']} words in {rec['seconds']} s = {rec['words_per_second']} words/s",
          file=sys.stderr)  # fmt: skip
    return 0
