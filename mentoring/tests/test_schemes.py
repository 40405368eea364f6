"""Network staff set up mentoring schemes and pair cities by hand; nobody else reaches these pages."""

import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.models import Benchmark
from cities.models import Workspace
from mentoring.models import MentoringScheme, Mentorship, MentorshipEvent
from outbox.models import Mail
from tests.support.cast import Cast, client_for, make_user, open_workspace

pytestmark = pytest.mark.django_db

SCHEMES, NEW, PAIR = "/mentoring/schemes/", "/mentoring/schemes/new/", "/mentoring/pair/"
STOP_LINE = "http://127.0.0.1/mentoring/notifications/"  # the page where each person chooses their mails


def checked(html: str, name: str) -> set[str]:
    """The values of the checked boxes named `name` on the page."""
    boxes = re.findall(rf'<input type="checkbox" name="{name}"[^>]*>', html)
    return {re.search(r'value="([^"]*)"', box).group(1) for box in boxes if " checked" in box}


def a_benchmark() -> Benchmark:
    benchmark = Benchmark.objects.published().first()
    assert benchmark is not None
    return benchmark


def third_city(cast: Cast, name: str = "Cville") -> Workspace:
    return open_workspace(name, by=make_user(f"coordinator@{name.lower()}.example"), admin=cast.admin)


def scheme_data(cast: Cast, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "ImpleMentoring 2015",
        "benchmark": a_benchmark().slug,
        "starts_on": "2015-03-01",
        "ends_on": "2017-02-28",
        "description": "Mentor cities guide implementing cities through the benchmark.",
        "mentors": [str(cast.workspace.public_id)],
        "implementing": [str(cast.other_workspace.public_id)],
    }
    return data | changes


def pair_data(mentee: Workspace, mentor: Workspace, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "mentee": str(mentee.public_id),
        "mentor": str(mentor.public_id),
        "benchmark": a_benchmark().slug,
        "scheme": "",
        "replaces": "",
    }
    return data | changes


# ---- Schemes ----


def test_staff_create_a_scheme_with_its_cities_and_period(cast: Cast) -> None:
    client = client_for(cast.admin)
    page = client.get(NEW)
    assert page.status_code == 200
    assert 'type="date"' in page.text
    assert "Aville" in page.text and "Bville" in page.text  # every workspace, as a checkbox

    response = client.post(NEW, scheme_data(cast), follow=True)

    scheme = MentoringScheme.objects.get()
    assert response.redirect_chain == [(scheme.get_absolute_url(), 302)]
    assert "is saved" in response.text
    assert (scheme.name, str(scheme.starts_on), str(scheme.ends_on)) == (
        "ImpleMentoring 2015",
        "2015-03-01",
        "2017-02-28",
    )
    assert scheme.benchmark == a_benchmark()
    assert scheme.created_by == cast.admin
    assert list(scheme.mentors.all()) == [cast.workspace]
    assert list(scheme.implementing.all()) == [cast.other_workspace]
    listing = client.get(SCHEMES)
    assert listing.status_code == 200
    assert "ImpleMentoring 2015" in listing.text and scheme.get_absolute_url() in listing.text
    assert NEW in listing.text


def test_staff_edit_a_scheme_and_its_page_shows_what_is_stored(cast: Cast) -> None:
    client = client_for(cast.admin)
    client.post(NEW, scheme_data(cast))
    scheme = MentoringScheme.objects.get()
    page = client.get(scheme.get_absolute_url())
    assert page.status_code == 200
    assert 'value="ImpleMentoring 2015"' in page.text and 'value="2017-02-28"' in page.text
    assert checked(page.text, "mentors") == {str(cast.workspace.public_id)}
    assert checked(page.text, "implementing") == {str(cast.other_workspace.public_id)}

    cville = third_city(cast)
    mentors = [str(cast.workspace.public_id), str(cville.public_id)]
    response = client.post(scheme.get_absolute_url(), scheme_data(cast, name="VALUES", mentors=mentors))

    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.name == "VALUES"
    assert set(scheme.mentors.all()) == {cast.workspace, cville}
    assert MentoringScheme.objects.count() == 1


