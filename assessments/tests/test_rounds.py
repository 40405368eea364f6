"""Rounds: the next round starts from the previous one (carried over, marked "to review"), the previous one
stays exactly as it was, benchmark versions are matched by slug and number, the one-open-per-round rule
holds, and the progress over rounds shows the same numbers as the results in a fixed number of queries."""

import shutil
import uuid
from collections.abc import Mapping
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from actionplans.models import ActionPlan
from assessments import actions, rounds
from assessments.models import (
    Assessment,
    AssessmentEvent,
    ContextNote,
    FactorAssessment,
    FactorComment,
    PartnerRating,
    QuestionAnswer,
)
from assessments.results import build_results
from benchmarks.models import Benchmark, BenchmarkVersion, KeyFactor
from evidence import actions as evidence_actions
from evidence.models import Evidence, EvidenceLink
from evidence.rounds import carry_evidence
from tests.support.assessments import a_version
from tests.support.cast import Cast, client_for

pytestmark = pytest.mark.django_db


def fill(assessment: Assessment, by: User, *, ratings: Mapping[int, int | None] | None = None) -> None:
    """Answers, comments, a rating and a justification on each key factor (by position), the real way."""
    levels = sorted(assessment.benchmark_version.rating_scale.levels.values_list("value", flat=True))
    factors = list(assessment.factors.select_related("key_factor").prefetch_related("answers__question"))
    choices = ["yes", "partly", "no", "dont_know"]
    for n, factor in enumerate(factors):
        rating = (ratings or {}).get(n, levels[n % len(levels)])
        actions.do_save_factor(
            factor,
            by=by,
            expected_version=factor.lock_version,
            rating=rating,
            justification=f"Why {factor.key_factor.slug} is rated so.",
            answers={a.question_id: choices[(n + i) % 4] for i, a in enumerate(factor.answers.all())},
            comments={a.question_id: f"Comment on question {a.question.number}." for a in factor.answers.all()},
        )


def submitted_round(cast: Cast, round: str = "2025", version: BenchmarkVersion | None = None) -> Assessment:
    """A submitted round with answers, ratings, context notes bearing on key factors, evidence on a key
    factor and on a question, a partner rating and a comment."""
    assessment = actions.do_start_assessment(cast.workspace, version or a_version(), round, by=cast.coordinator)
    fill(assessment, cast.contributor)
    notes = list(assessment.context_notes.select_related("context_factor"))
    actions.do_save_context(
        assessment,
        by=cast.contributor,
        expected_version=0,
        notes={
            n.context_factor_id: {
                "effect": "constraint",
                "competence": "national",
                "note": f"Note {n.context_factor.number}",
            }
            for n in notes
        },
    )
    first, second = list(assessment.factors.select_related("key_factor").order_by("pk"))[:2]
    notes[0].key_factors.set([first.key_factor, second.key_factor])
    fields = evidence_actions.Fields(kind="policy", title="Strategy 2024", url="https://city.example/strategy")
    evidence_actions.do_add_evidence(cast.workspace, fields, by=cast.contributor, attach_to=first)
    question = first.answers.order_by("question__number").first()
    fields = evidence_actions.Fields(kind="project", title="Welcome desk", url="https://city.example/desk")
    evidence_actions.do_add_evidence(cast.workspace, fields, by=cast.contributor, attach_to=first, question=question)
    actions.do_rate_as_partner(first, by=cast.partner, expected_version=0, rating=first.rating, comment="Our view.")
    actions.do_add_comment(first, by=cast.contributor, body="Let us check.", addressees=[], site_url="http://t/")
    return actions.do_submit(assessment, by=cast.coordinator)


def start_url(assessment: Assessment) -> str:
    return f"/assessments/{assessment.public_id}/next-round/"


