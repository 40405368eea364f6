"""Partners add evidence (docs/roles.md, "Evidence"): through HTTP a partner adds links and files (with the same
upload checks) to the library and to key factors, attaches items, and changes only what they did themselves;
the city's staff keep their rights over the partners' items; the authorship shows only to the team."""

import pytest

from assessments import actions as assessment_actions
from assessments.models import Assessment, AssessmentEvent
from cities import actions as city_actions
from cities.models import Role
from evidence import actions
from evidence.models import Evidence, EvidenceLink
from tests.support.cast import client_for
from tests.support.evidence import PDF, PNG, a_factor, add_link, stored_files, upload

pytestmark = pytest.mark.django_db


def library_url(cast) -> str:
    return f"/workspaces/{cast.workspace.public_id}/evidence/"


def factor_url(assessment, factor, rest: str = "") -> str:
    return f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/{rest}"


def form(**fields: object) -> dict[str, object]:
    return {f"evidence-{k}": v for k, v in fields.items()}


def test_partner_adds_a_link_on_a_key_factor_and_detaches_only_their_own_links(cast, assessment) -> None:
    factor = a_factor(assessment)
    answer = factor.answers.select_related("question").first()
    staff_item = add_link(cast.workspace, cast.contributor, "City survey")
    staff_link = actions.do_attach_evidence(staff_item, factor, None, by=cast.contributor)
    client = client_for(cast.partner)
    page = client.get(factor_url(assessment, factor)).text
    assert "Attach evidence from the library" in page and "Add new evidence and attach it" in page
    assert "Detach “<bdi>City survey</bdi>”" not in page  # the contributor's link

    response = client.post(
        factor_url(assessment, factor, "evidence/new/"),
        form(
            attach_to=str(answer.question.number),
            kind="project",
            title="Volunteer mentoring scheme",
            url="https://refugeecouncil.example/mentoring",
        ),
    )
    assert response.status_code == 302 and response["Location"].endswith("#evidence-heading")
    item = Evidence.objects.get(title="Volunteer mentoring scheme")
    assert (item.workspace, item.created_by) == (cast.workspace, cast.partner)
    link = EvidenceLink.objects.get(evidence=item)
    assert (link.factor, link.question, link.added_by) == (factor, answer, cast.partner)
    event = AssessmentEvent.objects.get(assessment=assessment, action="evidence_attached", by=cast.partner)
    assert event.changes["evidence"] == "Volunteer mentoring scheme"

    page = client.get(factor_url(assessment, factor)).text
    assert f"For question {answer.question.number}" in page and "Volunteer mentoring scheme" in page
    assert "Detach “<bdi>Volunteer mentoring scheme</bdi>”" in page and "Detach “<bdi>City survey</bdi>”" not in page
    # The city's staff see a detach button on every link, the partner's included.
    staff_page = client_for(cast.contributor).get(factor_url(assessment, factor)).text
    assert (
        "Detach “<bdi>Volunteer mentoring scheme</bdi>”" in staff_page
        and "Detach “<bdi>City survey</bdi>”" in staff_page
    )

    # A partner attaches any item of the library, and detaches that link again; not the contributor's link.
    response = client.post(
        factor_url(assessment, factor, "evidence/attach/"),
        {"attach-evidence": str(staff_item.public_id), "attach-attach_to": str(answer.question.number)},
    )
    assert response.status_code == 302
    own = EvidenceLink.objects.get(evidence=staff_item, question=answer)
    assert own.added_by == cast.partner
    assert client.post(factor_url(assessment, factor, f"evidence/{staff_link.public_id}/detach/")).status_code == 404
    assert EvidenceLink.objects.filter(pk=staff_link.pk).exists()
    assert client.post(factor_url(assessment, factor, f"evidence/{own.public_id}/detach/")).status_code == 302
    assert not EvidenceLink.objects.filter(pk=own.pk).exists()
    detached = AssessmentEvent.objects.filter(assessment=assessment, action="evidence_detached", by=cast.partner)
    assert detached.count() == 1


