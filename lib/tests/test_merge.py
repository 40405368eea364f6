"""Field-by-field merging of saves (lib.merge): what two editors of one thing each keep."""

from lib.merge import fingerprint, fingerprints, merge

LOADED = {"rating": 2, "justification": "We fund two language courses.", "q1-answer": "partly"}


def test_a_field_only_this_person_changed_is_applied() -> None:
    result = merge(LOADED, fingerprints(LOADED), {**LOADED, "justification": "We fund three courses."})
    assert result.apply == {"justification": "We fund three courses."}
    assert result.clean
    assert result.theirs == {}


def test_different_fields_changed_by_two_people_both_apply() -> None:
    stored = {**LOADED, "rating": 3}  # the other person's save
    result = merge(stored, fingerprints(LOADED), {**LOADED, "q1-answer": "yes"})
    assert result.apply == {"q1-answer": "yes"}
    assert result.clean
    # The page is told what the other person changed, so that it can take it in.
    assert result.theirs == {"rating": 3}


def test_a_field_this_person_did_not_touch_is_never_sent_back_over_a_newer_value() -> None:
    stored = {**LOADED, "justification": "Newer text by someone else."}
    result = merge(stored, fingerprints(LOADED), dict(LOADED))
    assert "justification" not in result.apply
    assert result.theirs == {"justification": "Newer text by someone else."}


def test_the_same_field_changed_by_both_to_different_texts_is_a_conflict() -> None:
    stored = {**LOADED, "justification": "Their text."}
    result = merge(stored, fingerprints(LOADED), {**LOADED, "justification": "My text.", "rating": 4})
    assert result.conflicts == ["justification"]
    assert not result.clean
    assert result.apply == {"rating": 4}  # what would apply once the conflict is decided


def test_the_same_field_changed_by_both_to_the_same_text_is_no_conflict() -> None:
    stored = {**LOADED, "justification": "Agreed text."}
    result = merge(stored, fingerprints(LOADED), {**LOADED, "justification": "Agreed text."})
    assert result.clean
    assert result.apply == {}


def test_a_field_without_a_loaded_fingerprint_is_applied_only_when_nothing_differs() -> None:
    result = merge(LOADED, {}, {"justification": "Typed without a loaded copy."})
    assert result.conflicts == ["justification"]
    assert merge(LOADED, {}, {"justification": LOADED["justification"]}).clean


def test_fingerprints_tell_values_apart_but_not_their_order_of_keys() -> None:
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})
    assert fingerprint("") != fingerprint(None)
    assert fingerprint(2) != fingerprint("2")
    assert len(fingerprint("x" * 10_000)) == 16
