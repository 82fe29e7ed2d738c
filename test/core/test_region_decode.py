# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Region JPEG decoding (libjpeg-turbo's lossless crop) and crops read from a region frame.

Expected values come from OpenCV's whole decode of the same bytes: a region's pixels must equal
the whole image's pixels at the same place, and every family's crop through a region frame must
equal its crop of the whole frame. Tests that need the system's libturbojpeg skip without it
(saying so); the fallback tests (no library, a region the decoder refuses, a crop that leaves
the region) run everywhere.
"""

import math

import cv2
import numpy as np
import pytest
from stand_in_backends import CentrePeakBackend, NanoCentreBackend  # test helper

from lite_tracker_ros.core import region_decode
from lite_tracker_ros.core.crop import crop_region, sample_target
from lite_tracker_ros.core.jpeg_decode import decode_reduced
from lite_tracker_ros.core.region_decode import has_exif, RegionDecoder
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame

DECODER = RegionDecoder.load()
needs_turbojpeg = pytest.mark.skipif(
    DECODER is None, reason='no system libturbojpeg (apt install libturbojpeg0 / libturbojpeg): '
                            'region decoding is off there and the fallback tests cover it')


def _textured(height, width, seed=0):
    """Return a smooth random texture (JPEG-friendly, every position distinct)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 8 + 2, width // 8 + 2, 3), dtype=np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def _jpeg(image, sampling='420', quality=90):
    params = [cv2.IMWRITE_JPEG_QUALITY, quality]
    if sampling != '420':  # 4:2:0 is the encoder's default
        factor = getattr(cv2, f'IMWRITE_JPEG_SAMPLING_FACTOR_{sampling}', None)
        if factor is None:
            pytest.skip(f'this OpenCV ({cv2.__version__}) cannot choose the chroma subsampling '
                        '(IMWRITE_JPEG_SAMPLING_FACTOR is newer)')
        params += [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, factor]
    return cv2.imencode('.jpg', image, params)[1]


def _region_frame(pixels, origin, full_size, whole_pixels, scale=1):
    """Make a region frame by hand that counts the whole decodes it falls back to."""
    calls = []

    def whole():
        calls.append(1)
        return Frame(whole_pixels, ChannelOrder.BGR)

    return Frame(pixels, ChannelOrder.BGR, scale=scale, full_size=full_size, origin=origin,
                 whole=whole), calls


def test_without_libturbojpeg_there_is_no_decoder(monkeypatch):
    monkeypatch.setattr(region_decode, '_library', lambda name: None)
    assert RegionDecoder.load() is None  # CompressedInput then decodes as before (test/ros)


def test_a_library_that_is_not_turbojpeg_is_refused():
    assert RegionDecoder.load('libdoes-not-exist-turbojpeg.so') is None
    assert RegionDecoder.load('libc.so.6') is None  # loads, but has no tjTransform


def test_has_exif_walks_the_header_segments():
    plain = _jpeg(np.zeros((16, 16, 3), np.uint8)).tobytes()
    assert has_exif(np.frombuffer(plain, np.uint8)) is False
    exif = b'Exif\x00\x00' + b'II*\x00' + bytes(8)
    app1 = b'\xff\xe1' + (len(exif) + 2).to_bytes(2, 'big') + exif
    assert has_exif(np.frombuffer(plain[:2] + app1 + plain[2:], np.uint8)) is True
    assert has_exif(np.frombuffer(b'\x89PNG\r\n\x1a\n', np.uint8)) is None
    assert has_exif(np.frombuffer(plain[:2] + b'\x00\x00\x00\x00', np.uint8)) is None


