"""The PDF cache: an unchanged document is rendered once; any change to what decides the PDF renders anew."""

import pytest
import weasyprint
from django.core.cache import cache

from lib.pdf import html_to_pdf

HTML = '<!doctype html><html lang="en"><head><title>Report</title></head><body><h1>Demoville</h1></body></html>'


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of each document WeasyPrint is asked to render, from an empty cache."""
    cache.clear()
    seen: list[str] = []
    real = weasyprint.HTML

    def counting(*, string: str, base_url: str) -> weasyprint.HTML:
        seen.append(string)
        return real(string=string, base_url=base_url)

    monkeypatch.setattr(weasyprint, "HTML", counting)
    yield seen
    cache.clear()


def test_an_unchanged_document_is_rendered_once(renders: list[str]) -> None:
    first = html_to_pdf(HTML, base_url="http://testserver/")
    again = html_to_pdf(HTML, base_url="http://testserver/")
    assert first.startswith(b"%PDF-")
    assert again == first
    assert len(renders) == 1


def test_a_changed_document_style_or_base_is_rendered_anew(renders: list[str]) -> None:
    html_to_pdf(HTML, base_url="http://testserver/")
    changed = html_to_pdf(HTML.replace("Demoville", "Demoville, round 2"), base_url="http://testserver/")
    html_to_pdf(HTML, base_url="http://testserver/", stylesheets=("print.css", "report.css"))
    html_to_pdf(HTML, base_url="http://other.example/")
    assert [("round 2" in html) for html in renders] == [False, True, False, False]
    assert changed != html_to_pdf(HTML, base_url="http://testserver/")  # the first document, from the cache
    assert len(renders) == 4
