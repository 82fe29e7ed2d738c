# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Hostile compressed images, built at test time (no hostile file is committed)."""

import struct
import zlib


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack('>I', len(body)) + kind + body
            + struct.pack('>I', zlib.crc32(kind + body) & 0xFFFFFFFF))


def png_declaring(width: int, height: int) -> bytes:
    """Signature, IHDR (8-bit RGB), an IDAT of nothing and IEND: 65 bytes that declare any size."""
    ihdr = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', ihdr)
            + png_chunk(b'IDAT', zlib.compress(b'')) + png_chunk(b'IEND', b''))


def png_bomb(side: int) -> bytes:
    """Build a valid 1-bit PNG of side x side zeros (30000: ~110 KB, 2.7 GB decoded to BGR)."""
    row = b'\x00' * (1 + (side + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    body = b''.join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack('>IIBBBBB', side, side, 1, 0, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', ihdr) + png_chunk(b'IDAT', body)
            + png_chunk(b'IEND', b''))
