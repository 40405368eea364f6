"""Read, validate and write the benchmark content of the library in data/*.yaml: programmes, topics,
rating scales, the charter, benchmarks and cities. The practices are practices.library's, whose
`load_library` loads the whole library in one transaction.

`read_library` parses and validates every file and cross-checks references, raising a
LibraryError that names the file, the path inside it and what is wrong. `write_library` writes it:
idempotent (a second run creates and updates nothing) and version-aware (a changed benchmark becomes
a new BenchmarkVersion; older versions stay as they were).
"""

import datetime
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.db import transaction

from benchmarks.models import (
    Benchmark,
    BenchmarkVersion,
    Charter,
    CharterCommitment,
    ContextFactor,
    GuideQuestion,
    KeyFactor,
    Programme,
    RatingLevel,
    RatingScale,
    Topic,
)
from cities.models import City

SCHEMA_FILE = "schema.yaml"
# libyaml's parser is about ten times faster than the pure-Python one; both are safe loaders.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LibraryError(Exception):
    def __init__(self, file: str, path: str, message: str) -> None:
        self.file, self.path, self.message = file, path, message
        super().__init__(f"{file}: {path or '/'}: {message}")


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space, as the toolkit texts are compared."""
    return re.sub(r"\s+", " ", text).strip()


def normalise_paragraphs(text: str) -> str:
    """Normalise whitespace inside paragraphs, keeping blank-line paragraph breaks and `- ` list lines."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [normalise_space(line) for line in block.splitlines() if line.strip()]
        if any(line.startswith("- ") for line in lines):
            paragraphs.append("\n".join(lines))
        else:
            paragraphs.append(" ".join(lines))
    return "\n\n".join(p for p in paragraphs if p)


def question_text(question: str | dict[str, Any]) -> str:
    return normalise_space(question if isinstance(question, str) else question["text"])


def repaired_text(question: dict[str, Any]) -> str:
    """Apply a question's recorded OCR repairs to its printed fragments."""
    joined = " ".join(normalise_space(p) for p in question["printed"])
    for repair in question["repairs"]:
        joined = joined.replace(repair["printed"], repair["text"], 1)
    return normalise_space(joined)


@dataclass
class Library:
    programmes: list[dict[str, Any]]
    topics: list[dict[str, Any]]
    rating_scales: list[dict[str, Any]]
    charter: dict[str, Any]
    benchmarks: list[dict[str, Any]]
    cities: list[dict[str, Any]]


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        detail = ", ".join(f"{k}: {self.created[k]} created, {self.updated[k]} updated" for k in kinds)
        text = f"{self.total_created} created, {self.total_updated} updated"
        return f"{text} ({detail})" if detail else text


