"""Mentor matching (mentoring/matching.py) through its page: the ranking and each reason's numbers, what
counts (published or shared for matching, never private work), why an offer is left out, the request it
sends, who may see it, and its query budget."""

import html
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from assessments import actions as assessment_actions
from assessments.models import Assessment
from benchmarks.models import Benchmark, BenchmarkVersion
from cities.models import City, Workspace
from mentoring.models import Mentorship
from tests.support.cast import Cast, client_for
from tests.support.mentoring import active_mentorship, completed_mentorship, mentor_city, share_for_matching
from tests.support.results import LMP, published, rate, set_context, version_of

# Aville's gaps on the labour market benchmark (standard: 3 – Established), furthest first.
AF, COORD, PATH, SPEC = (
    "appropriate-framework",
    "coordination-of-service-providers",
    "pathways-to-employment",
    "specialist-provision",
)
OURS: dict[str, int | None] = {AF: 0, COORD: 1, PATH: 1, SPEC: 2, "baseline-information": 3}
PRIVATE_JUSTIFICATION = "Cville's confidential note on its framework"


def titles(version: BenchmarkVersion) -> list[str]:
    return [c.title for c in version.context_factors.order_by("number")]


def effects(version: BenchmarkVersion, differ: int = 0) -> dict[str, str]:
    """Effects of the first eight context factors, alternating; the last `differ` of them turned around."""
    found = {}
    for n, title in enumerate(titles(version)[:8]):
        effect = "constraint" if n % 2 else "enabler"
        if n >= 8 - differ:
            effect = "neutral"
        found[title] = effect
    return found


def candidates_url(assessment: Assessment) -> str:
    return reverse("mentoring:candidates", args=[assessment.public_id])


def request_url(assessment: Assessment) -> str:
    return reverse("mentoring:request", args=[assessment.public_id])


def ours(cast: Cast, version: BenchmarkVersion) -> Assessment:
    """Aville's draft: four gaps, its context assessed on eight conditions."""
    assessment = assessment_actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
    rate(assessment, cast.coordinator, OURS)
    set_context(assessment, cast.coordinator, effects(version))
    assessment.refresh_from_db()
    return assessment


@dataclass
class World:
    assessment: Assessment
    benchmark: Benchmark
    cities: dict[str, tuple[Workspace, User]]


