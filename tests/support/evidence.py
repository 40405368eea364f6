"""Small real files of each accepted kind, uploads, and evidence items added with the real actions."""

import io
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from assessments.models import Assessment, FactorAssessment
from evidence import actions
from evidence.models import Evidence
from lib.uploads import check_upload


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


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def a_factor(assessment: Assessment) -> FactorAssessment:
    factor = assessment.factors.filter(answers__isnull=False).select_related("key_factor").distinct().first()
    assert factor is not None
    return factor


def add_file(workspace, by, title: str = "Annual integration report") -> Evidence:
    file = upload("report.pdf", PDF)
    return actions.do_add_evidence(
        workspace,
        actions.Fields(kind="policy", title=title),
        by=by,
        file=file,
        checked=check_upload(file, file.name or "", file.size or 0),
    )


def add_link(workspace, by, title: str) -> Evidence:
    return actions.do_add_evidence(
        workspace, actions.Fields(kind="project", title=title, url="https://aville.example/item"), by=by
    )
