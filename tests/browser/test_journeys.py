"""Journeys through the public library in headless Chromium, by keyboard, with an axe scan of every state."""

import re

import pytest

from tests.support.browser import axe_violations, tab_until
from tests.support.routes import PUBLIC_PAGES

pytestmark = pytest.mark.browser


def assert_focus_visible(page) -> None:
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "the focused element has no visible outline"


def test_reach_a_guide_question_from_the_home_page_by_keyboard(page) -> None:
    page.goto("/")
    assert axe_violations(page) == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    assert_focus_visible(page)

    tab_until(page, "el => el.getAttribute('href') === '/benchmarks/labour-market-partnerships/'")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/benchmarks/labour-market-partnerships/")
    assert axe_violations(page) == []

    tab_until(page, "el => (el.getAttribute('href') || '').endsWith('/factors/appropriate-framework/')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/factors/appropriate-framework/")
    question = page.locator("ol.questions li").first
    assert question.is_visible()
    assert question.inner_text().startswith("Is there a strategy or framework that deals with migrant integration")
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_reach_a_practice_from_a_search_by_keyboard(page) -> None:
    page.goto("/")
    tab_until(page, "el => el.id === 'home-q'")
    page.keyboard.type("volunteers welcome")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/practices/\?q=volunteers\+welcome"))
    assert "practices" in page.locator("#results-heading").inner_text()
    assert page.locator("li.hit mark").count() > 0
    assert axe_violations(page) == []

    tab_until(page, "el => el.closest('li.hit') !== null && el.tagName === 'A'")
    title = page.evaluate("document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/practices/[a-z0-9-]+/$"))
    assert page.locator("h1").inner_text() == title
    assert axe_violations(page) == []

    # Refine by a facet with the keyboard: the facet groups are native <details>, opened with Enter.
    page.go_back()
    tab_until(page, "el => el.tagName === 'SUMMARY' && el.textContent.trim() === 'Country'")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open")
    assert axe_violations(page) == []
    tab_until(page, "el => el.tagName === 'A' && (el.getAttribute('href') || '').includes('country=')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*country=[A-Z]{2}.*"))
    assert "q=volunteers" in page.url
    assert axe_violations(page) == []
    assert page.console_errors == []


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_axe_violations(public_page, path: str) -> None:
    page = public_page
    response = page.goto(path)
    assert response.status == (404 if path == "/no-such-page/" else 200)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.lang") == "en"
    # The only console message allowed is the browser's note of the 404 status itself.
    expected = ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    assert page.console_errors == (expected if path == "/no-such-page/" else [])


@pytest.mark.parametrize(
    "path", ["/", "/benchmarks/migrant-entrepreneurs/", "/practices/?q=volunteers", "/charter/", "/cities/"]
)
def test_pages_reflow_at_320_pixels_without_horizontal_scrolling(public_page, path: str) -> None:
    page = public_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []
