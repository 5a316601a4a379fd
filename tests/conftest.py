"""Shared test setup: the synthetic writer is importable as `etlwriter`, and the
real corpus is found beside the repository (../shared/etl-corpus)."""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "etl-corpus"))


@pytest.fixture(scope="session")
def corpus_dir():
    if not os.path.isdir(CORPUS):
        pytest.skip("../shared/etl-corpus is not available")
    return CORPUS
