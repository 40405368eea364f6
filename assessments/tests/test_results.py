"""The results page through HTTP: the scorecard's numbers, strengths and gaps in order, partner divergence
for the team only, context notes beside the key factors they bear on (set on the context factors page),
recommended practices with their reasons and order, the previous round, the anonymous peer distribution,
and a query budget that does not grow with the data (docs/quality.md F1).

The helpers at the top build data with the real actions; test_results_recommend.py and
test_results_permissions.py use them too.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import actions
from assessments.models import Assessment, ContextNote, FactorAssessment
from tests.support.cast import client_for
from tests.support.results import (
    LMP,
    city_workspace,
    library_city_workspace,
    published,
    rate,
    results_url,
    set_context,
    version_of,
)

pytestmark = pytest.mark.django_db


# ---- helpers


def section(html: str, heading_id: str) -> str:
    """The page's <section> labelled by the heading with this id."""
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, flags=re.S)
    assert match, f"no section {heading_id}"
    return match.group(1)


def text(html: str) -> str:
    """What a reader sees: tags and SVG swatches removed, spaces collapsed."""
    import html as html_lib

    html = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


# ---- scorecard, strengths, gaps


def test_scorecard_shows_each_rating_as_number_words_and_colour_with_the_distance_to_the_standard(cast) -> None:
    assessment = actions.do_start_assessment(cast.workspace, version_of(LMP), "2026", by=cast.coordinator)
    rate(assessment, cast.coordinator, [4, 3, 1, 0, 2])  # 5 of 10 rated, 2 at the standard or better
    page = client_for(cast.viewer).get(results_url(assessment))
    assert page.status_code == 200
    distance = text(section(page.text, "distance-heading"))
    assert "2 of 10 key factors (20.0 %) are at the standard, “3 – Established”, or better." in distance
    assert "The mean rating is 2.00, 1.00 below the standard (3 – Established)." in distance
    assert "5 key factors are not rated yet" in distance
    factors = list(assessment.factors.select_related("key_factor"))
    scorecard = section(page.text, "scorecard-heading")
    first = re.search(rf'<tr id="score-{factors[0].key_factor.slug}">(.*?)</tr>', scorecard, flags=re.S).group(1)
    assert '<rect width="16" height="16" rx="3" fill="#' in first  # the colour swatch ...
    assert "4 – Leading" in text(first)  # ... beside the number and the words
    assert "1 level above the standard" in text(first)
    assert "2 – Developing" in text(first)  # the rating "partly" everywhere suggests, beside it
    fourth = re.search(rf'<tr id="score-{factors[3].key_factor.slug}">(.*?)</tr>', scorecard, flags=re.S).group(1)
    assert "0 – Not in place" in text(fourth) and "3 levels below the standard" in text(fourth)
    last = re.search(rf'<tr id="score-{factors[-1].key_factor.slug}">(.*?)</tr>', scorecard, flags=re.S).group(1)
    assert "Not rated yet" in text(last)
    # The chart, with its title and description, and its numbers in a table.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in page.text
    assert "2 of 10 key factors meet the standard or better." in page.text
    assert "The numbers of the chart" in page.text


def test_strengths_best_first_and_gaps_furthest_from_the_standard_first(cast) -> None:
    assessment = actions.do_start_assessment(cast.workspace, version_of(LMP), "2026", by=cast.coordinator)
    rate(assessment, cast.coordinator, [2, 0, 3, 4, 1, 0])
    titles = [f.key_factor.title for f in assessment.factors.select_related("key_factor")]
    page = client_for(cast.contributor).get(results_url(assessment)).text
    strengths = text(section(page, "strengths-heading"))
    assert strengths.index(titles[3]) < strengths.index(titles[2])  # 4 – Leading before 3 – Established
    assert titles[0] not in strengths
    gaps = re.findall(r"<h3>(\d+)\. ", section(page, "gaps-heading"))
    assert gaps == ["2", "6", "5", "1"]  # 0, 0, 1, 2: furthest first; ties in the benchmark's order
    assert "3 levels below the standard" in text(section(page, "gaps-heading"))


