"""lib/uploads.py (docs/quality.md S6): the allowlist by extension and content, zip bombs, hostile names, the size
limit checked while the request is read (before anything is stored)."""

import io
import re
import zipfile

import pytest

from lib import uploads
from lib.uploads import UploadRejected, check_upload, content_disposition, display_name, stored_name
from tests.support.evidence import JPEG, PDF, PNG, docx, image_bytes, odf, pdf_bytes, xlsx, zip_bytes


def check(name: str, content: bytes) -> uploads.CheckedUpload:
    return check_upload(io.BytesIO(content), name, len(content))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("chart.PNG", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("plan.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("figures.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("plan.odt", odf("application/vnd.oasis.opendocument.text"), "application/vnd.oasis.opendocument.text"),
        (
            "figures.ods",
            odf("application/vnd.oasis.opendocument.spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("numbers.csv", "district;share\nNord;18,4 %\nSüd;12 %\n".encode(), "text/csv"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_allowed_files_are_accepted_with_the_type_their_content_shows(name, content, content_type) -> None:
    checked = check(name, content)
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.extension == name.rsplit(".", 1)[1].lower()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("really-a-png.pdf", PNG),
        ("really-a-pdf.png", PDF),
        ("really-a-pdf.jpg", PDF),
        ("spreadsheet-called-doc.docx", xlsx()),
        ("document-called-sheet.xlsx", docx()),
        ("text-called-sheet.ods", odf("application/vnd.oasis.opendocument.text")),
        ("pdf-called-docx.docx", PDF),
        ("plain-zip.docx", zip_bytes([("a.txt", b"hello")])),
        ("binary.csv", b"a,b\n\x00\x01\x02"),
        ("latin1.csv", "café;1\n".encode("latin-1")),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("script.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("program.exe", b"MZ\x90\x00"),
        ("no-extension", PDF),
        ("truncated.docx", docx()[:40]),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_files_whose_extension_and_content_disagree_or_are_not_allowed_are_refused(name, content) -> None:
    with pytest.raises(UploadRejected):
        check(name, content)


def test_odf_needs_its_mimetype_as_the_first_stored_entry() -> None:
    moved = zip_bytes([("content.xml", b"<x/>"), ("mimetype", b"application/vnd.oasis.opendocument.text")])
    with pytest.raises(UploadRejected):
        check("moved.odt", moved)
    compressed = zip_bytes([("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")])
    with pytest.raises(UploadRejected):
        check("compressed.odt", compressed)


def test_a_zip_bomb_is_refused_from_its_directory() -> None:
    # 50 MB of zeros compresses to about 50 KB: a ratio of about 1000.
    bomb = zip_bytes([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"\x00" * (50 * 1024 * 1024))])
    assert len(bomb) < 200_000
    with pytest.raises(UploadRejected, match="expands"):
        check("bomb.docx", bomb)


def test_a_zip_whose_entries_add_up_past_the_cap_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(uploads, "ZIP_MAX_TOTAL", 1000)
    content = zip_bytes([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", bytes(range(256)) * 8)])
    with pytest.raises(UploadRejected, match="expands"):
        check("big.docx", content)


def test_a_zip_with_too_many_entries_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(uploads, "ZIP_MAX_ENTRIES", 10)
    entries = [("[Content_Types].xml", b"<Types/>")] + [(f"word/part{n}.xml", b"<p/>") for n in range(20)]
    with pytest.raises(UploadRejected):
        check("many.docx", zip_bytes(entries))


def test_the_zip_check_reads_the_directory_without_extracting(monkeypatch) -> None:
    word, text = docx(), odf("application/vnd.oasis.opendocument.text")
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    check("plan.docx", word)
    assert opened == []
    check("plan.odt", text)
    assert opened == ["mimetype"]  # a few dozen bytes, stored uncompressed


def test_size_limit_and_empty_files(settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(UploadRejected, match="larger than"):
        check_upload(io.BytesIO(PDF), "big.pdf", 1001)
    with pytest.raises(UploadRejected, match="empty"):
        check("empty.pdf", b"")


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("report\r\nSet-Cookie: x=1.pdf", "reportSet-Cookie: x=1.pdf"),
        ("nul\x00byte.pdf", "nulbyte.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("/absolute/path/", "file"),
        ("Übersicht – Zahlen 2024.pdf", "Übersicht – Zahlen 2024.pdf"),
        ("a" * 500 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_hostile_file_names_are_harmless(hostile: str, shown: str) -> None:
    assert display_name(hostile) == shown
    header = content_disposition(hostile)
    assert "\r" not in header and "\n" not in header and "\x00" not in header
    assert header.startswith('attachment; filename="')
    assert "/" not in header.split("filename*=UTF-8''")[0]


def test_content_disposition_carries_the_utf8_name() -> None:
    header = content_disposition('Übersicht "2024".pdf')
    assert header == "attachment; filename=\"_bersicht _2024_.pdf\"; filename*=UTF-8''%C3%9Cbersicht%20%222024%22.pdf"


def test_stored_names_are_random_and_never_the_users() -> None:
    names = {stored_name("pdf") for _ in range(50)}
    assert len(names) == 50
    assert all(re.fullmatch(r"evidence/[0-9a-f]{32}\.pdf", n) for n in names)
    with pytest.raises(ValueError):
        stored_name("../../x")


# Structure, not only the first bytes: files that start like a PDF or an image but are HTML.

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"%PDF-1.7\n" + HTML, "not a valid PDF document"),
        ("report.pdf", b"%PDF-1.7\n" + HTML + b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n", "not a valid PDF"),
        ("chart.png", b"\x89PNG\r\n\x1a\n" + HTML, "not a valid .png image"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + HTML, "not a valid .jpg image"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + HTML, "not a valid"),
        ("photo.jpg", image_bytes("PNG"), "its name and content must agree"),
        ("truncated.png", image_bytes("PNG", (64, 64))[:-20], "not a valid .png image"),
        ("truncated.jpg", image_bytes("JPEG", (64, 64))[:-200], "not a valid .jpg image"),
        ("truncated.pdf", pdf_bytes()[:-60], "not a valid PDF"),
    ],
    ids=[
        "pdf-html",
        "pdf-html-with-trailer",
        "png-html",
        "jpeg-soi-html",
        "jpeg-app0-html",
        "png-as-jpg",
        "png-cut",
        "jpeg-cut",
        "pdf-cut",
    ],
)
def test_a_file_that_only_starts_like_a_pdf_or_an_image_is_refused(name: str, content: bytes, message: str) -> None:
    with pytest.raises(UploadRejected, match=message):
        check(name, content)


def test_real_pdfs_and_images_are_accepted() -> None:
    assert check("report.pdf", pdf_bytes()).content_type == "application/pdf"
    assert check("chart.png", image_bytes("PNG", (300, 200))).content_type == "image/png"
    assert check("photo.jpg", image_bytes("JPEG", (300, 200))).content_type == "image/jpeg"
    # A JPEG holding more than one picture, as many cameras and phones write them (Pillow calls it MPO).
    from PIL import Image

    picture = Image.new("RGB", (60, 40), (200, 30, 30))
    out = io.BytesIO()
    picture.save(out, "MPO", save_all=True, append_images=[picture])
    assert check("camera.jpg", out.getvalue()).content_type == "image/jpeg"


def test_password_protected_pdfs_are_accepted_once_their_structure_parses() -> None:
    # An owner password only (opens without one) and a user password (cannot be opened here): both are PDFs.
    assert check("protected.pdf", pdf_bytes(user_password="", owner_password="owner", algorithm="RC4-128"))
    assert check("secret.pdf", pdf_bytes(user_password="secret", owner_password="owner", algorithm="RC4-128"))
    with pytest.raises(UploadRejected):
        check("secret.pdf", b"%PDF-1.7\n/Encrypt\n" + HTML)


def test_an_image_with_more_pixels_than_pillow_allows_is_refused_from_its_header(monkeypatch) -> None:
    from PIL import Image

    content = image_bytes("PNG", (40, 40))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 1,600 pixels: over the limit, not twice over
    with pytest.raises(UploadRejected, match="too many pixels"):
        check("chart.png", content)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)  # more than twice over: Pillow's DecompressionBombError
    with pytest.raises(UploadRejected, match="too many pixels"):
        check("photo.jpg", image_bytes("JPEG", (40, 40)))
