# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The pixel size a compressed image declares, read from its header without decoding it.

A decoder allocates what the header declares: a 66-byte PNG can ask for 70000x70000 pixels and a
100 KB one decodes to gigabytes. Reading the declared size first lets the node refuse such input
before anything is allocated. Only formats whose size field is parsed here are accepted; any
other one (TIFF, GIF, JPEG 2000, OpenEXR, ...) is refused rather than decoded blind.
"""

from __future__ import annotations

import struct

from lite_tracker_ros.errors import LiteTrackerError

FORMATS = ('png', 'jpeg', 'bmp', 'webp', 'pnm')


class UnknownImageFormat(LiteTrackerError, ValueError):
    """The data is not one of ``FORMATS``."""


class MalformedImageHeader(LiteTrackerError, ValueError):
    """The data starts like one of ``FORMATS`` but its size cannot be read: cut short, corrupt."""


def declared_size(data: bytes) -> tuple[str, int, int]:
    """Return (format, width, height) from the header, or raise one of the errors above."""
    for reader in (_png, _jpeg, _bmp, _webp, _pnm):
        found = reader(data)
        if found is not None:
            return found
    raise UnknownImageFormat(f'not a {", ".join(FORMATS)} image: first bytes {bytes(data[:8])!r}')


def _cut_short(fmt: str) -> MalformedImageHeader:
    return MalformedImageHeader(f'{fmt} header is cut short or malformed')


def _png(data: bytes):
    if not data.startswith(b'\x89PNG\r\n\x1a\n'):
        return None
    # the IHDR chunk must come first: length, type, width, height (big-endian)
    if len(data) < 24 or data[12:16] != b'IHDR':
        raise _cut_short('png')
    width, height = struct.unpack('>II', data[16:24])
    return 'png', width, height


# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset([0x01, 0xD8]) | frozenset(range(0xD0, 0xD8))


def _jpeg(data: bytes):
    if not data.startswith(b'\xff\xd8'):
        return None
    pos, end = 2, len(data)
    while pos < end:
        if data[pos] != 0xFF:
            raise _cut_short('jpeg')
        while pos < end and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= end:
            break
        marker = data[pos]
        pos += 1
        if marker in _JPEG_STANDALONE:
            continue
        if marker in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            break
        if pos + 2 > end:
            break
        (length,) = struct.unpack('>H', data[pos:pos + 2])
        if marker in _JPEG_SOF:
            if length < 7 or pos + 7 > end:
                break
            height, width = struct.unpack('>HH', data[pos + 3:pos + 7])
            if height == 0:  # height given later by a DNL marker: not decided up front
                break
            return 'jpeg', width, height
        if length < 2:
            break
        pos += length
    raise _cut_short('jpeg')


def _bmp(data: bytes):
    if not data.startswith(b'BM'):
        return None
    if len(data) < 26:
        raise _cut_short('bmp')
    (header_size,) = struct.unpack('<I', data[14:18])
    if header_size == 12:  # OS/2 core header: 16-bit sizes
        width, height = struct.unpack('<hh', data[18:22])
    else:
        width, height = struct.unpack('<ii', data[18:26])
    return 'bmp', abs(width), abs(height)  # negative height: rows stored top-down


def _webp(data: bytes):
    if not (data.startswith(b'RIFF') and data[8:12] == b'WEBP'):
        return None
    if len(data) < 30:
        raise _cut_short('webp')
    chunk = data[12:16]
    if chunk == b'VP8X':  # extended: canvas size minus one, 24-bit little-endian
        width = int.from_bytes(data[24:27], 'little') + 1
        height = int.from_bytes(data[27:30], 'little') + 1
        return 'webp', width, height
    if chunk == b'VP8L':  # lossless: signature 0x2f, then 14-bit width-1 and height-1
        if data[20] != 0x2F:
            raise _cut_short('webp')
        bits = int.from_bytes(data[21:25], 'little')
        return 'webp', (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b'VP8 ':  # lossy: 3-byte frame tag, start code, 14-bit sizes
        if data[23:26] != b'\x9d\x01\x2a':
            raise _cut_short('webp')
        width, height = struct.unpack('<HH', data[26:30])
        return 'webp', width & 0x3FFF, height & 0x3FFF
    raise _cut_short('webp')


def _pnm(data: bytes):
    if len(data) < 2 or data[0:1] != b'P' or data[1:2] not in b'123456':
        return None
    numbers = []
    pos = 2
    head = data[:4096]  # width and height come within the first line or few comment lines
    while len(numbers) < 2:
        while pos < len(head) and head[pos:pos + 1] in b' \t\r\n':
            pos += 1
        if head[pos:pos + 1] == b'#':
            newline = head.find(b'\n', pos)
            if newline < 0:
                raise _cut_short('pnm')
            pos = newline + 1
            continue
        start = pos
        while pos < len(head) and head[pos:pos + 1].isdigit():
            pos += 1
        if start == pos or pos - start > 10:
            raise _cut_short('pnm')
        numbers.append(int(head[start:pos]))
    return 'pnm', numbers[0], numbers[1]
