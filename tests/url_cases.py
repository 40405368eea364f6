"""Every URL pattern of config.urls, filled with real objects, for the tests that run over all of them
(tests/test_headers.py, tests/test_get_never_writes.py).

Patterns are found at run time, so a pattern added tomorrow is covered without touching this file.
Path parameters are filled generically: a `<uuid:…>`, `<slug:…>`, `<int:…>` or `<str:…>` parameter gets
values from the database fields of that kind, models whose name matches the parameter (or the path
segment before it) first, and objects related to the values already chosen for the same URL first.
A combination is taken when the signed-in coordinator does not get a 404 for it. Parameters that are
secrets (tokens) cannot be found in the database and have explicit builders below. A pattern that can be
built neither way fails the tests, naming the pattern, unless it is in UNBUILDABLE with the reason.
"""

import dataclasses
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter, StringConverter, UUIDConverter
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from assessments.models import Assessment

# Patterns left out, with the reason. Keep it short: every entry is a page nobody checks here.
UNBUILDABLE: dict[str, str] = {}

# At most this many GETs to find a combination of parameters for one pattern.
MAX_TRIES = 80


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name
    route: str  # the pattern as written, e.g. "workspaces/<uuid:workspace_id>/"
    converters: dict[str, Any]


def routes() -> list[Route]:
    """Every URL pattern of config.urls but Django's admin (staff only, and Django's own code)."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str, converters: dict[str, Any]) -> None:
        for entry in resolver.url_patterns:
            pattern_converters = {**converters, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), inner, pattern_converters)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else f"(unnamed) {prefix}{entry.pattern}"
                found.append(Route(name, prefix + str(entry.pattern), pattern_converters))

    walk(get_resolver(), "", "", {})
    return found


# ---- parameters that are secrets: built with the code that makes them


def token_builders(world: "World") -> dict[str, Callable[[], dict[str, str]]]:
    from accounts.actions import verification_token

    user = world.coordinator
    return {
        "accounts:verify": lambda: {"token": verification_token(user)},
        "accounts:password_reset_confirm": lambda: {
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
        "cities:invitation": lambda: {"token": world.invitation_token},
        "mentoring:calendar_feed": lambda: world.mentoring_urls["mentoring:calendar_feed"],
        **{name: (lambda kwargs=kwargs: kwargs) for name, kwargs in world.mentoring_urls.items()},
        **{name: (lambda kwargs=kwargs: kwargs) for name, kwargs in world.community_urls.items()},
    }


# ---- the generic filling


def _words(route: Route, parameter: str) -> set[str]:
    """Hints of the model a parameter names: its name without _id, and the path segment before it."""
    words = {parameter.removesuffix("_id")}
    before = route.route.split(f"<{parameter}>")[0] if f"<{parameter}>" in route.route else None
    if before is None:
        for chunk in route.route.split("<")[1:]:
            if chunk.split(">")[0].split(":")[-1] == parameter:
                before = route.route.split("<" + chunk)[0]
                break
    segments = [s for s in (before or "").split("/") if s and "<" not in s and ">" not in s]
    if segments:
        segment = segments[-1]
        words.add(segment[:-3] + "y" if segment.endswith("ies") else segment.removesuffix("s"))
    words = {w.replace("-", "").replace("_", "").lower() for w in words}
    return words - {"slug", "id", "", "new"}


def _fields_for(model: type[models.Model], converter: Any, parameter: str) -> list[str]:
    fields = []
    for field in model._meta.concrete_fields:
        uuid = isinstance(converter, UUIDConverter) and isinstance(field, models.UUIDField)
        slug = isinstance(converter, SlugConverter | StringConverter) and isinstance(field, models.SlugField)
        number = (
            isinstance(converter, IntConverter) and field.name == parameter and isinstance(field, models.IntegerField)
        )
        if uuid or slug or number:
            fields.append(field.attname)
    return fields


def _relation_keys(obj: models.Model) -> set[tuple[str, Any]]:
    """The rows an object is, or points to: two objects sharing one are related (a membership and its
    workspace; a key factor and an assessment of the same benchmark version)."""
    keys = {(obj._meta.label, obj.pk)}
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            value = getattr(obj, field.attname)
            if value is not None:
                keys.add((field.related_model._meta.label, value))
    return keys


def _candidates(route: Route, parameter: str, converter: Any) -> list[tuple[Any, models.Model]]:
    """(value, object) pairs for a parameter, models named like the parameter first."""
    words = _words(route, parameter)
    ranked: list[tuple[int, type[models.Model], str]] = []
    for model in apps.get_models():
        name = model.__name__.lower()
        score = 0 if any(word == name for word in words) else 1 if any(word in name for word in words) else 2
        ranked += [(score, model, field) for field in _fields_for(model, converter, parameter)]
    ranked.sort(key=lambda item: (item[0], item[1]._meta.label))
    pairs: list[tuple[Any, models.Model]] = []
    for score, model, field in ranked:
        if score == 2 and pairs:
            break  # models of other names only when none of the named ones has a value
        for obj in model._default_manager.all().order_by("pk")[:300]:
            value = getattr(obj, field)
            if value not in (None, ""):
                pairs.append((value, obj))
    return pairs


def _ordered(pairs: list[tuple[Any, models.Model]], chosen: list[models.Model]) -> list[tuple[Any, models.Model]]:
    if not chosen:
        return pairs
    wanted = set().union(*(_relation_keys(obj) for obj in chosen))
    return sorted(pairs, key=lambda pair: 0 if _relation_keys(pair[1]) & wanted else 1)


def _combinations(route: Route) -> Iterator[dict[str, Any]]:
    parameters = list(route.converters.items())
    # Values for later parameters are ordered by their relation to the earlier ones' objects.
    first_name, first_converter = parameters[0]
    for value, obj in _candidates(route, first_name, first_converter):
        if len(parameters) == 1:
            yield {first_name: value}
            continue
        rest = [_ordered(_candidates(route, name, converter), [obj])[:MAX_TRIES] for name, converter in parameters[1:]]
        for combo in itertools.product(*rest):
            kwargs = {first_name: value}
            kwargs.update({name: pair[0] for (name, _c), pair in zip(parameters[1:], combo, strict=True)})
            yield kwargs


@dataclass
class World:
    """The fixture's objects: the workspace cast, a draft assessment, an invitation token."""

    coordinator: User
    assessment: Assessment
    invitation_token: str
    signed_in: Client
    # Parameters of mentoring pages the generic filling does not find: a staff-only scheme, and a key factor
    # of the assessment city B shares with its mentor (three parameters that must belong together).
    mentoring_urls: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    # Every communities page's parameters, which belong together (a community's member, post, resource...).
    community_urls: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)