def test_covering_keeps_a_region_that_holds_the_window_and_falls_back_otherwise():
    whole_pixels = _textured(200, 300)
    frame, calls = _region_frame(whole_pixels[40:120, 64:192].copy(), (64, 40), (300, 200),
                                 whole_pixels)
    assert frame.region() == (64, 40, 192, 120)
    assert frame.covering(70, 50, 180, 110) is frame and not calls
    # a window reaching outside the image needs only its part inside
    edge, edge_calls = _region_frame(whole_pixels[:80, :128].copy(), (0, 0), (300, 200),
                                     whole_pixels)
    assert edge.covering(-50, -30, 100, 60) is edge and not edge_calls
    fallen = frame.covering(60, 50, 180, 110)  # one column left of the region
    assert fallen.origin == (0, 0) and fallen.pixels is whole_pixels and calls == [1]
    assert frame.covering(70, 50, 180, 110, margin=8).origin == (0, 0)  # the margin leaves it


@pytest.mark.parametrize('box', [BoxXYWH(120.0, 70.0, 30.0, 25.0),   # inside the region
                                 BoxXYWH(20.0, 150.0, 40.0, 30.0)])  # leaves it: whole decode
def test_target_crop_from_a_region_frame_equals_the_whole_frame_crop(box):
    whole_pixels = _textured(200, 300)
    frame, calls = _region_frame(whole_pixels[16:144, 48:240].copy(), (48, 16), (300, 200),
                                 whole_pixels)
    expected = sample_target(Frame(whole_pixels, ChannelOrder.BGR), box, 2.0, 64)
    got = sample_target(frame, box, 2.0, 64)
    assert np.array_equal(got.pixels, expected.pixels)
    assert got.resize_factor == expected.resize_factor
    window = crop_region(box, 2.0)
    inside = 48 <= window[0] and window[2] <= 240 and 16 <= window[1] and window[3] <= 144
    assert (not calls) == inside


@pytest.mark.parametrize('window', [(260, 150, 120), (-40, 300, 160)])  # in / out of image
def test_reduced_region_crops_equal_the_reduced_whole_frame_crops(window):
    from lite_tracker_ros.core.reduced_crop import crop_reduced
    whole_pixels = _textured(480, 640)
    reduced = cv2.resize(whole_pixels, (320, 240), interpolation=cv2.INTER_AREA)
    full = Frame(reduced, ChannelOrder.BGR, scale=2, full_size=(640, 480))
    # reduced pixels 0..240 x 50..240: full-image 0..480 x 100..480 (the bottom edge)
    part, calls = _region_frame(reduced[50:240, 0:240].copy(), (0, 100), (640, 480),
                                whole_pixels, scale=2)
    x0, y0, side = window
    for pad in (None, (0.0, 0.0, 0.0, 0.0)):
        assert np.array_equal(crop_reduced(part, x0, y0, side, 64, pad),
                              crop_reduced(full, x0, y0, side, 64, pad))
    box = BoxXYWH(x0 + side / 4, y0 + side / 4, side / 2, side / 2)
    assert np.array_equal(sample_target(part, box, 2.0, 64).pixels,
                          sample_target(full, box, 2.0, 64).pixels)
    assert not calls


def test_crop_region_is_the_square_sample_target_reads():
    box = BoxXYWH(100.0, 50.0, 40.0, 10.0)
    side = math.ceil(math.sqrt(40.0 * 10.0) * 4.0)  # 80
    assert crop_region(box, 4.0) == (80, 15, 80 + side, 15 + side)
    assert crop_region(box, 4.0, grow=0.5) == (40.0, -25.0, 200.0, 135.0)