def test_nothing_rated_says_so(cast, assessment) -> None:
    page = client_for(cast.coordinator).get(results_url(assessment)).text
    assert "No key factor is rated yet." in text(section(page, "distance-heading"))
    assert "The gaps show once key factors are rated." in page
    assert "No key factor is at the standard yet." in page


# ---- partner divergence


def test_divergence_is_shown_to_the_team_and_hidden_from_readers_of_the_published_results(cast) -> None:
    assessment = actions.do_start_assessment(cast.workspace, version_of(LMP), "2026", by=cast.coordinator)
    rate(assessment, cast.coordinator, [4, 3])
    first = assessment.factors.select_related("key_factor")[0]
    actions.do_rate_as_partner(first, by=cast.partner, expected_version=0, rating=1, comment="We see less.")
    for user in (cast.viewer, cast.partner, cast.admin):
        page = client_for(user).get(results_url(assessment)).text
        divergence = text(section(page, "divergence-heading"))
        assert "Aville Refugee Council" in divergence
        assert "Differs by 3 levels" in divergence
        assert first.key_factor.title in divergence
    actions.do_submit(assessment, by=cast.coordinator)
    actions.do_set_visibility(assessment, "published", by=cast.coordinator)
    for user in (None, cast.other):
        response = client_for(user).get(results_url(assessment))
        assert response.status_code == 200
        assert "4 – Leading" in text(section(response.text, "scorecard-heading"))
        assert "Aville Refugee Council" not in response.text
        assert "Differs by" not in response.text
        assert "divergence-heading" not in response.text


# ---- context notes, set on the context factors page


def test_team_says_which_key_factors_a_context_note_bears_on_and_the_results_show_it_beside_them(cast) -> None:
    assessment = actions.do_start_assessment(cast.workspace, version_of(LMP), "2026", by=cast.coordinator)
    factors = list(assessment.factors.select_related("key_factor"))
    notes = list(assessment.context_notes.select_related("context_factor"))
    law, data = notes[0].context_factor, notes[1].context_factor
    url = f"/assessments/{assessment.public_id}/context/"
    contributor = client_for(cast.contributor)
    form = contributor.get(url).text
    assert f'name="c{law.number}-key_factors" value="{factors[1].key_factor.pk}"' in form
    post = {
        "lock_version": str(assessment.lock_version),
        f"c{law.number}-effect": "constraint",
        f"c{law.number}-competence": "national",
        f"c{law.number}-note": "The national law limits access to training.",
        f"c{law.number}-key_factors": [str(factors[1].key_factor.pk), str(factors[4].key_factor.pk)],
        f"c{data.number}-effect": "enabler",
        f"c{data.number}-competence": "municipal",
        f"c{data.number}-note": "The city's statistics office publishes yearly.",
    }
    assert contributor.post(url, post).status_code == 302
    note = ContextNote.objects.get(assessment=assessment, context_factor=law)
    assert {kf.pk for kf in note.key_factors.all()} == {factors[1].key_factor.pk, factors[4].key_factor.pk}
    event = assessment.events.filter(action="context_saved").latest("pk")
    bears_on = f"{factors[1].key_factor.number}. {factors[1].key_factor.title}, {factors[4].key_factor.number}. "
    assert event.changes[str(law.pk)]["bears on"].startswith(bears_on)
    history = text(client_for(cast.viewer).get(f"/assessments/{assessment.public_id}/history/").text)
    assert f"bears on: {bears_on}" in history
    # The form shows the boxes ticked; the read-only view says what the note bears on.
    form = contributor.get(url).text
    assert re.search(rf'value="{factors[1].key_factor.pk}"[^>]*checked', form)
    assert f"Bears on: {factors[1].key_factor.number}. {factors[1].key_factor.title}" in text(
        client_for(cast.viewer).get(url).text
    )

    page = client_for(cast.viewer).get(results_url(assessment)).text
    scorecard = section(page, "scorecard-heading")

    def row(factor: FactorAssessment) -> str:
        return text(re.search(rf'<tr id="score-{factor.key_factor.slug}">(.*?)</tr>', scorecard, flags=re.S).group(1))

    assert "The national law limits access to training." in row(factors[1])
    assert "The national law limits access to training." in row(factors[4])
    assert "The national law limits access to training." not in row(factors[0])
    general = text(re.search(r"<ul class=\"notes\" data-general-notes>(.*?)</ul>", page, flags=re.S).group(1))
    assert "The city's statistics office publishes yearly." in general  # bears on no key factor: general
    assert "The national law limits access to training." not in general

    # A later save without ticks (unticked boxes are not sent) unlinks the note.
    assessment.refresh_from_db()
    post = {k: v for k, v in post.items() if not k.endswith("key_factors")} | {
        "lock_version": str(assessment.lock_version)
    }
    assert contributor.post(url, post).status_code == 302
    assert not note.key_factors.exists()


