"""Checks for uploaded files (QUALITY.md S6): size first, then extension and content together.

A file is accepted only when its extension is on the allowlist AND its first bytes (or, for the zip-based
office formats, its zip central directory) say the same type. The content type we store and serve is the
one decided here, never the browser's. Zip-based files are checked for zip bombs from the central directory
alone: nothing is extracted. The name a user gave a file is kept only for display, cleaned of path parts and
control characters; files are stored under random names (`stored_name`).
"""

import codecs
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext as _

MB = 1024 * 1024
# Limits for the zip-based formats (DOCX, XLSX, ODT, ODS), read from the central directory only.
ZIP_MAX_TOTAL = 100 * MB  # all entries uncompressed
ZIP_MAX_ENTRIES = 5_000
ZIP_MAX_RATIO = 200  # uncompressed / compressed, per entry of more than ZIP_RATIO_FLOOR bytes
ZIP_RATIO_FLOOR = MB
DISPLAY_NAME_MAX = 150

OOXML_DIRS = {"docx": "word/", "xlsx": "xl/"}
ODF_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    **ODF_TYPES,
}
ALLOWED_EXTENSIONS = tuple(CONTENT_TYPES)


def max_upload_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 20 * MB))


class UploadRejected(Exception):
    """The file is refused; the message says why, for the person who chose it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedUpload:
    extension: str  # lower case, without the dot
    content_type: str  # decided from the content
    size: int
    display_name: str


def display_name(name: str) -> str:
    """The user's file name made harmless for display and for a Content-Disposition header: the last path
    part only, no control characters (CR, LF, NUL...), no leading dots, at most DISPLAY_NAME_MAX characters
    with the extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > DISPLAY_NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = f"{stem[: DISPLAY_NAME_MAX - len(ext) - 1]}.{ext}"
        else:
            name = name[:DISPLAY_NAME_MAX]
    return name or "file"


def extension_of(name: str) -> str:
    _stem, dot, ext = display_name(name).rpartition(".")
    return ext.lower() if dot else ""


def stored_name(extension: str, folder: str = "evidence") -> str:
    """A random storage name: nothing of the user's file name reaches the storage path."""
    if extension not in CONTENT_TYPES:
        raise ValueError(f"not an allowed extension: {extension!r}")
    return f"{folder}/{uuid.uuid4().hex}.{extension}"


def _head(file: IO[bytes], size: int = 8) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _check_zip(file: IO[bytes], extension: str) -> None:
    """DOCX/XLSX: [Content_Types].xml and word/ or xl/; ODT/ODS: a first entry `mimetype` naming the type.
    Refuses zip bombs from the central directory's sizes, without extracting anything."""
    wrong = UploadRejected(
        _("The file is not a valid .%(ext)s document; it may be damaged or another kind of file.") % {"ext": extension}
    )
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if not entries or len(entries) > ZIP_MAX_ENTRIES:
                raise wrong
            total = 0
            for entry in entries:
                total += entry.file_size
                if entry.file_size > ZIP_RATIO_FLOOR and entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1):
                    raise UploadRejected(_("The file expands to far more than its size, so it is refused."))
            if total > ZIP_MAX_TOTAL:
                raise UploadRejected(_("The file expands to far more than its size, so it is refused."))
            names = {entry.filename for entry in entries}
            if extension in OOXML_DIRS:
                folder = OOXML_DIRS[extension]
                if "[Content_Types].xml" not in names or not any(n.startswith(folder) for n in names):
                    raise wrong
            else:
                first = entries[0]
                # The OpenDocument format stores `mimetype` first and uncompressed; it is a few dozen bytes.
                if first.filename != "mimetype" or first.file_size > 100 or first.compress_type != zipfile.ZIP_STORED:
                    raise wrong
                if archive.read(first).strip() != ODF_TYPES[extension].encode():
                    raise wrong
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, KeyError):
        raise wrong from None
    finally:
        file.seek(0)