def build_url(route: Route, world: World) -> str | None:
    """A path for the pattern with real objects, or None when none could be found."""
    builders = token_builders(world)
    if route.name in builders:
        return reverse(route.name, kwargs=builders[route.name]())
    if not route.converters:
        return reverse(route.name) if not route.name.startswith("(unnamed)") else None
    if route.name.startswith("(unnamed)"):
        return None
    for kwargs in itertools.islice(_combinations(route), MAX_TRIES):
        path = reverse(route.name, kwargs=kwargs)
        if world.signed_in.get(path).status_code != 404:
            return path
    return None


def make_world(cast: Any) -> World:
    """The cast of tests/support/cast.py plus an assessment with a comment and evidence, and an invitation."""
    from assessments.actions import do_add_comment, do_start_assessment
    from cities.actions import do_invite
    from tests.support.assessments import a_version
    from tests.support.cast import client_for

    assessment = do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
    factor = assessment.factors.filter(answers__isnull=False).distinct().order_by("pk").first()
    assert factor is not None
    do_add_comment(factor, by=cast.coordinator, body="Please check.", addressees=[], site_url="http://testserver/")
    _add_evidence(cast, factor)
    _add_action_plan(cast)
    mentoring_urls = _add_mentoring(cast, assessment)
    community_urls = _add_community(cast)
    _invitation, token = do_invite(
        cast.workspace, by=cast.coordinator, email="new@aville.example", role="viewer", organisation="", site_url="/"
    )
    return World(cast.coordinator, assessment, token, client_for(cast.coordinator), mentoring_urls, community_urls)