def build_world(cast: Cast) -> World:
    """Offering cities covering every reason and every exclusion (see each line)."""
    version = version_of(LMP)
    benchmark = version.benchmark
    other_benchmark = Benchmark.objects.published().exclude(pk=benchmark.pk).order_by("slug").first()
    assert other_benchmark is not None
    assessment = ours(cast, version)
    cities: dict[str, tuple[Workspace, User]] = {}

    def city(name: str, **kwargs: object) -> tuple[Workspace, User]:
        kwargs.setdefault("benchmarks", [benchmark])
        cities[name] = mentor_city(name, admin=cast.admin, **kwargs)  # type: ignore[arg-type]
        return cities[name]

    # Dville: all 4 gaps at the standard or better, published; works in French only.
    w, c = city("Dville", languages=["fr"])
    published(w, c, version, "2025", {AF: 3, COORD: 3, PATH: 4, SPEC: 3}, effects(version, differ=4))
    # Milan (a library city, for its practices in the library): 3 of 4.
    milan = City.objects.get(name="Milan")
    w, c = city("Milan", country=milan.country)
    published(w, c, version, "2025", {AF: 3, COORD: 3, PATH: 3, SPEC: 0})
    # Cville: 3 of 4 published in 2025, 6 of 8 conditions alike, one mentorship completed; its newer private
    # assessment rates all four at 4 with a confidential justification: it must neither count nor show.
    w, c = city("Cville", capacity=2)
    published(w, c, version, "2025", {AF: 4, COORD: 3, PATH: 3, SPEC: 1}, effects(version, differ=2))
    completed_mentorship(cast.other_workspace, cast.other, w, c, benchmark)
    private = assessment_actions.do_start_assessment(w, version, "2026", by=c)
    for factor in private.factors.filter(key_factor__slug__in=[AF, COORD, PATH, SPEC]):
        assessment_actions.do_save_factor(
            factor,
            by=c,
            expected_version=factor.lock_version,
            rating=4,
            justification=PRIVATE_JUSTIFICATION,
            answers={},
            comments={},
        )
    # Eville: no published assessment; a private draft it shares for matching, 2 of 4.
    w, c = city("Eville")
    shared = assessment_actions.do_start_assessment(w, version, "2025", by=c)
    rate(shared, c, {AF: 3, COORD: 3, PATH: 1, SPEC: 1})
    share_for_matching(w, c, [shared])
    # Fville: only a private, unshared assessment (4 of 4): no data to match on.
    w, c = city("Fville")
    unshared = assessment_actions.do_start_assessment(w, version, "2025", by=c)
    rate(unshared, c, {AF: 4, COORD: 4, PATH: 4, SPEC: 4})
    # Gville: offers on another benchmark only.
    city("Gville", benchmarks=[other_benchmark])
    # Hville: its one place taken by Bville.
    w, c = city("Hville")
    published(w, c, version, "2025", {AF: 4})
    active_mentorship(cast.other_workspace, cast.other, w, c, benchmark)
    # Iville: closed to new mentorships.
    w, c = city("Iville", open=False)
    published(w, c, version, "2025", {AF: 4})
    # Jville: Aville has asked it already.
    w, c = city("Jville", capacity=3)
    published(w, c, version, "2025", {AF: 4})
    client_for(cast.coordinator).post(request_url(assessment), {"mentor": w.public_id, "message": "", "share": ""})
    return World(assessment, benchmark, cities)


def text(response: object) -> str:
    """The page's text as read: entities decoded, names out of their <bdi> isolation."""
    page = html.unescape(response.content.decode())  # type: ignore[attr-defined]
    return re.sub(r"</?bdi[^>]*>", "", page)


def candidate_blocks(page: str) -> dict[str, str]:
    """The text of each candidate's list item (its reasons and its request form), by city name."""
    page = page.split('id="excluded-heading"')[0]
    blocks = {}
    for chunk in page.split('data-candidate="')[1:]:
        name, rest = chunk.split('"', 1)
        blocks[name] = rest
    return blocks


def test_candidates_are_ranked_with_their_reasons_in_numbers(cast: Cast) -> None:
    world = build_world(cast)
    response = client_for(cast.coordinator).get(candidates_url(world.assessment))
    assert response.status_code == 200
    matching = response.context["matching"]
    assert [c.city_name for c in matching.candidates] == ["Dville", "Milan", "Cville", "Eville"]
    by_name = {c.city_name: c for c in matching.candidates}
    blocks = candidate_blocks(text(response))

    assert [len(by_name[n].covered) for n in ("Dville", "Milan", "Cville", "Eville")] == [4, 3, 3, 2]
    assert (
        "4 of your 4 priority gaps are at “Established” or better there, from its published 2025 assessment"
        in (blocks["Dville"])
    )
    assert (
        "3 of your 4 priority gaps are at “Established” or better there, from its published 2025 assessment"
        in (blocks["Cville"])
    )
    # Milan ranks above Cville on its practices in the library on the gaps' key factors.
    assert "3 practices of theirs in the library on these key factors" in blocks["Milan"]
    assert "Local network for migrant integration" in blocks["Milan"]
    assert "0 practices of theirs in the library on these key factors" in blocks["Cville"]
    # Context, from the same published assessment.
    assert (
        "Cville's context resembles yours: 6 of 8 conditions alike, from its published 2025 assessment"
        in blocks["Cville"]
    )
    assert "Dville's context resembles yours: 4 of 8 conditions alike" in blocks["Dville"]
    assert "Context not compared: 0 context conditions assessed by both cities" in blocks["Milan"]
    # Working languages: the benchmark's (English) by default; Dville works in French only.
    assert "1 working language in common: English" in blocks["Cville"]
    assert "0 working languages in common with English (it works in French)" in blocks["Dville"]
    # Past mentoring.
    assert "1 mentorship completed before as a mentor city" in blocks["Cville"]
    assert "0 mentorships completed before as a mentor city" in blocks["Milan"]