def _check_csv(file: IO[bytes]) -> None:
    """UTF-8 text without NUL bytes, read in chunks (the file may be up to the upload limit)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    file.seek(0)
    try:
        while chunk := file.read(64 * 1024):
            if b"\x00" in chunk:
                raise UploadRejected(_("The file is not a text CSV file."))
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UploadRejected(_("Save the CSV file as UTF-8 text and choose it again.")) from None
    finally:
        file.seek(0)


def check_upload(file: IO[bytes], name: str, size: int) -> CheckedUpload:
    """Accepts the file or raises UploadRejected. `size` is the upload's size as received."""
    limit = max_upload_bytes()
    if size > limit:
        raise UploadRejected(_("The file is larger than %(mb)d MB.") % {"mb": limit // MB})
    if size == 0:
        raise UploadRejected(_("The file is empty."))
    extension = extension_of(name)
    if extension not in CONTENT_TYPES:
        raise UploadRejected(
            _("Choose a PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT, ODS), CSV, PNG or JPEG file.")
        )
    head = _head(file)
    if extension == "pdf":
        ok = head.startswith(b"%PDF-")
    elif extension == "png":
        ok = head.startswith(b"\x89PNG\r\n\x1a\n")
    elif extension in ("jpg", "jpeg"):
        ok = head.startswith(b"\xff\xd8\xff")
    elif extension == "csv":
        ok = True
        _check_csv(file)
    else:
        ok = head.startswith(b"PK\x03\x04")
        if ok:
            _check_zip(file, extension)
    if not ok:
        raise UploadRejected(
            _("The file's content is not a .%(ext)s file: its name and content must agree.") % {"ext": extension}
        )
    return CheckedUpload(
        extension=extension, content_type=CONTENT_TYPES[extension], size=size, display_name=display_name(name)
    )


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / RFC 5987)."""
    from urllib.parse import quote

    clean = display_name(name)
    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in clean)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean, safe='')}"


class LimitedUploadHandler(FileUploadHandler):
    """First upload handler: skips any file of a request whose body is over the limit (plus room for the form's
    fields), and any file that grows past the limit, before a byte of it is written to memory or disk. The
    rest of the form is still read, so the page can keep what was typed and say why (`upload_refused`)."""

    FORM_OVERHEAD = MB
    too_large = False

    def handle_raw_input(
        self, input_data: Any, META: dict[str, Any], content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.too_large = content_length > max_upload_bytes() + self.FORM_OVERHEAD
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > max_upload_bytes():
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self) -> None:
        if self.request is not None:
            self.request.upload_refused = True  # type: ignore[attr-defined]
        raise SkipFile


def upload_refused(request: HttpRequest) -> bool:
    """True when LimitedUploadHandler skipped a file of this request for its size."""
    return bool(getattr(request, "upload_refused", False))


class UploadFormMixin:
    """For a form with a file field (after AccessibleFormMixin in its bases): the S6 checks as the field's
    errors, and the answer when LimitedUploadHandler skipped the file for its size."""

    def checked_file(self, upload: Any) -> CheckedUpload:
        """`check_upload` for a `clean_<field>`: a refused file becomes the field's error."""
        from django import forms

        try:
            return check_upload(upload, upload.name or "", upload.size or 0)
        except UploadRejected as rejected:
            raise forms.ValidationError(rejected.message) from None

    def refuse_file_for_size(self, field: str = "file") -> None:
        """Call when `upload_refused(request)`: the file was skipped before it was stored, so the form says
        why instead of "This field is required" (which it replaces)."""
        form: Any = self
        form.is_valid()
        form.errors[field] = form.error_class(
            [_("The file is larger than %(mb)d MB. Choose a smaller file.") % {"mb": max_upload_bytes() // MB}]
        )
        form.cleaned_data.pop(field, None)
        form.wire_aria()