def _add_evidence(cast: Any, factor: Any) -> None:
    """Evidence of the workspace: a link attached to a factor, and a file (the evidence app's own actions).
    The tests point MEDIA_ROOT at a temporary folder."""
    try:
        from evidence.actions import Fields, do_add_evidence
        from lib.uploads import check_upload
    except ImportError:  # the app may not be there on every branch
        return
    do_add_evidence(
        cast.workspace,
        Fields(kind="policy", title="Integration strategy", url="https://aville.example/strategy"),
        by=cast.coordinator,
        attach_to=factor,
    )
    content = b"year,arrivals\n2025,1200\n"
    upload = SimpleUploadedFile("arrivals.csv", content, content_type="text/csv")
    checked = check_upload(upload, upload.name or "arrivals.csv", len(content))
    upload.seek(0)
    do_add_evidence(
        cast.workspace,
        Fields(kind="other", title="Arrivals by year"),
        by=cast.coordinator,
        file=upload,
        checked=checked,
    )


def _add_action_plan(cast: Any) -> None:
    """A submitted assessment of another benchmark with its action plan drafted from its gaps: an action
    with an indicator and a progress update (the actionplans app's own actions); the assessment published
    and its plan made public."""
    try:
        from tests.support.assessments import submitted_assessment
    except ImportError:  # the app may not be there on every branch
        return
    from datetime import date

    from actionplans import actions
    from assessments.actions import do_set_visibility
    from benchmarks.models import BenchmarkVersion
    from tests.support.assessments import a_version

    version = (
        BenchmarkVersion.objects.filter(factors__guide_questions__isnull=False)
        .exclude(pk=a_version().pk)
        .distinct()
        .order_by("pk")
        .first()
    )
    plan = actions.do_start_plan(submitted_assessment(cast, version), by=cast.coordinator)
    action = plan.actions.order_by("position").first()
    assert action is not None, "the plan is drafted from the assessment's two gaps"
    actions.do_add_indicator(action, actions.IndicatorFields(name="People placed"), by=cast.coordinator)
    actions.do_add_progress(action, by=cast.coordinator, on=date(2026, 3, 1), text="Kick-off held.")
    # Published, with its plan made public: for the plan's public page.
    do_set_visibility(plan.assessment, "published", by=cast.coordinator)
    actions.do_set_plan_visibility(plan, "public", by=cast.coordinator)