def test_a_scheme_that_ends_before_it_starts_is_refused_keeping_what_was_typed(cast: Cast) -> None:
    response = client_for(cast.admin).post(NEW, scheme_data(cast, name="Backwards", ends_on="2014-12-31"))

    assert response.status_code == 400
    assert "A scheme cannot end before it starts." in response.text
    assert 'value="Backwards"' in response.text and 'value="2014-12-31"' in response.text
    assert "Mentor cities guide implementing cities" in response.text
    assert not MentoringScheme.objects.exists()


def test_a_city_cannot_be_both_mentor_and_implementing_in_a_scheme(cast: Cast) -> None:
    both = [str(cast.workspace.public_id)]
    response = client_for(cast.admin).post(NEW, scheme_data(cast, mentors=both, implementing=both))

    assert response.status_code == 400
    assert "A city is either a mentor or an implementing city in a scheme, not both." in response.text
    assert 'value="ImpleMentoring 2015"' in response.text
    assert not MentoringScheme.objects.exists()


def test_an_invalid_scheme_form_is_shown_again_with_status_400(cast: Cast) -> None:
    response = client_for(cast.admin).post(NEW, scheme_data(cast, name="", starts_on="not a date"))

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert not MentoringScheme.objects.exists()


def test_scheme_list_query_budget_does_not_grow_with_schemes(cast: Cast) -> None:
    client = client_for(cast.admin)
    counts = []
    for n in range(1, 4):
        client.post(NEW, scheme_data(cast, name=f"Scheme {n}"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(SCHEMES).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[-1]


# ---- Who reaches the pages ----


@pytest.mark.parametrize("who", ["coordinator", "other", "contributor", "viewer"])
def test_only_network_staff_reach_the_scheme_and_pair_pages(cast: Cast, who: str) -> None:
    scheme = MentoringScheme.objects.create(
        name="Staff only", benchmark=a_benchmark(), starts_on="2015-01-01", ends_on="2016-01-01"
    )
    client = client_for(getattr(cast, who))
    for path in (SCHEMES, NEW, scheme.get_absolute_url(), PAIR):
        assert client.get(path).status_code == 404, path
    assert client.post(NEW, scheme_data(cast)).status_code == 404
    assert client.post(PAIR, pair_data(cast.workspace, cast.other_workspace)).status_code == 404
    assert MentoringScheme.objects.count() == 1
    assert not Mentorship.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(cast: Cast, login_url: str) -> None:
    client = client_for(None)
    for path in (SCHEMES, NEW, PAIR):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(login_url), path


def test_a_missing_scheme_is_404_for_staff(cast: Cast) -> None:
    assert client_for(cast.admin).get("/mentoring/schemes/00000000-0000-0000-0000-000000000000/").status_code == 404


# ---- Pairing by hand ----


def test_staff_pair_two_cities(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(cast.admin)
    assert client.get(PAIR).status_code == 200
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAIR, pair_data(cast.other_workspace, cast.workspace))

    mentorship = Mentorship.objects.get()
    assert response.status_code == 302
    assert response["Location"] == mentorship.get_absolute_url()
    assert mentorship.status == Mentorship.Status.ACTIVE
    assert (mentorship.mentee, mentorship.mentor) == (cast.other_workspace, cast.workspace)
    assert mentorship.created_by == cast.admin and mentorship.started_at is not None
    event = MentorshipEvent.objects.get(mentorship=mentorship)
    assert (event.action, event.by) == (MentorshipEvent.Action.PAIRED, cast.admin)
    queued = Mail.objects.filter(kind="mentoring/email/paired")
    assert sorted(m.to for m in queued) == sorted([cast.coordinator.email, cast.other.email])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.coordinator.email, cast.other.email])
    for message in mail.outbox:
        assert "http://127.0.0.1" + mentorship.get_absolute_url() in str(message.body)
        assert str(message.body).strip().splitlines()[-1] == STOP_LINE  # how to stop such mails, last


