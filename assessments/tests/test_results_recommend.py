"""assessments/recommend.py: context profiles and their likeness, and the practices recommended for each
priority gap, in order and with their reasons, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import actions
from assessments.recommend import (
    Likeness,
    city_profiles,
    context_rank,
    likeness,
    normalise_title,
    profile_of,
    recommend,
)
from assessments.results import build_results
from benchmarks.models import KeyFactor
from cities.models import City
from practices.models import Practice
from tests.support.results import LMP, library_city_workspace, published, rate, set_context, version_of

# ---- profiles and likeness (no database)


def test_titles_spelled_differently_in_two_toolkits_compare_equal() -> None:
    assert normalise_title("Significant institutional / corporate presence & influence") == normalise_title(
        "Significant institutional/ corporate presence and influence"
    )
    assert normalise_title("  Data   availability ") == normalise_title("data availability")
    assert normalise_title("Political situation") != normalise_title("City's political situation")


def test_a_profile_keeps_only_the_conditions_with_an_effect() -> None:
    assert profile_of([("Data availability", "enabler"), ("City resources", ""), ("EU funding", "neutral")]) == {
        "data availability": "enabler",
        "eu funding": "neutral",
    }


def test_likeness_is_the_share_of_equal_effects_among_the_conditions_both_assess() -> None:
    ours = {"a": "constraint", "b": "enabler", "c": "neutral", "d": "enabler"}
    theirs = {"a": "constraint", "b": "enabler", "c": "enabler", "e": "enabler"}
    found = likeness("Munich", ours, theirs)
    assert found == Likeness("Munich", alike=2, compared=3)
    assert found.resembles is True
    assert found.reason() == "Munich's context resembles yours: 2 of 3 conditions alike"
    differs = likeness("Dresden", ours, {"a": "enabler", "b": "constraint"})
    assert differs.reason() == "Dresden's context differs from yours: 0 of 2 conditions alike"
    assert likeness("Athens", ours, None) is None  # no profile
    assert likeness("Athens", ours, {"z": "enabler"}) is None  # nothing in common
    assert likeness("Athens", {}, theirs) is None  # this city has assessed no condition yet


def test_known_likenesses_rank_first_most_alike_first() -> None:
    ranked = sorted(
        [None, Likeness("B", 1, 4), Likeness("A", 3, 4), Likeness("C", 3, 4), Likeness("D", 6, 8)],
        key=lambda found: (context_rank(found), found.city if found else "~"),
    )
    assert ranked == [Likeness("D", 6, 8), Likeness("A", 3, 4), Likeness("C", 3, 4), Likeness("B", 1, 4), None]


# ---- profiles from the database


@pytest.mark.django_db
def test_a_city_profile_is_its_latest_submitted_assessment_that_is_published(cast) -> None:
    version = version_of(LMP)
    titles = [c.title for c in version.context_factors.all()]
    munich, coordinator = library_city_workspace(cast.admin, "Munich")
    published(munich, coordinator, version, "2022", [], {titles[0]: "constraint"})
    published(munich, coordinator, version, "2024", [], {titles[0]: "enabler", titles[1]: "neutral"})
    # Later, but not counted: a submitted private one and a draft.
    published(munich, coordinator, version, "2025b", [], {titles[0]: "neutral"}, "private")
    draft = actions.do_start_assessment(munich, version, "2026", by=coordinator)
    set_context(draft, coordinator, {titles[0]: "constraint"})
    city = munich.city
    athens = City.objects.get(name="Athens")
    profiles = city_profiles([city.pk, athens.pk])
    assert profiles == {city.pk: {normalise_title(titles[0]): "enabler", normalise_title(titles[1]): "neutral"}}
    actions.do_set_visibility(draft, "private", by=coordinator)  # no effect: still a draft
    # Deleted, the latest published one no longer counts: the one before it does.
    latest = munich.assessments.get(round="2024")
    actions.do_set_visibility(latest, "private", by=coordinator)
    actions.do_delete_assessment(latest, by=coordinator)
    assert city_profiles([city.pk]) == {city.pk: {normalise_title(titles[0]): "constraint"}}


# ---- recommendations


@pytest.mark.django_db
def test_same_key_factor_first_then_similar_key_factors_of_other_benchmarks_with_shared_topics(cast) -> None:
    version = version_of(LMP)
    assessment = actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
    rate(assessment, cast.coordinator, {"feedback-monitoring-evaluation": 1, "appropriate-framework": 2})
    gaps = recommend(build_results(assessment))
    assert [g.gap.factor.key_factor.slug for g in gaps] == ["feedback-monitoring-evaluation", "appropriate-framework"]
    monitoring = gaps[0]
    key_factor = monitoring.gap.factor.key_factor
    same_ids = set(
        Practice.objects.filter(key_factors__version=version, key_factors__slug=key_factor.slug).values_list(
            "pk", flat=True
        )
    )
    assert {r.practice.pk for r in monitoring.same} == same_ids
    assert all(
        r.same_factor and r.reason == f"An example of the same key factor, “{key_factor.title}”"
        for r in monitoring.same
    )
    topics = set(key_factor.topics.values_list("pk", flat=True))
    assert monitoring.similar
    for rec in monitoring.similar:
        assert not rec.same_factor
        assert rec.practice.pk not in same_ids
        assert rec.practice.benchmark_id != version.benchmark_id
        shared = KeyFactor.objects.filter(practices=rec.practice, topics__in=topics).select_related("version")
        assert shared.exists()
        assert rec.reason.startswith("Also about “")
        assert any(kf.version.title in rec.reason and kf.title in rec.reason for kf in shared)
    # Two shared topics ("Monitoring and evaluation and Participation and representation") rank first.
    relevances = [r.relevance for r in monitoring.similar]
    assert relevances == sorted(relevances, reverse=True)
    assert monitoring.similar[0].relevance == 2
    assert "“Monitoring and evaluation” and “Participation and representation”" in monitoring.similar[0].reason
    assert len(monitoring.similar) == 3 and monitoring.similar_total > 3  # the limit per gap
    assert monitoring.search_url == "/practices/?factor=labour-market-partnerships.feedback-monitoring-evaluation"


@pytest.mark.django_db
def test_the_limit_per_gap_and_the_count_of_the_others(cast) -> None:
    version = version_of(LMP)
    assessment = actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
    rate(assessment, cast.coordinator, {"appropriate-framework": 0})
    gap = recommend(build_results(assessment), same_limit=1, similar_limit=2)[0]
    assert len(gap.same) == 1 and gap.same_total == 3 and gap.more_same == 2
    assert len(gap.similar) == 2


@pytest.mark.django_db
def test_practices_of_the_assessed_city_itself_are_left_out(cast) -> None:
    version = version_of(LMP)
    munich, coordinator = library_city_workspace(cast.admin, "Munich")
    assessment = actions.do_start_assessment(munich, version, "2026", by=coordinator)
    rate(assessment, coordinator, {"appropriate-framework": 0})
    gap = recommend(build_results(assessment))[0]
    cities = {r.practice.city.name for r in gap.same + gap.similar}
    assert "Munich" not in cities
    assert cities >= {"Athens", "Dresden"}


@pytest.mark.django_db
def test_no_gap_no_recommendation_and_no_query(cast, assessment) -> None:
    rate(assessment, cast.coordinator, [3, 4])
    results = build_results(assessment)
    with CaptureQueriesContext(connection) as captured:
        assert recommend(results) == []
    assert len(captured) == 0


@pytest.mark.django_db
def test_recommendations_cost_a_fixed_number_of_queries(cast) -> None:
    version = version_of(LMP)
    counts = []
    for round_, ratings in (("2025", [0]), ("2026", [0, 1, 2, 0, 1, 2, 0, 1, 2, 0])):
        assessment = actions.do_start_assessment(cast.workspace, version, round_, by=cast.coordinator)
        rate(assessment, cast.coordinator, ratings)
        set_context(assessment, cast.coordinator, {c.title: "enabler" for c in version.context_factors.all()})
        results = build_results(assessment)
        with CaptureQueriesContext(connection) as captured:
            found = recommend(results)
            for gap in found:
                for rec in gap.same + gap.similar:
                    str(rec.practice.city.name) + rec.practice.get_absolute_url()
        assert len(found) == len([r for r in ratings if r < 3])
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 7