def test_a_private_assessment_never_counts_nor_shows(cast: Cast) -> None:
    world = build_world(cast)
    page = text(client_for(cast.coordinator).get(candidates_url(world.assessment)))
    blocks = candidate_blocks(page)
    # Cville's private 2026 ratings (4 of 4) do not count: its published 2025 assessment does.
    assert "4 of your 4" not in blocks["Cville"]
    assert "2026" not in blocks["Cville"]
    assert PRIVATE_JUSTIFICATION not in page
    # Fville has only private work: it is left out, and none of its numbers show.
    assert "Fville" not in blocks
    assert "no published or shared ratings on these key factors: 1 city, Fville" in page


def test_an_assessment_shared_for_matching_counts_and_says_so(cast: Cast) -> None:
    world = build_world(cast)
    page = text(client_for(cast.coordinator).get(candidates_url(world.assessment)))
    eville = candidate_blocks(page)["Eville"]
    assert (
        "2 of your 4 priority gaps are at “Established” or better there, from the assessment it shares for matching"
        in eville
    )
    assert "Context not compared: 0 context conditions assessed by both cities, from the assessment it shares" in (
        eville
    )


def test_every_offer_left_out_says_why(cast: Cast) -> None:
    world = build_world(cast)
    response = client_for(cast.coordinator).get(candidates_url(world.assessment))
    excluded = {e.city_name: e.reason for e in response.context["matching"].excluded}
    assert excluded == {
        "Fville": "no published or shared ratings on these key factors",
        "Gville": "offers mentoring on other benchmarks",
        "Hville": "capacity full (1 of 1)",
        "Iville": "closed to new mentorships",
        "Jville": "already your mentor city (requested or active)",
    }
    page = text(response)
    for name, reason in excluded.items():
        assert f"{reason}: 1 city, {name}" in page
    # The city's own offer is neither a candidate nor left out.
    assert "Aville" not in {c.city_name for c in response.context["matching"].candidates} | set(excluded)


def test_languages_asked_for_change_the_reason(cast: Cast) -> None:
    world = build_world(cast)
    response = client_for(cast.coordinator).get(candidates_url(world.assessment), {"languages": ["fr", "de"]})
    blocks = candidate_blocks(text(response))
    assert "1 working language in common: French" in blocks["Dville"]
    assert "0 working languages in common with German, French (it works in English)" in blocks["Cville"]


def test_the_coordinator_requests_a_mentorship_with_the_consent(cast: Cast) -> None:
    world = build_world(cast)
    cville, _coordinator = world.cities["Cville"]
    client = client_for(cast.coordinator)
    response = client.post(
        request_url(world.assessment), {"mentor": cville.public_id, "message": "We would like to learn.", "share": "on"}
    )
    mentorship = Mentorship.objects.get(mentee=cast.workspace, mentor=cville, benchmark=world.benchmark)
    assert response.status_code == 302
    assert response["Location"] == mentorship.get_absolute_url()
    assert mentorship.status == Mentorship.Status.REQUESTED
    assert mentorship.message == "We would like to learn."
    assert list(mentorship.shared_assessments.all()) == [world.assessment]

    again = client.post(request_url(world.assessment), {"mentor": cville.public_id, "message": "Second try, kept."})
    assert again.status_code == 400
    page = text(again)
    assert "Second try, kept." in page
    assert "already have a mentorship on this benchmark" in page
    assert Mentorship.objects.filter(mentee=cast.workspace, mentor=cville).count() == 1