def _add_mentoring(cast: Any, assessment: Any) -> dict[str, dict[str, str]]:
    """City A offers to mentor and mentors city B, the coordinator named its mentor, B sharing a draft; A asks
    B's mentoring for its own draft (requested); and a staff scheme of both (the mentoring app's actions)."""
    from datetime import date

    from assessments.actions import do_start_assessment
    from mentoring import actions
    from tests.support.assessments import a_version

    site = "http://testserver/"
    benchmark = assessment.benchmark_version.benchmark
    for workspace, by in ((cast.workspace, cast.coordinator), (cast.other_workspace, cast.other)):
        actions.do_save_offer(
            workspace, by=by, benchmarks=[benchmark], languages=["en"], capacity=2, note="", open=True
        )
    shared = do_start_assessment(cast.other_workspace, a_version(), "2026", by=cast.other)
    mentorship = actions.do_request(
        cast.other_workspace, cast.workspace, benchmark, by=cast.other, message="", share=[shared], site_url=site
    )
    actions.do_accept(mentorship, by=cast.coordinator, mentors=[cast.coordinator], site_url=site)
    # B also shares a submitted round with its action plan.
    from actionplans.actions import do_start_plan
    from assessments.actions import do_submit
    from tests.support.assessments import rate

    earlier = do_start_assessment(cast.other_workspace, a_version(), "2025", by=cast.other)
    for factor in earlier.factors.filter(answers__isnull=False).distinct().order_by("pk")[:2]:
        rate(factor, 0, by=cast.other)
    plan = do_start_plan(do_submit(earlier, by=cast.other), by=cast.other)
    actions.do_set_consent(
        mentorship,
        by=cast.other,
        assessments=[shared, earlier],
        plans=[plan],
        evidence_files=True,
        partner_ratings=True,
    )
    actions.do_request(
        cast.workspace,
        cast.other_workspace,
        benchmark,
        by=cast.coordinator,
        message="",
        share=[assessment],
        site_url=site,
    )
    scheme = actions.do_save_scheme(
        None,
        by=cast.admin,
        name="Welcoming cities 2026",
        benchmark=benchmark,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        description="",
        mentors=[cast.workspace],
        implementing=[cast.other_workspace],
    )
    # An activity of that mentorship, planned by its mentor (A's coordinator), with a file; and the
    # coordinator's calendar feed (its token exists only here: the database keeps its hash).
    from datetime import UTC, datetime

    from lib.uploads import check_upload
    from mentoring import activities

    start = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
    activity = activities.do_save_activity(
        mentorship,
        None,
        activities.ActivityFields(
            kind="workshop",
            status="planned",
            title="Workshop on the welcome desk",
            starts_at=start,
            ends_at=start.replace(hour=10),
            time_zone="Europe/Brussels",
            online=True,
        ),
        by=cast.coordinator,
        site_url=site,
    )
    content = b"topic,minutes\nwelcome,30\n"
    attachment = SimpleUploadedFile("agenda.csv", content, content_type="text/csv")
    checked = check_upload(attachment, "agenda.csv", len(content))
    attachment.seek(0)
    activities.do_add_attachment(activity, by=cast.coordinator, title="Agenda", file=attachment, checked=checked)
    feed_token = activities.new_feed_token(cast.coordinator)
    shared_factor = shared.factors.select_related("key_factor").order_by("pk").first()
    assert shared_factor is not None
    return {
        "mentoring:calendar_feed": {"token": feed_token},
        "mentoring:scheme": {"scheme_id": str(scheme.public_id)},
        "mentoring:shared_factor": {
            "mentorship_id": str(mentorship.public_id),
            "assessment_id": str(shared.public_id),
            "slug": shared_factor.key_factor.slug,
        },
    }


