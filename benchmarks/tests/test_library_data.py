"""The library in data/ against the toolkits it is copied from (../shared/seeds)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from benchmarks.library import normalise_space, repaired_text
from benchmarks.tests.seed_counts import RULES
from practices.library import read_library

LIBRARY = read_library(settings.LIBRARY_DATA_DIR)
SEEDS: Path = settings.SEEDS_DIR
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"the source toolkits are not at {SEEDS}; set SEEDS_DIR to compare against them"
)
EXPECTED_KEY_FACTORS = {  # as the seeds' README states them, where it does
    "labour-market-partnerships": 10,
    "public-perception": 11,
    "political-participation": 8,
}


def seed_text(benchmark: dict) -> str:
    return (SEEDS / benchmark["source"]["file"]).read_text(encoding="utf-8")


def comparable(text: str) -> str:
    """What "verbatim" means here: the same words, whitespace normalised, Markdown bold dropped."""
    return normalise_space(text.replace("**", ""))


def all_factors(benchmark: dict) -> list[dict]:
    return benchmark.get("common_factors", []) + benchmark["key_factors"]


def test_library_has_the_five_toolkits() -> None:
    files = sorted(b["source"]["file"] for b in LIBRARY.benchmarks)
    assert files == sorted(RULES)


@needs_seeds
@pytest.mark.parametrize("benchmark", LIBRARY.benchmarks, ids=lambda b: b["slug"])
def test_every_guide_question_appears_verbatim_in_its_toolkit(benchmark: dict) -> None:
    seed = comparable(seed_text(benchmark))
    missing = []
    for factor in all_factors(benchmark):
        for question in factor["guide_questions"]:
            if isinstance(question, str):
                if comparable(question) not in seed:
                    missing.append(question)
                continue
            # OCR'd toolkit: every printed fragment is in the seed, in reading order.
            position = 0
            for fragment in question["printed"]:
                found = seed.find(comparable(fragment), position)
                if found < 0:
                    missing.append(fragment)
                    break
                position = found + len(comparable(fragment))
    assert missing == []


@needs_seeds
@pytest.mark.parametrize("benchmark", LIBRARY.benchmarks, ids=lambda b: b["slug"])
def test_standard_and_factor_texts_are_the_toolkits_words(benchmark: dict) -> None:
    seed = comparable(seed_text(benchmark))
    assert comparable(benchmark["standard"]) in seed
    titles_not_found = [
        f["title"] for f in all_factors(benchmark) if comparable(f["title"]).lower() not in seed.lower()
    ]
    # Titles may be re-cased from capitals; the OCR'd toolkit's titles can wrap around stray marks.
    if benchmark["source"]["file"] != "004_4b547b947fdb7c14.txt":
        assert titles_not_found == []


def test_ocr_repairs_rebuild_each_question_from_what_was_printed() -> None:
    repaired = [
        q for b in LIBRARY.benchmarks for f in all_factors(b) for q in f["guide_questions"] if isinstance(q, dict)
    ]
    assert repaired, "the OCR'd toolkit needs recorded repairs"
    for question in repaired:
        assert repaired_text(question) == normalise_space(question["text"])


def test_ocr_repairs_are_recorded_in_a_comment_only_in_the_ocr_toolkit() -> None:
    for path in sorted((settings.LIBRARY_DATA_DIR / "benchmarks").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        mappings = len(re.findall(r"^\s*- text: ", text, flags=re.M))
        comments = len(re.findall(r"^\s*# OCR repair:", text, flags=re.M))
        if path.stem == "migrant-entrepreneurs":
            assert mappings > 0
            assert comments == mappings
        else:
            assert mappings == 0


@needs_seeds
@pytest.mark.parametrize("benchmark", LIBRARY.benchmarks, ids=lambda b: b["slug"])
def test_counts_of_key_factors_and_guide_questions_match_the_toolkit(benchmark: dict) -> None:
    counted_in_seed = RULES[benchmark["source"]["file"]](seed_text(benchmark))
    in_library = [len(f["guide_questions"]) for f in all_factors(benchmark)]
    assert in_library == counted_in_seed
    if benchmark["slug"] in EXPECTED_KEY_FACTORS:
        assert len(benchmark["key_factors"]) == EXPECTED_KEY_FACTORS[benchmark["slug"]]


def test_values_carries_the_three_common_factors() -> None:
    values = next(b for b in LIBRARY.benchmarks if b["programme"] == "values")
    assert len(values["common_factors"]) == 3
    assert all(b.get("common_factors", []) == [] for b in LIBRARY.benchmarks if b is not values)


def test_practice_summaries_hold_no_contact_details() -> None:
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
    leaks = [p["slug"] for p in LIBRARY.practices if email.search(p["summary"]) or "Contact:" in p["summary"]]
    assert leaks == []


def test_every_practice_is_tied_to_its_benchmark_and_a_known_city() -> None:
    cities = {c["slug"] for c in LIBRARY.cities}
    assert len(LIBRARY.practices) >= 100
    assert {p["benchmark"] for p in LIBRARY.practices} == {b["slug"] for b in LIBRARY.benchmarks}
    assert all(p["city"] in cities for p in LIBRARY.practices)


def test_only_values_case_studies_may_stand_without_a_key_factor() -> None:
    loose = {p["benchmark"] for p in LIBRARY.practices if not p.get("key_factors")}
    assert loose <= {"values-community-building"}