@cache
def _schema(data_dir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load((data_dir / SCHEMA_FILE).read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506
    return loaded


def read_file(data_dir: Path, path: Path, kind: str) -> Any:
    """One file of data_dir, validated against the schema's entry `kind`."""
    name = str(path.relative_to(data_dir))
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise LibraryError(name, "", "file is missing") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise LibraryError(name, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    schema = _schema(data_dir)
    validator = jsonschema.Draft202012Validator({"$ref": f"#/$defs/{kind}", "$defs": schema["$defs"]})
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        # The deepest error is the most specific one for oneOf/anyOf failures.
        error = max(errors, key=lambda e: len(e.absolute_path))
        best = jsonschema.exceptions.best_match([error]) or error
        raise LibraryError(name, "/" + "/".join(map(str, best.absolute_path)), best.message)
    return data


def _check_unique(name: str, items: list[dict[str, Any]], key: str, where: str = "") -> None:
    seen: set[Any] = set()
    for index, item in enumerate(items):
        if item[key] in seen:
            raise LibraryError(name, f"{where}/{index}/{key}", f"{item[key]!r} is used twice")
        seen.add(item[key])


def read_library(data_dir: Path) -> Library:
    """Parse and validate the benchmark content; raise LibraryError at the first problem."""
    programmes = read_file(data_dir, data_dir / "programmes.yaml", "programmes")
    _check_unique("programmes.yaml", programmes, "slug")
    topics = read_file(data_dir, data_dir / "topics.yaml", "topics")
    _check_unique("topics.yaml", topics, "slug")
    scales = read_file(data_dir, data_dir / "rating_scales.yaml", "rating_scales")
    _check_unique("rating_scales.yaml", scales, "slug")
    charter = read_file(data_dir, data_dir / "charter.yaml", "charter")
    programme_slugs = {p["slug"] for p in programmes}
    scale_slugs = {s["slug"] for s in scales}
    topic_slugs = {t["slug"] for t in topics}

    benchmarks = []
    for path in sorted((data_dir / "benchmarks").glob("*.yaml")):
        name = str(path.relative_to(data_dir))
        data = read_file(data_dir, path, "benchmark")
        if data["slug"] != path.stem:
            raise LibraryError(name, "/slug", f"{data['slug']!r} must match the file name {path.stem!r}")
        if data["programme"] not in programme_slugs:
            raise LibraryError(name, "/programme", f"unknown programme {data['programme']!r}")
        if data.get("rating_scale", "default") not in scale_slugs:
            raise LibraryError(name, "/rating_scale", f"unknown rating scale {data['rating_scale']!r}")
        factors = [("common_factors", f) for f in data.get("common_factors", [])]
        factors += [("key_factors", f) for f in data["key_factors"]]
        seen: set[str] = set()
        counters: Counter[str] = Counter()
        for group, factor in factors:
            index = counters[group]
            counters[group] += 1
            where = f"/{group}/{index}"
            if factor["slug"] in seen:
                raise LibraryError(name, f"{where}/slug", f"{factor['slug']!r} is used twice")
            seen.add(factor["slug"])
            for topic in factor["topics"]:
                if topic not in topic_slugs:
                    raise LibraryError(name, f"{where}/topics", f"unknown topic {topic!r}")
            for q_index, question in enumerate(factor["guide_questions"]):
                if isinstance(question, dict) and repaired_text(question) != normalise_space(question["text"]):
                    raise LibraryError(
                        name,
                        f"{where}/guide_questions/{q_index}",
                        "the recorded repairs applied to the printed fragments do not give the text",
                    )
        benchmarks.append(data)

    cities: dict[str, dict[str, Any]] = {}
    for path in sorted((data_dir / "cities").glob("*.yaml")):
        name = str(path.relative_to(data_dir))
        for index, city in enumerate(read_file(data_dir, path, "cities")):
            known = cities.get(city["slug"])
            if known is None:
                cities[city["slug"]] = city
                continue
            for key in ("name", "country", "country_code"):
                if known[key] != city[key]:
                    raise LibraryError(
                        name, f"/{index}/{key}", f"{city[key]!r} differs from {known[key]!r} in another file"
                    )
            if "charter_signed" in city and "charter_signed" not in known:
                known["charter_signed"] = city["charter_signed"]

    return Library(
        programmes=programmes,
        topics=topics,
        rating_scales=scales,
        charter=charter,
        benchmarks=benchmarks,
        cities=list(cities.values()),
    )


def _sync(report: LoadReport, kind: str, model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """Create or update one row; count it only when something changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        report.created[kind] += 1
        return model.objects.create(**lookup, **values)
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.save(update_fields=changed)
        report.updated[kind] += 1
    return obj


def content_hash(benchmark: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(benchmark, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _create_version(benchmark: Benchmark, data: dict[str, Any], digest: str) -> BenchmarkVersion:
    last = benchmark.versions.filter(language="en").order_by("-number").first()
    source = data["source"]
    version = BenchmarkVersion.objects.create(
        benchmark=benchmark,
        number=(last.number + 1) if last else 1,
        year=data["year"],
        theme=data.get("theme", ""),
        title=normalise_space(data["title"]),
        standard=normalise_space(data["standard"]),
        introduction=normalise_paragraphs(data["introduction"]),
        terms=normalise_paragraphs(data.get("terms", "")),
        rating_scale=RatingScale.objects.get(slug=data.get("rating_scale", "default")),
        source_title=normalise_space(source["title"]),
        source_publisher=source["publisher"],
        source_year=source["year"],
        source_file=source["file"],
        source_authors=source.get("authors", ""),
        content_hash=digest,
    )
    topics = {t.slug: t for t in Topic.objects.all()}
    groups = [(KeyFactor.Kind.COMMON, data.get("common_factors", [])), (KeyFactor.Kind.KEY, data["key_factors"])]
    questions = []
    for kind, factors in groups:
        for number, item in enumerate(factors, start=1):
            factor = KeyFactor.objects.create(
                version=version,
                kind=kind,
                slug=item["slug"],
                number=item.get("number", number),
                title=normalise_space(item["title"]),
                description=normalise_paragraphs(item["description"]),
                rationale=normalise_paragraphs(item.get("rationale", "")),
            )
            factor.topics.set([topics[t] for t in item["topics"]])
            for q_number, question in enumerate(item["guide_questions"], start=1):
                ocr = question if isinstance(question, dict) else {}
                questions.append(
                    GuideQuestion(
                        key_factor=factor,
                        number=q_number,
                        text=question_text(question),
                        printed=ocr.get("printed", []),
                        repairs=ocr.get("repairs", []),
                    )
                )
    GuideQuestion.objects.bulk_create(questions)
    ContextFactor.objects.bulk_create(
        ContextFactor(
            version=version,
            number=number,
            title=normalise_space(item["title"]),
            examples=[normalise_space(e) for e in item["examples"]],
        )
        for number, item in enumerate(data["context_factors"], start=1)
    )
    return version


@transaction.atomic
def write_library(library: Library, report: LoadReport) -> None:
    """Write the benchmark content read by `read_library`, counting what changes in `report`."""
    for position, topic in enumerate(library.topics):
        _sync(report, "topics", Topic, {"slug": topic["slug"]}, {"name": topic["name"], "position": position})
    for item in library.programmes:
        _sync(
            report,
            "programmes",
            Programme,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "full_name": item.get("full_name", ""),
                "start_year": item["start_year"],
                "end_year": item["end_year"],
                "description": normalise_space(item["description"]),
            },
        )
    for item in library.rating_scales:
        scale = _sync(
            report,
            "rating scales",
            RatingScale,
            {"slug": item["slug"]},
            {"name": item["name"], "standard_level": item.get("standard_level")},
        )
        for level in item["levels"]:
            _sync(
                report,
                "rating levels",
                RatingLevel,
                {"scale": scale, "value": level["value"]},
                {"label": level["label"], "description": level["description"], "colour": level["colour"]},
            )

    charter_data = library.charter
    source = charter_data["source"]
    charter = _sync(
        report,
        "charter",
        Charter,
        {},
        {
            "title": charter_data["title"],
            "introduction": normalise_space(charter_data["introduction"]),
            "source_title": source["title"],
            "source_publisher": source["publisher"],
            "source_year": source["year"],
            "source_file": source["file"],
        },
    )
    commitments = [
        (role["role"], role["heading"], normalise_space(text))
        for role in charter_data["roles"]
        for text in role["commitments"]
    ]
    stored_commitments = list(charter.commitments.values_list("role", "role_heading", "text"))
    if commitments != stored_commitments:
        charter.commitments.all().delete()
        CharterCommitment.objects.bulk_create(
            CharterCommitment(charter=charter, role=r, role_heading=h, number=i, text=t)
            for i, (r, h, t) in enumerate(commitments, start=1)
        )
        (report.updated if stored_commitments else report.created)["charter commitments"] += len(commitments)

    programmes = {p.slug: p for p in Programme.objects.all()}
    for data in library.benchmarks:
        benchmark = _sync(
            report, "benchmarks", Benchmark, {"slug": data["slug"]}, {"programme": programmes[data["programme"]]}
        )
        digest = content_hash(data)
        current = benchmark.current_version
        if current is None or current.content_hash != digest:
            benchmark.current_version = _create_version(benchmark, data, digest)
            benchmark.save(update_fields=["current_version"])
            report.created["benchmark versions"] += 1

    for item in library.cities:
        signed = item.get("charter_signed")
        _sync(
            report,
            "cities",
            City,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "country": item["country"],
                "country_code": item["country_code"],
                "charter_signed": datetime.date.fromisoformat(signed["date"] + "-01") if signed else None,
                "charter_signed_source": normalise_space(signed["source"]) if signed else "",
            },
        )
