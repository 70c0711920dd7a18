"""Bytes the server streams: images (valid PNG and JPEG of the asked size) and media files.

Images are solid colours derived from the item and image type, encoded with the standard library
only (zlib for PNG; a minimal baseline JPEG encoder for a uniform grey, which every decoder reads).
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib

from aiohttp import web

MAX_SIDE = 4096
#: (width, height) an image has when the request names no size.
DEFAULT_SIZES = {
    "primary": (400, 600),
    "backdrop": (1280, 720),
    "thumb": (640, 360),
    "banner": (1000, 185),
    "logo": (400, 155),
    "art": (500, 281),
    "disc": (300, 300),
}
CONTAINER_TYPES = {
    "mkv": "video/x-matroska",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "ts": "video/mp2t",
    "webm": "video/webm",
    "avi": "video/x-msvideo",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "aac": "audio/aac",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "wav": "audio/wav",
}
MAGIC = {
    "video/x-matroska": b"\x1a\x45\xdf\xa3",
    "video/mp4": b"\x00\x00\x00\x18ftypisom",
    "video/mp2t": b"\x47\x40\x00\x10",
    "audio/mpeg": b"ID3\x04\x00\x00",
    "audio/flac": b"fLaC",
    "audio/aac": b"\xff\xf1",
    "audio/ogg": b"OggS",
    "audio/wav": b"RIFF",
}
MEDIA_SIZE = 64 * 1024


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def image_size(image_type: str, width: int | None, height: int | None) -> tuple[int, int]:
    """The size to render: the type's default, scaled down (aspect kept) to fit the request."""
    w, h = DEFAULT_SIZES.get(image_type.lower(), (400, 400))
    if width and height:
        w, h = width, height
    elif width:
        h = max(1, round(h * width / w))
        w = width
    elif height:
        w = max(1, round(w * height / h))
        h = height
    return min(max(w, 1), MAX_SIDE), min(max(h, 1), MAX_SIDE)


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


class _Bits:
    """MSB-first bit writer with JPEG byte stuffing."""

    def __init__(self) -> None:
        self.out = bytearray()
        self._acc = 0
        self._count = 0

    def write(self, value: int, length: int) -> None:
        for shift in range(length - 1, -1, -1):
            self._acc = (self._acc << 1) | ((value >> shift) & 1)
            self._count += 1
            if self._count == 8:
                self.out.append(self._acc)
                if self._acc == 0xFF:
                    self.out.append(0x00)
                self._acc = 0
                self._count = 0

    def finish(self) -> bytes:
        if self._count:
            self.write((1 << (8 - self._count)) - 1, 8 - self._count)
        return bytes(self.out)


def jpeg(width: int, height: int, grey: int) -> bytes:
    """A uniform grey baseline JPEG (one component, quantisation 1, two tiny Huffman tables).

    Every 8x8 block of a uniform image has only a DC coefficient, equal to 8 * (grey - 128);
    the first block codes it, the others a zero difference, all followed by end-of-block.
    """
    dc = 8 * (min(max(grey, 0), 255) - 128)
    category = abs(dc).bit_length()
    blocks = ((width + 7) // 8) * ((height + 7) // 8)

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    # DC table: symbol 0 (no difference) -> "0"; symbol `category` -> "10".
    if category:
        dc_bits, dc_values = bytes([1, 1] + [0] * 14), bytes([0, category])
    else:
        dc_bits, dc_values = bytes([1] + [0] * 15), bytes([0])
    ac_bits, ac_values = bytes([1] + [0] * 15), bytes([0x00])  # only end-of-block: "0"
    bits = _Bits()
    for n in range(blocks):
        if n == 0 and category:
            bits.write(0b10, 2)
            extra = dc if dc > 0 else dc + (1 << category) - 1
            bits.write(extra, category)
        else:
            bits.write(0, 1)
        bits.write(0, 1)  # end of block
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + b"\x01" * 64)
        + segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
        + segment(0xC4, b"\x00" + dc_bits + dc_values)
        + segment(0xC4, b"\x10" + ac_bits + ac_values)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + bits.finish()
        + b"\xff\xd9"
    )


def image_bytes(
    key: str, image_type: str, width: int | None, height: int | None, fmt: str
) -> tuple[bytes, str]:
    """An image and its content type. Logos are PNG (as real logos are), everything else JPEG,
    unless `Format=png|jpg` asks otherwise."""
    w, h = image_size(image_type, width, height)
    digest = _digest(key, image_type)
    wants_png = fmt == "png" or (fmt not in ("jpg", "jpeg") and image_type.lower() == "logo")
    if wants_png:
        return png(w, h, (digest[0], digest[1], digest[2])), "image/png"
    return jpeg(w, h, 40 + digest[0] % 176), "image/jpeg"


def media_type_for(media_type: str, container: str) -> str:
    """The content type of a stream."""
    found = CONTAINER_TYPES.get(container.lower().lstrip("."))
    if found is not None:
        return found
    return "audio/mpeg" if media_type == "Audio" else "video/x-matroska"


def media_bytes(item_id: str, content_type: str) -> bytes:
    """A deterministic file body that starts with its format's magic bytes."""
    head = MAGIC.get(content_type, b"")
    seed = _digest(item_id, content_type)
    body = (seed * (MEDIA_SIZE // len(seed) + 1))[: MEDIA_SIZE - len(head)]
    return head + body


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def range_response(request: web.Request, data: bytes, content_type: str) -> web.Response:
    """200 with the whole body, or 206 for a satisfiable single `Range`, or 416."""
    size = len(data)
    header = request.headers.get("Range")
    headers = {"Accept-Ranges": "bytes"}
    if not header:
        return web.Response(body=data, content_type=content_type, headers=headers)
    found = RANGE.match(header.strip())
    if found is None:
        return web.Response(body=data, content_type=content_type, headers=headers)
    first, last = found.groups()
    if first == "" and last == "":
        start, end = 0, size - 1
    elif first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        headers["Content-Range"] = f"bytes */{size}"
        return web.Response(status=416, headers=headers)
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return web.Response(
        status=206, body=data[start : end + 1], content_type=content_type, headers=headers
    )