def _add_community(cast: Any) -> dict[str, dict[str, str]]:
    """A public community coordinated by city A's coordinator, with A a member sharing its ratings, B asking to
    join, an organisation invited (its token), a post, a file resource and an activity; and a second
    community that invites A (the communities app's actions)."""
    from datetime import UTC, datetime

    from benchmarks.models import Benchmark
    from communities import actions
    from communities.activities import do_save_community_activity
    from lib.uploads import check_upload
    from mentoring.activities import ActivityFields

    site = "http://testserver/"
    benchmark = Benchmark.objects.published().with_current().order_by("slug").first()
    assert benchmark is not None

    def community(slug: str) -> Any:
        return actions.do_save_community(
            None,
            by=cast.admin,
            name=slug.title(),
            slug=slug,
            benchmark=benchmark,
            topic=None,
            description="Learning together.",
            visibility="public",
            coordinators=[cast.admin, cast.coordinator],
        )

    ours = community("welcoming-cities")
    invited = actions.do_invite_city(ours, cast.workspace, by=cast.admin, site_url=site)
    member = actions.do_answer_invitation(invited, by=cast.coordinator, accept=True, site_url=site)
    actions.do_set_consent(member, by=cast.coordinator, shares=True)
    asking = actions.do_ask_to_join(ours, cast.other_workspace, by=cast.other, site_url=site)
    actions.do_invite_organisation(
        ours,
        by=cast.admin,
        name="Volunteers",
        kind="volunteer",
        city=None,
        website="",
        email="v@o.example",
        site_url=site,
    )
    from outbox.models import Mail

    token = Mail.objects.filter(to="v@o.example").get().body.split("/organisations/join/")[1].split("/")[0]
    factor = ours.key_factors().first()
    assert factor is not None
    post = actions.do_post(ours, factor, by=cast.coordinator, voice=member, text="Hello", addressees=[], site_url=site)
    content = b"topic,minutes\nwelcome,30\n"
    upload = SimpleUploadedFile("guide.csv", content, content_type="text/csv")
    checked = check_upload(upload, "guide.csv", len(content))
    upload.seek(0)
    resource = actions.do_add_resource(
        ours, by=cast.coordinator, voice=member, title="Guide", description="", file=upload, checked=checked
    )
    start = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
    activity = do_save_community_activity(
        ours,
        None,
        ActivityFields(
            kind="workshop",
            status="held",
            title="Workshop",
            starts_at=start,
            ends_at=start.replace(hour=10),
            time_zone="Europe/Brussels",
            online=True,
            participant_cities=[cast.workspace],
        ),
        [],
        by=cast.coordinator,
        site_url=site,
    )
    other = community("cities-of-arrival")
    waiting = actions.do_invite_city(other, cast.workspace, by=cast.admin, site_url=site)
    slug = {"slug": ours.slug}
    return {
        "communities:community": slug,
        "communities:edit": slug,
        "communities:history": slug,
        "communities:ask": {"slug": other.slug},
        "communities:ask_organisation": slug,
        "communities:invite_city": slug,
        "communities:invite_organisation": slug,
        "communities:organisation_join": {"token": token},
        "communities:decide": {**slug, "member_id": str(asking.public_id)},
        "communities:answer": {"slug": other.slug, "member_id": str(waiting.public_id)},
        "communities:consent": {**slug, "member_id": str(member.public_id)},
        "communities:speakers": {**slug, "member_id": str(member.public_id)},
        "communities:leave": {**slug, "member_id": str(member.public_id)},
        "communities:activities": slug,
        "communities:activity_new": slug,
        "communities:activity": {**slug, "activity_id": str(activity.public_id)},
        "communities:activity_delete": {**slug, "activity_id": str(activity.public_id)},
        "communities:resources": slug,
        "communities:resource_download": {**slug, "resource_id": str(resource.public_id)},
        "communities:resource_remove": {**slug, "resource_id": str(resource.public_id)},
        "communities:threads": slug,
        "communities:thread": {**slug, "key_factor_id": str(factor.pk)},
        "communities:moderate": {**slug, "post_id": str(post.public_id)},
        "communities:ratings": slug,
        "communities:summary": slug,
        "communities:strengths": slug,
    }


def stub_pdf_rendering(monkeypatch: Any) -> None:
    """WeasyPrint takes ~20 s per benchmark PDF; these tests look at headers and writes, not at the PDF
    (benchmarks' own tests check it), so the view gets a tiny PDF instead."""
    import pages.views.library

    monkeypatch.setattr(pages.views.library, "html_to_pdf", lambda html, **options: b"%PDF-1.7\n%stub\n")
    try:
        import actionplans.views
    except ImportError:  # the app may not be there on every branch
        return
    monkeypatch.setattr(actionplans.views, "html_to_pdf", lambda html, **options: b"%PDF-1.7\n%stub\n")


def all_urls(world: World) -> tuple[dict[str, str], list[str]]:
    """{pattern name: path} for every pattern, and the messages for those that could not be built."""
    started = time.monotonic()
    paths: dict[str, str] = {}
    problems: list[str] = []
    for route in routes():
        if route.name in UNBUILDABLE:
            continue
        path = build_url(route, world)
        if path is None:
            problems.append(
                f"{route.name} ({route.route}): no URL could be built from the fixture's objects; add the objects "
                "to tests/url_cases.make_world, a builder to token_builders, or the name to UNBUILDABLE with a reason"
            )
        else:
            paths[route.name] = path
    assert time.monotonic() - started < 120, "building the URLs took too long; look at MAX_TRIES"
    return paths, problems
