# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Files in the model cache: opened without following links, and verified by a stamp of their hash.

The cache is written by this package only, so a symbolic link in it is refused rather than
followed: a planted link could otherwise make a download overwrite, or a load read, any file
the user can reach. A file's SHA-256 is stamped beside it (``NAME.verified``: hash, size and
modification time) when it was last verified; a later use trusts the stamp while size and time
are unchanged, and hashes the file again when they changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
import stat
from typing import BinaryIO, Optional

from lite_tracker_ros.errors import LiteTrackerError

CHUNK = 1 << 20
STAMP_SUFFIX = '.verified'
PART_SUFFIX = '.part'
_STAMP_MAX_BYTES = 4096
_MODES = {'read': os.O_RDONLY, 'append': os.O_WRONLY | os.O_CREAT | os.O_APPEND,
          'truncate': os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
          'new': os.O_WRONLY | os.O_CREAT | os.O_EXCL}


class UnsafeCacheFile(LiteTrackerError, OSError):
    """A cache path that is a link or not a regular file; the message says what to remove."""


def refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise UnsafeCacheFile(f'{path} is a symbolic link; the model cache never follows links: '
                              'remove it (keep files elsewhere in LITE_TRACKER_MODEL_PATH)')


def open_no_follow(path: Path, mode: str) -> BinaryIO:
    """Open a regular file of the cache; a link at ``path`` is refused, never followed."""
    try:
        fd = os.open(path, _MODES[mode] | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as error:
        if path.is_symlink():
            refuse_link(path)
        raise error
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeCacheFile(f'{path} is not a regular file; remove it')
    return os.fdopen(fd, 'rb' if mode == 'read' else 'wb')


def sha256_of(path: Path, follow_links: bool = True) -> str:
    digest = hashlib.sha256()
    with (path.open('rb') if follow_links else open_no_follow(path, 'read')) as f:
        for block in iter(lambda: f.read(CHUNK), b''):
            digest.update(block)
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + STAMP_SUFFIX)


def read_stamp(path: Path) -> Optional[dict]:
    """Return the stamp of ``path``, or None when there is none (or it is not ours)."""
    try:
        with open_no_follow(_stamp_path(path), 'read') as f:
            record = json.loads(f.read(_STAMP_MAX_BYTES))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def write_stamp(path: Path, digest: str) -> None:
    """Record that ``path`` (as it is now) has SHA-256 ``digest``; best effort."""
    info = os.stat(path, follow_symlinks=False)
    record = {'sha256': digest, 'size': info.st_size, 'mtime_ns': info.st_mtime_ns}
    temporary = path.with_name(f'.{path.name}{STAMP_SUFFIX}.{os.getpid()}')
    try:
        with open_no_follow(temporary, 'new') as f:
            f.write(json.dumps(record).encode())
        os.replace(temporary, _stamp_path(path))  # replaces a link itself, never its target
    except OSError:
        temporary.unlink(missing_ok=True)  # a read-only folder: verification is just slower


def verify(path: Path, expected: Optional[str], stamp: bool) -> bool:
    """
    Whether ``path`` has SHA-256 ``expected`` (None: the hash stamped when it was verified).

    The file is hashed only when no stamp vouches for its current size and time; a file with
    neither an expected hash nor a stamp is accepted (and stamped). ``stamp``: write the stamp.
    """
    record = read_stamp(path) if stamp else None
    info = os.stat(path, follow_symlinks=False)
    if record is not None and record.get('size') == info.st_size \
            and record.get('mtime_ns') == info.st_mtime_ns \
            and (expected is None or record.get('sha256') == expected):
        return True
    digest = sha256_of(path, follow_links=not stamp)
    reference = expected or (record or {}).get('sha256')
    if reference is not None and digest != reference:
        return False
    if stamp:
        write_stamp(path, digest)
    return True
