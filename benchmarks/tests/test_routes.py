"""Every public URL pattern is scanned by axe in the browser tests, or is listed here with the reason it is not."""

from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.support.routes import (
    ACCOUNT_NOT_HTML,
    ACCOUNT_PAGES,
    ASSESSMENT_PAGES,
    ASSESSMENT_POST_ONLY,
    COMMUNITY_NOT_HTML,
    COMMUNITY_PAGES,
    COMMUNITY_POST_ONLY,
    EVIDENCE_NOT_HTML,
    EVIDENCE_PAGES,
    EVIDENCE_POST_ONLY,
    MENTORING_ACTIVITY_PAGES,
    MENTORING_NOT_HTML,
    MENTORING_PAGES,
    MENTORING_POST_ONLY,
    MENTORING_REPORT_NOT_HTML,
    MENTORING_REPORT_PAGES,
    PARTNER_POST_ONLY,
    PLAN_NOT_HTML,
    PLAN_PAGES,
    PLAN_POST_ONLY,
    PUBLIC_PAGES,
    RESULT_PAGES,
    ROUNDS_PAGES,
    ROUNDS_POST_ONLY,
    WORKBOOK_NOT_HTML,
    WORKBOOK_PAGES,
    WORKBOOK_POST_ONLY,
    WORKSPACE_PAGES,
    WORKSPACE_POST_ONLY,
)

NOT_HTML = {
    "pages:benchmark_pdf": "a PDF download; its tags and language are checked in test_pages",
    "assessments:autosave": "JSON for static/js/autosave.js; the factor page around it is scanned in every "
    "autosave state by tests/browser/test_autosave.py",
}
POST_ONLY = {
    # Their forms and error states are on the account page (accounts:account, scanned); the new codes are
    # shown with the template of accounts:mfa_setup's codes page.
    "accounts:mfa_recovery_codes": "POST only; answers the recovery-codes page or the account page with errors",
    "accounts:mfa_disable": "POST only; redirects to the account page, or shows it with errors",
}
COVERED_ELSEWHERE = {
    # Older versions exist only after a benchmark changes; test_load_library reads them over HTTP.
    "pages:benchmark_version": "test_changed_benchmark_becomes_a_new_version_and_the_old_one_stays_readable",
    "pages:key_factor_version": "test_changed_benchmark_becomes_a_new_version_and_the_old_one_stays_readable",
}


def named_patterns(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's own admin, for network staff only
            names |= named_patterns(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_public_page_gets_an_accessibility_scan() -> None:
    scanned = set()
    for path in PUBLIC_PAGES:
        if path == "/no-such-page/":
            continue
        match = resolve(path.split("?")[0])
        scanned.add(f"{match.namespace}:{match.url_name}")
    scanned |= ACCOUNT_PAGES
    scanned |= WORKSPACE_PAGES.keys()  # pages behind login, scanned in tests/browser/test_workspaces.py
    scanned |= ASSESSMENT_PAGES.keys()  # scanned in tests/browser/test_assessments.py
    scanned |= EVIDENCE_PAGES.keys()  # scanned in tests/browser/test_evidence.py
    scanned |= RESULT_PAGES.keys()  # scanned in tests/browser/test_results.py
    scanned |= ROUNDS_PAGES.keys()  # scanned in tests/browser/test_rounds.py
    scanned |= PLAN_PAGES.keys()  # scanned in tests/browser/test_actionplans.py
    scanned |= WORKBOOK_PAGES.keys()  # scanned in tests/browser/test_workbook.py
    scanned |= MENTORING_PAGES.keys()  # scanned in tests/browser/test_mentoring.py
    scanned |= MENTORING_ACTIVITY_PAGES.keys()  # scanned in tests/browser/test_mentoring_activities.py
    scanned |= MENTORING_REPORT_PAGES.keys()  # scanned in tests/browser/test_mentoring_report.py
    scanned |= COMMUNITY_PAGES.keys()  # scanned in tests/browser/test_communities.py
    not_html = (
        NOT_HTML.keys()
        | POST_ONLY.keys()
        | ACCOUNT_NOT_HTML.keys()
        | WORKSPACE_POST_ONLY.keys()
        | ASSESSMENT_POST_ONLY.keys()
        | PARTNER_POST_ONLY.keys()
    )
    not_html |= EVIDENCE_POST_ONLY.keys() | EVIDENCE_NOT_HTML.keys()
    not_html |= ROUNDS_POST_ONLY.keys()
    not_html |= PLAN_POST_ONLY.keys() | PLAN_NOT_HTML.keys()
    not_html |= WORKBOOK_POST_ONLY.keys() | WORKBOOK_NOT_HTML.keys()
    not_html |= MENTORING_POST_ONLY.keys()
    not_html |= MENTORING_NOT_HTML.keys()
    not_html |= MENTORING_REPORT_NOT_HTML.keys()
    not_html |= COMMUNITY_POST_ONLY.keys() | COMMUNITY_NOT_HTML.keys()
    unscanned = named_patterns(get_resolver()) - scanned - not_html - COVERED_ELSEWHERE.keys()
    assert unscanned == set()
