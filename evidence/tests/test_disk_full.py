"""A full disk during an upload (docs/quality.md R2): the form says that nothing was saved and keeps what was typed,
no row is written, and no partial or empty file is left behind, neither the stored file nor the temporary
copy of a large upload.

Twice: with Django's real file-system storage on a faked disk that fills up half way through the file, and on
a real 1 MB tmpfs where the machine lets the tests mount one (they are skipped, saying why, where it does not).
"""

import errno
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from PIL import Image

from assessments.models import AssessmentEvent
from evidence.models import Evidence, EvidenceLink
from tests.support.cast import client_for
from tests.support.evidence import PDF, a_factor, stored_files, upload

pytestmark = pytest.mark.django_db

NO_ROOM = "The server has no room to store this file right now; nothing was saved."


def noise_png(side: int) -> bytes:
    """A real PNG of random pixels: it does not compress, so it is about 3 × side² bytes."""
    import io

    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(3 * side * side)).save(out, "PNG", compress_level=1)
    return out.getvalue()


class _UntilFull:
    """The content of a file as a disk with `room` bytes free takes it: the write past the room fails."""

    def __init__(self, content: Any, room: int) -> None:
        self.content = content
        self.room = room

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        written = 0
        for chunk in self.content.chunks(16 * 1024):
            if written + len(chunk) > self.room:
                yield chunk[: self.room - written]
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written += len(chunk)
            yield chunk


class DiskFillsUp(FileSystemStorage):
    """Django's file-system storage, unchanged, on a disk with 64 KiB free: it creates the file and writes until
    the disk is full, as it would on a real one (so it leaves what it wrote unless we delete it)."""

    ROOM = 64 * 1024

    def _save(self, name: str, content: Any) -> str:
        return super()._save(name, _UntilFull(content, self.ROOM))


@pytest.fixture
def full_disk(settings: Any) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.DiskFillsUp"}}


def library_url(cast: Any) -> str:
    return f"/workspaces/{cast.workspace.public_id}/evidence/"


def form(**fields: object) -> dict[str, object]:
    return {f"evidence-{k}": v for k, v in fields.items()}


def test_a_disk_that_fills_up_mid_write_leaves_no_file_and_no_row(cast, media_root, full_disk, caplog) -> None:
    content = noise_png(200)
    assert len(content) > DiskFillsUp.ROOM
    with caplog.at_level(logging.ERROR, logger="lib.uploads"):
        response = client_for(cast.contributor).post(
            library_url(cast),
            form(kind="other", title="Typed title", description="Typed words", file=upload("chart.png", content)),
        )
    assert response.status_code == 400
    assert NO_ROOM in response.text and "There is a problem" in response.text
    assert 'value="Typed title"' in response.text and "Typed words" in response.text
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []
    assert any("upload not stored (ENOSPC)" in record.getMessage() for record in caplog.records)


def test_a_full_disk_when_adding_and_attaching_leaves_no_file_no_item_and_no_link(
    cast, assessment, media_root, full_disk
) -> None:
    factor = a_factor(assessment)
    response = client_for(cast.contributor).post(
        f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/evidence/new/",
        form(attach_to="factor", kind="project", title="Pilot report", file=upload("pilot.png", noise_png(200))),
    )
    assert response.status_code == 400
    assert NO_ROOM in response.text and 'value="Pilot report"' in response.text
    assert not Evidence.objects.exists() and not EvidenceLink.objects.exists()
    assert not AssessmentEvent.objects.filter(action__startswith="evidence").exists()
    assert stored_files(media_root) == []


# A real small disk ------------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs, mounted for the test and unmounted after it; skipped where mounting is not allowed."""
    mount = shutil.which("mount")
    point = tmp_path / "small-disk"
    point.mkdir()
    if mount is None:
        pytest.skip("no mount command on this machine: the real small disk is not tested here")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        reason = f"mounting a 1 MB tmpfs was refused ({done.stderr.strip() or done.returncode}): not tested here"
        print(reason)
        pytest.skip(reason)
    umount = shutil.which("umount") or "umount"
    try:
        yield point
    finally:
        # A file still open on it (a failing test's) makes a plain unmount refuse: then detach it lazily, so
        # nothing stays mounted after the test.
        if subprocess.run([umount, str(point)], capture_output=True, check=False).returncode != 0:
            subprocess.run([umount, "-l", str(point)], check=False)


def fill(folder: Path) -> Path:
    """Writes a file until the disk has no room left; returns it."""
    filler = folder / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\x00" * 64 * 1024)
                out.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_on_a_small_real_disk_a_stored_file_that_does_not_fit_leaves_nothing(cast, settings, small_disk) -> None:
    settings.MEDIA_ROOT = small_disk / "media"
    client = client_for(cast.contributor)
    # 3 MB: received into a temporary file elsewhere, then copied onto the 1 MB disk until it is full.
    response = client.post(
        library_url(cast), form(kind="other", title="Large chart", file=upload("chart.png", noise_png(1000)))
    )
    assert response.status_code == 400 and NO_ROOM in response.text and 'value="Large chart"' in response.text
    assert files_in(small_disk) == []
    # With the disk already full, a small file cannot even begin: no empty file either.
    fill(small_disk)
    for attempt in range(2):
        response = client.post(
            library_url(cast), form(kind="other", title=f"Report {attempt}", file=upload("report.pdf", PDF))
        )
        assert response.status_code == 400 and NO_ROOM in response.text
    assert files_in(small_disk) == ["filler"]
    assert not Evidence.objects.exists()


def test_on_a_small_real_disk_for_temporary_files_a_large_upload_leaves_nothing(
    cast, assessment, settings, media_root, small_disk
) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(small_disk)
    client = client_for(cast.contributor)
    response = client.post(
        library_url(cast),
        form(kind="other", title="Large chart", description="Typed words", file=upload("chart.png", noise_png(1000))),
    )
    assert response.status_code == 400
    assert NO_ROOM in response.text and 'value="Large chart"' in response.text and "Typed words" in response.text
    assert files_in(small_disk) == [] and stored_files(media_root) == []
    assert not Evidence.objects.exists()
    # The workbook import receives its file the same way.
    response = client.post(
        f"/assessments/{assessment.public_id}/import/", {"file": upload("filled.xlsx", os.urandom(3 * 1024 * 1024))}
    )
    assert response.status_code == 400 and NO_ROOM in response.text
    assert files_in(small_disk) == []