def test_context_conflict_keeps_the_ticked_boxes_and_shows_the_stored_links(cast, assessment) -> None:
    law = assessment.context_notes.select_related("context_factor").first().context_factor
    factors = list(assessment.factors.select_related("key_factor"))
    url = f"/assessments/{assessment.public_id}/context/"
    start = assessment.lock_version
    base = {f"c{law.number}-effect": "constraint", f"c{law.number}-competence": "national", f"c{law.number}-note": ""}
    stored = base | {"lock_version": str(start), f"c{law.number}-key_factors": [str(factors[0].key_factor.pk)]}
    assert client_for(cast.coordinator).post(url, stored).status_code == 302
    typed = base | {"lock_version": str(start), f"c{law.number}-key_factors": [str(factors[2].key_factor.pk)]}
    response = client_for(cast.contributor).post(url, typed)
    assert response.status_code == 409
    assert re.search(rf'value="{factors[2].key_factor.pk}"[^>]*checked', response.text)  # typed, kept
    stored_box = re.search(r'<div class="stored-version">(.*?)</div>', response.text, flags=re.S).group(1)
    assert factors[0].key_factor.title in text(stored_box)  # stored, shown
    links = ContextNote.objects.get(assessment=assessment, context_factor=law).key_factors.all()
    assert [kf.pk for kf in links] == [factors[0].key_factor.pk]


def test_a_note_cannot_bear_on_a_key_factor_of_another_benchmark(cast, assessment) -> None:
    note = assessment.context_notes.first()
    foreign = version_of("public-perception").factors.first()
    own = assessment.factors.select_related("key_factor").first().key_factor
    values = {"effect": "enabler", "competence": "eu", "note": "", "key_factors": [foreign.pk, own.pk]}
    actions.do_save_context(assessment, by=cast.contributor, expected_version=0, notes={note.context_factor_id: values})
    assert [kf.pk for kf in note.key_factors.all()] == [own.pk]


# ---- recommended practices