def snapshot(assessment: Assessment) -> dict[str, Any]:
    """Every row of an assessment's record except its history."""
    return {
        "assessment": list(Assessment.objects.filter(pk=assessment.pk).values()),
        "factors": list(FactorAssessment.objects.filter(assessment=assessment).order_by("pk").values()),
        "answers": list(QuestionAnswer.objects.filter(factor__assessment=assessment).order_by("pk").values()),
        "notes": list(ContextNote.objects.filter(assessment=assessment).order_by("pk").values()),
        "bears_on": list(
            ContextNote.key_factors.through.objects.filter(contextnote__assessment=assessment).order_by("pk").values()
        ),
        "partner_ratings": list(PartnerRating.objects.filter(factor__assessment=assessment).order_by("pk").values()),
        "comments": list(FactorComment.objects.filter(factor__assessment=assessment).order_by("pk").values()),
        "links": list(EvidenceLink.objects.filter(factor__assessment=assessment).order_by("pk").values()),
    }


def answers_of(assessment: Assessment) -> dict[tuple[str, int], tuple[str, str]]:
    rows = QuestionAnswer.objects.filter(factor__assessment=assessment).select_related("factor__key_factor", "question")
    return {(a.factor.key_factor.slug, a.question.number): (a.answer, a.comment) for a in rows}


def ratings_of(assessment: Assessment) -> dict[str, tuple[int | None, str]]:
    rows = assessment.factors.select_related("key_factor")
    return {f.key_factor.slug: (f.rating, f.justification) for f in rows}


def links_of(assessment: Assessment) -> set[tuple[int, str, int | None]]:
    rows = EvidenceLink.objects.filter(factor__assessment=assessment).select_related(
        "factor__key_factor", "question__question"
    )
    return {
        (link.evidence_id, link.factor.key_factor.slug, link.question.question.number if link.question else None)
        for link in rows
    }


def notes_of(assessment: Assessment) -> dict[int, tuple[str, str, str, set[str]]]:
    rows = assessment.context_notes.select_related("context_factor").prefetch_related("key_factors")
    return {
        n.context_factor.number: (n.effect, n.competence, n.note, {kf.slug for kf in n.key_factors.all()}) for n in rows
    }


def test_the_next_round_carries_answers_ratings_notes_and_evidence_over(cast: Cast) -> None:
    old = submitted_round(cast)
    evidence_before = Evidence.objects.count()
    response = client_for(cast.coordinator).post(start_url(old), {"round": "2027"})
    assert response.status_code == 302
    new = Assessment.objects.get(round="2027")
    assert response["Location"] == f"/assessments/{new.public_id}/"
    assert (new.previous_round, new.status, new.benchmark_version) == (old, "draft", old.benchmark_version)
    assert ratings_of(new) == ratings_of(old)
    assert answers_of(new) == answers_of(old)
    assert notes_of(new) == notes_of(old)
    assert notes_of(new)[1][3]  # the first note bears on two key factors, there as here
    # The same evidence items of the library, linked to the same key factor and question: nothing copied.
    assert links_of(new) == links_of(old) and len(links_of(new)) == 2
    assert Evidence.objects.count() == evidence_before
    # Each carried link keeps who made it (the contributor), not who started the round (the coordinator).
    made_by = set(EvidenceLink.objects.filter(factor__assessment=new).values_list("added_by", flat=True))
    assert made_by == {cast.contributor.pk}
    # Every carried factor is to review; partner ratings and the discussion stay with their round.
    assert set(new.factors.values_list("to_review", flat=True)) == {True}
    assert not PartnerRating.objects.filter(factor__assessment=new).exists()
    assert not FactorComment.objects.filter(factor__assessment=new).exists()
    started = new.events.get(action=AssessmentEvent.Action.STARTED)
    assert started.changes["from_round"] == "2025" and started.changes["round"] == "2027"
    assert started.changes["key_factors_to_review"] == new.factors.count()
    assert started.changes["evidence_links_carried"] == 2
    assert not any(key.startswith("not_carried") for key in started.changes)
    next_event = old.events.get(action=AssessmentEvent.Action.NEXT_ROUND_STARTED)
    assert next_event.changes["assessment"] == str(new.public_id) and next_event.by == cast.coordinator
    old.refresh_from_db()
    assert old.status == "submitted"  # not finalised behind the team's back

    page = client_for(cast.viewer).get(f"/assessments/{new.public_id}/")
    count = new.factors.count()
    assert "This round started from round 2025" in page.text
    assert f"{count} key factors to review." in page.text
    assert page.text.count("Carried over from round 2025 – to review") == count
    factor = new.factors.select_related("key_factor").first()
    factor_page = client_for(cast.contributor).get(f"/assessments/{new.public_id}/factors/{factor.key_factor.slug}/")
    assert "Carried over from round 2025 – to review" in factor_page.text
    assert "Keep as it is" in factor_page.text
    assert (
        "Keep as it is"
        not in client_for(cast.viewer).get(f"/assessments/{new.public_id}/factors/{factor.key_factor.slug}/").text
    )
    history = client_for(cast.viewer).get(f"/assessments/{old.public_id}/history/")
    assert "Next round started from this one" in history.text


