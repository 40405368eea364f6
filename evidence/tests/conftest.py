"""The assessment cast (a draft of city A) plus: uploads stored in a temporary folder, and small real files."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from assessments.models import Assessment, FactorAssessment
from assessments.tests.conftest import a_version, assessment  # noqa: F401 - fixtures
from cities.tests.conftest import Cast, cast, fast_password_hashing, login_url  # noqa: F401 - fixtures


def pdf_bytes(**writer_options: object) -> bytes:
    """A real one-page PDF, written by pypdf; `writer_options` go to PdfWriter.encrypt when given."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if writer_options:
        writer.encrypt(**writer_options)  # type: ignore[arg-type]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(kind: str, size: tuple[int, int] = (8, 8)) -> bytes:
    """A real PNG or JPEG image, written by Pillow."""
    out = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(out, kind)
    return out.getvalue()


PDF = pdf_bytes()
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")


def zip_bytes(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, (name, data) in enumerate(entries):
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))  # the same bytes in every test process
            info.compress_type = zipfile.ZIP_STORED if stored_first and n == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def docx() -> bytes:
    return zip_bytes([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")])


def xlsx() -> bytes:
    return zip_bytes([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")])


def odf(mimetype: str) -> bytes:
    return zip_bytes(
        [("mimetype", mimetype.encode()), ("content.xml", b"<office:document-content/>")], stored_first=True
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media_root(settings: object, tmp_path: Path) -> Path:
    """Every test stores uploads in a folder of its own, so files left behind can be counted."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root  # type: ignore[attr-defined]
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def a_factor(assessment: Assessment) -> FactorAssessment:  # noqa: F811 - the fixture's value
    factor = assessment.factors.filter(answers__isnull=False).select_related("key_factor").distinct().first()
    assert factor is not None
    return factor