def test_recommended_practices_say_why_same_key_factor_first_and_similar_context_first(cast) -> None:
    """ "Appropriate framework" of labour market partnerships has practices of Athens, Dresden and Munich.
    Munich's context resembles Aville's (6 of 8 alike), Dresden's differs (0 of 4), Athens published none."""
    version = version_of(LMP)
    assessment = actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
    rate(assessment, cast.coordinator, {"appropriate-framework": 0})
    titles = [c.title for c in version.context_factors.all()]
    ours = dict.fromkeys(titles, "constraint")
    set_context(assessment, cast.coordinator, ours)
    munich, munich_coordinator = library_city_workspace(cast.admin, "Munich")
    # Eight conditions in common, one of them spelled differently in that toolkit; six alike.
    theirs = dict.fromkeys(titles[:6], "constraint") | dict.fromkeys([titles[6], titles[8]], "enabler")
    published(munich, munich_coordinator, version_of("values-community-building"), "2025", [], _vcb(theirs))
    dresden, dresden_coordinator = library_city_workspace(cast.admin, "Dresden")
    published(dresden, dresden_coordinator, version, "2025", [], dict.fromkeys(titles[:4], "enabler"))
    athens, athens_coordinator = library_city_workspace(cast.admin, "Athens")
    # Private: not a profile, so Athens' reason says nothing about its context.
    published(athens, athens_coordinator, version, "2025", [], ours, visibility="private")

    page = client_for(cast.viewer).get(results_url(assessment)).text
    gap = re.search(r'<li class="gap" id="gap-appropriate-framework">(.*?)\n  </li>', page, flags=re.S).group(1)
    same = gap.split("data-same>", 1)[1].split("<h4>", 1)[0]
    similar = gap.split("data-similar>", 1)[1].split("Search the practice library", 1)[0]
    cities = re.findall(r"</a> – (\w+), ", same)
    assert cities == ["Munich", "Dresden", "Athens"]  # likeness 6/8, then 0/4, then unknown
    assert "Munich's context resembles yours: 6 of 8 conditions alike" in text(same)
    assert "Dresden's context differs from yours: 0 of 4 conditions alike" in text(same)
    after_athens = text(same).split("Athens", 1)[1]
    assert "context" not in after_athens  # nothing claimed without a (published) profile
    assert text(same).count("An example of the same key factor, “Appropriate framework”") == 3
    assert "Also about “Strategy and framework” in " in text(similar)
    assert gap.index("data-same") < gap.index("data-similar")
    assert "/practices/?factor=labour-market-partnerships.appropriate-framework" in gap


def _vcb(effects_by_lmp_title: dict[str, str]) -> dict[str, str]:
    """The same effects under the titles of values-community-building (one spelled differently)."""
    lmp = [c.title for c in version_of(LMP).context_factors.all()]
    vcb = [c.title for c in version_of("values-community-building").context_factors.all()]
    names = dict(zip(lmp, vcb, strict=True))
    return {names[title]: effect for title, effect in effects_by_lmp_title.items()}


# ---- the previous round


def test_comparison_with_the_previous_round_key_factor_by_key_factor(cast) -> None:
    version = version_of(LMP)
    page = client_for(cast.viewer)
    older = published(cast.workspace, cast.coordinator, version, "2022", [3, 3, 3])
    before = published(cast.workspace, cast.coordinator, version, "2024", [1, 2, 3, None], visibility="private")
    now = actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
    rate(now, cast.coordinator, [3, 2, 1, 2])
    html = page.get(results_url(now)).text
    previous = section(html, "previous-heading")
    assert "Round 2024" in text(previous)  # the latest earlier round, not 2022
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", previous, flags=re.S)
    assert "Up 2 levels" in text(rows[0])
    assert "No change" in text(rows[1])
    assert "Down 2 levels" in text(rows[2])
    assert "Not rated yet" in text(rows[3]) and text(rows[3]).endswith("–")
    assert "Rated higher now: 1 key factor. Rated lower now: 1 key factor." in text(previous)
    # A round started from another one compares with that one.
    Assessment.objects.filter(pk=now.pk).update(previous_round=older)
    assert "Round 2022" in text(section(page.get(results_url(now)).text, "previous-heading"))
    # The first round has none.
    assert "There is no previous round of this benchmark in the workspace." in page.get(results_url(older)).text
    # Readers of the published results compare with the latest earlier round that is published.
    Assessment.objects.filter(pk=now.pk).update(previous_round=before)
    actions.do_submit(now, by=cast.coordinator)
    actions.do_set_visibility(now, "published", by=cast.coordinator)
    assert "Round 2024" in text(section(page.get(results_url(now)).text, "previous-heading"))  # the team
    public = text(section(client_for(None).get(results_url(now)).text, "previous-heading"))
    assert "Round 2022" in public and "Round 2024" not in public
    actions.do_set_visibility(older, "private", by=cast.coordinator)
    public = text(section(client_for(cast.other).get(results_url(now)).text, "previous-heading"))
    assert "No previous round of this benchmark is published." in public
    assert "Round 20" not in public


# ---- peers


