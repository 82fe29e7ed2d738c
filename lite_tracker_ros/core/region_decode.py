# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Decoding only the region of a JPEG that the next crop reads (libjpeg-turbo's lossless crop).

The TurboJPEG API of libjpeg-turbo (``libturbojpeg.so.0``: Ubuntu 22.04/24.04 and JetPack ship
2.1, Debian 12 2.1.5; 3.x keeps these functions) can cut a JPEG to a rectangle whose corner lies
on the MCU grid without decoding it: ``tjTransform`` with ``TJXOPT_CROP`` copies the DCT
coefficients of the blocks inside (no re-quantisation) into a small JPEG, which is then decoded,
at 1/2, 1/4 or 1/8 scale where the crop allows, with ``tjDecompress2``. The Huffman decoding of
the whole stream remains (it has no index), the inverse DCT, colour conversion and the pixel
memory follow the region.

The library is loaded with :mod:`ctypes` where the system has it; where it does not,
:meth:`RegionDecoder.load` returns None and callers decode as before (OpenCV). Decoded pixels
equal OpenCV's whole decode inside the region except the outermost pixel ring at a cut (the
chroma upsampling has no neighbour there), so the region is grown by two MCUs on each side
before it is cut.

JPEGs this does not handle return None (the caller decodes whole): CMYK/YCCK, unknown chroma
subsampling, an EXIF block (OpenCV would apply its orientation), a region too small for the
scale, a region that covers much of the image (decoding it whole, reduced, costs no more).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
import threading

import cv2
import numpy as np

from lite_tracker_ros.core.types import ChannelOrder, Frame

# TurboJPEG 2.x constants (turbojpeg.h); unchanged in 3.x
_TJXOPT_CROP = 4
_TJPF_BGR = 1
_TJCS_CMYK, _TJCS_YCCK = 3, 4
#: MCU (width, height) per TJSAMP_444, 422, 420, GRAY, 440, 411
_MCU = {0: (8, 8), 1: (16, 8), 2: (16, 16), 3: (8, 8), 4: (8, 16), 5: (32, 8)}
#: the largest fraction of the image a region decode is used for, per reduction: beyond it the
#: lossless crop (which re-encodes the region's coefficients, then decodes them again) costs
#: more than decoding the whole image at that reduction (benchmarks/bench_reduced_decode.py
#: --timing --region); at 1/4 and 1/8 the whole reduced decode is about as cheap as the Huffman
#: decode that any region decode pays too, so the region is never used there
REGION_MAX_FRACTION = {1: 0.3, 2: 0.1, 4: 0.0, 8: 0.0}


class _Region(ctypes.Structure):
    _fields_ = [('x', ctypes.c_int), ('y', ctypes.c_int), ('w', ctypes.c_int),
                ('h', ctypes.c_int)]


class _Transform(ctypes.Structure):
    _fields_ = [('r', _Region), ('op', ctypes.c_int), ('options', ctypes.c_int),
                ('data', ctypes.c_void_p), ('customFilter', ctypes.c_void_p)]


class _ScalingFactor(ctypes.Structure):
    _fields_ = [('num', ctypes.c_int), ('denom', ctypes.c_int)]


def _bind(lib: ctypes.CDLL) -> ctypes.CDLL:
    """Declare the signatures of the TurboJPEG 2.x functions used (AttributeError if absent)."""
    handle, buf, size = ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong
    c_int, int_p = ctypes.c_int, ctypes.POINTER(ctypes.c_int)
    for name, restype, argtypes in (
            ('tjInitTransform', handle, []),
            ('tjInitDecompress', handle, []),
            ('tjDestroy', c_int, [handle]),
            ('tjFree', None, [buf]),
            ('tjGetErrorStr2', ctypes.c_char_p, [handle]),
            ('tjGetScalingFactors', ctypes.POINTER(_ScalingFactor), [int_p]),
            ('tjDecompressHeader3', c_int, [handle, buf, size, int_p, int_p, int_p, int_p]),
            ('tjTransform', c_int, [handle, buf, size, c_int, ctypes.POINTER(buf),
                                    ctypes.POINTER(size), ctypes.POINTER(_Transform), c_int]),
            ('tjDecompress2', c_int, [handle, buf, size, buf, c_int, c_int, c_int, c_int,
                                      c_int])):
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


