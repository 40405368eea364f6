"""Workspace journeys in headless Chromium: a coordinator invites a partner with the keyboard alone;
axe scans every state of the workspace pages (empty, filled, with validation errors, admin view).

The pages need signed-in people. This module serves the app from its own database (as the shared
`server_url` fixture does), fills it with `load_demo` and a few real actions, and signs people in by
running Django's test Client `force_login` against that database in a `manage.py shell` subprocess;
the browser then carries the resulting session cookie. No login page is driven here: that is the
accounts journeys' job.
"""

import re
from collections.abc import Iterator

import pytest

from tests.support.browser import axe_violations, prepare_server, running_server, signed_in_page, tab_until

pytestmark = pytest.mark.browser


SETUP = """
import json, os
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from accounts.models import User
from cities import actions
from cities.models import Workspace
from tests.support.cast import set_up_mfa

call_command("load_demo", stdout=open(os.devnull, "w"))
workspace = Workspace.objects.get(city__slug="demoville")
coordinator = User.objects.get(email="coordinator@demoville.example")
set_up_mfa(coordinator)
now = timezone.now()
admin = User.objects.create_user(email="admin@network.example", password=None, email_verified=now, is_staff=True)
set_up_mfa(admin)
invitee = User.objects.create_user(email="invitee@demoville.example", password=None, email_verified=timezone.now())
viewer = User.objects.get(email="viewer@demoville.example")
actions.do_request_workspace(by=viewer, city_name="Sampletown", country="Fictional Republic", message="For our team.", site_url="http://testserver/")
_, token = actions.do_invite(workspace, by=coordinator, email=invitee.email, role="partner",
                             organisation="Demoville Welcome Volunteers", site_url="/")

def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "coordinator": session(coordinator), "admin": session(admin), "invitee": session(invitee),
    "viewer": session(viewer), "workspace": str(workspace.public_id), "token": token,
}))
"""


@pytest.fixture(scope="module")
def workspace_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("workspace-server")
    env, people = prepare_server(tmp, f"{worker_id}_workspaces", library=False, setup=SETUP)
    with running_server(tmp, env) as url:
        yield url, people


def test_coordinator_invites_a_partner_with_the_keyboard_alone(browser, workspace_server) -> None:
    context, page = signed_in_page(browser, workspace_server, "coordinator")
    try:
        page.goto("/workspaces/")
        assert page.locator("h1").inner_text() == "Your workspaces"
        assert axe_violations(page) == []

        tab_until(page, "el => el.tagName === 'A' && el.textContent.trim() === 'Demoville'")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/workspaces/[0-9a-f-]{36}/$"))
        assert page.locator("h1").inner_text() == "Demoville workspace"
        assert "Demoville Welcome Volunteers" in page.locator("table").first.inner_text()
        assert axe_violations(page) == []

        # First attempt: a partner without an organisation.
        tab_until(page, "el => el.id === 'id_email'")
        page.keyboard.type("welcome-circle@demoville.example")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "id_role"
        page.keyboard.type("Partner")
        assert page.evaluate("document.activeElement.value") == "partner"
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Send invitation'")
        with page.expect_navigation() as refused:
            page.keyboard.press("Enter")
        assert refused.value.status == 400
        page.wait_for_selector("[data-error-summary]")
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        assert "Name the organisation a partner speaks for." in page.locator(".error-summary").inner_text()
        assert page.locator("#id_organisation").get_attribute("aria-invalid") == "true"
        assert axe_violations(page) == []

        # The summary links to the field; the typed address and role are kept.
        tab_until(page, "el => el.getAttribute('href') === '#id_organisation'")
        page.keyboard.press("Enter")
        if page.evaluate("document.activeElement.id") != "id_organisation":
            tab_until(page, "el => el.id === 'id_organisation'", limit=5)
        assert page.locator("#id_email").input_value() == "welcome-circle@demoville.example"
        page.keyboard.type("Demoville Welcome Circle")
        page.keyboard.press("Enter")
        page.wait_for_selector(".message")
        assert "Invitation sent to welcome-circle@demoville.example" in page.locator(".messages").inner_text()
        pending = page.locator("table").nth(1).inner_text()
        assert "welcome-circle@demoville.example" in pending
        assert "Demoville Welcome Circle" in pending
        assert axe_violations(page) == []
        # The only console message is Chromium's note on the failed submit's status 400, sent on purpose.
        assert [e for e in page.console_errors if "status of 400" not in e] == []
    finally:
        context.close()


def test_workspace_pages_in_every_state_have_no_axe_violations(browser, workspace_server) -> None:
    _url, people = workspace_server
    workspace = f"/workspaces/{people['workspace']}/"

    context, page = signed_in_page(browser, workspace_server, "coordinator")
    try:
        page.goto(workspace)
        page.locator("summary", has_text="Change the role of Dana Coordinator").click()  # a change-role form, opened
        assert axe_violations(page) == []
        # A role change that would leave no coordinator: refused with a form error.
        form = page.locator("details[open] form")
        form.locator("select").select_option("viewer")
        with page.expect_navigation() as refused:
            form.locator("button").click()
        assert refused.value.status == 400
        page.wait_for_selector("[data-error-summary]")
        assert "last coordinator" in page.locator(".error-summary").inner_text()
        assert axe_violations(page) == []
    finally:
        context.close()

    context, page = signed_in_page(browser, workspace_server, "viewer")
    try:
        page.goto(workspace)  # a member who does not manage: no forms
        assert page.locator("#id_email").count() == 0
        assert axe_violations(page) == []
        page.goto("/workspaces/")
        with page.expect_navigation() as refused:
            page.get_by_role("button", name="Send request").click()  # empty: validation errors
        assert refused.value.status == 400
        page.wait_for_selector("[data-error-summary]")
        assert axe_violations(page) == []
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    finally:
        context.close()

    context, page = signed_in_page(browser, workspace_server, "admin")
    try:
        page.goto("/workspaces/")
        assert "Sampletown" in page.locator("main").inner_text()  # a pending request
        assert axe_violations(page) == []
        with page.expect_navigation() as refused:
            page.get_by_role("button", name="Open workspace").click()  # no city chosen
        assert refused.value.status == 400
        page.wait_for_selector("[data-error-summary]")
        assert axe_violations(page) == []
    finally:
        context.close()

    context, page = signed_in_page(browser, workspace_server, "invitee")
    try:
        link = f"/workspaces/invitations/{people['token']}/"
        page.goto(link)
        assert axe_violations(page) == []
        page.get_by_role("button", name="Accept the invitation").click()
        page.wait_for_url(f"**{workspace}")
        assert "Welcome to the Demoville workspace" in page.locator(".messages").inner_text()
        page.goto(link)  # used: a clear message
        assert "already been accepted" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        assert page.console_errors == []
    finally:
        context.close()
