# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Fetch a file of known size into a partial file: resumable, capped at that size, on a deadline.

The registry declares each file's size, so the transfer never writes more than that; a server
offering or sending more is refused. The whole transfer has a deadline (a server trickling one
byte a second would otherwise never time out), and a connection that stalls for ``stall_s``
fails. A transfer that stops early keeps the partial file, so the next run resumes it.
"""

from __future__ import annotations

import http.client
from pathlib import Path
import time
import urllib.error
import urllib.request

from lite_tracker_ros.cache_files import CHUNK, open_no_follow
from lite_tracker_ros.errors import LiteTrackerError

_RESUME = 'the partial file is kept; run the command again to resume'


class FetchError(LiteTrackerError):
    """The transfer failed; the message says how far it got and what to do."""


def _open(url: str, have: int, timeout_s: float):
    request = urllib.request.Request(url, headers={'Range': f'bytes={have}-'} if have else {})
    try:
        return urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:
            raise FetchError(f'the server has nothing after byte {have} of the declared '
                             'size; the address may serve another file') from error
        raise FetchError(f'download from {url} failed ({error})') from error
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        raise FetchError(f'download from {url} failed ({error}); run the command again') \
            from error


def _resumed(response, have: int) -> bool:
    if not have or getattr(response, 'status', None) != 206:
        return False
    return response.headers.get('Content-Range', '').startswith(f'bytes {have}-')


def fetch(url: str, part: Path, size: int, deadline: float, stall_s: float) -> None:
    """Make ``part`` hold the ``size`` bytes of ``url``; ``deadline`` is a time.monotonic()."""
    have = part.stat().st_size if part.exists() and not part.is_symlink() else 0
    if have >= size:
        if have == size:
            return
        have = 0  # longer than the file can be: not a prefix of it
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(f'no time left before the deadline; {_RESUME}')
    with _open(url, have, min(stall_s, remaining)) as response:
        if not _resumed(response, have):
            have = 0
        offered = response.headers.get('Content-Length')
        if offered is not None and offered.isdigit() and have + int(offered) > size:
            raise FetchError(f'the server offers {have + int(offered)} bytes where the '
                             f'registry declares {size}; the address serves another file')
        written, overflow = have, False
        with open_no_follow(part, 'append' if have else 'truncate') as out:
            try:
                while written <= size:
                    if time.monotonic() > deadline:
                        raise FetchError(f'deadline reached at {written} of {size} bytes; '
                                         f'{_RESUME}')
                    chunk = response.read1(min(CHUNK, size - written + 1))
                    if not chunk:
                        break
                    if written + len(chunk) > size:
                        overflow = True
                        break
                    out.write(chunk)
                    written += len(chunk)
            except (http.client.HTTPException, OSError) as error:  # IncompleteRead, timeout
                raise FetchError(f'connection lost at {written} of {size} bytes '
                                 f'({type(error).__name__}); {_RESUME}') from error
    if overflow:
        part.unlink()
        raise FetchError(f'the server sends more than the {size} bytes the registry declares; '
                         'the address serves another file (nothing was kept)')
    if written < size:
        raise FetchError(f'the server closed the transfer at {written} of {size} bytes; '
                         f'{_RESUME}')
