from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).parent / "fixtures"


def _seed_path() -> Path | None:
    seeds = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").exists() else []
    return seeds[0] if seeds else None


@pytest.fixture(scope="session")
def seed_text() -> str:
    path = _seed_path()
    if path is None:
        pytest.skip("seed article not found")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def models():
    from conflictlens.pipeline import Models

    return Models.build()