def test_nothing_changes_in_the_previous_round(cast: Cast) -> None:
    old = submitted_round(cast)
    before = snapshot(old)
    events_before = list(old.events.order_by("pk").values())
    new = rounds.do_start_next_round(old, "2027", by=cast.coordinator, carry_also=[carry_evidence])
    # The new round is then edited: still nothing of the old one moves.
    factor = new.factors.select_related("key_factor").all()[0]
    actions.do_save_factor(
        factor, by=cast.contributor, expected_version=0, rating=None, justification="", answers={}, comments={}
    )
    link = EvidenceLink.objects.filter(factor__assessment=new)[0]
    evidence_actions.do_detach_evidence(link, by=cast.contributor)
    assert snapshot(old) == before
    events_after = list(old.events.order_by("pk").values())
    assert events_after[: len(events_before)] == events_before
    assert [e["action"] for e in events_after[len(events_before) :]] == ["next_round_started"]
    # It stays read-only.
    with pytest.raises(actions.AssessmentError):
        actions.do_save_factor(
            old.factors.all()[0],
            by=cast.coordinator,
            expected_version=1,
            rating=None,
            justification="",
            answers={},
            comments={},
        )


def test_a_finalised_round_is_a_start_too_and_stays_finalised(cast: Cast) -> None:
    old = actions.do_finalise(submitted_round(cast), by=cast.coordinator)
    new = rounds.do_start_next_round(old, "2027", by=cast.coordinator, carry_also=[carry_evidence])
    old.refresh_from_db()
    assert old.status == "finalised" and new.previous_round == old


def test_saving_a_factor_or_its_autosave_clears_to_review(cast: Cast) -> None:
    new = rounds.do_start_next_round(submitted_round(cast), "2027", by=cast.coordinator, carry_also=[carry_evidence])
    first, second, *rest = list(new.factors.select_related("key_factor").prefetch_related("answers__question"))
    data = {"lock_version": "0", "rating": str(first.rating), "justification": first.justification}
    for answer in first.answers.all():
        data[f"q{answer.question.number}-answer"] = answer.answer
        data[f"q{answer.question.number}-comment"] = answer.comment
    client = client_for(cast.contributor)
    assert client.post(f"/assessments/{new.public_id}/factors/{first.key_factor.slug}/", data).status_code == 302
    first.refresh_from_db()
    assert not first.to_review
    data = {"lock_version": "0", "rating": "", "justification": "", "save_id": str(uuid.uuid4())}
    response = client.post(f"/assessments/{new.public_id}/factors/{second.key_factor.slug}/autosave/", data)
    assert response.status_code == 200, response.content
    second.refresh_from_db()
    assert not second.to_review
    assert all(f.to_review for f in FactorAssessment.objects.filter(pk__in=[f.pk for f in rest]))
    page = client.get(f"/assessments/{new.public_id}/")
    assert f"{len(rest)} key factors to review." in page.text


