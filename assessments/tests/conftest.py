"""The workspace cast (cities/tests/conftest.py) plus a draft assessment of city A, started by its coordinator."""

import pytest

from assessments import actions
from assessments.models import Assessment
from benchmarks.models import Benchmark, BenchmarkVersion
from cities.tests.conftest import Cast, cast, fast_password_hashing, login_url  # noqa: F401 - fixtures


def a_version() -> BenchmarkVersion:
    """A current benchmark version with key factors, guide questions and context factors."""
    benchmark = (
        Benchmark.objects.published()
        .filter(current_version__factors__guide_questions__isnull=False, current_version__context_factors__isnull=False)
        .order_by("slug")
        .first()
    )
    assert benchmark is not None and benchmark.current_version is not None
    return benchmark.current_version


@pytest.fixture
def assessment(cast: Cast) -> Assessment:  # noqa: F811 - the imported fixture
    return actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
