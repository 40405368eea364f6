"""load_library: atomic, idempotent, version-aware; errors name file, path and problem."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from benchmarks.models import Benchmark, BenchmarkVersion, GuideQuestion, KeyFactor
from cities.models import City
from practices.models import ContactPerson, Practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(settings.LIBRARY_DATA_DIR, target)
    return target


def edit_yaml(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def run_load(data_dir: Path | None = None) -> str:
    out = StringIO()
    args = ["--data-dir", str(data_dir)] if data_dir else []
    call_command("load_library", *args, stdout=out)
    return out.getvalue()


def test_second_run_reports_nothing_created_or_updated() -> None:
    # The session fixture already loaded the library once.
    assert "Library loaded: 0 created, 0 updated" in run_load()


def test_loaded_library_has_every_benchmark_factor_question_and_practice() -> None:
    assert Benchmark.objects.published().count() == 5
    assert KeyFactor.objects.current().count() == 3 + 4 + 10 + 11 + 8 + 9
    assert GuideQuestion.objects.filter(key_factor__in=KeyFactor.objects.current()).count() == 24 + 34 + 72 + 29 + 40
    assert Practice.objects.count() >= 100
    assert City.objects.get(slug="cesena").charter_signed.isoformat() == "2020-12-01"


def test_changed_benchmark_becomes_a_new_version_and_the_old_one_stays_readable(
    data_copy: Path, client: Client
) -> None:
    benchmark = Benchmark.objects.get(slug="public-perception")
    old = benchmark.current_version
    old_standard = old.standard
    factor = old.factors.get(number=1, kind="key")

    def change(data: dict) -> None:
        data["standard"] = data["standard"] + " (Revised.)"

    edit_yaml(data_copy / "benchmarks" / "public-perception.yaml", change)
    output = run_load(data_copy)

    assert "benchmark versions: 1 created" in output
    benchmark.refresh_from_db()
    assert benchmark.current_version.number == old.number + 1
    assert benchmark.current_version.standard.endswith("(Revised.)")
    old.refresh_from_db()
    assert old.standard == old_standard
    assert old.factors.count() == 11
    # Practices follow the current version; the old version's page still shows its own text.
    assert Practice.objects.filter(key_factors__version=benchmark.current_version).exists()
    page = client.get(f"/benchmarks/public-perception/versions/{old.number}/")
    assert page.status_code == 200
    assert old_standard in page.content.decode()
    assert "which has been replaced" in page.content.decode()
    factor_page = client.get(f"/benchmarks/public-perception/versions/{old.number}/factors/{factor.slug}/")
    assert factor_page.status_code == 200
    assert "Revised" in client.get("/benchmarks/public-perception/").content.decode()
    # And loading the same files again is a no-op.
    assert "0 created, 0 updated" in run_load(data_copy)


def test_invalid_file_is_reported_with_file_path_and_problem_and_nothing_changes(data_copy: Path) -> None:
    def break_it(data: dict) -> None:
        data["key_factors"][2]["guide_questions"] = []
        data["standard"] = "This change must not land."

    edit_yaml(data_copy / "benchmarks" / "political-participation.yaml", break_it)
    versions_before = BenchmarkVersion.objects.count()
    with pytest.raises(CommandError) as error:
        run_load(data_copy)
    message = str(error.value)
    assert "benchmarks/political-participation.yaml" in message
    assert "/key_factors/2/guide_questions" in message
    assert "should be non-empty" in message
    assert BenchmarkVersion.objects.count() == versions_before


def test_unknown_reference_is_named(data_copy: Path) -> None:
    def wrong_city(data: list) -> None:
        data[1]["city"] = "atlantis"

    edit_yaml(data_copy / "practices" / "labour-market-partnerships.yaml", wrong_city)
    with pytest.raises(
        CommandError, match=r"practices/labour-market-partnerships.yaml: /1/city: unknown city 'atlantis'"
    ):
        run_load(data_copy)


def test_a_bad_ocr_repair_is_refused(data_copy: Path) -> None:
    def bad_repair(data: dict) -> None:
        for factor in data["key_factors"]:
            for question in factor["guide_questions"]:
                if isinstance(question, dict):
                    question["text"] = question["text"] + " Invented words?"
                    return

    edit_yaml(data_copy / "benchmarks" / "migrant-entrepreneurs.yaml", bad_repair)
    with pytest.raises(CommandError, match="repairs applied to the printed fragments do not give the text"):
        run_load(data_copy)


def test_yaml_syntax_error_names_the_line(data_copy: Path) -> None:
    (data_copy / "topics.yaml").write_text("- slug: leadership\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"topics.yaml: line \d+, column \d+: not valid YAML"):
        run_load(data_copy)


def test_reload_keeps_recorded_consent_of_contact_persons(data_copy: Path) -> None:
    contact = ContactPerson.objects.exclude(email="").first()
    assert contact is not None
    contact.consent_to_publish = "2026-01-01T00:00:00Z"
    contact.save()

    def retitle(data: list) -> None:
        for item in data:
            if item["slug"] == contact.practice.slug:
                item["title"] = "Retitled practice"

    edit_yaml(data_copy / "practices" / f"{contact.practice.benchmark.slug}.yaml", retitle)
    assert "practices: 0 created, 1 updated" in run_load(data_copy)
    contact.refresh_from_db()
    assert contact.consent_to_publish is not None


def test_export_library_prints_the_whole_library_without_personal_data() -> None:
    out = StringIO()
    call_command("export_library", stdout=out)
    exported = json.loads(out.getvalue())
    assert [p["slug"] for p in exported["programmes"]] == ["mixities", "implementoring", "cities-grow", "values"]
    by_slug = {b["slug"]: b for b in exported["benchmarks"]}
    labour = by_slug["labour-market-partnerships"]
    assert labour["version"] == 1
    assert labour["standard"].startswith("The city works with partners")
    assert len(labour["key_factors"]) == 10
    first = labour["key_factors"][0]
    assert first["guide_questions"][0].startswith("Is there a strategy or framework")
    assert all(f["example_cities"] for f in labour["key_factors"])
    assert len(by_slug["values-community-building"]["common_factors"]) == 3
    assert labour["context_factors"]
    assert {c["role"] for c in exported["charter"]["commitments"]} == {
        "policymaker",
        "service-provider",
        "employer",
        "buyer",
    }
    assert {"slug": "cesena", "charter_signed": "2020-12"}.items() <= next(
        c for c in exported["cities"] if c["slug"] == "cesena"
    ).items()
    assert len(exported["practices"]) == Practice.objects.count()
    emails = list(ContactPerson.objects.exclude(email="").values_list("email", flat=True))
    assert emails
    assert not any(email in out.getvalue() for email in emails)


def test_a_version_can_carry_translations_and_falls_back_to_english() -> None:
    original = Benchmark.objects.get(slug="political-participation").current_version
    french = BenchmarkVersion.objects.create(
        benchmark=original.benchmark,
        number=original.number,
        language="fr",
        translation_of=original,
        year=original.year,
        title="Engagement des communautés migrantes",
        standard="Norme traduite (essai).",
        introduction="Introduction.",
        rating_scale=original.rating_scale,
        source_title=original.source_title,
        source_publisher=original.source_publisher,
        source_year=original.source_year,
        source_file=original.source_file,
        content_hash="test",
    )
    assert original.in_language("fr") == french
    assert original.in_language("de") == original
    assert original.in_language("en") == original


def test_a_practice_a_later_load_adds_is_dated_and_the_first_loads_are_not(data_copy: Path) -> None:
    # The session fixture's load was the first: its practices were in the toolkits from the start.
    assert not Practice.objects.filter(added_at__isnull=False).exists()
    first = Practice.objects.select_related("benchmark", "city").order_by("pk").first()
    assert first is not None

    def add(data: list) -> None:
        copy = {**next(item for item in data if item["slug"] == first.slug), "slug": "a-practice-added-later"}
        copy["title"] = "A practice added later"
        data.append(copy)

    edit_yaml(data_copy / "practices" / f"{first.benchmark.slug}.yaml", add)
    assert "practices: 1 created, 0 updated" in run_load(data_copy)
    added = Practice.objects.get(slug="a-practice-added-later")
    assert added.added_at is not None
    assert not Practice.objects.exclude(pk=added.pk).filter(added_at__isnull=False).exists()
