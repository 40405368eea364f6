"""Our own HTML rendered to a tagged PDF (PDF/UA-1, with the document language) by WeasyPrint.

A render takes about a second (docs/performance.md), and the same document is often downloaded again
unchanged: the PDF is kept in Django's cache under a digest of everything that decides it (the HTML, the
stylesheets' text, the base URL and WeasyPrint's version), so an unchanged document is rendered once and any
change to it, or to its style, is a new key. The key holds no content, only the digest; a document is
served only to whoever produced exactly its HTML, who passed the page's own permission check to do so."""

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache

PDF_CACHE_SECONDS = 60 * 60


def html_to_pdf(html: str, *, base_url: str, stylesheets: Sequence[str] = ("print.css",)) -> bytes:
    """The PDF of `html`, styled by the named files of static/css/, its links resolved against `base_url`."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF requests need.
    import weasyprint

    paths = [settings.BASE_DIR / "static" / "css" / name for name in stylesheets]
    digest = hashlib.sha256()
    for part in (weasyprint.__version__, base_url, html, *(path.read_text(encoding="utf-8") for path in paths)):
        digest.update(part.encode())
        digest.update(b"\0")
    key = f"pdf:{digest.hexdigest()}"
    pdf: bytes | None = cache.get(key)
    if pdf is None:
        document = weasyprint.HTML(string=html, base_url=base_url)
        css = [weasyprint.CSS(filename=str(path)) for path in paths]
        pdf = document.write_pdf(stylesheets=css, pdf_variant="pdf/ua-1", pdf_tags=True)
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf
