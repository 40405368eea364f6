"""The autosave answers that static/js/autosave.js reads, checked against their TypedDicts
(editing/answers.py) on real requests to the key factor's autosave: every answer has the keys its type
names, no more, and its `reason` is one the type allows."""

import json
import uuid
from typing import Any, get_args, get_type_hints

import pytest
from django.test import Client

from assessments.models import Assessment, FactorAssessment, QuestionAnswer, factor_fields
from editing import answers
from lib.merge import fingerprints
from tests.support.cast import Cast, client_for

pytestmark = pytest.mark.django_db


def conforms(answer: dict[str, Any], typed: Any) -> None:
    required, optional = set(typed.__required_keys__), set(typed.__optional_keys__)
    assert required <= set(answer) <= required | optional, (typed.__name__, sorted(answer))
    reason = get_type_hints(typed).get("reason")
    if reason is not None:
        assert answer["reason"] in get_args(reason), (typed.__name__, answer["reason"])


def factor_of(assessment: Assessment) -> FactorAssessment:
    factor = assessment.factors.filter(answers__isnull=False).select_related("key_factor").distinct().first()
    assert factor is not None
    return factor


def page_data(factor: FactorAssessment, *, merged: bool, seq: int, **values: Any) -> dict[str, Any]:
    """The form as the page sends it: every field, a new save id, the page's numbering, and (merged) the
    fingerprints of what it was loaded with."""
    stored = factor_fields(factor, list(QuestionAnswer.objects.filter(factor=factor).select_related("question")))
    data = {key: "" if value is None else value for key, value in stored.items()}
    data |= {"lock_version": factor.lock_version, "save_id": uuid.uuid4(), "page": uuid.uuid4(), "seq": seq}
    if merged:
        data["loaded"] = json.dumps(fingerprints(stored))
    return data | values


def autosave(client: Client, assessment: Assessment, factor: FactorAssessment, data: dict[str, Any]) -> Any:
    url = f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/autosave/"
    return client.post(url, data, HTTP_ACCEPT="application/json")


def test_every_autosave_answer_has_the_shape_of_its_type(cast: Cast, assessment: Assessment) -> None:
    factor = factor_of(assessment)
    url = f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/autosave/"
    coordinator, contributor = client_for(cast.coordinator), client_for(cast.contributor)

    state = coordinator.get(url, HTTP_ACCEPT="application/json")
    assert state.status_code == 200
    conforms(state.json(), answers.State)

    before = page_data(factor, merged=True, seq=1)  # the contributor's page, loaded now
    whole = autosave(coordinator, assessment, factor, page_data(factor, merged=False, seq=1, justification="A."))
    assert whole.status_code == 200, whole.content
    conforms(whole.json(), answers.Saved)

    factor.refresh_from_db()
    merged = autosave(coordinator, assessment, factor, page_data(factor, merged=True, seq=2, justification="B."))
    assert merged.status_code == 200
    conforms(merged.json(), answers.Merged)

    same_field = autosave(contributor, assessment, factor, before | {"justification": "C."})
    assert same_field.status_code == 409
    conforms(same_field.json(), answers.Conflicted)
    assert same_field.json()["fields"] == ["justification"]

    stale = autosave(contributor, assessment, factor, page_data(factor, merged=False, seq=1, lock_version=0))
    assert stale.status_code == 409
    conforms(stale.json(), answers.Conflicted)

    invalid = autosave(coordinator, assessment, factor, page_data(factor, merged=False, seq=3, rating="99"))
    assert invalid.status_code == 400
    conforms(invalid.json(), answers.Invalid)

    viewer = autosave(client_for(cast.viewer), assessment, factor, page_data(factor, merged=False, seq=1))
    assert viewer.status_code == 404
    conforms(viewer.json(), answers.Refused)

    signed_out = autosave(Client(), assessment, factor, page_data(factor, merged=False, seq=1))
    assert signed_out.status_code == 401
    conforms(signed_out.json(), answers.Refused)

    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    factor.refresh_from_db()
    refused = autosave(coordinator, assessment, factor, page_data(factor, merged=False, seq=4))
    assert refused.status_code == 409
    conforms(refused.json(), answers.Refused)
    assert refused.json()["reason"] == "refused"
