"""Shared test configuration: the --update-golden flag and Hypothesis profiles."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
#: By hand, before a release (HYPOTHESIS_PROFILE=nightly pytest tests/test_columnar_differential.py):
#: 2,000 generated schemes and tables through both engines, and the adversarial data tests'
#: generated files beyond their own bounds.
settings.register_profile(
    "nightly",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: The parse cache (compiler/cache.py) of the tests and the commands they run: a fresh folder
#: per test process, not the user's cache.
os.environ["ETSL_CACHE_DIR"] = tempfile.mkdtemp(prefix="etsl-test-cache-")
atexit.register(shutil.rmtree, os.environ["ETSL_CACHE_DIR"], ignore_errors=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files (expected diagnostics, rendered documents) "
        "from the current output; review the diff before committing.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
