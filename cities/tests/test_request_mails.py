"""A workspace request reaches the network admins by mail; the decision reaches the requester (issue 9)."""

import pytest
from django.core import mail

from cities.models import WorkspaceRequest
from tests.support.cast import Cast, client_for, make_user

pytestmark = pytest.mark.django_db


def request_sampletown(cast: Cast, django_capture_on_commit_callbacks, *, message: str = "") -> WorkspaceRequest:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.viewer).post(
            "/workspaces/request/", {"city_name": "Sampletown", "country": "Testland", "message": message}
        )
    assert response.status_code == 302
    return WorkspaceRequest.objects.get(city_name="Sampletown")


def test_a_workspace_request_is_mailed_to_each_active_network_admin(cast: Cast, django_capture_on_commit_callbacks):
    second_admin = make_user("second@network.example", staff=True)
    former_admin = make_user("former@network.example", staff=True)
    former_admin.is_active = False
    former_admin.save()
    mail.outbox.clear()

    request_sampletown(cast, django_capture_on_commit_callbacks, message="We coordinate integration in the city.")

    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.admin.email, second_admin.email])
    message = mail.outbox[0]
    assert "Sampletown, Testland" in str(message.subject)
    assert cast.viewer.email in str(message.body)
    assert "We coordinate integration in the city." in str(message.body)
    assert "http://127.0.0.1/workspaces/" in str(message.body)


def test_approval_is_mailed_to_the_requester_with_the_workspace_link(cast: Cast, django_capture_on_commit_callbacks):
    pending = request_sampletown(cast, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.admin).post(f"/workspaces/requests/{pending.public_id}/approve/")

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == WorkspaceRequest.Status.APPROVED
    [message] = mail.outbox
    assert message.to == [cast.viewer.email]
    assert "Sampletown is open" in str(message.subject)
    assert "you are its coordinator" in str(message.body)
    assert f"http://127.0.0.1/workspaces/{pending.workspace.public_id}/" in str(message.body)


def test_refusal_is_mailed_to_the_requester_with_its_reason(cast: Cast, django_capture_on_commit_callbacks):
    pending = request_sampletown(cast, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.admin).post(
            f"/workspaces/requests/{pending.public_id}/decline/",
            {"reason": "Sampletown already has a workspace under its official name, Sample City."},
        )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == WorkspaceRequest.Status.DECLINED
    assert pending.decline_reason == "Sampletown already has a workspace under its official name, Sample City."
    [message] = mail.outbox
    assert message.to == [cast.viewer.email]
    assert "declined your request for a workspace for Sampletown" in str(message.body)
    assert "The reason they give:\nSampletown already has a workspace under its official name" in str(message.body)


def test_a_refusal_without_a_reason_says_no_reason(cast: Cast, django_capture_on_commit_callbacks):
    pending = request_sampletown(cast, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.admin).post(f"/workspaces/requests/{pending.public_id}/decline/")

    [message] = mail.outbox
    assert message.to == [cast.viewer.email]
    assert "declined" in str(message.body)
    assert "reason" not in str(message.body).lower()


def test_the_pending_request_offers_a_labelled_reason_field(cast: Cast, django_capture_on_commit_callbacks):
    pending = request_sampletown(cast, django_capture_on_commit_callbacks)
    page = client_for(cast.admin).get("/workspaces/")
    assert f'<label for="reason-{pending.public_id}">Reason for declining <bdi>Sampletown</bdi>' in page.text
    assert f'<textarea id="reason-{pending.public_id}" name="reason"' in page.text


def test_a_refusal_reason_cannot_disguise_itself(cast: Cast, django_capture_on_commit_callbacks):
    pending = request_sampletown(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.admin).post(
            f"/workspaces/requests/{pending.public_id}/decline/", {"reason": "Use \u202eeman rehto\u202d instead."}
        )
    pending.refresh_from_db()
    assert pending.decline_reason == "Use eman rehto instead."