@functools.lru_cache(maxsize=None)
def _library(name: str | None) -> ctypes.CDLL | None:
    candidates = [name] if name else [ctypes.util.find_library('turbojpeg'),
                                      'libturbojpeg.so.0']
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return _bind(ctypes.CDLL(candidate))
        except (OSError, AttributeError):  # not there, or too old for the 2.x API
            continue
    return None


def has_exif(data: np.ndarray) -> bool | None:
    """
    Whether a JPEG's header holds an EXIF block (APP1 ``Exif``); None if its markers are broken.

    Only the marker segments before the scan are walked (a few hundred bytes, usually).
    """
    raw = memoryview(data)
    if len(raw) < 4 or raw[0] != 0xFF or raw[1] != 0xD8:
        return None
    pos = 2
    while pos + 4 <= len(raw):
        if raw[pos] != 0xFF:
            return None
        marker = raw[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # start of scan: no more header segments
            return False
        length = (raw[pos + 2] << 8) | raw[pos + 3]
        if length < 2:
            return None
        if marker == 0xE1 and bytes(raw[pos + 4:pos + 10]) == b'Exif\x00\x00':
            return True
        pos += 2 + length
    return None


class RegionDecoder:
    """
    Region (and DCT-scaled) JPEG decoding over the system's libturbojpeg.

    One instance holds two TurboJPEG handles; calls are serialised by a lock.
    """

    def __init__(self, lib: ctypes.CDLL):
        self._lib = lib
        self._transformer = lib.tjInitTransform()
        self._decompressor = lib.tjInitDecompress()
        if not self._transformer or not self._decompressor:
            raise OSError('libturbojpeg: could not create a handle')
        self._lock = threading.Lock()
        count = ctypes.c_int(0)
        factors = lib.tjGetScalingFactors(ctypes.byref(count))
        self._factors = [(factors[i].num, factors[i].denom) for i in range(count.value)]

    @classmethod
    def load(cls, library: str | None = None) -> RegionDecoder | None:
        """Return a decoder over ``library`` (default: the system's libturbojpeg), or None."""
        lib = _library(library)
        if lib is None:
            return None
        try:
            return cls(lib)
        except OSError:
            return None

    def __del__(self):
        lib = getattr(self, '_lib', None)
        for handle in (getattr(self, '_transformer', None), getattr(self, '_decompressor', None)):
            if lib is not None and handle:
                lib.tjDestroy(handle)

    def header(self, data: np.ndarray) -> tuple[int, int, int, int] | None:
        """``(width, height, subsampling, colourspace)`` of a JPEG, or None if unreadable."""
        width, height, subsamp, colourspace = (ctypes.c_int() for _ in range(4))
        with self._lock:
            status = self._lib.tjDecompressHeader3(
                self._decompressor, data.ctypes.data, data.size, ctypes.byref(width),
                ctypes.byref(height), ctypes.byref(subsamp), ctypes.byref(colourspace))
        if status != 0:
            return None
        return width.value, height.value, subsamp.value, colourspace.value

    def plan(self, header: tuple[int, int, int, int], region: tuple[float, float, float, float],
             reduction: int = 1) -> tuple[int, int, int, int] | None:
        """
        Return the MCU-aligned ``(x, y, w, h)`` to cut for ``region`` ``(x0, y0, x1, y1)``.

        Grown by two MCUs (and three decoded pixels) on each side, clipped to the image. None
        where a region decode does not apply: the subsampling or colourspace is not handled,
        the region misses the image, or it covers more of it than ``REGION_MAX_FRACTION``
        allows at this reduction (a whole, possibly reduced, decode is cheaper).
        """
        width, height, subsamp, colourspace = header
        mcu = _MCU.get(subsamp)
        if mcu is None or colourspace in (_TJCS_CMYK, _TJCS_YCCK) or width < 1 or height < 1:
            return None
        if not all(math.isfinite(v) for v in region):
            return None
        edges = []
        for lo, hi, step, size in ((region[0], region[2], mcu[0], width),
                                   (region[1], region[3], mcu[1], height)):
            grow = max(2 * step, 3 * reduction)
            start = min(max(math.floor(lo) - grow, 0), size) // step * step
            end = min(max(math.ceil(hi) + grow, 0), size)
            # whole reduced pixels up to the cut (a partial one only at the image's edge)
            end = min(start + -(-(end - start) // reduction) * reduction, size)
            if end <= start:
                return None
            edges.append((start, end))
        (x0, x1), (y0, y1) = edges
        if (x1 - x0) * (y1 - y0) > REGION_MAX_FRACTION.get(reduction, 0.0) * width * height:
            return None
        return x0, y0, x1 - x0, y1 - y0

    def _scales_exactly(self, width: int, height: int, reduction: int) -> bool:
        # tjDecompress2 takes the largest scaling factor whose output fits the size asked for;
        # in a tiny region a factor other than 1/reduction could fit the same size
        want = (-(-width // reduction), -(-height // reduction))
        for num, denom in self._factors:
            if num * reduction > denom and all(-(-d * num // denom) <= w
                                               for d, w in zip((width, height), want)):
                return False
        return True

    def decode(self, data: bytes | np.ndarray, region: tuple[float, float, float, float],
               reduction: int = 1) -> Frame | None:
        """
        Decode the part of JPEG ``data`` under full-image ``region`` at ``1/reduction`` scale.

        Returns a BGR frame with ``origin``, ``scale`` and ``full_size`` set and a ``whole``
        fallback (an OpenCV whole decode, once) for reads outside the region; None when a
        region decode does not apply or fails (the caller then decodes whole).
        """
        if reduction not in (1, 2, 4, 8):
            raise ValueError(f'reduction must be 1, 2, 4 or 8, got {reduction}')
        buffer = np.ascontiguousarray(np.frombuffer(data, dtype=np.uint8))
        header = self.header(buffer)
        if header is None or has_exif(buffer) is not False:
            return None
        cut = self.plan(header, region, reduction)
        if cut is None or not self._scales_exactly(cut[2], cut[3], reduction):
            return None
        pixels = self._cut_and_decode(buffer, cut, reduction)
        if pixels is None:
            return None

        @functools.lru_cache(maxsize=1)
        def whole() -> Frame:
            decoded = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
            if decoded is None or decoded.shape[:2] != (header[1], header[0]):
                raise ValueError('the JPEG decoded in a region does not decode whole')
            return Frame(decoded, ChannelOrder.BGR)

        return Frame(pixels, ChannelOrder.BGR, scale=reduction, full_size=header[:2],
                     origin=cut[:2], whole=whole)

    def _cut_and_decode(self, buffer: np.ndarray, cut: tuple[int, int, int, int],
                        reduction: int) -> np.ndarray | None:
        lib = self._lib
        transform = _Transform(_Region(*cut), 0, _TJXOPT_CROP, None, None)
        out, out_size = ctypes.c_void_p(), ctypes.c_ulong(0)
        width, height = -(-cut[2] // reduction), -(-cut[3] // reduction)
        pixels = np.empty((height, width, 3), np.uint8)
        with self._lock:
            try:
                if lib.tjTransform(self._transformer, buffer.ctypes.data, buffer.size, 1,
                                   ctypes.byref(out), ctypes.byref(out_size),
                                   ctypes.byref(transform), 0) != 0 or not out:
                    return None
                if lib.tjDecompress2(self._decompressor, out, out_size.value,
                                     pixels.ctypes.data, width, 0, height, _TJPF_BGR, 0) != 0:
                    return None
            finally:
                if out:
                    lib.tjFree(out)
        return pixels