def test_keep_as_it_is_clears_to_review_with_a_history_event(cast: Cast) -> None:
    new = rounds.do_start_next_round(submitted_round(cast), "2027", by=cast.coordinator, carry_also=[carry_evidence])
    factor = new.factors.select_related("key_factor").first()
    url = f"/assessments/{new.public_id}/factors/{factor.key_factor.slug}/keep/"
    response = client_for(cast.contributor).post(url)
    assert response.status_code == 302
    factor.refresh_from_db()
    assert not factor.to_review
    assert factor.lock_version == 0  # an open form is not made stale
    assert (factor.rating, factor.justification) == ratings_of(Assessment.objects.get(pk=new.previous_round_id))[
        factor.key_factor.slug
    ]
    event = new.events.filter(action=AssessmentEvent.Action.FACTOR_SAVED).get()
    assert event.by == cast.contributor
    assert event.changes["key_factor"] == factor.key_factor.slug
    assert event.changes["to_review"] == {"from": True, "to": False}
    # Keeping again changes nothing and records nothing.
    client_for(cast.contributor).post(url)
    assert new.events.filter(action=AssessmentEvent.Action.FACTOR_SAVED).count() == 1
    page = client_for(cast.contributor).get(f"/assessments/{new.public_id}/factors/{factor.key_factor.slug}/")
    assert "Keep as it is" not in page.text
    # Not on a submitted round.
    actions.do_submit(new, by=cast.coordinator)
    other = new.factors.filter(to_review=True).select_related("key_factor").first()
    client_for(cast.coordinator).post(f"/assessments/{new.public_id}/factors/{other.key_factor.slug}/keep/")
    other.refresh_from_db()
    assert other.to_review


@pytest.fixture
def versions(tmp_path: Path) -> tuple[BenchmarkVersion, BenchmarkVersion]:
    """The benchmark of a_version() in a new version, loaded the real way from an edited copy of the library:
    its last key factor is gone, a new one is added, the first key factor lost its last guide question and
    the last context factor is gone."""
    version = a_version()
    data = tmp_path / "data"
    shutil.copytree(settings.LIBRARY_DATA_DIR, data)
    path = data / "benchmarks" / f"{version.benchmark.slug}.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    factors = content["key_factors"]
    gone = factors.pop()
    multi = next(f for f in factors if len(f["guide_questions"]) > 1)
    multi["guide_questions"].pop()
    factors.append(
        {
            **{k: v for k, v in gone.items() if k not in ("slug", "title")},
            "slug": "a-new-key-factor",
            "title": "A new key factor",
        }
    )
    content["context_factors"].pop()
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # Practices filed under the key factor that is gone move to the new one.
    practices = data / "practices" / f"{version.benchmark.slug}.yaml"
    if practices.exists():
        items = yaml.safe_load(practices.read_text(encoding="utf-8"))
        for item in items:
            item["key_factors"] = ["a-new-key-factor" if s == gone["slug"] else s for s in item.get("key_factors", [])]
        practices.write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False), encoding="utf-8")
    call_command("load_library", "--data-dir", str(data), stdout=StringIO())
    benchmark = Benchmark.objects.get(pk=version.benchmark_id)
    current = benchmark.current_version
    assert current is not None and current.number == version.number + 1
    return version, current


