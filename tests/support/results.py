"""Results built with the real actions: cities, ratings, context notes and published assessments."""

import re
from collections.abc import Sequence

from accounts.models import User
from assessments import actions
from assessments.models import Assessment
from benchmarks.models import Benchmark, BenchmarkVersion
from cities import actions as city_actions
from cities.models import City, Workspace
from tests.support.cast import make_user


def version_of(slug: str) -> BenchmarkVersion:
    version = Benchmark.objects.get(slug=slug).current_version
    assert version is not None
    return version


def rate(assessment: Assessment, by: User, ratings: dict[str, int | None] | Sequence[int | None]) -> None:
    """Rates key factors (by slug, or the first ones in order) with the real save, answering "partly"."""
    factors = list(assessment.factors.select_related("key_factor").prefetch_related("answers"))
    if not isinstance(ratings, dict):
        ratings = {f.key_factor.slug: r for f, r in zip(factors, ratings, strict=False)}
    for factor in factors:
        if factor.key_factor.slug not in ratings:
            continue
        factor.refresh_from_db()
        actions.do_save_factor(
            factor,
            by=by,
            expected_version=factor.lock_version,
            rating=ratings[factor.key_factor.slug],
            justification="Rated by the test.",
            answers={a.question_id: "partly" for a in factor.answers.all()},
            comments={},
        )


def set_context(
    assessment: Assessment, by: User, effects: dict[str, str], bears_on: dict[str, list[str]] | None = None
) -> None:
    """Effects (and notes) per context factor title; `bears_on`: title -> key factor slugs."""
    assessment.refresh_from_db()
    factors = {kf.slug: kf.pk for kf in assessment.benchmark_version.factors.all()}
    notes = {}
    for note in assessment.context_notes.select_related("context_factor"):
        title = note.context_factor.title
        values: dict[str, object] = {
            "effect": effects.get(title, ""),
            "competence": "national" if title in effects else "",
            "note": f"Note on {title}." if title in effects else "",
        }
        if bears_on is not None:
            values["key_factors"] = [factors[slug] for slug in bears_on.get(title, [])]
        notes[note.context_factor_id] = values
    actions.do_save_context(assessment, by=by, expected_version=assessment.lock_version, notes=notes)


def city_workspace(admin: User, name: str, country: str = "Testland") -> tuple[Workspace, User]:
    """A workspace (for a library city when one has this name and country) and its coordinator."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{name}-{country}".lower())
    coordinator = make_user(f"coordinator@{slug}.example")
    request = city_actions.do_request_workspace(
        by=coordinator, city_name=name, country=country, message="", site_url="http://testserver/"
    )
    return city_actions.do_approve_workspace_request(request, by=admin, site_url="http://testserver/"), coordinator


def library_city_workspace(admin: User, name: str) -> tuple[Workspace, User]:
    city = City.objects.get(name=name)
    return city_workspace(admin, city.name, city.country)


def published(
    workspace: Workspace,
    by: User,
    version: BenchmarkVersion,
    round: str,
    ratings: dict[str, int | None] | Sequence[int | None] = (),
    effects: dict[str, str] | None = None,
    visibility: str = "published",
) -> Assessment:
    """An assessment that is rated, its context assessed, submitted and published (or left private)."""
    assessment = actions.do_start_assessment(workspace, version, round, by=by)
    rate(assessment, by, ratings)
    if effects:
        set_context(assessment, by, effects)
    actions.do_submit(assessment, by=by)
    actions.do_set_visibility(assessment, visibility, by=by)
    assessment.refresh_from_db()
    return assessment


def results_url(assessment: Assessment) -> str:
    return f"/assessments/{assessment.public_id}/results/"


LMP = "labour-market-partnerships"  # 10 key factors, 10 context factors
