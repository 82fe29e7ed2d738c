# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Declared image sizes are read from headers, and oversized images are refused before decoding.

Every image is built here: real encodings from OpenCV, hostile headers assembled by hand.
"""

import resource
import struct
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from lite_tracker_ros.core.image_header import (
    declared_size, MalformedImageHeader, UnknownImageFormat)
from lite_tracker_ros.ros.image_conversion import (
    compressed_to_frame, DEFAULT_MAX_PIXELS, image_to_frame, ImageConversionError)
from hostile_images import png_bomb, png_declaring  # noqa: I100, I201 - test helpers


def compressed(data: bytes, fmt: str = 'png'):
    return SimpleNamespace(format=fmt, data=data)


@pytest.fixture(scope='module')
def picture():
    rng = np.random.default_rng(11)
    return rng.integers(0, 256, size=(37, 53, 3), dtype=np.uint8)


@pytest.mark.parametrize('ext,fmt', [('.png', 'png'), ('.jpg', 'jpeg'), ('.bmp', 'bmp'),
                                     ('.ppm', 'pnm'), ('.pgm', 'pnm'), ('.webp', 'webp')])
def test_size_of_real_encodings(picture, ext, fmt):
    image = picture[:, :, 0] if ext == '.pgm' else picture
    ok, data = cv2.imencode(ext, image)
    if not ok:
        pytest.skip(f'this OpenCV build cannot encode {ext}')
    assert declared_size(data.tobytes()) == (fmt, 53, 37)


def test_size_of_lossless_webp_progressive_jpeg_and_jpeg_with_metadata_first(picture):
    ok, webp = cv2.imencode('.webp', picture, [cv2.IMWRITE_WEBP_QUALITY, 101])  # lossless
    if ok:
        assert declared_size(webp.tobytes()) == ('webp', 53, 37)
    ok, jpeg = cv2.imencode('.jpg', picture, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    assert declared_size(jpeg.tobytes()) == ('jpeg', 53, 37)
    # an APP1 segment of 60 KB (an Exif thumbnail, say) before the frame header
    data = jpeg.tobytes()
    app1 = b'\xff\xe1' + struct.pack('>H', 60002) + bytes(60000)
    assert declared_size(data[:2] + app1 + data[2:]) == ('jpeg', 53, 37)


def test_unknown_and_malformed_headers():
    with pytest.raises(UnknownImageFormat):
        declared_size(b'GIF89a' + bytes(20))
    with pytest.raises(UnknownImageFormat):
        declared_size(b'II*\x00' + bytes(20))  # TIFF: not parsed, so refused
    with pytest.raises(MalformedImageHeader):
        declared_size(b'\x89PNG\r\n\x1a\n\x00\x00')
    with pytest.raises(MalformedImageHeader):
        declared_size(b'\xff\xd8\xff\xe0\x00\x10JFIF')  # cut before any frame header
    with pytest.raises(MalformedImageHeader):
        declared_size(b'P6\n# only a comment')


def test_header_declaring_70000_squared_is_refused_as_too_large():
    data = png_declaring(70000, 70000)
    assert len(data) < 70 and declared_size(data) == ('png', 70000, 70000)
    with pytest.raises(ImageConversionError) as refused:
        compressed_to_frame(compressed(data))
    assert refused.value.kind == 'image_too_large'
    assert '70000x70000' in str(refused.value)


def test_a_decoder_error_becomes_a_conversion_error_not_a_crash():
    # under a limit raised that far, OpenCV's own size check throws cv2.error inside imdecode
    with pytest.raises(ImageConversionError) as refused:
        compressed_to_frame(compressed(png_declaring(70000, 70000)), max_pixels=1 << 40)
    assert refused.value.kind == 'image_undecodable'


def test_decompression_bomb_is_refused_without_decoding():
    bomb = png_bomb(30000)
    assert len(bomb) < 200_000  # 30000 x 30000 pixels in ~110 KB
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImageConversionError) as refused:
        compressed_to_frame(compressed(bomb))
    peak_growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert refused.value.kind == 'image_too_large'
    assert peak_growth_mib < 100  # decoding would take 2.7 GB (30000 x 30000 x 3)


def test_limit_is_pixels_and_a_just_fitting_image_decodes(picture):
    ok, data = cv2.imencode('.png', picture)
    assert compressed_to_frame(compressed(data.tobytes()), max_pixels=53 * 37).width == 53
    with pytest.raises(ImageConversionError) as refused:
        compressed_to_frame(compressed(data.tobytes()), max_pixels=53 * 37 - 1)
    assert refused.value.kind == 'image_too_large'


def test_unknown_format_is_refused_with_its_own_kind():
    with pytest.raises(ImageConversionError) as refused:
        compressed_to_frame(compressed(b'GIF89a' + bytes(100), fmt='gif'))
    assert refused.value.kind == 'image_format_unknown'


def test_raw_image_with_huge_declared_size_is_refused_before_reading_its_data():
    msg = SimpleNamespace(height=70000, width=70000, encoding='rgb8', step=210000,
                          is_bigendian=0, data=bytes(16))
    with pytest.raises(ImageConversionError) as refused:
        image_to_frame(msg)
    assert refused.value.kind == 'image_too_large'
    assert 70000 * 70000 > DEFAULT_MAX_PIXELS


def test_publisher_strings_in_errors_are_bounded():
    encoding = 'x' * (1 << 20)
    msg = SimpleNamespace(height=2, width=2, encoding=encoding, step=6, is_bigendian=0,
                          data=bytes(12))
    with pytest.raises(ImageConversionError) as refused:
        image_to_frame(msg)
    assert len(str(refused.value)) < 400 and str(1 << 20) in str(refused.value)
    with pytest.raises(ImageConversionError) as refused:
        compressed_to_frame(compressed(b'junk' * 10, fmt=encoding))
    assert len(str(refused.value)) < 400
