# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Reduced JPEG decoding and crops read through a frame's scale.

Expected values are computed independently: image sizes from the encoder's input, reduced
pixels against an area-average resize of the whole decode, and crops against the same crop of
the whole-resolution frame (a Gaussian blob's centroid, which any coordinate error moves).
"""

import math

import cv2
import numpy as np
import pytest
from stand_in_backends import CentrePeakBackend, NanoCentreBackend  # test helper

from lite_tracker_ros.core.crop import crop_resampling, sample_target
from lite_tracker_ros.core.jpeg_decode import decode_reduced, jpeg_size
from lite_tracker_ros.core.reduced_crop import crop_reduced, resampling_to_reduction
from lite_tracker_ros.core.siamese_crop import crop_square, SquareWindow
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame


def _blob_image(height, width, cx, cy, sigma=30.0, channels=3):
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    # pixel i spans [i, i + 1): its centre is i + 0.5
    value = 20 + 200 * np.exp(-((xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2) / (2 * sigma ** 2))
    mono = np.clip(np.rint(value), 0, 255).astype(np.uint8)
    return mono if channels == 1 else np.repeat(mono[..., None], channels, axis=2)


def _reduced(image, scale):
    height, width = image.shape[:2]
    small = cv2.resize(image, (math.ceil(width / scale), math.ceil(height / scale)),
                       interpolation=cv2.INTER_AREA)
    order = ChannelOrder.MONO if image.ndim == 2 else ChannelOrder.BGR
    return Frame(small, order, scale=scale, full_size=(width, height))


def _centroid(crop):
    weight = (crop if crop.ndim == 2 else crop[..., 0]).astype(np.float64) - 20.0
    weight[weight < 0] = 0.0
    ys, xs = np.mgrid[0:weight.shape[0], 0:weight.shape[1]]
    return (weight * xs).sum() / weight.sum(), (weight * ys).sum() / weight.sum()


@pytest.mark.parametrize('width,height', [(640, 480), (1921, 1081), (17, 9)])
def test_jpeg_size_reads_the_frame_header(width, height):
    image = np.zeros((height, width, 3), np.uint8)
    assert jpeg_size(cv2.imencode('.jpg', image)[1]) == (width, height)


def test_jpeg_size_refuses_what_is_not_a_sized_jpeg():
    image = np.zeros((8, 8, 3), np.uint8)
    jpeg = cv2.imencode('.jpg', image)[1].tobytes()
    assert jpeg_size(cv2.imencode('.png', image)[1]) is None
    assert jpeg_size(b'') is None
    assert jpeg_size(jpeg[:4]) is None  # truncated before the frame header
    assert jpeg_size(b'\xff\xd8' + b'\x00' * 64) is None  # no marker where one must be


@pytest.mark.parametrize('scale', [2, 4, 8])
def test_decode_reduced_is_the_image_at_that_scale(scale):
    height, width = 483, 645  # not multiples of 8: the reduced size rounds up
    image = _blob_image(height, width, 300.0, 200.0, sigma=60.0)
    data = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, 95])[1]
    frame = decode_reduced(data, scale)
    assert frame.scale == scale and (frame.width, frame.height) == (width, height)
    assert frame.pixels.shape == (math.ceil(height / scale), math.ceil(width / scale), 3)
    expected = _reduced(cv2.imdecode(data, cv2.IMREAD_COLOR), scale).pixels
    assert np.abs(frame.pixels.astype(int) - expected).mean() < 1.5


def test_decode_reduced_falls_back_on_what_it_cannot_scale():
    image = np.full((32, 32, 3), 100, np.uint8)
    assert decode_reduced(cv2.imencode('.png', image)[1], 2) is None
    assert decode_reduced(np.frombuffer(b'\xff\xd8\xff\xe0garbage', np.uint8), 2) is None
    with pytest.raises(ValueError, match='reduction must be one of'):
        decode_reduced(cv2.imencode('.jpg', image)[1], 3)


@pytest.mark.parametrize('resampling,margin,expected', [
    (None, 1.0, 1), (float('nan'), 1.0, 1), (0.5, 1.0, 1), (1.99, 1.0, 1), (2.0, 1.0, 2),
    (3.99, 1.0, 2), (4.0, 1.0, 4), (8.0, 1.0, 8), (100.0, 1.0, 8), (4.0, 2.0, 2),
    (3.9, 2.0, 1), (16.0, 2.0, 8)])
def test_reduction_never_exceeds_the_crop_resampling(resampling, margin, expected):
    assert resampling_to_reduction(resampling, margin=margin) == expected


@pytest.mark.parametrize('scale', [2, 4])
@pytest.mark.parametrize('box', [BoxXYWH(560.0, 300.0, 90.0, 100.0),   # inside
                                 BoxXYWH(-20.0, 610.0, 120.0, 90.0)])  # reaches out of the image
def test_target_crop_through_the_scale_matches_the_whole_frame_crop(scale, box):
    image = _blob_image(720, 1280, box.cx + 0.3, box.cy - 0.4)
    whole = sample_target(Frame(image, ChannelOrder.BGR), box, 4.0, 96)
    reduced = sample_target(_reduced(image, scale), box, 4.0, 96)
    assert reduced.resize_factor == whole.resize_factor
    assert reduced.pixels.shape == whole.pixels.shape == (96, 96, 3)
    assert np.allclose(_centroid(reduced.pixels), _centroid(whole.pixels), atol=0.05)
    assert np.abs(reduced.pixels.astype(int) - whole.pixels).mean() < 1.0


@pytest.mark.parametrize('channels', [3, 1])
@pytest.mark.parametrize('window,tolerance', [
    (SquareWindow(400, 180, 300), 0.05),
    # where the window leaves the image, the reduced pixel at the edge blends with the padding
    # over two image pixels instead of one
    (SquareWindow(1100, -50, 300), 0.15)])
def test_siamese_crop_through_the_scale_matches_the_whole_frame_crop(channels, window, tolerance):
    image = _blob_image(720, 1280, window.x0 + 150.3, window.y0 + 149.6, channels=channels)
    whole = crop_square(image, window, 255)
    reduced = crop_reduced(_reduced(image, 2), window.x0, window.y0, window.side, 255, None)
    assert reduced.shape == whole.shape
    assert np.allclose(_centroid(reduced), _centroid(whole), atol=tolerance)
    # the padding is the mean of the visible part, as crop_square pads it
    assert np.abs(reduced.astype(int) - whole).mean() < 1.0


def test_crop_resampling_is_the_crop_side_over_its_output():
    # ceil(sqrt(90 * 100) * 4) = 380 pixels into 96
    assert crop_resampling(BoxXYWH(0.0, 0.0, 90.0, 100.0), 4.0, 96) == 380 / 96


def _track_whole_and_reduced(make_tracker, box, scale):
    """Update two trackers on one image, whole and reduced; return results and search inputs."""
    image = _blob_image(720, 1280, box.cx, box.cy, sigma=40.0)
    results, searches = [], []
    for frame in (Frame(image, ChannelOrder.BGR), _reduced(image, scale)):
        tracker, backend = make_tracker()
        assert tracker.search_resampling() is None  # idle: a whole decode
        tracker.init(Frame(image, ChannelOrder.BGR), box)
        resampling = tracker.search_resampling()
        results.append(tracker.update(frame))
        searches.append(backend.searches[-1])
    return resampling, results, searches


def test_centre_head_tracker_through_a_reduced_frame():
    from lite_tracker_ros.core.center_tracker import CenterHeadTracker
    from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
    spec = ModelSpec(name='fake', family='fake', template=CropSpec(128, 2.0),
                     search=CropSpec(256, 4.0), template_inputs=('template',))

    def make():
        backend = CentrePeakBackend()
        return CenterHeadTracker(spec, backend), backend

    # near the right edge: clipping must use the full image's width, not the reduced one's
    box = BoxXYWH(1180.0, 300.0, 150.0, 140.0)
    resampling, (whole, reduced), (a, b) = _track_whole_and_reduced(make, box, 2)
    assert resampling == math.ceil(math.sqrt(150.0 * 140.0) * 4.0) / 256
    assert reduced.box == whole.box
    assert whole.box.x + whole.box.w <= 1280.0
    assert np.abs(a - b).mean() < 0.02  # normalised inputs: about 1 grey level of 255


def test_nanotrack_through_a_reduced_frame():
    from lite_tracker_ros.core.nanotrack_tracker import NanoTracker
    from lite_tracker_ros.specs.nanotrack import PARAMS, SPECS

    def make():
        backend = NanoCentreBackend()
        return NanoTracker(SPECS['nanotrack_v2'], backend, PARAMS['nanotrack_v2']), backend

    box = BoxXYWH(1150.0, 600.0, 160.0, 110.0)  # the search window leaves the image
    resampling, (whole, reduced), (a, b) = _track_whole_and_reduced(make, box, 2)
    p = 0.5 * (160.0 + 110.0)  # the upstream context rule, written out
    assert resampling == round(math.sqrt((160.0 + p) * (110.0 + p)) * 255 / 127) / 255
    assert reduced.box == whole.box
    assert np.abs(a - b).mean() < 1.0  # raw 0..255 inputs


def test_nanotrack_v2_boxes_through_reduced_decode_on_a_real_sequence(sot_dir):
    """
    One update at a time from a shared state, whole vs reduced decode, real weights and frames.

    vot_bag enlarged 3x (so reductions apply) and re-encoded as JPEG; before each update the
    reduced-path tracker takes the whole-path tracker's state, so each difference is one
    update's, not accumulated drift. Tolerance from benchmarks/bench_reduced_decode.py
    --one-step (all 12 sequences: median 0.7 px, p95 4.5 px at this scale; a rare flip between
    two near-equal peaks moves a box further, hence the median and p80 here).
    """
    from pathlib import Path

    from lite_tracker_ros.backends.nanotrack_onnx import NanoTrackOnnxBackend
    from lite_tracker_ros.core.nanotrack_tracker import NanoTracker
    from lite_tracker_ros.specs.nanotrack import PARAMS, SPECS

    models = Path(__file__).resolve().parents[2].parent / 'shared' / 'models' / 'nanotrack'
    if not (models / 'nanotrackv2_backbone.onnx').exists():
        pytest.skip(f'NanoTrack v2 ONNX pair not found in {models}')
    sequence = sot_dir / 'vot_bag'
    paths = sorted((sequence / 'img').glob('*.jpg'))[:40]
    first_box = np.loadtxt(sequence / 'groundtruth.txt', delimiter=',')[0] * 3

    def make():
        backend = NanoTrackOnnxBackend(SPECS['nanotrack_v2'], models / 'nanotrackv2_backbone.onnx',
                                       models / 'nanotrackv2_head.onnx', threads=1)
        return NanoTracker(SPECS['nanotrack_v2'], backend, PARAMS['nanotrack_v2'])

    whole, reduced = make(), make()
    diffs = []
    for index, path in enumerate(paths):
        pixels = cv2.resize(cv2.imread(str(path)), None, fx=3, fy=3,
                            interpolation=cv2.INTER_CUBIC)
        data = cv2.imencode('.jpg', pixels, [cv2.IMWRITE_JPEG_QUALITY, 90])[1]
        full = Frame(cv2.imdecode(data, cv2.IMREAD_COLOR), ChannelOrder.BGR)
        if index == 0:
            whole.init(full, BoxXYWH(*first_box))
            reduced.init(full, BoxXYWH(*first_box))
            continue
        for name in ('_cx', '_cy', '_w', '_h'):  # NanoTrack's whole state is its box
            setattr(reduced, name, getattr(whole, name))
        reduction = resampling_to_reduction(whole.search_resampling(), margin=2.0)
        a = whole.update(full).box
        if reduction > 1:
            b = reduced.update(decode_reduced(data, reduction)).box
            diffs.append(max(abs(a.x - b.x), abs(a.y - b.y), abs(a.x + a.w - b.x - b.w),
                             abs(a.y + a.h - b.y - b.h)))
    assert len(diffs) >= 10, 'the test frames should be decoded at reduced scale'
    assert np.median(diffs) < 1.0
    assert np.percentile(diffs, 80) < 3.0
