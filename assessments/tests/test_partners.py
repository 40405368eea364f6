"""Partner ratings beside the city's, with divergence flagged, through HTTP; the role table of docs/roles.md
"Partner ratings and comments" cell by cell (comments included), CSRF on every POST, and query budgets
that do not grow with the number of partner organisations, ratings and comments (docs/quality.md F1)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from assessments import actions
from assessments.models import Assessment, AssessmentEvent, FactorAssessment, FactorComment, PartnerRating
from cities import actions as city_actions
from cities.models import Role
from tests.support.cast import Cast, client_for, join, make_user
from tests.support.roles import LOGIN, N, Y, assert_cell, cells, documented_table, user_for

pytestmark = pytest.mark.django_db

ORGANISATION = "Aville Refugee Council"

# Each row: action -> the outcome for each role, in the order of ROLES (as in docs/roles.md).
TABLE: dict[str, list[str]] = {
    "read_partner_views": [LOGIN, Y, Y, Y, Y, N, Y],
    "rate_as_partner": [LOGIN, N, Y, N, N, N, N],
    "read_discussion": [LOGIN, Y, Y, Y, Y, N, Y],
    "comment": [LOGIN, N, Y, Y, Y, N, N],
    "delete_own_comment": [LOGIN, N, Y, Y, Y, N, N],
    "delete_others_comment": [LOGIN, N, N, N, Y, N, N],
}
POSTS = ["rate_as_partner", "comment", "delete_own_comment", "delete_others_comment"]


def a_factor(assessment: Assessment) -> FactorAssessment:
    factor = assessment.factors.filter(answers__isnull=False).select_related("key_factor").distinct().first()
    assert factor is not None
    return factor


def factor_url(assessment: Assessment, factor: FactorAssessment, rest: str = "") -> str:
    return f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/{rest}"


def rate_city(cast: Cast, factor: FactorAssessment, rating: int) -> None:
    factor.refresh_from_db()
    actions.do_save_factor(
        factor,
        by=cast.coordinator,
        expected_version=factor.lock_version,
        rating=rating,
        justification="The city's reasons.",
        answers={},
        comments={},
    )


def rate_partner(user: User, factor: FactorAssessment, rating: int | None, comment: str = "") -> PartnerRating:
    organisation = user.memberships.get(workspace=factor.assessment.workspace).organisation
    current = PartnerRating.objects.filter(factor=factor, organisation=organisation).first()
    return actions.do_rate_as_partner(
        factor, by=user, expected_version=current.lock_version if current else 0, rating=rating, comment=comment
    )


def partner_post(version: int = 0, rating: str = "3", comment: str = "Seen from the council.") -> dict[str, str]:
    return {"partner-lock_version": str(version), "partner-rating": rating, "partner-comment": comment}


# ---- the role table: each attempt makes the request and returns (response, whether the effect is visible)


def read_partner_views(client: Client, cast: Cast, assessment: Assessment, user: User | None):
    factor = a_factor(assessment)
    rate_partner(cast.partner, factor, 3, "Seen from the council.")
    overview = client.get(f"/assessments/{assessment.public_id}/")
    response = client.get(factor_url(assessment, factor))
    seen = all(r.status_code == 200 and "Seen from the council." in r.text for r in (overview, response))
    return response, seen


def rate_as_partner(client: Client, cast: Cast, assessment: Assessment, user: User | None):
    factor = a_factor(assessment)
    response = client.post(factor_url(assessment, factor, "partner-rating/"), partner_post())
    return response, PartnerRating.objects.filter(factor=factor, comment="Seen from the council.").exists()


def read_discussion(client: Client, cast: Cast, assessment: Assessment, user: User | None):
    factor = a_factor(assessment)
    actions.do_add_comment(factor, by=cast.contributor, body="A remark for the team.", addressees=[], site_url="/")
    response = client.get(factor_url(assessment, factor))
    return response, response.status_code == 200 and "A remark for the team." in response.text


def comment(client: Client, cast: Cast, assessment: Assessment, user: User | None):
    factor = a_factor(assessment)
    response = client.post(factor_url(assessment, factor, "comments/"), {"comment-body": "Posted by the test."})
    return response, FactorComment.objects.filter(factor=factor, body="Posted by the test.").exists()


def _comment_by(cast: Cast, assessment: Assessment, author: User) -> FactorComment:
    factor = a_factor(assessment)
    if author == cast.viewer:
        # A viewer may have written a comment while a contributor; as a viewer they only read.
        member = cast.member(cast.viewer)
        city_actions.do_change_role(member, by=cast.coordinator, role=Role.CONTRIBUTOR)
        written = actions.do_add_comment(factor, by=author, body="Written earlier.", addressees=[], site_url="/")
        city_actions.do_change_role(cast.member(cast.viewer), by=cast.coordinator, role=Role.VIEWER)
        return written
    return actions.do_add_comment(factor, by=author, body="To be deleted.", addressees=[], site_url="/")


def _delete(client: Client, assessment: Assessment, target: FactorComment):
    response = client.post(f"/assessments/{assessment.public_id}/comments/{target.public_id}/delete/")
    target.refresh_from_db()
    return response, target.deleted_at is not None


def delete_own_comment(client: Client, cast: Cast, assessment: Assessment, user: User | None):
    # Those who cannot have written a comment of city A try the contributor's.
    own = user if user in (cast.viewer, cast.partner, cast.contributor, cast.coordinator) else None
    return _delete(client, assessment, _comment_by(cast, assessment, own or cast.contributor))


def delete_others_comment(client: Client, cast: Cast, assessment: Assessment, user: User | None):
    author = cast.partner if user == cast.contributor else cast.contributor
    return _delete(client, assessment, _comment_by(cast, assessment, author))


CELLS = cells(TABLE)


@pytest.mark.parametrize(("action", "role", "expected"), CELLS, ids=[f"{a}-{r}" for a, r, _ in CELLS])
def test_role_table_cell(cast: Cast, assessment: Assessment, action: str, role: str, expected: str) -> None:
    user = user_for(cast, role)
    response, happened = globals()[action](client_for(user), cast, assessment, user)
    assert_cell(response, happened, expected, refusal_may_show=action.startswith("read"))


@pytest.mark.parametrize("action", POSTS)
def test_every_post_needs_a_csrf_token(cast: Cast, assessment: Assessment, action: str) -> None:
    user = cast.partner if action == "rate_as_partner" else cast.coordinator
    response, happened = globals()[action](client_for(user, enforce_csrf_checks=True), cast, assessment, user)
    assert response.status_code == 403
    assert not happened


def test_the_table_is_the_one_in_docs_roles_md() -> None:
    assert documented_table("Partner ratings and comments") == TABLE


# ---- the divergence rule (PartnerRating.diverges_from)


@pytest.mark.parametrize(
    ("scale", "city", "partner", "apart", "divergent"),
    [
        ([0, 1, 2, 3, 4], 1, 3, 2, True),  # the default scale: two levels apart is flagged
        ([0, 1, 2, 3, 4], 1, 4, 3, True),
        ([0, 1, 2, 3, 4], 2, 1, 1, False),  # one level is not
        ([0, 1, 2, 3, 4], 2, 2, 0, False),
        ([0, 1, 2, 3, 4], None, 4, None, False),  # the city has not rated: nothing to compare
        ([0, 1, 2, 3, 4], 0, None, None, False),
        ([0, 1, 2], 1, 2, 1, True),  # a short scale: one level is a third of it or more
        ([0, 1, 2, 3], 0, 1, 1, True),
        (list(range(11)), 5, 6, 1, False),  # a long scale: still two levels
        (list(range(11)), 5, 7, 2, True),
        ([0, 5, 10], 0, 5, 1, True),  # levels are counted on the scale, not in values
    ],
)
def test_divergence_rule(scale, city, partner, apart, divergent) -> None:
    rating = PartnerRating(organisation="x", rating=partner)
    assert rating.levels_apart(city, scale) == apart
    assert rating.diverges_from(city, scale) is divergent


def test_threshold_is_two_levels_and_one_on_scales_of_four_levels_or_fewer() -> None:
    assert [PartnerRating.divergence_threshold(list(range(n))) for n in (2, 3, 4, 5, 6, 11)] == [1, 1, 1, 2, 2, 2]


# ---- a partner rates; the team sees the views side by side


def test_partner_rates_for_the_organisation_of_the_membership(cast, assessment) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.partner)
    page = client.get(factor_url(assessment, factor))
    assert f"Your organisation's view: <bdi>{ORGANISATION}</bdi>" in page.text
    data = partner_post(rating="3", comment="  The council sees gaps.  ") | {"organisation": "Someone Else"}
    response = client.post(factor_url(assessment, factor, "partner-rating/"), data)
    assert response.status_code == 302
    assert response["Location"].endswith(factor_url(assessment, factor) + "#partner-views")
    [row] = PartnerRating.objects.filter(factor=factor)
    assert (row.organisation, row.rating, row.comment, row.lock_version, row.updated_by) == (
        ORGANISATION,
        3,
        "The council sees gaps.",
        1,
        cast.partner,
    )
    factor.refresh_from_db()
    assert factor.rating is None  # the city's rating is the city's
    event = AssessmentEvent.objects.filter(action=AssessmentEvent.Action.PARTNER_RATED).get()
    assert event.by == cast.partner
    assert event.changes == {
        "key_factor": factor.key_factor.slug,
        "organisation": ORGANISATION,
        "rating": {"from": None, "to": 3},
        "comment": {"from": "", "to": "The council sees gaps."},
    }
    page = client.get(factor_url(assessment, factor))
    assert "is saved" in page.text
    assert 'name="partner-lock_version" value="1"' in page.text


def test_members_of_one_organisation_share_its_rating(cast, assessment) -> None:
    colleague = make_user("colleague@aville.example")
    join(cast.workspace, colleague, Role.PARTNER, by=cast.coordinator, organisation=ORGANISATION)
    factor = a_factor(assessment)
    rate_partner(cast.partner, factor, 1, "First view.")
    response = client_for(colleague).post(
        factor_url(assessment, factor, "partner-rating/"), partner_post(version=1, rating="2", comment="Second view.")
    )
    assert response.status_code == 302
    [row] = PartnerRating.objects.filter(factor=factor)
    assert (row.rating, row.comment, row.updated_by, row.lock_version) == (2, "Second view.", colleague, 2)


def test_stale_partner_save_gets_the_conflict_screen_and_a_second_save_replaces(cast, assessment) -> None:
    colleague = make_user("colleague@aville.example")
    join(cast.workspace, colleague, Role.PARTNER, by=cast.coordinator, organisation=ORGANISATION)
    factor = a_factor(assessment)
    url = factor_url(assessment, factor, "partner-rating/")
    assert client_for(cast.partner).post(url, partner_post(rating="1", comment="Stored words")).status_code == 302
    client = client_for(colleague)
    response = client.post(url, partner_post(version=0, rating="4", comment="My typed words"))
    assert response.status_code == 409
    assert "Someone of your organisation saved its view meanwhile" in response.text
    assert "Stored words" in response.text
    assert "My typed words" in response.text
    assert 'name="partner-lock_version" value="1"' in response.text
    assert '<option value="4" selected>' in response.text
    row = PartnerRating.objects.get(factor=factor)
    assert (row.rating, row.comment) == (1, "Stored words")
    again = client.post(url, partner_post(version=1, rating="4", comment="My typed words"))
    assert again.status_code == 302
    row.refresh_from_db()
    assert (row.rating, row.comment, row.lock_version) == (4, "My typed words", 2)


def test_partner_rating_off_the_scale_is_a_form_error(cast, assessment) -> None:
    factor = a_factor(assessment)
    response = client_for(cast.partner).post(
        factor_url(assessment, factor, "partner-rating/"), partner_post(rating="9", comment="Kept text")
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'href="#id_partner-rating"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Kept text" in response.text
    assert not PartnerRating.objects.exists()


def test_partners_rate_only_while_the_assessment_is_editable(cast, assessment) -> None:
    factor = a_factor(assessment)
    actions.do_submit(assessment, by=cast.coordinator)
    client = client_for(cast.partner)
    assert "Save your organisation's view" not in client.get(factor_url(assessment, factor)).text
    response = client.post(factor_url(assessment, factor, "partner-rating/"), partner_post())
    assert response.status_code == 400
    assert "cannot be changed" in response.text
    assert not PartnerRating.objects.exists()
    actions.do_reopen(assessment, by=cast.coordinator)
    assert client.post(factor_url(assessment, factor, "partner-rating/"), partner_post()).status_code == 302


def test_divergence_is_flagged_on_the_factor_page_and_the_overview(cast, assessment) -> None:
    factors = list(assessment.factors.select_related("key_factor"))
    far, near = factors[0], factors[1]
    rate_city(cast, far, 1)
    rate_city(cast, near, 2)
    rate_partner(cast.partner, far, 4, "We see it differently.")
    rate_partner(cast.partner, near, 3, "Close to the city.")
    other = make_user("partner@welcome.example")
    join(cast.workspace, other, Role.PARTNER, by=cast.coordinator, organisation="Welcome Volunteers")
    client = client_for(cast.coordinator)

    page = client.get(factor_url(assessment, far)).text
    assert "Differs by 3 levels" in page
    assert '<tr class="divergent">' in page
    assert "divergence-marker" in page  # a marker besides the words and the colour
    assert "We see it differently." in page
    assert "Welcome Volunteers" in page  # a partner that has not rated yet is listed too
    near_page = client.get(factor_url(assessment, near)).text
    assert "1 level apart" in near_page
    assert "Differs by" not in near_page

    overview = client.get(f"/assessments/{assessment.public_id}/").text
    section = overview.split('id="partner-views"', 1)[1]
    assert "Views differ on 1 key factor." in section
    assert section.count("Differs by 3 levels") == 1
    assert section.count('class="divergent"') == 1
    assert '<th scope="col" dir="auto">Aville Refugee Council</th>' in section
    assert '<th scope="col" dir="auto">Welcome Volunteers</th>' in section
    total = len(factors)
    assert f"<bdi>Aville Refugee Council</bdi> (partner): 2 of {total} key factors rated" in overview
    assert f"<bdi>Welcome Volunteers</bdi> (partner): 0 of {total} key factors rated" in overview


def test_an_organisation_that_left_keeps_its_ratings_in_view(cast, assessment) -> None:
    factor = a_factor(assessment)
    rate_partner(cast.partner, factor, 2, "Before leaving.")
    city_actions.do_remove_member(cast.member(cast.partner), by=cast.coordinator)
    page = client_for(cast.viewer).get(factor_url(assessment, factor)).text
    assert ORGANISATION in page
    assert "Before leaving." in page


def test_published_assessment_shows_no_partner_views_outside_the_team(cast, assessment) -> None:
    factor = a_factor(assessment)
    rate_partner(cast.partner, factor, 2, "Only for the team.")
    actions.do_submit(assessment, by=cast.coordinator)
    Assessment.objects.filter(pk=assessment.pk).update(visibility=Assessment.Visibility.PUBLISHED)
    for client in (Client(), client_for(cast.other)):
        for url in (f"/assessments/{assessment.public_id}/", factor_url(assessment, factor)):
            response = client.get(url)
            assert response.status_code == 200
            assert "Only for the team." not in response.text
            assert "Partner organisations' views" not in response.text


# ---- query budgets at two sizes


def queries(client: Client, url: str) -> int:
    # A first request refreshes the session's last-seen time (at most once a minute, accounts'
    # SessionTimeoutMiddleware): that write is the session's, not the page's, so it is not counted.
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(cast: Cast, assessment: Assessment, organisations: int, comments: int) -> None:
    """Partner organisations that rate every key factor, and comments addressed to several members."""
    factors = list(assessment.factors.select_related("key_factor", "assessment"))
    partners = [cast.partner]
    for n in range(organisations - 1):
        user = make_user(f"partner{n}@org{n}.example")
        join(cast.workspace, user, Role.PARTNER, by=cast.coordinator, organisation=f"Organisation {n}")
        partners.append(user)
    for user in partners:
        for i, factor in enumerate(factors):
            rate_partner(user, factor, i % 5, f"View {i}")
    first = a_factor(assessment)
    for n in range(comments):
        made = actions.do_add_comment(
            first,
            by=partners[n % len(partners)],
            body=f"Comment {n}",
            addressees=[cast.contributor, cast.coordinator],
            site_url="/",
        )
        if n == 0:
            actions.do_delete_comment(made, by=cast.coordinator)


@pytest.mark.parametrize("who", ["partner", "coordinator", "viewer"])
def test_query_budgets_do_not_grow_with_partners_ratings_and_comments(cast, assessment, who) -> None:
    client = client_for(getattr(cast, who))
    factor = a_factor(assessment)
    rate_city(cast, factor, 2)
    urls = [f"/assessments/{assessment.public_id}/", factor_url(assessment, factor)]
    grow(cast, assessment, organisations=1, comments=1)
    small = [queries(client, url) for url in urls]
    grow(cast, assessment, organisations=4, comments=6)
    assert PartnerRating.objects.values("organisation").distinct().count() == 4
    big = [queries(client, url) for url in urls]
    assert small == big
    assert max(big) <= 25


def test_load_demo_gives_the_demo_draft_a_diverging_partner_rating_and_a_comment_once() -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    draft = Assessment.objects.get(workspace__city__slug="demoville")
    [rating] = PartnerRating.objects.filter(factor__assessment=draft).select_related("factor")
    scale = list(draft.benchmark_version.rating_scale.levels.values_list("value", flat=True))
    assert rating.organisation == "Demoville Welcome Volunteers"
    assert rating.diverges_from(rating.factor.rating, scale)
    [comment] = FactorComment.objects.filter(factor__assessment=draft)
    assert [u.email for u in comment.addressed_to.all()] == ["contributor@demoville.example"]