@needs_turbojpeg
@pytest.mark.parametrize('sampling', ['420', '422', '444'])
@pytest.mark.parametrize('reduction', [1, 2])
def test_region_pixels_equal_the_whole_decode_there(sampling, reduction):
    height, width = 1083, 1925  # not on the MCU grid
    data = _jpeg(_textured(height, width, seed=1), sampling)
    region = (903.3, 411.7, 1103.1, 611.2)
    frame = DECODER.decode(data, region, reduction)
    assert frame is not None
    assert (frame.width, frame.height, frame.scale) == (width, height, reduction)
    mcu_x = 8 if sampling == '444' else 16
    mcu_y = 16 if sampling == '420' else 8
    x0, y0, x1, y1 = frame.region()
    assert x0 % mcu_x == 0 and y0 % mcu_y == 0
    assert x0 <= 903 and y0 <= 411 and x1 >= 1104 and y1 >= 612
    # every reduced pixel is a whole block (a partial one only at the image's edge)
    assert (x1 - x0) % reduction == 0 and (y1 - y0) % reduction == 0
    if reduction == 1:
        whole = cv2.imdecode(data, cv2.IMREAD_COLOR)
    else:
        whole = decode_reduced(data, reduction).pixels
    rows, cols = frame.pixels.shape[:2]
    there = whole[y0 // reduction:y0 // reduction + rows, x0 // reduction:x0 // reduction + cols]
    # the outermost pixel ring at a cut differs (the chroma upsampling has no neighbour there);
    # the crops never read it: the region is cut two MCUs wider than asked
    inner = (slice(1, -1), slice(1, -1))
    if reduction == 1:
        assert np.array_equal(frame.pixels[inner], there[inner])
        asked = (slice(411 - y0, 612 - y0), slice(903 - x0, 1104 - x0))
        assert np.array_equal(frame.pixels[asked], there[asked])
    else:  # another build's scaled IDCT may round differently: within a grey level
        assert np.abs(frame.pixels[inner].astype(int) - there[inner]).mean() < 1.0


@needs_turbojpeg
def test_regions_the_decoder_refuses():
    data = _jpeg(_textured(480, 640))
    assert DECODER.decode(data, (0.0, 0.0, 600.0, 450.0), 1) is None  # most of the image
    assert DECODER.decode(data, (900.0, 900.0, 1000.0, 1000.0), 1) is None  # off the image
    assert DECODER.decode(data, (100.0, 100.0, 140.0, 140.0), 4) is None  # whole 1/4 is cheaper
    assert DECODER.decode(data, (float('nan'), 0.0, 10.0, 10.0), 1) is None
    assert DECODER.decode(cv2.imencode('.png', _textured(64, 64))[1], (0, 0, 8, 8), 1) is None
    with pytest.raises(ValueError, match='reduction must be'):
        DECODER.decode(data, (100.0, 100.0, 140.0, 140.0), 3)
    plain = data.tobytes()
    exif = b'Exif\x00\x00' + b'II*\x00' + bytes(8)
    app1 = b'\xff\xe1' + (len(exif) + 2).to_bytes(2, 'big') + exif
    assert DECODER.decode(plain[:2] + app1 + plain[2:], (100.0, 100.0, 140.0, 140.0), 1) is None
    assert DECODER.decode(plain, (100.0, 100.0, 140.0, 140.0), 1) is not None


@needs_turbojpeg
def test_damaged_jpegs_with_a_good_header_give_none_or_a_frame_of_the_planned_size():
    # what a camera sends after a glitch: the header (so the size the node checked) intact,
    # the entropy-coded data cut short or overwritten
    data = _jpeg(_textured(480, 640)).tobytes()
    region = (300.0, 200.0, 364.0, 264.0)
    planned = DECODER.decode(data, region, 1)
    rng = np.random.default_rng(7)
    damaged = [data[:len(data) // 2], data[:len(data) - 2], data[:700]]
    for _ in range(20):
        scan = bytearray(data)
        at = int(rng.integers(len(data) // 3, len(data) - 66))
        scan[at:at + 64] = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
        damaged.append(bytes(scan))
    for bad in damaged:
        frame = DECODER.decode(bad, region, 1)
        assert frame is None or (frame.pixels.shape == planned.pixels.shape
                                 and frame.origin == planned.origin)


@needs_turbojpeg
def test_the_whole_fallback_of_a_decoded_region_is_the_whole_image():
    data = _jpeg(_textured(480, 640))
    frame = DECODER.decode(data, (300.0, 200.0, 360.0, 260.0), 1)
    whole = frame.covering(0, 0, 640, 480)
    assert whole.origin == (0, 0)
    assert np.array_equal(whole.pixels, cv2.imdecode(data, cv2.IMREAD_COLOR))
    assert frame.covering(0, 0, 640, 480) is whole  # decoded once


def _whole_and_region(make_tracker, box):
    """Update two trackers on one JPEG, decoded whole and in the tracker's search region."""
    data = _jpeg(_textured(1080, 1920, seed=2))
    whole = Frame(cv2.imdecode(data, cv2.IMREAD_COLOR), ChannelOrder.BGR)
    results, searches, frames = [], [], []
    for use_region in (False, True):
        tracker, backend = make_tracker()
        assert tracker.search_region() is None  # idle: a whole decode
        tracker.init(whole, box)
        frame = whole
        if use_region:
            frame = DECODER.decode(data, tracker.search_region(), 1)
            assert frame is not None and frame.origin != (0, 0)
        results.append(tracker.update(frame))
        searches.append(backend.searches[-1])
        frames.append(frame)
    return results, searches, frames[1]


@needs_turbojpeg
@pytest.mark.parametrize('box', [BoxXYWH(900.0, 500.0, 60.0, 50.0),
                                 BoxXYWH(1880.0, 1040.0, 70.0, 60.0)])  # the crop leaves it
def test_nanotrack_through_a_region_frame_sees_the_same_search_input(box):
    from lite_tracker_ros.core.nanotrack_tracker import NanoTracker
    from lite_tracker_ros.specs.nanotrack import PARAMS, SPECS

    def make():
        backend = NanoCentreBackend()
        return NanoTracker(SPECS['nanotrack_v2'], backend, PARAMS['nanotrack_v2']), backend

    (whole, region), (a, b), frame = _whole_and_region(make, box)
    assert np.array_equal(a, b)  # bit-exact input, padding (mean of the visible part) included
    assert region.box == whole.box
    assert frame.pixels.size < 0.3 * 1920 * 1080 * 3


@needs_turbojpeg
def test_centre_head_tracker_through_a_region_frame_sees_the_same_search_input():
    from lite_tracker_ros.core.center_tracker import CenterHeadTracker
    from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
    spec = ModelSpec(name='fake', family='fake', template=CropSpec(128, 2.0),
                     search=CropSpec(256, 4.0), template_inputs=('template',))

    def make():
        backend = CentrePeakBackend()
        return CenterHeadTracker(spec, backend), backend

    (whole, region), (a, b), _ = _whole_and_region(make, BoxXYWH(300.0, 200.0, 70.0, 64.0))
    assert np.array_equal(a, b)
    assert region.box == whole.box


class _FARScriptedBackend:
    """FARTrack outputs that predict box ``xyxy`` (normalised to the search crop)."""

    name, device = 'scripted', 'cpu'

    def __init__(self, xyxy):
        from lite_tracker_ros.specs.fartrack import PARAMS
        self.ids = [int(round((v + 0.5) * PARAMS.bins)) for v in xyxy]
        self.vocab = PARAMS.vocab_size
        self.searches = []

    def set_template(self, inputs):
        pass

    def search(self, inputs):
        self.searches.append(np.array(next(iter(inputs.values()))))
        logits = np.full((1, 4, self.vocab), -40.0, dtype=np.float32)
        for q, k in enumerate(self.ids):
            logits[0, q, k] = 40.0
        return {'logits': logits, 'seqs': np.asarray([self.ids], dtype=np.float32),
                'class_prob': np.full((1, 4), 0.9, dtype=np.float32),
                'mask': np.ones((1, 49), dtype=np.float32)}


@needs_turbojpeg
@pytest.mark.parametrize('xyxy,falls_back', [
    ([0.4, 0.4, 0.6, 0.6], False),    # a new box near the centre: its template is in the region
    ([0.9, 0.9, 1.45, 1.45], True)])  # far out and larger: the template crop reads a whole decode
def test_fartrack_through_a_region_frame_stores_the_same_template(xyxy, falls_back):
    from lite_tracker_ros.core.fartrack_tracker import FARTrackTracker
    from lite_tracker_ros.specs.fartrack import PARAMS, SPECS

    def make():
        backend = _FARScriptedBackend(xyxy)
        return FARTrackTracker(SPECS['fartrack'], backend, PARAMS), backend

    data = _jpeg(_textured(1080, 1920, seed=3))
    trackers = []
    for use_region in (False, True):
        tracker, backend = make()
        whole = Frame(cv2.imdecode(data, cv2.IMREAD_COLOR), ChannelOrder.BGR)
        tracker.init(whole, BoxXYWH(600.0, 400.0, 50.0, 40.0))
        frame = whole
        if use_region:
            frame = DECODER.decode(data, tracker.search_region(), 1)
            assert frame is not None and frame.origin != (0, 0)
        result = tracker.update(frame)
        trackers.append((tracker, backend, result, frame))
    (a, backend_a, result_a, _), (b, backend_b, result_b, frame) = trackers
    assert np.array_equal(backend_a.searches[-1], backend_b.searches[-1])
    assert result_a.box == result_b.box
    # stored template 1: the one cut from this frame around the new box
    assert np.array_equal(a.memory.template(1), b.memory.template(1))
    box = result_b.box
    template = crop_region(box, SPECS['fartrack'].template.factor)
    left_region = frame.covering(*template) is not frame
    assert left_region == falls_back


@needs_turbojpeg
def test_nanotrack_v2_boxes_through_region_decode_on_a_real_sequence(sot_dir):
    """
    Track real frames with real weights, whole and region-decoded: the same boxes.

    Skiing (640x360, a small target), tracked once on whole decodes and once on region decodes
    of the same JPEG bytes. The crops are bit-exact, so the boxes are the same, frame by frame.
    """
    from pathlib import Path

    from lite_tracker_ros.backends.nanotrack_onnx import NanoTrackOnnxBackend
    from lite_tracker_ros.core.nanotrack_tracker import NanoTracker
    from lite_tracker_ros.specs.nanotrack import PARAMS, SPECS

    models = Path(__file__).resolve().parents[2].parent / 'shared' / 'models' / 'nanotrack'
    if not (models / 'nanotrackv2_backbone.onnx').exists():
        pytest.skip(f'NanoTrack v2 ONNX pair not found in {models}')
    sequence = sot_dir / 'Skiing'
    paths = sorted((sequence / 'img').glob('*.jpg'))[:30]
    first_box = BoxXYWH(*np.loadtxt(sequence / 'groundtruth.txt', delimiter=',')[0])

    def make():
        backend = NanoTrackOnnxBackend(SPECS['nanotrack_v2'], models / 'nanotrackv2_backbone.onnx',
                                       models / 'nanotrackv2_head.onnx', threads=1)
        return NanoTracker(SPECS['nanotrack_v2'], backend, PARAMS['nanotrack_v2'])

    whole, region = make(), make()
    regions = 0
    for index, path in enumerate(paths):
        data = np.frombuffer(path.read_bytes(), np.uint8)
        full = Frame(cv2.imdecode(data, cv2.IMREAD_COLOR), ChannelOrder.BGR)
        if index == 0:
            whole.init(full, first_box)
            region.init(full, first_box)
            continue
        frame = DECODER.decode(data, region.search_region(), 1)
        regions += frame is not None
        a, b = whole.update(full).box, region.update(frame if frame is not None else full).box
        assert a == b, f'frame {index}: {a} vs {b}'
    assert regions >= 20, 'most frames should be decoded in a region'