def test_peer_distribution_is_hidden_below_five_cities_and_shown_at_five_without_names(cast) -> None:
    version = version_of(LMP)
    assessment = actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
    rate(assessment, cast.coordinator, [2])
    names = ["Peerton", "Samesburg", "Likeham", "Fellowby", "Paraville"]
    workspaces = [city_workspace(cast.admin, name) for name in names]
    for n, (workspace, coordinator) in enumerate(workspaces[:4]):
        published(workspace, coordinator, version, "2025", [n % 5])
    # Not counted: a draft, a private one, and the city's own published round.
    actions.do_start_assessment(workspaces[4][0], version, "2025", by=workspaces[4][1])
    published(workspaces[4][0], workspaces[4][1], version, "2024", [4], visibility="private")
    published(cast.workspace, cast.coordinator, version, "2024", [4])
    # A city with two published rounds counts once, with its latest.
    published(workspaces[0][0], workspaces[0][1], version, "2026", [3])
    html = client_for(cast.viewer).get(results_url(assessment)).text
    peers = text(section(html, "peers-heading"))
    assert "4 other cities have published an assessment of this benchmark." in peers
    assert "shown once 5 have" in peers
    assert "Number of other cities at each level" not in html

    published(workspaces[4][0], workspaces[4][1], version, "2026", [0])
    html = client_for(cast.viewer).get(results_url(assessment)).text
    peers_html = section(html, "peers-heading")
    peers = text(peers_html)
    assert "How many of the 5 other cities" in peers
    for name in names:
        assert name not in html
    first = re.search(r"<tbody>\s*<tr>(.*?)</tr>", peers_html, flags=re.S).group(1)
    counts = [int(c) for c in re.findall(r"<td>(\d+)</td>", first)]
    # Levels 0..4, then not rated: Peerton 3 (its latest), Samesburg 1, Likeham 2, Fellowby 3, Paraville 0.
    assert counts == [1, 1, 1, 2, 0, 0]
    assert "2 – Developing" in text(first)  # this city's own rating beside the distribution


# ---- query budget


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_budget_does_not_grow_with_factors_ratings_partners_practices_and_peers(cast) -> None:
    small, big = version_of("political-participation"), version_of("public-perception")
    assert small.factors.count() < big.factors.count()
    peers = [city_workspace(cast.admin, f"Peer{n}") for n in range(7)]
    counts = []
    for version, rated, n_peers in ((small, 1, 5), (big, big.factors.count(), 7)):
        for workspace, coordinator in peers[:n_peers]:
            published(workspace, coordinator, version, "2025", [n % 5 for n in range(rated)])
        published(cast.workspace, cast.coordinator, version, "2024", [1] * rated, visibility="private")
        assessment = actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
        rate(assessment, cast.coordinator, [n % 3 for n in range(rated)])
        for factor in assessment.factors.all()[:rated]:
            actions.do_rate_as_partner(factor, by=cast.partner, expected_version=0, rating=4, comment="")
        set_context(assessment, cast.coordinator, {c.title: "enabler" for c in version.context_factors.all()})
        team = _queries(client_for(cast.viewer), results_url(assessment))
        actions.do_submit(assessment, by=cast.coordinator)
        actions.do_set_visibility(assessment, "published", by=cast.coordinator)
        public = _queries(client_for(None), results_url(assessment))
        counts.append((team, public))
    assert counts[0] == counts[1], counts
    assert max(counts[1]) <= 25, counts


def test_the_link_under_a_gap_opens_the_practice_library_filtered_by_its_key_factor(cast) -> None:
    assessment = actions.do_start_assessment(cast.workspace, version_of(LMP), "2026", by=cast.coordinator)
    rate(assessment, cast.coordinator, {"appropriate-framework": 0})
    page = client_for(cast.viewer).get(results_url(assessment)).text
    link = re.search(r'<a href="(/practices/\?factor=[^"]+)">Search the practice library', page).group(1)
    library = client_for(None).get(link.replace("&amp;", "&"))
    assert library.status_code == 200
    for title in ("Strategic Plan on Migrants and Refugees", "Dresden Integration Concept"):
        assert title in library.text
    assert "Diversity Charter" not in library.text  # a practice of a similar key factor only