def test_a_message_too_long_is_refused_and_kept(cast: Cast) -> None:
    world = build_world(cast)
    dville, _coordinator = world.cities["Dville"]
    typed = "x" * 1001
    response = client_for(cast.coordinator).post(
        request_url(world.assessment), {"mentor": dville.public_id, "message": typed}
    )
    assert response.status_code == 400
    page = text(response)
    assert typed in page
    assert 'aria-invalid="true"' in page
    assert not Mentorship.objects.filter(mentee=cast.workspace, mentor=dville).exists()


def test_a_request_without_the_box_ticked_shares_nothing(cast: Cast) -> None:
    world = build_world(cast)
    dville, _coordinator = world.cities["Dville"]
    client_for(cast.coordinator).post(request_url(world.assessment), {"mentor": dville.public_id, "message": ""})
    mentorship = Mentorship.objects.get(mentee=cast.workspace, mentor=dville)
    assert list(mentorship.shared_assessments.all()) == []


def test_the_request_form_is_the_coordinators_only(cast: Cast) -> None:
    world = build_world(cast)
    dville, _coordinator = world.cities["Dville"]
    response = client_for(cast.contributor).get(candidates_url(world.assessment))
    assert response.status_code == 200
    assert "data-request-form" not in response.content.decode()
    refused = client_for(cast.contributor).post(request_url(world.assessment), {"mentor": dville.public_id})
    assert refused.status_code == 404
    assert text(client_for(cast.coordinator).get(candidates_url(world.assessment))).count("data-request-form") == len(
        client_for(cast.coordinator).get(candidates_url(world.assessment)).context["matching"].candidates
    )


def test_a_stranger_gets_404(cast: Cast) -> None:
    world = build_world(cast)
    dville, _coordinator = world.cities["Dville"]
    stranger = client_for(cast.other)
    assert stranger.get(candidates_url(world.assessment)).status_code == 404
    assert stranger.post(request_url(world.assessment), {"mentor": dville.public_id}).status_code == 404
    assert not Mentorship.objects.filter(mentee=cast.workspace, mentor=dville).exists()


def test_readers_of_a_published_assessment_outside_the_team_get_404(cast: Cast) -> None:
    version = version_of(LMP)
    assessment = published(cast.workspace, cast.coordinator, version, "2026", OURS)
    assert client_for(cast.other).get(candidates_url(assessment)).status_code == 404
    assert client_for(cast.admin).get(candidates_url(assessment)).status_code == 200


def test_no_gaps_no_ranking(cast: Cast) -> None:
    version = version_of(LMP)
    assessment = assessment_actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
    response = client_for(cast.coordinator).get(candidates_url(assessment))
    assert response.status_code == 200
    assert response.context["matching"].candidates == []
    assert "matching starts from the priority gaps" in text(response)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_candidates_page_only_reads(cast: Cast, method: str) -> None:
    assessment = ours(cast, version_of(LMP))
    response = getattr(client_for(cast.coordinator), method)(candidates_url(assessment))
    assert response.status_code == 405


def test_queries_do_not_grow_with_the_offering_cities(cast: Cast) -> None:
    version = version_of(LMP)
    assessment = ours(cast, version)
    client = client_for(cast.coordinator)
    url = candidates_url(assessment)

    def add_cities(start: int, stop: int) -> None:
        for n in range(start, stop):
            w, c = mentor_city(f"Mentorville {n}", admin=cast.admin, benchmarks=[version.benchmark])
            published(w, c, version, "2025", {AF: 3, COORD: n % 5, PATH: 4}, effects(version, differ=n % 8))

    def counted() -> int:
        client.get(url)  # warm: sessions, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    add_cities(0, 3)
    few = counted()
    add_cities(3, 30)
    many = counted()
    assert len(client.get(url).context["matching"].candidates) == 30
    assert many == few
    # Ten at a time, best first.
    last = client.get(url, {"page": 3})
    assert [row["n"] for row in last.context["rows"]] == list(range(21, 31))
    assert "Page 3 of 3" in text(last)