def test_a_newer_version_is_matched_by_slug_and_number_and_the_rest_is_listed(cast: Cast, versions) -> None:
    old_version, version = versions
    old = submitted_round(cast, version=old_version)
    old_ratings, old_answers, old_notes = ratings_of(old), answers_of(old), notes_of(old)
    page = client_for(cast.coordinator).get(start_url(old))
    assert f"the new round is made against version {version.number}" in page.text
    gone = old_version.factors.order_by("kind", "number").last()
    assert gone.title in page.text
    new = rounds.do_start_next_round(old, "2027", by=cast.coordinator, carry_also=[carry_evidence])
    assert new.benchmark_version == version
    new_ratings = ratings_of(new)
    assert gone.slug not in new_ratings
    assert new_ratings["a-new-key-factor"] == (None, "")
    assert {slug: v for slug, v in new_ratings.items() if slug != "a-new-key-factor"} == {
        slug: v for slug, v in old_ratings.items() if slug != gone.slug
    }
    new_answers = answers_of(new)
    matched = {key: v for key, v in old_answers.items() if key in new_answers}
    assert matched and all(new_answers[key] == v for key, v in matched.items())
    dropped = [key for key in old_answers if key not in new_answers and key[0] != gone.slug]
    assert len(dropped) == 1  # the guide question the new version lacks
    assert set(new.factors.filter(to_review=True).values_list("key_factor__slug", flat=True)) == (
        set(new_ratings) - {"a-new-key-factor"}
    )
    new_notes = notes_of(new)
    assert new_notes == {n: v for n, v in old_notes.items() if n in new_notes} and len(new_notes) == len(old_notes) - 1
    # The note's key factors are the new version's rows with the same slugs.
    bears_on = KeyFactor.objects.filter(pk__in=new.context_notes.values("key_factors"))
    assert set(bears_on.values_list("version_id", flat=True)) == {version.pk}
    assert links_of(new) == links_of(old)
    overview = client_for(cast.viewer).get(f"/assessments/{new.public_id}/")
    assert f"Key factor: {gone.title}" in overview.text
    slug, number = dropped[0]
    kf_number = old_version.factors.get(slug=slug).number
    assert f"Guide question {kf_number}.{number}" in overview.text
    assert "Context factor:" in overview.text


def test_one_open_per_round_and_other_refusals_keep_the_form(cast: Cast) -> None:
    old = submitted_round(cast)
    actions.do_start_assessment(cast.workspace, old.benchmark_version, "2027", by=cast.coordinator)
    before = (Assessment.objects.count(), AssessmentEvent.objects.count(), snapshot(old))
    client = client_for(cast.coordinator)
    for typed, message in [
        ("2027", "An assessment of this benchmark for round 2027 is already open."),
        ("2025", "The new round needs a name of its own"),
        ("20 27", "Use letters, digits and hyphens only"),
    ]:
        response = client.post(start_url(old), {"round": typed})
        assert response.status_code == 400
        assert "There is a problem" in response.text
        assert message in response.text
        assert f'value="{typed}"' in response.text  # what was typed is kept
    assert (Assessment.objects.count(), AssessmentEvent.objects.count(), snapshot(old)) == before
    finalised = actions.do_finalise(submitted_round(cast, "2023"), by=cast.coordinator)
    response = client.post(start_url(finalised), {"round": "2025"})
    assert response.status_code == 400 and "already open" in response.text


def test_a_draft_or_a_reopened_assessment_is_no_start(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.coordinator)
    page = client.get(start_url(assessment))
    assert page.status_code == 200 and "submit it first" in page.text and 'name="round"' not in page.text
    response = client.post(start_url(assessment), {"round": "2027"})
    assert response.status_code == 400 and "Submit the assessment before starting the next round" in response.text
    assert not Assessment.objects.filter(round="2027").exists()
    overview = client.get(f"/assessments/{assessment.public_id}/")
    assert "Start the next round" not in overview.text
    actions.do_submit(assessment, by=cast.coordinator)
    assert "Start the next round" in client.get(f"/assessments/{assessment.public_id}/").text
    assert "Start the next round" not in client_for(cast.contributor).get(f"/assessments/{assessment.public_id}/").text


