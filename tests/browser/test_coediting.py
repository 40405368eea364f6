"""Two people on one key factor in two browsers (docs/quality.md R4, R5): autosaves of different fields both
apply and each page takes in the other's text; each page says who else is working on it; the same field
typed by both stops the second autosave, and the Save button's conflict screen lists only that field;
the history shows both edits. axe scans every state.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEMO_SETUP, autosave_answered, axe_violations, prepare_server, running_server

pytestmark = pytest.mark.browser

SETUP = (
    DEMO_SETUP
    + """
contributor = User.objects.get(email="contributor@demoville.example")
factor = [f for f in assessment.factors.select_related("key_factor").filter(rating__isnull=True)
          if f.answers.count() >= 2][0]
numbers = sorted(factor.answers.values_list("question__number", flat=True))
print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "coordinator": session(coordinator),
    "contributor": session(contributor),
    "assessment": str(assessment.public_id),
    "factor": factor.key_factor.slug,
    "questions": numbers[:2],
}))
"""
)
SAVED = re.compile(r"^Saved \d{1,2}:\d{2}")


@pytest.fixture(scope="module")
def coediting_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("coediting-server")
    env, people = prepare_server(tmp, f"{worker_id}_coediting", demo=True, setup=SETUP)
    with running_server(tmp, env) as url:
        yield url, people


def open_as(browser, url: str, people: dict, who: str):
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": people["cookie"], "value": people[who], "url": url}])
    page = context.new_page()
    page.goto(f"/assessments/{people['assessment']}/factors/{people['factor']}/")
    return context, page


def test_two_people_on_one_key_factor_both_keep_their_work(browser, coediting_server) -> None:
    url, people = coediting_server
    first_q, second_q = people["questions"]
    carl_context, carl = open_as(browser, url, people, "contributor")
    dana_context, dana = open_as(browser, url, people, "coordinator")
    try:
        carl_status = carl.locator("[data-autosave-status]")
        dana_status = dana.locator("[data-autosave-status]")
        assert axe_violations(carl) == [] and axe_violations(dana) == []

        # Different fields, at the same time: both saved.
        carl.locator(f"#id_q{first_q}-comment").fill("Carl: the welcome office covers every district.")
        expect(carl_status).to_have_text(SAVED, timeout=10_000)
        dana.locator("#id_justification").fill("Dana: rated after the workshop.")
        expect(dana_status).to_have_text(SAVED, timeout=10_000)
        # Dana's page took in Carl's comment, which she had not touched, and says Carl is working here.
        expect(dana.locator(f"#id_q{first_q}-comment")).to_have_value("Carl: the welcome office covers every district.")
        expect(dana.locator("[data-presence]")).to_contain_text("Also working on this key factor: Carl Contributor")
        assert axe_violations(dana) == []

        # Carl types on elsewhere: his page takes in Dana's justification without touching his own text.
        carl.locator(f"#id_q{second_q}-comment").fill("Carl: and the libraries.")
        expect(carl.locator("#id_justification")).to_have_value("Dana: rated after the workshop.", timeout=10_000)
        expect(carl.locator("[data-presence]")).to_contain_text("Dana Coordinator")
        expect(carl.locator(f"#id_q{second_q}-comment")).to_have_value("Carl: and the libraries.")
        assert axe_violations(carl) == []

        # The same field, typed by both: the second autosave is stopped, nothing is overwritten.
        with autosave_answered(carl):
            carl.locator("#id_justification").fill("Carl's justification.")
        expect(carl_status).to_have_text(SAVED, timeout=10_000)
        dana.locator("#id_justification").fill("Dana's justification.")
        expect(dana_status).to_contain_text("Not saved", timeout=10_000)
        assert axe_violations(dana) == []

        # Dana's Save button shows the conflict: only the justification, with Carl's text and hers.
        dana.get_by_role("button", name="Save the key factor").click()
        summary = dana.locator("[data-error-summary]")
        expect(summary).to_contain_text("Someone else changed a field you changed")
        assert dana.locator("input[name='keep']").count() == 1
        expect(dana.locator(".conflict-field")).to_contain_text("Carl's justification.")
        expect(dana.locator(".conflict-field")).to_contain_text("Saved by Carl Contributor")
        expect(dana.locator("#id_justification")).to_have_value("Dana's justification.")
        assert axe_violations(dana) == []

        # She keeps her own text; everything else stays as Carl saved it.
        dana.get_by_role("button", name="Save the key factor").click()
        dana.wait_for_url(f"**/assessments/{people['assessment']}/")
        dana.goto(f"/assessments/{people['assessment']}/factors/{people['factor']}/")
        expect(dana.locator("#id_justification")).to_have_value("Dana's justification.")
        expect(dana.locator(f"#id_q{second_q}-comment")).to_have_value("Carl: and the libraries.")
        expect(dana.locator(f"#id_q{first_q}-comment")).to_have_value("Carl: the welcome office covers every district.")

        # The history shows both people's edits.
        dana.goto(f"/assessments/{people['assessment']}/history/")
        history = dana.locator("main").inner_text()
        assert "Carl Contributor" in history and "Dana Coordinator" in history
        assert axe_violations(dana) == []
    finally:
        carl_context.close()
        dana_context.close()
