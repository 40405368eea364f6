"""Checks for uploaded files (docs/quality.md S6): size first, then extension and content together; storing them (R2).

A file is accepted only when its extension is on the allowlist AND its content has the structure of that
type, not only its first bytes: a PDF must parse (pypdf: cross-reference table, trailer, catalog), a PNG or
JPEG must be that image (Pillow), the zip-based office formats need their zip central directory, a CSV must
decode as UTF-8 text. So a file that only starts like a PDF or an image (an HTML polyglot) is refused. The
content type we store and serve is the one decided here, never the browser's. Zip-based files are checked for
zip bombs from the central directory alone: nothing is extracted; images for decompression bombs from their
header. The name a user gave a file is kept only for display, cleaned of path parts and control characters;
files are stored under random names (`stored_name`). `store_upload` leaves nothing behind when the disk is
full, and `TemporaryFileUploadHandler` does the same for the temporary copy of a large upload.
"""

import codecs
import contextlib
import errno
import logging
import os
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler as DjangoTemporaryFileUploadHandler
from django.http import FileResponse, HttpRequest, multipartparser
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError
from pypdf.generic import DictionaryObject

log = logging.getLogger(__name__)

MB = 1024 * 1024
# Limits for the zip-based formats (DOCX, XLSX, ODT, ODS), read from the central directory only.
ZIP_MAX_TOTAL = 100 * MB  # all entries uncompressed
ZIP_MAX_ENTRIES = 5_000
ZIP_MAX_RATIO = 200  # uncompressed / compressed, per entry of more than ZIP_RATIO_FLOOR bytes
ZIP_RATIO_FLOOR = MB
DISPLAY_NAME_MAX = 150
# No file system stores a longer file name, so a longer one was typed into a crafted request: refused.
NAME_MAX = 255
# Django refuses a whole multipart body (a bare 400 page, nothing the person typed kept) when the headers of one
# part pass 1 KiB, as a file name of a thousand characters does. 32 KiB holds a name of 5,000 four-byte
# characters, so such a request is read and its file refused with the form's error (LimitedUploadHandler);
# the limit still bounds what one part's headers may cost.
PART_HEADERS_MAX = 32 * 1024
if getattr(multipartparser, "MAX_TOTAL_HEADER_SIZE", 0) < PART_HEADERS_MAX:
    multipartparser.MAX_TOTAL_HEADER_SIZE = PART_HEADERS_MAX  # type: ignore[attr-defined]  # not in the stubs

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


def _check_pdf(file: IO[bytes]) -> None:
    """The file must parse as a PDF: a cross-reference table (rebuilt by pypdf when its offsets are slightly
    wrong, as in many real files), a trailer, and a catalog with a page tree; a file without its end-of-file
    marker (truncated) is refused. Only those few objects are read: no page is rendered, no stream decoded
    beyond what the cross-reference needs (pypdf caps what one stream may expand to). A password-protected
    PDF whose objects cannot be read without the password is accepted once its cross-reference table and
    trailer parsed: the team may keep a protected report, and it is never opened here."""
    wrong = UploadRejected(_("The file is not a valid PDF document; it may be damaged or another kind of file."))
    file.seek(0)
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            try:
                if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                    return
            except DependencyError:
                return  # an encryption whose algorithm needs a library we do not install: as protected
        catalog = reader.trailer["/Root"].get_object()
        pages = catalog["/Pages"].get_object() if isinstance(catalog, DictionaryObject) else None
        if not isinstance(pages, DictionaryObject):
            raise wrong
    except UploadRejected:
        raise
    except Exception:  # any failure of the parser on hostile input means "not a PDF"
        raise wrong from None
    finally:
        file.seek(0)


