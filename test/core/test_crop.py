# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Target crop: the reference's rounding, padding quirk and resize, read from the crop window only.

Expected crops come from an independent transcription of the conformance README §4.2 written
here with ``cv2.copyMakeBorder`` (as the reference does), from hand-computed windows, and from
the conformance pack's stored uint8 crops.
"""

import hashlib
import json
import math
import tracemalloc

import cv2
from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from lite_tracker_ros.core.crop import crop_window, sample_target
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame


def _reference_crop(im, box, factor, out_size):
    """README §4.2 step by step, with the reference's copyMakeBorder."""
    x, y, w, h = box
    crop_sz = math.ceil(math.sqrt(w * h) * factor)
    x1 = round(x + 0.5 * w - crop_sz * 0.5)
    y1 = round(y + 0.5 * h - crop_sz * 0.5)
    x2, y2 = x1 + crop_sz, y1 + crop_sz
    x1_pad, y1_pad = max(0, -x1), max(0, -y1)
    x2_pad = max(x2 - im.shape[1] + 1, 0)
    y2_pad = max(y2 - im.shape[0] + 1, 0)
    patch = im[y1 + y1_pad:y2 - y2_pad, x1 + x1_pad:x2 - x2_pad, :]
    padded = cv2.copyMakeBorder(patch, y1_pad, y2_pad, x1_pad, x2_pad, cv2.BORDER_CONSTANT)
    return cv2.resize(padded, (out_size, out_size)), out_size / crop_sz


