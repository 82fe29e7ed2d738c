# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Bounded reads from a checkpoint's zip archive.

A zip's central directory is the file's own claim about its entries: sizes, offsets, compression.
Each entry is checked against the file before a byte is allocated for it (its data must lie inside
the file, entries may not share bytes, a deflated entry may not expand beyond ``MAX_INFLATION``
times its compressed size), and every read must return exactly the size the directory declares.
Any zip-level failure (bad CRC, encryption, unknown compression, truncation) is one
``CheckpointError`` naming the file.
"""

from __future__ import annotations

import os
import zipfile
import zlib

from lite_tracker_ros.networks.errors import CheckpointError, one_line

#: torch.save stores entries uncompressed; a re-zipped checkpoint may be deflated
READABLE_METHODS = {zipfile.ZIP_STORED: 'stored', zipfile.ZIP_DEFLATED: 'deflated'}
#: weights barely compress (random-looking floats deflate to ~90 %); a higher ratio means
#: mostly repeated bytes, i.e. an archive built to expand in memory
MAX_INFLATION = 16
#: slack for small entries (a pickle or a bias deflates better than the ratio above)
INFLATION_SLACK = 1 << 20
_READ_CHUNK = 1 << 20
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
               RuntimeError, NotImplementedError, ValueError, KeyError)
_ENCRYPTED_FLAG = 0x1


class CheckpointArchive:
    """A zip checkpoint opened for reading; use as a context manager."""

    def __init__(self, path: str):
        self.path = path
        try:
            self.file_size = os.path.getsize(path)
            self._zip = zipfile.ZipFile(path)
        except _ZIP_ERRORS as error:
            raise CheckpointError(f'{path}: unreadable zip archive ({one_line(error)}); '
                                  'download the file again') from error
        self._claimed = 0  # compressed bytes of the entries read so far

    def __enter__(self) -> CheckpointArchive:
        return self

    def __exit__(self, *_: object) -> None:
        self._zip.close()

    def names(self) -> list[str]:
        return self._zip.namelist()

    def _fail(self, name: str, why: str) -> CheckpointError:
        return CheckpointError(f'{self.path}: entry {name!r} {why}; the file is damaged or not '
                               'a torch checkpoint, download it again')

    def _checked_entry(self, name: str) -> zipfile.ZipInfo:
        try:
            info = self._zip.getinfo(name)
        except KeyError as error:
            raise self._fail(name, 'is missing from the archive') from error
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise self._fail(name, 'is encrypted')
        if info.compress_type not in READABLE_METHODS:
            raise self._fail(name, f'uses compression method {info.compress_type} (only stored '
                                   'or deflated entries are read)')
        if info.header_offset + info.compress_size > self.file_size:
            raise self._fail(name, f'claims {info.compress_size} bytes at offset '
                                   f'{info.header_offset}, past the end of the '
                                   f'{self.file_size}-byte file')
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise self._fail(name, f'is stored but claims {info.file_size} bytes in '
                                   f'{info.compress_size}')
        if info.file_size > MAX_INFLATION * info.compress_size + INFLATION_SLACK:
            raise self._fail(name, f'would expand {info.compress_size} bytes to '
                                   f'{info.file_size} (more than {MAX_INFLATION} times)')
        self._claimed += info.compress_size
        if self._claimed > self.file_size:
            raise self._fail(name, 'shares its bytes with other entries (overlapping entries)')
        return info

    def entry_size(self, name: str) -> int:
        """Return the uncompressed size the directory declares for ``name`` (unchecked)."""
        try:
            return self._zip.getinfo(name).file_size
        except KeyError as error:
            raise self._fail(name, 'is missing from the archive') from error

    def read(self, name: str, limit: int) -> bytearray:
        """Read a whole entry of at most ``limit`` bytes, checking its size and CRC."""
        info = self._checked_entry(name)
        if info.file_size > limit:
            raise self._fail(name, f'declares {info.file_size} bytes, more than the '
                                   f'{limit} expected')
        buffer = bytearray(info.file_size)
        view, got = memoryview(buffer), 0
        try:
            with self._zip.open(info) as stream:
                while got < len(buffer):
                    count = stream.readinto(view[got:got + _READ_CHUNK])
                    if not count:
                        break
                    got += count
                extra = stream.read(1)  # also makes zipfile check the CRC at the end
        except CheckpointError:
            raise
        except _ZIP_ERRORS as error:
            raise self._fail(name, f'cannot be read ({one_line(error)})') from error
        if got != info.file_size or extra:
            raise self._fail(name, f'holds {"more" if extra else got} bytes where the directory '
                                   f'declares {info.file_size}')
        return buffer
