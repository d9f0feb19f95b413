"""Stored files (uploads and user media) and the little image decoding the stand-in needs."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredFile:
    """A file known to the stand-in: what getFile describes and /file/ serves."""

    file_id: str
    file_unique_id: str
    file_path: str
    kind: str  # "photo", "document", "video", ...: the Message field that carries it
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def describe(self, extra: dict | None = None) -> Any:
        """The Message field for this file: a PhotoSize list for photos, else one object.

        ``extra`` supplies what the stand-in does not decode (width, height, duration).
        """
        extra = extra or {}
        described: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.kind == "photo":
            _, width, height = image_info(self.content) or ("", 0, 0)
            return [{**described, "width": width, "height": height}]
        if self.kind in {"video", "animation"}:
            described.update(width=extra.get("width", 0), height=extra.get("height", 0))
        if self.kind in {"video", "animation", "audio", "voice"}:
            described["duration"] = extra.get("duration", 0)
        if self.kind in {"document", "audio", "video", "animation"} and self.file_name:
            described["file_name"] = self.file_name
        if self.mime_type:
            described["mime_type"] = self.mime_type
        return described

    def as_file(self) -> dict:
        """The Bot API ``File`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


def image_info(data: bytes) -> tuple[str, int, int] | None:
    """(MIME type, width, height) of a PNG, JPEG or GIF image; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return ("image/png", *struct.unpack(">II", data[16:24]))
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return ("image/gif", *struct.unpack("<HH", data[6:10]))
    if data.startswith(b"\xff\xd8") and (size := _jpeg_size(data)):
        return ("image/jpeg", *size)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG segments up to the first start-of-frame marker."""
    pos = 2
    while pos + 9 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def make_png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    """A valid, uncompressed-colour PNG of one solid colour."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
