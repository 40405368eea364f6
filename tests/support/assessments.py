"""Assessments built with the real actions: a benchmark version to assess, ratings with answers, and a
submitted self-assessment of city A with priority gaps."""

from assessments import actions
from assessments.models import Assessment, FactorAssessment
from benchmarks.models import Benchmark, BenchmarkVersion, KeyFactor
from tests.support.cast import Cast


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


ANSWERS = ["no", "partly", "yes", "dont_know"]


def rate(factor: FactorAssessment, rating: int, *, by, answers: list[str] | None = None) -> None:
    """Saves a rating, answering the factor's guide questions in turn with `answers` (cycled)."""
    cycle = answers or ANSWERS
    rows = list(factor.answers.order_by("question__number"))
    actions.do_save_factor(
        factor,
        by=by,
        expected_version=factor.lock_version,
        rating=rating,
        justification="Rated by the test.",
        answers={row.question_id: cycle[n % len(cycle)] for n, row in enumerate(rows)},
        comments={},
    )


def submitted_assessment(cast: Cast, version=None, *, round: str = "2026", gaps: int = 2) -> Assessment:
    """An assessment with `gaps` factors rated below the standard (1 and 0: the 0 is the first gap),
    one at the standard, the rest unrated; submitted by the coordinator."""
    assessment = actions.do_start_assessment(cast.workspace, version or a_version(), round, by=cast.coordinator)
    factors = list(
        assessment.factors.filter(answers__isnull=False).distinct().select_related("key_factor").order_by("pk")
    )
    assert len(factors) > gaps
    for n, factor in enumerate(factors[:gaps]):
        rate(factor, 1 if n == 0 else 0, by=cast.coordinator)
    rate(factors[gaps], 3, by=cast.coordinator, answers=["yes"])
    return actions.do_submit(assessment, by=cast.coordinator)


def biggest_and_smallest_versions() -> tuple[BenchmarkVersion, BenchmarkVersion]:
    versions = sorted(
        (v for v in BenchmarkVersion.objects.filter(factors__guide_questions__isnull=False).distinct()),
        key=lambda v: KeyFactor.objects.filter(version=v).count(),
    )
    return versions[0], versions[-1]
