"""Learning from a practice (URBACT's "understand, adapt, re-use"): an action names the practice of the library it
adapts, of the mentor city or any other, with what is kept, what is changed and why; through the action's form
(its Save button and its autosave, merged by field), its history, and the plan's page, PDF and workbook."""

import shutil
import subprocess
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from actionplans.models import Action, ActionPlan, ActionPlanEvent
from practices.models import Practice
from tests.support.cast import Cast, client_for
from tests.support.forms import FormReader

pytestmark = pytest.mark.django_db


def page_form(client: Client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    reader = FormReader()
    reader.feed(response.content.decode())
    forms = [values for values in reader.forms if "loaded" in values]
    assert len(forms) == 1
    return forms[0]


def first_action(plan: ActionPlan) -> Action:
    action = plan.actions.alive().order_by("position").first()
    assert action is not None
    return action


def of_this_benchmark(plan: ActionPlan) -> Practice:
    practice = Practice.objects.filter(benchmark=plan.assessment.benchmark_version.benchmark).order_by("slug").first()
    assert practice is not None, "the library has practices of the plan's benchmark"
    return practice


def adapted(client: Client, action: Action, practice: Practice, **texts: str) -> Any:
    data = page_form(client, action.get_absolute_url())
    data |= {"adapts_practice": practice.slug} | texts
    return client.post(action.get_absolute_url(), data)


def test_the_form_lists_this_benchmarks_practices_first_then_the_others(cast: Cast, plan: ActionPlan) -> None:
    action = first_action(plan)
    html = client_for(cast.contributor).get(action.get_absolute_url()).content.decode()
    this, others = (
        html.index('label="Practices of this benchmark"'),
        html.index('label="Practices of other benchmarks"'),
    )
    assert this < others
    practice = of_this_benchmark(plan)
    other = Practice.objects.exclude(benchmark=practice.benchmark).order_by("slug").first()
    assert other is not None
    assert this < html.index(f'value="{practice.slug}"') < others < html.index(f'value="{other.slug}"')
    assert "What is kept" in html and "What is changed" in html and "Why it is changed" in html


def test_the_team_names_the_practice_it_adapts_and_the_history_and_plan_show_it(cast: Cast, plan: ActionPlan) -> None:
    action = first_action(plan)
    practice = of_this_benchmark(plan)
    client = client_for(cast.contributor)
    response = adapted(
        client,
        action,
        practice,
        adaptation_kept="The one-stop desk.",
        adaptation_changed="Run by the libraries.",
        adaptation_why="Our libraries are open late.",
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.adapts_practice == practice
    assert (action.adaptation_kept, action.adaptation_changed, action.adaptation_why) == (
        "The one-stop desk.",
        "Run by the libraries.",
        "Our libraries are open late.",
    )
    event = ActionPlanEvent.objects.filter(plan=plan, action=ActionPlanEvent.Action.ACTION_SAVED).latest("pk")
    assert event.changes["adapts_practice"] == {"from": "", "to": practice.slug}
    assert event.changes["adaptation_kept"] == {"from": "", "to": "The one-stop desk."}
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f'href="{practice.get_absolute_url()}"' in page
    # Readers without the form (a viewer) see it on the action's page, with the three texts.
    seen = client_for(cast.viewer).get(action.get_absolute_url()).content.decode()
    assert f'href="{practice.get_absolute_url()}"' in seen and "Our libraries are open late." in seen


def test_an_unknown_practice_is_refused_and_none_clears_it(cast: Cast, plan: ActionPlan) -> None:
    action = first_action(plan)
    client = client_for(cast.coordinator)
    data = page_form(client, action.get_absolute_url()) | {"adapts_practice": "no-such-practice"}
    assert client.post(action.get_absolute_url(), data).status_code == 400
    assert adapted(client, action, of_this_benchmark(plan)).status_code == 302
    data = page_form(client, action.get_absolute_url()) | {"adapts_practice": ""}
    assert client.post(action.get_absolute_url(), data).status_code == 302
    action.refresh_from_db()
    assert action.adapts_practice is None


def test_autosaves_of_the_practice_and_of_its_texts_merge_by_field(cast: Cast, plan: ActionPlan) -> None:
    action = first_action(plan)
    first, second = client_for(cast.coordinator), client_for(cast.contributor)
    url = action.get_absolute_url()
    page_1, page_2 = page_form(first, url), page_form(second, url)
    practice = of_this_benchmark(plan)

    def autosave(client: Client, data: dict[str, str]) -> Any:
        body = {**data, "save_id": uuid.uuid4(), "page": uuid.uuid4(), "seq": 1}
        return client.post(f"{url}autosave/", body, HTTP_ACCEPT="application/json")

    assert autosave(first, page_1 | {"adapts_practice": practice.slug}).status_code == 200
    response = autosave(second, page_2 | {"adaptation_why": "Smaller budget."})
    assert response.status_code == 200, response.content
    assert response.json()["theirs"] == {"adapts_practice": practice.slug}
    action.refresh_from_db()
    assert (action.adapts_practice, action.adaptation_why) == (practice, "Smaller budget.")
    # The same field changed by both to different values is a conflict, listed by its name.
    other = Practice.objects.exclude(pk=practice.pk).order_by("slug").first()
    assert other is not None
    page_3 = page_form(second, url)
    assert autosave(first, page_form(first, url) | {"adaptation_kept": "All of it."}).status_code == 200
    clash = autosave(second, page_3 | {"adaptation_kept": "Half of it."})
    assert clash.status_code == 409 and "adaptation_kept" in clash.content.decode()


def test_the_pdf_and_the_workbook_show_the_practice_and_the_three_texts(
    cast: Cast, plan: ActionPlan, tmp_path: Path
) -> None:
    action = first_action(plan)
    practice = of_this_benchmark(plan)
    client = client_for(cast.coordinator)
    texts = {"adaptation_kept": "Kept desk", "adaptation_changed": "Changed hours", "adaptation_why": "Why budget"}
    assert adapted(client, action, practice, **texts).status_code == 302
    response = client.get(f"/assessments/{plan.assessment.public_id}/plan/download.xlsx")
    book = load_workbook(BytesIO(response.content))
    rows = list(book["Actions"].iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Practice it adapts"] == practice.title
    assert record["City of the practice"] == practice.city.name
    assert (record["What is kept"], record["What is changed"], record["Why it is changed"]) == tuple(texts.values())
    pdf = client.get(f"/assessments/{plan.assessment.public_id}/plan/download.pdf").content
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian's poppler-utils) is needed; `make test` installs it")
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "Learning from a practice" in text
    assert " ".join(practice.title.split()) in text
    for value in texts.values():
        assert value in text
