"""Reads a PDF's objects, compressed streams included, to check its tags and language."""

import re
import zlib


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects with compressed (object) streams inflated, so the catalog can be read."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)