def test_a_failure_while_carrying_over_leaves_nothing(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    old = submitted_round(cast)
    before = (Assessment.objects.count(), AssessmentEvent.objects.count(), EvidenceLink.objects.count())

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(EvidenceLink.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        rounds.do_start_next_round(old, "2027", by=cast.coordinator, carry_also=[carry_evidence])
    assert (Assessment.objects.count(), AssessmentEvent.objects.count(), EvidenceLink.objects.count()) == before


def test_the_suggested_round_is_the_next_year() -> None:
    from datetime import date

    assert rounds.suggested_round(Assessment(round="2024"), date(2026, 5, 1)) == "2026"
    assert rounds.suggested_round(Assessment(round="2026"), date(2026, 5, 1)) == "2027"
    assert rounds.suggested_round(Assessment(round="spring"), date(2026, 5, 1)) == "2026"


# ---- Progress over rounds ----


def progress_url(cast: Cast, benchmark: Benchmark) -> str:
    return f"/workspaces/{cast.workspace.public_id}/benchmarks/{benchmark.slug}/progress/"


def three_rounds(cast: Cast, version: BenchmarkVersion) -> list[Assessment]:
    """2024 finalised, 2025 submitted (from 2024) and 2026 a draft (from 2025), with ratings changing."""
    levels = sorted(version.rating_scale.levels.values_list("value", flat=True))
    first = actions.do_start_assessment(cast.workspace, version, "2024", by=cast.coordinator)
    fill(first, cast.contributor, ratings=dict.fromkeys(range(50), levels[0]) | {1: None})
    actions.do_submit(first, by=cast.coordinator)
    actions.do_finalise(first, by=cast.coordinator)
    second = rounds.do_start_next_round(first, "2025", by=cast.coordinator, carry_also=[carry_evidence])
    fill(second, cast.contributor, ratings=dict.fromkeys(range(50), levels[-1]) | {0: levels[1]})
    actions.do_submit(second, by=cast.coordinator)
    third = rounds.do_start_next_round(second, "2026", by=cast.coordinator, carry_also=[carry_evidence])
    return [first, second, third]


def test_progress_shows_each_factor_per_round_the_change_and_the_whole(cast: Cast) -> None:
    version = a_version()
    first, second, third = three_rounds(cast, version)
    page = client_for(cast.viewer).get(progress_url(cast, version.benchmark))
    assert page.status_code == 200
    text = page.text
    levels = {level.value: level for level in version.rating_scale.levels.all()}
    factors = list(version.factors.order_by("kind", "number"))
    # The table of each factor: one cell per round (oldest first) and the change since the round before.
    row = text.split(f'data-factor="{factors[0].slug}"', 1)[1].split("</tr>", 1)[0]
    low, second_level, high = min(levels), sorted(levels)[1], max(levels)
    cells = [f"{low} – {levels[low].label}", f"{second_level} – {levels[second_level].label}"]
    assert row.index(cells[0]) < row.index(cells[1])
    assert row.count(f"{second_level} – {levels[second_level].label}") == 2  # 2025 and the carried 2026
    assert "no change (2025 to 2026)" in row
    row = text.split(f'data-factor="{factors[2].slug}"', 1)[1].split("</tr>", 1)[0]
    assert f"up {high - low} (2025 to 2026)" not in row and "no change (2025 to 2026)" in row
    row = text.split(f'data-factor="{factors[1].slug}"', 1)[1].split("</tr>", 1)[0]
    assert "Not rated yet" in row  # 2024 left it unrated
    # The whole: the same numbers as the results of each round.
    overall = text.split("data-progress-overall", 1)[1].split("</table>", 1)[0]
    for assessment in (first, second, third):
        results = build_results(assessment)
        found = overall.split(f'<th scope="row">{assessment.round}</th>', 1)[1].split("</tr>", 1)[0]
        assert f"{results.at_standard} of {len(results.factors)}" in found
        assert f"{results.share_at_standard} %" in found
        assert str(results.mean_rating) in found
    assert build_results(first).share_at_standard != build_results(second).share_at_standard
    # The charts: one series per round, oldest first, and their numbers in the text of each bar.
    assert text.count('role="img"') == 3
    chart = text.split('id="progress-factors-chart-title"', 1)[1].split("</svg>", 1)[0]
    assert chart.index(">2024<") < chart.index(">2025<") < chart.index(">2026<")
    assert f"2025: {second_level} – {levels[second_level].label}" in chart
    assert "2024: not rated" in chart
    # Linked from the overview and the workspace page.
    overview = client_for(cast.viewer).get(f"/assessments/{third.public_id}/").text
    assert progress_url(cast, version.benchmark) in overview
    workspace = client_for(cast.viewer).get(f"/workspaces/{cast.workspace.public_id}/").text
    assert progress_url(cast, version.benchmark) in workspace


def test_progress_leaves_deleted_rounds_out_and_has_an_empty_state(cast: Cast) -> None:
    version = a_version()
    client = client_for(cast.coordinator)
    empty = client.get(progress_url(cast, version.benchmark))
    assert empty.status_code == 200 and "no self-assessment of this benchmark yet" in empty.text
    kept = actions.do_start_assessment(cast.workspace, version, "2024", by=cast.coordinator)
    deleted = actions.do_start_assessment(cast.workspace, version, "2019", by=cast.coordinator)
    actions.do_delete_assessment(deleted, by=cast.coordinator)
    page = client.get(progress_url(cast, version.benchmark)).text
    assert f"/assessments/{kept.public_id}/" in page and "Round 2019" not in page
    assert (
        client.get(f"/workspaces/{cast.workspace.public_id}/benchmarks/no-such-benchmark/progress/").status_code == 404
    )


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_progress_query_budget_grows_neither_with_rounds_nor_factors(cast: Cast) -> None:
    versions = sorted(
        (b.current_version for b in Benchmark.objects.published().with_current() if b.current_version is not None),
        key=lambda v: v.factors.count(),
    )
    small, big = versions[0], versions[-1]
    assert small.factors.count() < big.factors.count()
    actions.do_submit(
        actions.do_start_assessment(cast.workspace, small, "2024", by=cast.coordinator), by=cast.coordinator
    )
    three_rounds(cast, big)
    client = client_for(cast.viewer)
    counts = [queries(client, progress_url(cast, small.benchmark)), queries(client, progress_url(cast, big.benchmark))]
    assert counts[0] == counts[1]
    assert counts[1] <= 10


def test_carried_overview_and_factor_pages_stay_within_their_budget(cast: Cast) -> None:
    new = rounds.do_start_next_round(submitted_round(cast), "2027", by=cast.coordinator, carry_also=[carry_evidence])
    client = client_for(cast.contributor)
    factor = new.factors.select_related("key_factor").first()
    assert queries(client, f"/assessments/{new.public_id}/") <= 15
    # The key factor page: 17, and one for the mentorships that share the assessment (mentoring's panel).
    assert queries(client, f"/assessments/{new.public_id}/factors/{factor.key_factor.slug}/") <= 18


def test_load_demo_adds_a_finalised_earlier_round_only_when_asked() -> None:
    call_command("load_demo", stdout=StringIO())
    assert Assessment.objects.filter(workspace__city__slug="demoville").count() == 1  # the default demo
    out = StringIO()
    call_command("load_demo", "--earlier-round", stdout=out)
    call_command("load_demo", "--earlier-round", stdout=out)
    assert "Demo earlier round: already there" in out.getvalue()
    earlier = Assessment.objects.get(workspace__city__slug="demoville", round="2024")
    draft = Assessment.objects.get(workspace__city__slug="demoville", round="2026")
    assert earlier.status == "finalised" and draft.status == "draft"
    assert not earlier.factors.filter(rating__isnull=True).exists()
    assert draft.previous_round == earlier
    client = client_for(User.objects.get(email="viewer@demoville.example"))
    overview = client.get(f"/assessments/{draft.public_id}/").text
    assert "The previous round of this benchmark is round 2024." in overview
    assert "were carried over" not in overview and "to review" not in overview  # nothing was carried
    slug = draft.benchmark_version.benchmark.slug
    progress = client.get(f"/workspaces/{draft.workspace.public_id}/benchmarks/{slug}/progress/").text
    assert progress.index('<th scope="row">2024</th>') < progress.index('<th scope="row">2026</th>')
    assert earlier.created_by == User.objects.get(email="coordinator@demoville.example")
    gaps = earlier.factors.filter(rating__lt=earlier.benchmark_version.rating_scale.standard_level).count()
    plan = ActionPlan.objects.get(assessment=earlier)
    assert gaps > 0 and plan.actions.count() == gaps  # its plan, one action per gap