def test_pairing_within_a_scheme_lists_the_mentorship_on_the_scheme_page(cast: Cast) -> None:
    client = client_for(cast.admin)
    client.post(NEW, scheme_data(cast))
    scheme = MentoringScheme.objects.get()
    page = client.get(f"{PAIR}?scheme={scheme.public_id}")
    assert f'value="{scheme.public_id}" selected' in page.text

    client.post(PAIR, pair_data(cast.other_workspace, cast.workspace, scheme=str(scheme.public_id)))

    mentorship = Mentorship.objects.get()
    assert mentorship.scheme == scheme
    page = client.get(scheme.get_absolute_url())
    assert mentorship.get_absolute_url() in page.text and "Active" in page.text


def test_re_pairing_ends_the_replaced_mentorship_and_keeps_both(cast: Cast) -> None:
    client = client_for(cast.admin)
    client.post(NEW, scheme_data(cast))
    scheme = MentoringScheme.objects.get()
    cville = third_city(cast)
    in_scheme = {"scheme": str(scheme.public_id)}
    client.post(PAIR, pair_data(cast.other_workspace, cast.workspace, **in_scheme))
    first = Mentorship.objects.get()
    assert f'value="{first.public_id}"' in client.get(PAIR).text  # offered as a mentorship to replace
    Mail.objects.all().delete()

    response = client.post(PAIR, pair_data(cast.other_workspace, cville, replaces=str(first.public_id), **in_scheme))

    assert response.status_code == 302
    second = Mentorship.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert first.status == Mentorship.Status.ENDED
    assert first.outcome == Mentorship.Outcome.ENDED_EARLY
    assert first.end_reason == "Re-paired by the network team."
    assert second.status == Mentorship.Status.ACTIVE and second.mentor == cville
    assert second.replaces == first
    assert MentorshipEvent.objects.filter(mentorship=first, action=MentorshipEvent.Action.ENDED).exists()
    assert Mail.objects.filter(kind="mentoring/email/ended").exists()
    assert Mail.objects.filter(kind="mentoring/email/paired").count() == 2  # Bville's and Cville's coordinators
    page = client.get(scheme.get_absolute_url()).text
    assert first.get_absolute_url() in page and second.get_absolute_url() in page
    assert "Ended" in page and "Active" in page
    assert f'value="{first.public_id}"' not in client.get(PAIR).text  # no longer active


def test_a_re_pairing_must_replace_a_mentorship_of_the_same_implementing_city(cast: Cast) -> None:
    client = client_for(cast.admin)
    cville = third_city(cast)
    client.post(PAIR, pair_data(cast.other_workspace, cast.workspace))
    first = Mentorship.objects.get()

    response = client.post(PAIR, pair_data(cville, cast.workspace, replaces=str(first.public_id)))

    assert response.status_code == 400
    assert "Choose a mentorship of the same implementing city." in response.text
    first.refresh_from_db()
    assert first.status == Mentorship.Status.ACTIVE
    assert Mentorship.objects.count() == 1


def test_pairing_the_same_cities_twice_on_a_benchmark_is_refused(cast: Cast) -> None:
    client = client_for(cast.admin)
    client.post(PAIR, pair_data(cast.other_workspace, cast.workspace))
    Mail.objects.all().delete()

    response = client.post(PAIR, pair_data(cast.other_workspace, cast.workspace))

    assert response.status_code == 400
    assert "Aville and Bville already have a mentorship on this benchmark, requested or active." in response.text
    assert f'value="{cast.other_workspace.public_id}" selected' in response.text  # what was chosen is kept
    assert Mentorship.objects.count() == 1
    assert not Mail.objects.exists()


def test_a_city_cannot_be_paired_with_itself(cast: Cast) -> None:
    response = client_for(cast.admin).post(PAIR, pair_data(cast.workspace, cast.workspace))

    assert response.status_code == 400
    assert "A city cannot mentor itself." in response.text
    assert not Mentorship.objects.exists()
