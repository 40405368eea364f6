"""Render our own HTML to a tagged PDF (PDF/UA-1, with the document language) with WeasyPrint."""

from django.conf import settings
from django.http import HttpRequest


def html_to_pdf(html: str, request: HttpRequest) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only PDF requests need.
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=str(settings.BASE_DIR / "static" / "css" / "print.css"))
    document = HTML(string=html, base_url=request.build_absolute_uri("/"))
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1", pdf_tags=True)
    return pdf
