"""The evidence library and a key factor's evidence through HTTP: adding links, files and statistics, refused
uploads, the edit conflict screen, soft delete and restore, attaching and detaching with history, reuse in a
later assessment, downloads, no orphan files, purging, the export helper, the demo and query budgets."""

import io
import os
import time
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import actions as assessment_actions
from assessments.models import AssessmentEvent
from evidence import actions
from evidence.export import evidence_for_assessment
from evidence.models import Evidence, EvidenceEvent, EvidenceLink, age_in_words
from lib import uploads
from tests.support.cast import client_for
from tests.support.evidence import JPEG, PDF, PNG, a_factor, add_file, stored_files, upload

pytestmark = pytest.mark.django_db


def library_url(cast) -> str:
    return f"/workspaces/{cast.workspace.public_id}/evidence/"


def factor_url(assessment, factor, rest: str = "") -> str:
    return f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/{rest}"


def form(**fields: object) -> dict[str, object]:
    return {f"evidence-{k}": v for k, v in fields.items()}


def test_contributor_adds_a_link_and_sees_it_with_its_age(cast) -> None:
    client = client_for(cast.contributor)
    response = client.post(
        library_url(cast),
        form(
            kind="policy", title="Integration strategy 2030", url="https://aville.example/strategy", dated="2023-03-14"
        ),
    )
    assert response.status_code == 302
    item = Evidence.objects.get(title="Integration strategy 2030")
    assert (item.workspace, item.created_by, item.kind, item.file.name) == (
        cast.workspace,
        cast.contributor,
        "policy",
        "",
    )
    assert list(item.events.values_list("action", flat=True)) == ["created"]
    page = client.get(library_url(cast)).text
    assert "Integration strategy 2030" in page
    assert "dated 14 March 2023 · " in page
    assert "years old" in page
    assert "Not attached yet" in page


def test_a_file_is_stored_under_a_random_name_and_downloaded_as_an_attachment(cast, media_root) -> None:
    client = client_for(cast.contributor)
    # CR, LF and NUL in names are covered in test_uploads: the test client cannot send them in a header.
    hostile = upload("../../etc/Übersicht.pdf", PDF, content_type="text/html")
    response = client.post(library_url(cast), form(kind="other", title="Survey results", file=hostile))
    assert response.status_code == 302
    item = Evidence.objects.get(title="Survey results")
    assert item.file.name.startswith("evidence/") and item.file.name.endswith(".pdf")
    assert "Übersicht" not in item.file.name and ".." not in item.file.name
    assert item.file_name == "Übersicht.pdf"
    assert (item.file_type, item.file_size) == ("application/pdf", len(PDF))  # sniffed, not the browser's text/html
    assert [p.relative_to(media_root).as_posix() for p in stored_files(media_root)] == [item.file.name]

    download = client.get(f"/evidence/{item.public_id}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/pdf"
    assert (
        download["Content-Disposition"] == "attachment; filename=\"_bersicht.pdf\"; filename*=UTF-8''%C3%9Cbersicht.pdf"
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert "no-store" in download["Cache-Control"]
    assert "Download <bdi>Übersicht.pdf</bdi>" in client.get(library_url(cast)).text


def test_a_pdf_that_is_really_a_png_is_refused_and_the_typed_text_kept(cast, media_root) -> None:
    response = client_for(cast.contributor).post(
        library_url(cast), form(kind="other", title="Typed title", description="Typed words", file=upload("x.pdf", PNG))
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "its name and content must agree" in response.text
    assert 'href="#id_evidence-file"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="Typed title"' in response.text and "Typed words" in response.text
    assert "choose it again" in response.text
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"%PDF-1.7\n" + HTML),
        ("chart.png", b"\x89PNG\r\n\x1a\n" + HTML),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + HTML),
    ],
    ids=["pdf", "png", "jpeg"],
)
def test_an_html_file_that_starts_like_a_pdf_or_an_image_gets_the_forms_error(cast, media_root, name, content) -> None:
    response = client_for(cast.contributor).post(
        library_url(cast), form(kind="other", title="Typed title", file=upload(name, content))
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text and 'href="#id_evidence-file"' in response.text
    assert "it may be damaged or another kind of file" in response.text
    assert 'value="Typed title"' in response.text
    assert not Evidence.objects.exists() and stored_files(media_root) == []


def test_real_pdf_png_and_jpeg_files_are_added(cast, media_root) -> None:
    client = client_for(cast.contributor)
    for name, content in (("report.pdf", PDF), ("chart.png", PNG), ("photo.jpg", JPEG)):
        response = client.post(library_url(cast), form(kind="other", title=name, file=upload(name, content)))
        assert response.status_code == 302, name
    assert sorted(Evidence.objects.values_list("file_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]
    assert len(stored_files(media_root)) == 3


def named(name: str, content: bytes) -> io.BytesIO:
    """A file the test client sends under `name` as it is (SimpleUploadedFile would shorten it to 255)."""
    file = io.BytesIO(content)
    file.name = name
    return file


def test_a_file_name_of_5000_characters_gets_the_forms_error_and_keeps_what_was_typed(cast, media_root) -> None:
    client = client_for(cast.contributor)
    response = client.post(
        library_url(cast),
        form(kind="other", title="Typed title", description="Typed words", file=named("a" * 4996 + ".pdf", PDF)),
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text and 'href="#id_evidence-file"' in response.text
    assert "The file&#x27;s name is longer than 255 characters" in response.text
    assert 'value="Typed title"' in response.text and "Typed words" in response.text
    assert not Evidence.objects.exists() and stored_files(media_root) == []
    # A long name that a file system can hold is kept, shortened for display.
    response = client.post(library_url(cast), form(kind="other", title="Long", file=named("b" * 251 + ".pdf", PDF)))
    assert response.status_code == 302
    assert Evidence.objects.get().file_name == "b" * 146 + ".pdf"


def test_statistics_need_value_unit_year_and_source_and_may_cite_their_source_alone(cast) -> None:
    client = client_for(cast.contributor)
    response = client.post(library_url(cast), form(kind="statistic", title="Share born abroad"))
    assert response.status_code == 400
    for message in ("value", "unit", "year the statistic refers to", "source"):
        assert message in response.text
    response = client.post(
        library_url(cast),
        form(
            kind="statistic",
            title="Share born abroad",
            value="18.40",
            unit="%",
            reference_year="2024",
            source="Aville statistics office, population register 2024",
        ),
    )
    assert response.status_code == 302
    item = Evidence.objects.get(title="Share born abroad")
    assert (item.value, item.unit, item.reference_year, item.url, item.file.name) == (
        Decimal("18.4"),
        "%",
        2024,
        "",
        "",
    )
    page = client.get(library_url(cast)).text
    assert "18.4 <bdi>%</bdi>, 2024" in page
    assert "Cited source only" in page
    assert "data for 2024" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "policy", "title": "Nothing"}, "Give a link or choose a file."),
        ({"kind": "policy", "title": "Both", "url": "https://a.example/", "file": "PDF"}, "not both"),
        ({"kind": "policy", "title": "Script", "url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"kind": "", "title": "No kind", "url": "https://a.example/"}, "This field is required."),
        ({"kind": "policy", "title": "Future", "url": "https://a.example/", "dated": "2999-01-01"}, "in the future"),
    ],
)
def test_invalid_items_are_refused_with_a_message(cast, media_root, fields, message) -> None:
    if fields.get("file") == "PDF":
        fields["file"] = upload("r.pdf", PDF)
    response = client_for(cast.contributor).post(library_url(cast), form(**fields))
    assert response.status_code == 400
    assert message in response.text
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_skipped_before_it_is_stored(cast, settings, media_root, monkeypatch) -> None:
    settings.UPLOAD_MAX_BYTES = 1000
    client = client_for(cast.contributor)
    big = PDF + b"0" * 5000
    response = client.post(library_url(cast), form(kind="other", title="Too big", file=upload("big.pdf", big)))
    assert response.status_code == 400
    assert "larger than" in response.text and 'value="Too big"' in response.text
    # A request whose whole body is over the limit: the file is skipped at its first byte.
    monkeypatch.setattr(uploads.LimitedUploadHandler, "FORM_OVERHEAD", 0)
    received: list[int] = []
    original = uploads.LimitedUploadHandler.receive_data_chunk

    def counting(self, data: bytes, start: int) -> bytes:
        received.append(len(data))
        return original(self, data, start)

    monkeypatch.setattr(uploads.LimitedUploadHandler, "receive_data_chunk", counting)
    response = client.post(library_url(cast), form(kind="other", title="Too big", file=upload("big.pdf", big)))
    assert response.status_code == 400 and "larger than" in response.text
    assert received == []
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_stale_edit_gets_the_conflict_screen_and_keeps_both_texts(cast) -> None:
    item = actions.do_add_evidence(
        cast.workspace,
        actions.Fields(kind="project", title="Welcome desk", url="https://a.example/d"),
        by=cast.contributor,
    )
    data = {"lock_version": "0", "kind": "project", "url": "https://a.example/d"}
    first = client_for(cast.coordinator).post(f"/evidence/{item.public_id}/", data | {"title": "Stored title"})
    assert first.status_code == 302
    response = client_for(cast.contributor).post(f"/evidence/{item.public_id}/", data | {"title": "My typed title"})
    assert response.status_code == 409
    assert "Someone else saved this evidence meanwhile" in response.text
    assert "Stored title" in response.text and 'value="My typed title"' in response.text
    assert 'name="lock_version" value="1"' in response.text
    item.refresh_from_db()
    assert (item.title, item.lock_version) == ("Stored title", 1)
    # The second save, made knowingly, replaces it; the history says who changed what.
    again = client_for(cast.contributor).post(
        f"/evidence/{item.public_id}/", data | {"title": "My typed title", "lock_version": "1"}
    )
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.title == "My typed title"
    edits = list(item.events.filter(action="edited").values_list("changes", flat=True))
    assert edits == [
        {"title": {"from": "Welcome desk", "to": "Stored title"}},
        {"title": {"from": "Stored title", "to": "My typed title"}},
    ]
    page = client_for(cast.viewer).get(f"/evidence/{item.public_id}/").text
    assert "Edited by" in page and "Save the evidence" not in page


def test_delete_and_restore_within_30_days_with_history(cast, assessment) -> None:
    factor = a_factor(assessment)
    item = add_file(cast.workspace, cast.contributor)
    actions.do_attach_evidence(item, factor, None, by=cast.contributor)
    client = client_for(cast.contributor)
    assert client.post(f"/evidence/{item.public_id}/delete/").status_code == 302
    client.get(library_url(cast))  # shows (and so clears) the message naming the deleted item
    item.refresh_from_db()
    assert item.deleted_at is not None and item.deleted_by == cast.contributor
    assert default_storage.exists(item.file.name)  # kept until purged
    assert "Annual integration report" not in client.get(factor_url(assessment, factor)).text
    library = client.get(library_url(cast)).text
    assert "Recently deleted" in library and "Can be restored until" in library
    assert client.post(f"/evidence/{item.public_id}/restore/").status_code == 302
    assert "Annual integration report" in client.get(factor_url(assessment, factor)).text  # attachment back
    history = client.get(f"/evidence/{item.public_id}/").text
    for word in ("Added", "Attached", "Deleted", "Restored"):
        assert f"{word} by" in history
    # Past 30 days it can no longer be restored.
    actions.do_delete_evidence(item, by=cast.contributor)
    Evidence.objects.filter(pk=item.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    assert client.post(f"/evidence/{item.public_id}/restore/").status_code == 404


def test_evidence_of_a_submitted_assessment_cannot_be_deleted(cast, assessment) -> None:
    item = add_file(cast.workspace, cast.contributor)
    actions.do_attach_evidence(item, a_factor(assessment), None, by=cast.contributor)
    assessment_actions.do_submit(assessment, by=cast.coordinator)
    response = client_for(cast.contributor).post(f"/evidence/{item.public_id}/delete/", follow=True)
    assert "is not deleted" in response.text and "stays with it" in response.text
    item.refresh_from_db()
    assert item.deleted_at is None


def test_attach_to_a_question_add_and_attach_a_file_and_detach_with_history(cast, assessment, media_root) -> None:
    factor = a_factor(assessment)
    answer = factor.answers.select_related("question").first()
    item = actions.do_add_evidence(
        cast.workspace, actions.Fields(kind="policy", title="Strategy", url="https://a.example/s"), by=cast.coordinator
    )
    client = client_for(cast.contributor)
    page = client.get(factor_url(assessment, factor)).text
    assert "Attach evidence from the library" in page and "Add new evidence and attach it" in page
    response = client.post(
        factor_url(assessment, factor, "evidence/attach/"),
        {"attach-evidence": str(item.public_id), "attach-attach_to": str(answer.question.number)},
    )
    assert response.status_code == 302 and response["Location"].endswith("#evidence-heading")
    link = EvidenceLink.objects.get(evidence=item)
    assert (link.factor, link.question, link.added_by) == (factor, answer, cast.contributor)
    # Attaching it there again is refused with the error summary.
    again = client.post(
        factor_url(assessment, factor, "evidence/attach/"),
        {"attach-evidence": str(item.public_id), "attach-attach_to": str(answer.question.number)},
    )
    assert again.status_code == 400 and "already attached there" in again.text and "There is a problem" in again.text

    response = client.post(
        factor_url(assessment, factor, "evidence/new/"),
        form(attach_to="factor", kind="project", title="Pilot report", file=upload("pilot.pdf", PDF)),
    )
    assert response.status_code == 302
    new = Evidence.objects.get(title="Pilot report")
    assert EvidenceLink.objects.get(evidence=new).question is None
    page = client.get(factor_url(assessment, factor)).text
    assert f"For question {answer.question.number}" in page
    assert "Pilot report" in page and "added today" in page and "Strategy" in page

    events = list(AssessmentEvent.objects.filter(assessment=assessment, action__startswith="evidence").order_by("pk"))
    assert [(e.action, e.changes) for e in events] == [
        (
            "evidence_attached",
            {"key_factor": factor.key_factor.slug, "evidence": "Strategy", "question": answer.question.number},
        ),
        ("evidence_attached", {"key_factor": factor.key_factor.slug, "evidence": "Pilot report", "question": None}),
    ]
    assert client.post(factor_url(assessment, factor, f"evidence/{link.public_id}/detach/")).status_code == 302
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()
    detached = AssessmentEvent.objects.filter(assessment=assessment, action="evidence_detached").get()
    assert detached.changes == {
        "key_factor": factor.key_factor.slug,
        "evidence": "Strategy",
        "question": answer.question.number,
    }
    assert Evidence.objects.alive().filter(pk=item.pk).exists()  # detaching keeps the item in the library


def test_add_and_attach_errors_come_back_on_the_evidence_page(cast, assessment, media_root) -> None:
    factor = a_factor(assessment)
    response = client_for(cast.contributor).post(
        factor_url(assessment, factor, "evidence/new/"),
        form(attach_to="factor", kind="policy", title="Looks like a PDF", file=upload("fake.pdf", PNG)),
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text and "its name and content must agree" in response.text
    assert 'value="Looks like a PDF"' in response.text and "choose it again" in response.text
    assert not Evidence.objects.exists() and stored_files(media_root) == []


def test_a_submitted_assessment_shows_its_evidence_without_forms_and_refuses_changes(
    cast, assessment, media_root
) -> None:
    factor = a_factor(assessment)
    item = add_file(cast.workspace, cast.contributor)
    link = actions.do_attach_evidence(item, factor, None, by=cast.contributor)
    assessment_actions.do_submit(assessment, by=cast.coordinator)
    client = client_for(cast.contributor)
    page = client.get(factor_url(assessment, factor)).text
    assert "Annual integration report" in page and "Add and attach" not in page and "Detach" not in page
    response = client.post(
        factor_url(assessment, factor, "evidence/new/"),
        form(attach_to="factor", kind="other", title="Late", file=upload("late.pdf", PDF)),
    )
    assert response.status_code == 302
    assert "cannot be changed" in client.get(response["Location"]).text
    assert not Evidence.objects.filter(title="Late").exists()
    assert len(stored_files(media_root)) == 1  # the file stored for the refused item was removed again
    client.post(factor_url(assessment, factor, f"evidence/{link.public_id}/detach/"))
    assert EvidenceLink.objects.filter(pk=link.pk).exists()


def test_evidence_is_reused_in_a_later_assessment(cast, assessment) -> None:
    factor = a_factor(assessment)
    item = add_file(cast.workspace, cast.contributor)
    actions.do_attach_evidence(item, factor, None, by=cast.contributor)
    assessment_actions.do_submit(assessment, by=cast.coordinator)
    assessment_actions.do_finalise(assessment, by=cast.coordinator)
    later = assessment_actions.do_start_assessment(
        cast.workspace, assessment.benchmark_version, "2028", by=cast.coordinator
    )
    later_factor = later.factors.get(key_factor=factor.key_factor)
    client = client_for(cast.contributor)
    assert str(item.public_id) in client.get(factor_url(later, later_factor)).text  # offered in the attach list
    response = client.post(
        factor_url(later, later_factor, "evidence/attach/"),
        {"attach-evidence": str(item.public_id), "attach-attach_to": "factor"},
    )
    assert response.status_code == 302
    library = client.get(library_url(cast)).text
    assert "round 2026" in library and "round 2028" in library


def test_no_file_is_left_when_storage_fails_or_the_save_is_refused(cast, assessment, media_root, monkeypatch) -> None:
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(default_storage, "save", full)
    response = client_for(cast.contributor).post(
        library_url(cast), form(kind="other", title="Disk full", file=upload("a.pdf", PDF))
    )
    assert response.status_code == 400 and "The server has no room to store this file right now" in response.text
    assert not Evidence.objects.exists() and stored_files(media_root) == []


def test_purge_removes_items_deleted_over_30_days_ago_with_their_files_and_orphans(
    cast, assessment, media_root
) -> None:
    old = add_file(cast.workspace, cast.contributor, title="Old")
    actions.do_attach_evidence(old, a_factor(assessment), None, by=cast.contributor)
    recent = add_file(cast.workspace, cast.contributor, title="Recent")
    alive = add_file(cast.workspace, cast.contributor, title="Alive")
    for item in (old, recent):
        actions.do_delete_evidence(item, by=cast.contributor)
    Evidence.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    orphan = media_root / "evidence" / "0123456789abcdef0123456789abcdef.pdf"
    orphan.write_bytes(PDF)
    two_days_ago = time.time() - 2 * 86400
    os.utime(orphan, (two_days_ago, two_days_ago))
    out = StringIO()
    with pytest.MonkeyPatch.context():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("purge_deleted_evidence", stdout=out)
    assert "1 deleted item" in out.getvalue() and "1 orphan file" in out.getvalue()
    assert set(Evidence.objects.values_list("title", flat=True)) == {"Recent", "Alive"}
    names = {p.relative_to(media_root).as_posix() for p in stored_files(media_root)}
    assert names == {Evidence.objects.get(pk=recent.pk).file.name, alive.file.name}
    assert AssessmentEvent.objects.filter(action="evidence_detached", changes__purged=True).count() == 1


def test_export_helper_lists_the_assessments_evidence(cast, assessment) -> None:
    factor = a_factor(assessment)
    answer = factor.answers.select_related("question").first()
    stat = actions.do_add_evidence(
        cast.workspace,
        actions.Fields(
            kind="statistic",
            title="Share born abroad",
            value=Decimal("18.4"),
            unit="%",
            reference_year=2024,
            source="Register",
        ),
        by=cast.contributor,
        attach_to=factor,
        question=answer,
    )
    item = add_file(cast.workspace, cast.contributor)
    actions.do_attach_evidence(item, factor, None, by=cast.contributor)
    add_file(cast.workspace, cast.contributor, title="Not attached")
    rows = evidence_for_assessment(assessment)
    assert [r["title"] for r in rows] == ["Annual integration report", "Share born abroad"]
    report, statistic = rows
    assert report | {"age_days": 0} == {
        "title": "Annual integration report",
        "kind": "policy",
        "url": "",
        "file_name": "report.pdf",
        "file_size": len(PDF),
        "file_type": "application/pdf",
        "value": None,
        "unit": "",
        "reference_year": None,
        "source": "",
        "dated": None,
        "age_days": 0,
        "age_basis": "added",
        "key_factor": factor.key_factor.slug,
        "question": None,
    }
    assert (statistic["value"], statistic["reference_year"], statistic["question"]) == (
        "18.4",
        2024,
        answer.question.number,
    )
    assert statistic["age_basis"] == "reference_year"
    assert stat.pk


def test_age_in_words() -> None:
    today = date(2026, 4, 10)
    assert age_in_words(today, today, added=True) == "added today"
    assert age_in_words(date(2026, 4, 9), today) == "1 day old"
    assert age_in_words(date(2026, 3, 11), today) == "30 days old"
    assert age_in_words(date(2026, 3, 10), today) == "1 month old"
    assert age_in_words(date(2025, 6, 1), today) == "10 months old"
    assert age_in_words(date(2025, 4, 10), today) == "1 year old"
    assert age_in_words(date(2023, 3, 14), today) == "3 years old"


def test_load_demo_gives_demoville_evidence_once(db) -> None:
    call_command("load_demo", stdout=StringIO())
    titles = set(Evidence.objects.filter(workspace__city__slug="demoville").values_list("title", flat=True))
    assert len(titles) == 3
    assert Evidence.objects.filter(kind="statistic").exclude(url="").exists()
    assert EvidenceLink.objects.filter(evidence__workspace__city__slug="demoville").exists()
    call_command("load_demo", stdout=StringIO())
    assert Evidence.objects.count() == 3 and EvidenceEvent.objects.filter(action="created").count() == 3


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["contributor", "partner", "viewer"])
def test_query_budgets_do_not_grow_with_the_number_of_items(cast, assessment, who) -> None:
    factor = a_factor(assessment)
    answers = list(factor.answers.all())
    client = client_for(getattr(cast, who))
    client.get(library_url(cast))  # the session's first request does its one-off work (timeouts, MFA check)
    counts = []
    for size in (2, 10):
        while Evidence.objects.count() < size:
            n = Evidence.objects.count()
            item = (
                add_file(cast.workspace, cast.contributor, title=f"Item {n}")
                if n % 2
                else actions.do_add_evidence(
                    cast.workspace,
                    actions.Fields(kind="project", title=f"Item {n}", url=f"https://a.example/{n}"),
                    by=cast.contributor,
                )
            )
            actions.do_attach_evidence(item, factor, answers[n % len(answers)] if n % 3 else None, by=cast.contributor)
        counts.append(
            (
                queries(client, library_url(cast)),
                queries(client, factor_url(assessment, factor)),
                queries(client, factor_url(assessment, factor, "evidence/")),
                queries(client, f"/evidence/{item.public_id}/"),
            )
        )
    assert counts[0] == counts[1]
    assert max(counts[1]) <= 25