def _image(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


@settings(max_examples=60, deadline=None)
@given(x=st.floats(-40, 150), y=st.floats(-40, 110), w=st.floats(4, 90), h=st.floats(4, 90),
       factor=st.sampled_from([2.0, 4.0]), out=st.sampled_from([32, 64, 128]))
def test_matches_reference_transcription(x, y, w, h, factor, out):
    im = _image(100, 140)
    # the reference cannot crop windows that miss the image; the trackers never ask for them
    window = crop_window(BoxXYWH(x, y, w, h), factor, 140, 100)
    if window.read_x[0] >= window.read_x[1] or window.read_y[0] >= window.read_y[1]:
        return
    expected, factor_expected = _reference_crop(im, (x, y, w, h), factor, out)
    crop = sample_target(Frame(im), BoxXYWH(x, y, w, h), factor, out)
    np.testing.assert_array_equal(crop.pixels, expected)
    assert crop.resize_factor == factor_expected


def test_rounding_is_ties_to_even():
    # centre 274.5 + 0 with an even side: x1 = round(274.5 - side/2) lands on .5 ties
    box = BoxXYWH(274.0, 10.0, 1.0, 1.0)  # side ceil(1*2) = 2, x1 = round(273.5) = 274
    assert crop_window(box, 2.0, 1000, 1000).x1 == 274
    box = BoxXYWH(-41.0, 0.0, 1.0, 1.0)  # x1 = round(-41.5) = -42 (even), not -41
    assert crop_window(box, 2.0, 1000, 1000).x1 == -42
    box = BoxXYWH(5.0, 0.0, 1.0, 1.0)  # x1 = round(4.5) = 4
    assert crop_window(box, 2.0, 1000, 1000).x1 == 4


def test_far_edge_pads_one_pixel_too_many():
    im = _image(20, 30)
    # side 10 (factor 1, 10x10 box), window x 20..30 reaches the last column (29)
    crop = sample_target(Frame(im), BoxXYWH(20.0, 5.0, 10.0, 10.0), 1.0, 10)
    np.testing.assert_array_equal(crop.pixels[:, :9], im[5:15, 20:29])
    assert not crop.pixels[:, 9].any()  # column 29 is in the image but replaced by zeros
    # one pixel further in, the last column is read
    crop = sample_target(Frame(im), BoxXYWH(19.0, 5.0, 10.0, 10.0), 1.0, 10)
    np.testing.assert_array_equal(crop.pixels, im[5:15, 19:29])


def test_near_edge_is_zero_padded():
    im = _image(20, 30)
    crop = sample_target(Frame(im), BoxXYWH(-3.0, -2.0, 10.0, 10.0), 1.0, 10)
    assert not crop.pixels[:2].any() and not crop.pixels[:, :3].any()
    np.testing.assert_array_equal(crop.pixels[2:, 3:], im[0:8, 0:7])
    assert crop.resize_factor == 1.0


def test_bgr_and_mono_frames_convert_only_the_crop():
    rgb = _image(60, 80)
    box = BoxXYWH(20.0, 15.0, 18.0, 12.0)
    expected = sample_target(Frame(rgb), box, 2.0, 64).pixels
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    np.testing.assert_array_equal(
        sample_target(Frame(bgr, ChannelOrder.BGR), box, 2.0, 64).pixels, expected)
    gray = rgb[..., 1]
    mono = sample_target(Frame(gray, ChannelOrder.MONO), box, 2.0, 64).pixels
    np.testing.assert_array_equal(
        mono, sample_target(Frame(np.repeat(gray[..., None], 3, 2)), box, 2.0, 64).pixels)


def test_reads_only_the_window_of_a_huge_read_only_view():
    # a 200000 x 200000 RGB "frame" (120 GB if materialised) repeating one 600 kB row,
    # read-only: any whole-frame conversion or copy would fail or run out of memory
    row = _image(1, 200_000)[0]
    frame = np.lib.stride_tricks.as_strided(row, shape=(200_000, 200_000, 3),
                                            strides=(0, 3, 1), writeable=False)
    box = BoxXYWH(150_000.0, 120_000.0, 40.0, 30.0)
    tracemalloc.start()
    crop = sample_target(Frame(frame, ChannelOrder.BGR), box, 4.0, 256)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert crop.pixels.shape == (256, 256, 3)
    assert peak < 8 * 2 ** 20, f'{peak / 2 ** 20:.1f} MiB allocated for one crop'
    window = crop_window(box, 4.0, 200_000, 200_000)
    region = frame[window.read_y[0]:window.read_y[1], window.read_x[0]:window.read_x[1], ::-1]
    expected = cv2.resize(np.ascontiguousarray(region), (256, 256))
    np.testing.assert_array_equal(crop.pixels, expected)


def test_rejects_non_uint8_frames():
    with pytest.raises(ValueError, match='uint8'):
        sample_target(Frame(np.zeros((50, 50, 3), np.float32)), BoxXYWH(10, 10, 5, 5), 2.0, 16)


def test_conformance_crops_exact(conformance_dir, sot_dir):
    pack = np.load(conformance_dir / 'litetrack_b4.npz')
    rows = [line.split('\t') for line in (conformance_dir / 'frames.tsv').read_text().splitlines()
            if not line.startswith('#')][1:3]
    frames = [cv2.imread(str(sot_dir / 'Deer' / 'img' / row[1])) for row in rows]
    if any(f is None for f in frames):
        pytest.skip('Deer frames 0001/0002 not readable')
    for row, bgr in zip(rows, frames):
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        if hashlib.sha256(rgb.tobytes()).hexdigest() != row[5]:
            pytest.skip(f'this OpenCV ({cv2.__version__}) decodes {row[1]} differently from '
                        'the one that made the pack')
    box = BoxXYWH(*pack['init_box_xywh'].tolist())
    assert json.loads(str(pack['meta']))['sequence'] == 'Deer'
    # BGR frames as decoded: the crop converts its own pixels only
    template = sample_target(Frame(frames[0], ChannelOrder.BGR), box, 2.0, 128)
    search = sample_target(Frame(frames[1], ChannelOrder.BGR), box, 4.0, 256)
    np.testing.assert_array_equal(template.pixels, pack['template_rgb_u8'])
    np.testing.assert_array_equal(search.pixels, pack['search_rgb_u8'])
    assert template.resize_factor == float(pack['template_resize_factor'])
    assert search.resize_factor == float(pack['search_resize_factor'])