def test_partner_uploads_with_the_same_checks(cast, media_root) -> None:
    client = client_for(cast.partner)
    page = client.get(library_url(cast)).text
    assert "Add to the library" in page and "You can edit and delete the items you added" in page
    refused = client.post(library_url(cast), form(kind="other", title="Chart", file=upload("chart.pdf", PNG)))
    assert refused.status_code == 400
    assert "its name and content must agree" in refused.text and 'value="Chart"' in refused.text
    assert not Evidence.objects.exists() and stored_files(media_root) == []
    response = client.post(
        library_url(cast), form(kind="policy", title="Our annual report", file=upload("../annual.pdf", PDF))
    )
    assert response.status_code == 302
    item = Evidence.objects.get(title="Our annual report")
    assert (item.created_by, item.file_name, item.file_type) == (cast.partner, "annual.pdf", "application/pdf")
    assert len(stored_files(media_root)) == 1
    download = client_for(cast.viewer).get(f"/evidence/{item.public_id}/file/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_partner_edits_deletes_and_restores_their_own_items_only(cast) -> None:
    mine = add_link(cast.workspace, cast.partner, "Our welcome guide")
    theirs = add_link(cast.workspace, cast.coordinator, "City strategy")
    client = client_for(cast.partner)
    page = client.get(f"/evidence/{mine.public_id}/").text
    assert "Save the evidence" in page and "Delete “<bdi>Our welcome guide</bdi>”" in page
    page = client.get(f"/evidence/{theirs.public_id}/").text
    assert "Save the evidence" not in page and "Delete “<bdi>City strategy</bdi>”" not in page

    data = {"lock_version": "0", "kind": "project", "title": "Our welcome guide 2026", "url": "https://a.example/g"}
    assert client.post(f"/evidence/{mine.public_id}/", data).status_code == 302
    assert client.post(f"/evidence/{theirs.public_id}/", data | {"title": "Hijacked"}).status_code == 404
    assert client.post(f"/evidence/{theirs.public_id}/delete/").status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.title, theirs.title, theirs.deleted_at) == ("Our welcome guide 2026", "City strategy", None)
    assert list(mine.events.values_list("action", "by")) == [("created", cast.partner.pk), ("edited", cast.partner.pk)]

    assert client.post(f"/evidence/{mine.public_id}/delete/").status_code == 302
    client.get(library_url(cast))  # shows (and so clears) the message naming the deleted item
    # Someone else's deleted item is not in the partner's "Recently deleted", and cannot be restored by them.
    actions.do_delete_evidence(theirs, by=cast.coordinator)
    library = client.get(library_url(cast)).text
    assert "Restore “<bdi>Our welcome guide 2026</bdi>”" in library and "City strategy" not in library
    assert client.post(f"/evidence/{theirs.public_id}/restore/").status_code == 404
    assert client.post(f"/evidence/{mine.public_id}/restore/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.deleted_at is None and theirs.deleted_at is not None


def test_a_deletion_by_the_citys_staff_stands_against_the_partner_and_staff_change_partners_items(cast) -> None:
    mine = add_link(cast.workspace, cast.partner, "Our welcome guide")
    staff = client_for(cast.contributor)
    data = {"lock_version": "0", "kind": "project", "title": "Welcome guide (checked)", "url": "https://a.example/g"}
    assert staff.post(f"/evidence/{mine.public_id}/", data).status_code == 302
    assert staff.post(f"/evidence/{mine.public_id}/delete/").status_code == 302
    partner = client_for(cast.partner)
    assert "Welcome guide (checked)" not in partner.get(library_url(cast)).text
    assert "You deleted none of your evidence" in partner.get(library_url(cast)).text
    assert partner.post(f"/evidence/{mine.public_id}/restore/").status_code == 404
    assert Evidence.objects.get(pk=mine.pk).deleted_at is not None
    assert "Restore “<bdi>Welcome guide (checked)</bdi>”" in client_for(cast.coordinator).get(library_url(cast)).text


def test_a_partner_who_becomes_a_viewer_no_longer_changes_their_items(cast, assessment) -> None:
    factor = a_factor(assessment)
    mine = add_link(cast.workspace, cast.partner, "Our welcome guide")
    link = actions.do_attach_evidence(mine, factor, None, by=cast.partner)
    city_actions.do_change_role(cast.member(cast.partner), by=cast.coordinator, role=Role.VIEWER)
    client = client_for(cast.partner)
    assert "Save the evidence" not in client.get(f"/evidence/{mine.public_id}/").text
    assert client.post(f"/evidence/{mine.public_id}/delete/").status_code == 404
    assert client.post(factor_url(assessment, factor, f"evidence/{link.public_id}/detach/")).status_code == 404
    assert "Detach" not in client.get(factor_url(assessment, factor)).text
    assert Evidence.objects.alive().filter(pk=mine.pk).exists() and EvidenceLink.objects.filter(pk=link.pk).exists()


def test_partner_cannot_add_to_a_submitted_assessment(cast, assessment, media_root) -> None:
    factor = a_factor(assessment)
    mine = add_link(cast.workspace, cast.partner, "Our welcome guide")
    link = actions.do_attach_evidence(mine, factor, None, by=cast.partner)
    assessment_actions.do_submit(assessment, by=cast.coordinator)
    client = client_for(cast.partner)
    page = client.get(factor_url(assessment, factor)).text
    assert "Our welcome guide" in page and "Add and attach" not in page and "Detach" not in page
    response = client.post(
        factor_url(assessment, factor, "evidence/new/"),
        form(attach_to="factor", kind="other", title="Late", file=upload("late.pdf", PDF)),
    )
    assert response.status_code == 302
    assert "cannot be changed" in client.get(response["Location"]).text
    assert not Evidence.objects.filter(title="Late").exists() and stored_files(media_root) == []
    client.post(factor_url(assessment, factor, f"evidence/{link.public_id}/detach/"))
    assert EvidenceLink.objects.filter(pk=link.pk).exists()
    # Evidence of a submitted assessment stays with it, whoever added it.
    assert "stays with it" in client.post(f"/evidence/{mine.public_id}/delete/", follow=True).text
    assert Evidence.objects.get(pk=mine.pk).deleted_at is None


def test_who_added_a_partners_item_shows_only_to_the_team(cast, assessment) -> None:
    factor = a_factor(assessment)
    actions.do_add_evidence(
        cast.workspace,
        actions.Fields(kind="project", title="Volunteer mentoring scheme", url="https://a.example/m"),
        by=cast.partner,
        attach_to=factor,
    )
    item = Evidence.objects.get(title="Volunteer mentoring scheme")
    team_page = client_for(cast.viewer).get(f"/evidence/{item.public_id}/").text
    assert f"by <bdi>{cast.partner}</bdi>" in team_page  # "Added … by", as for every item
    assessment_actions.do_submit(assessment, by=cast.coordinator)
    Assessment.objects.filter(pk=assessment.pk).update(visibility=Assessment.Visibility.PUBLISHED)
    for client in (client_for(None), client_for(cast.other)):
        page = client.get(factor_url(assessment, factor))
        assert "Volunteer mentoring scheme" not in page.text and str(cast.partner) not in page.text
    assert client_for(cast.other).get(f"/evidence/{item.public_id}/").status_code == 404