def _check_image(file: IO[bytes], extension: str) -> None:
    """The file must be a PNG or JPEG image of the extension's format, with at most Pillow's MAX_IMAGE_PIXELS
    (checked from the header, before any pixel is decoded). A PNG's chunks are verified (CRCs through IEND,
    without decompressing the pixels); a JPEG is decoded at an eighth of its size, which reads all its data
    (a truncated or fake one fails) in a 64th of the memory."""
    kind = "PNG" if extension == "png" else "JPEG"
    # Pillow names a JPEG with extra pictures (cameras and phones write them: stereo, depth, previews) MPO.
    formats = {"PNG"} if kind == "PNG" else {"JPEG", "MPO"}
    wrong = UploadRejected(
        _("The file is not a valid .%(ext)s image; it may be damaged or another kind of file.") % {"ext": extension}
    )
    too_big = UploadRejected(
        _("The image has too many pixels (at most %(n)d million). Save it at a smaller size and choose it again.")
        % {"n": (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000}
    )
    file.seek(0)
    try:
        with Image.open(file, formats=[kind]) as image:
            if image.format not in formats:
                raise wrong
            if Image.MAX_IMAGE_PIXELS and image.width * image.height > Image.MAX_IMAGE_PIXELS:
                raise too_big
            if kind == "PNG":
                image.verify()
            else:
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except Exception:  # any failure of the decoder on hostile input means "not this image"
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
        if ok:
            _check_pdf(file)
    elif extension == "png":
        ok = head.startswith(b"\x89PNG\r\n\x1a\n")
        if ok:
            _check_image(file, extension)
    elif extension in ("jpg", "jpeg"):
        ok = head.startswith(b"\xff\xd8\xff")
        if ok:
            _check_image(file, extension)
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


# A file served from storage is an island: nothing in it runs, loads or frames (docs/quality.md S6).
SANDBOX = "sandbox; default-src 'none'; frame-ancestors 'none'"


def stored_file_response(stored_name: str, *, file_name: str, file_type: str, file_size: int) -> FileResponse:
    """A stored upload as an attachment the browser neither renders nor sniffs, with the content type decided
    when it was checked and the name its owner gave it; 404 when the storage no longer has it."""
    from django.core.files.storage import default_storage
    from django.http import Http404

    try:
        handle = default_storage.open(stored_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=file_type)
    response["Content-Disposition"] = content_disposition(file_name)
    response["Content-Length"] = str(file_size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "no-store, private"
    return response


class UploadNotStored(Exception):
    """The storage refused the file (disk full, or unavailable); nothing of it was kept."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def no_room_message() -> str:
    return _(
        "The server has no room to store this file right now; nothing was saved. Try again later, or tell the "
        "platform team if it keeps happening."
    )


def _is_no_room(error: OSError) -> bool:
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def store_upload(storage: Storage, name: str, content: "File[Any]") -> str:
    """Saves `content` under the random `name` (`stored_name`) and returns the stored name. When a write fails
    (disk full), the storage has left what it wrote so far, a truncated or empty file: it is deleted here, and
    UploadNotStored says why, so the caller rolls back and the person is told that nothing was saved."""
    if storage.exists(name):
        # Random names do not collide; the check makes sure a failure below never deletes another file.
        raise ValueError(f"stored name already taken: {name!r}")
    try:
        return storage.save(name, content)
    except OSError as error:
        log.error(
            "upload not stored (%s): %s",
            errno.errorcode.get(error.errno or 0, "?"),
            name,
            exc_info=True,
        )
        try:
            if storage.exists(name):
                storage.delete(name)
        except OSError:
            log.exception("a partly stored upload could not be deleted: %s", name)
        if _is_no_room(error):
            raise UploadNotStored(no_room_message()) from error
        raise UploadNotStored(
            _("The file could not be stored (the server's storage is unavailable); nothing was saved. Try again later.")
        ) from error


def _refuse(request: HttpRequest | None, reason: str) -> None:
    """Skips the file being received; the form then says why (`UploadFormMixin.refuse_skipped_file`)."""
    if request is not None:
        request.upload_refused = reason  # type: ignore[attr-defined]
    raise SkipFile


class LimitedUploadHandler(FileUploadHandler):
    """First upload handler: skips any file of a request whose body is over the limit (plus room for the form's
    fields), any file that grows past the limit, before a byte of it is written to memory or disk, and any file
    whose name is longer than a file system allows. The rest of the form is still read, so the page can keep
    what was typed and say why (`upload_refused`)."""

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
            _refuse(self.request, "size")
        if len(self.file_name or "") > NAME_MAX:
            _refuse(self.request, "name")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > max_upload_bytes():
            _refuse(self.request, "size")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class TemporaryFileUploadHandler(DjangoTemporaryFileUploadHandler):
    """Django's handler for uploads too large to hold in memory, which streams them to a temporary file: when
    that disk is full, the partial temporary file is deleted at once and the file skipped, so the form says
    that nothing was saved (instead of a server error), keeping what was typed."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().new_file(*args, **kwargs)
        except OSError as error:
            self._no_room(error, None)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        try:
            self.file.write(raw_data)
        except OSError as error:
            self._no_room(error, self.file)

    def file_complete(self, file_size: int) -> Any:
        try:
            self.file.flush()
        except OSError as error:
            try:
                self._no_room(error, self.file)
            except SkipFile:
                return None  # the multipart parser has no skip here: no handler gives a file, the form says why
        return super().file_complete(file_size)

    def _no_room(self, error: OSError, temporary: Any) -> None:
        log.error("upload not received (%s): temporary file", errno.errorcode.get(error.errno or 0, "?"))
        if temporary is not None:
            path = temporary.temporary_file_path()
            with contextlib.suppress(OSError):
                temporary.close()  # deletes the temporary file, even when flushing what is buffered fails
            if os.path.exists(path):
                os.remove(path)
        _refuse(self.request, "storage")


def upload_refused(request: HttpRequest) -> str:
    """Why an upload handler skipped a file of this request ("size", "name" or "storage"), or ""."""
    return str(getattr(request, "upload_refused", "") or "")


class UploadFormMixin:
    """For a form with a file field (after AccessibleFormMixin in its bases): the S6 checks as the field's
    errors, and the answer when an upload handler skipped the file."""

    def checked_file(self, upload: Any) -> CheckedUpload:
        """`check_upload` for a `clean_<field>`: a refused file becomes the field's error."""
        from django import forms

        try:
            return check_upload(upload, upload.name or "", upload.size or 0)
        except UploadRejected as rejected:
            raise forms.ValidationError(rejected.message) from None

    def refuse_skipped_file(self, request: HttpRequest, field: str = "file") -> None:
        """Call when `upload_refused(request)`: the file was skipped before it was stored, so the form says
        why instead of "This field is required" (which it replaces)."""
        reason = upload_refused(request)
        if reason == "name":
            message = _(
                "The file's name is longer than %(n)d characters. Give the file a shorter name and choose it again."
            ) % {"n": NAME_MAX}
        elif reason == "storage":
            message = no_room_message()
        else:
            message = _("The file is larger than %(mb)d MB. Choose a smaller file.") % {"mb": max_upload_bytes() // MB}
        form: Any = self
        form.is_valid()
        form.errors[field] = form.error_class([message])
        form.cleaned_data.pop(field, None)
        form.wire_aria()
