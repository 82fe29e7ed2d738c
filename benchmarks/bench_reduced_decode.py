# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Compressed input at the crop's scale: decode cost, and what it does to NanoTrack's boxes.

``--timing``: one frame of ``pysot_bag.avi`` at 640x480, 1920x1080 and 3840x2160, JPEG quality
90, decoded whole (before: what ``compressed_to_frame`` does) and at 1/2, 1/4, 1/8 through
``decode_reduced`` (after: what the node does when the search crop allows it). One thread;
the variants are interleaved and each cell is the median of ``--repeats`` rounds, so load from
other jobs hits them alike.

``--accuracy``: NanoTrack v2 (ONNX Runtime, 1 thread) over the shared sequences fed as JPEG
bytes: the same tracker once with every frame decoded whole, once with each update's frame
decoded at ``resampling_to_reduction(tracker.search_resampling())`` (init always whole).
Reports success AUC of both, how far the boxes moved, and how many frames were reduced.
``--upscale N`` first enlarges every frame N times (cubic) and re-encodes it (quality 90), so
that the targets cover enough pixels for the reductions to apply: the sequences are 320x240 to
1280x720, where they rarely do. It measures, it asserts nothing.

    .venv/bin/python benchmarks/bench_reduced_decode.py --timing --accuracy
    .venv/bin/python benchmarks/bench_reduced_decode.py --accuracy --upscale 3 --margin 2
    .venv/bin/python benchmarks/bench_reduced_decode.py --one-step --upscale 3 --margin 2

``--region`` (with ``--accuracy``/``--one-step``): the second path decodes only the region the
next search reads (``RegionDecoder``, libjpeg-turbo's lossless crop, at the same reduction),
as the node does with ``region_decode``; ``--timing`` then also times, for a small (64 px) and
a large (400 px) square NanoTrack target at the image centre, the decode before (whole or
reduced, by the margin) and after (region), and a region decode of 16 x 16 px at 1/8 (the
Huffman decode of the whole stream: the floor of any region decode).

    .venv/bin/python benchmarks/bench_reduced_decode.py --timing --region --margin 2
    .venv/bin/python benchmarks/bench_reduced_decode.py --accuracy --region --margin 2
    .venv/bin/python benchmarks/bench_reduced_decode.py --region-sweep --repeats 15

``--region-sweep`` times region decodes covering 5-45% of the image at 1/1, 1/2 and 1/4
against the whole decode at that reduction (1080p, 4K): where ``REGION_MAX_FRACTION`` comes from.

``--one-step`` isolates the decode's effect from drift: before every update the reduced-path
tracker is given the whole-path tracker's state, so each difference is one update's.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import statistics
import sys
import time

import cv2
import numpy as np

from lite_tracker_ros.core.jpeg_decode import decode_reduced, jpeg_size
from lite_tracker_ros.core.reduced_crop import resampling_to_reduction
from lite_tracker_ros.core.types import BoxXYWH, ChannelOrder, Frame

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / 'shared'
SIZES = ((640, 480), (1920, 1080), (3840, 2160))


def timing(repeats: int, quality: int) -> None:
    ok, frame = cv2.VideoCapture(str(SHARED / 'data' / 'videos' / 'pysot_bag.avi')).read()
    if not ok:
        sys.exit('cannot read pysot_bag.avi from ../shared/data/videos')
    variants = {'whole (before)': lambda d: cv2.imdecode(d, cv2.IMREAD_COLOR),
                'header only': jpeg_size}
    for reduction in (2, 4, 8):
        variants[f'1/{reduction}'] = lambda d, r=reduction: decode_reduced(d, r)
    print('| image | JPEG KiB | ' + ' | '.join(f'{name} ms' for name in variants) + ' |')
    print('|---|---|' + '---|' * len(variants))
    for width, height in SIZES:
        grow = width > frame.shape[1]
        image = cv2.resize(frame, (width, height),
                           interpolation=cv2.INTER_CUBIC if grow else cv2.INTER_AREA)
        data = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
        samples = {name: [] for name in variants}
        for _ in range(repeats):
            for name, decode in variants.items():
                start = time.perf_counter()
                decode(data)
                samples[name].append(time.perf_counter() - start)
        cells = [f'{statistics.median(v) * 1e3:.2f}' for v in samples.values()]
        print(f'| {width}x{height} | {data.size // 1024} | ' + ' | '.join(cells) + ' |')


def _nanotrack_window(width: int, height: int, target: int) -> tuple:
    """Return the next search's region and resampling for a square target at the centre."""
    from lite_tracker_ros.specs.nanotrack import PARAMS
    params = PARAMS['nanotrack_v2']
    side = round(params.search_side(target, target))
    x0, y0 = width // 2 - side // 2, height // 2 - side // 2
    return (x0, y0, x0 + side, y0 + side), side / params.instance_size


def region_timing(repeats: int, quality: int, margin: float) -> None:
    from lite_tracker_ros.core.region_decode import RegionDecoder
    decoder = RegionDecoder.load()
    if decoder is None:
        sys.exit('no libturbojpeg on this system: region decoding is unavailable')
    ok, frame = cv2.VideoCapture(str(SHARED / 'data' / 'videos' / 'pysot_bag.avi')).read()
    if not ok:
        sys.exit('cannot read pysot_bag.avi from ../shared/data/videos')

    def before(data, resampling):
        reduction = resampling_to_reduction(resampling, margin=margin)
        if reduction > 1:
            return decode_reduced(data, reduction)
        return cv2.imdecode(data, cv2.IMREAD_COLOR)

    def after(data, region, resampling):
        reduction = resampling_to_reduction(resampling, margin=margin)
        return decoder.decode(data, region, reduction) or before(data, resampling)

    print(f'NanoTrack v2 search region at the image centre, margin {margin}, one thread')
    print('(each time: median / fastest of the rounds; on a loaded machine a decode of a few ms '
          'is often preempted once, so the fastest is the closer estimate of its own cost)')
    print('| image | target px | search side px | whole ms | before ms | after (region) ms | '
          'after decodes | Huffman floor ms |')
    print('|---|---|---|---|---|---|---|---|')
    for width, height in SIZES:
        grow = width > frame.shape[1]
        image = cv2.resize(frame, (width, height),
                           interpolation=cv2.INTER_CUBIC if grow else cv2.INTER_AREA)
        data = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
        for target in (64, 400):
            region, resampling = _nanotrack_window(width, height, target)
            result = after(data, region, resampling)
            if isinstance(result, Frame):
                what = (f'region {result.pixels.shape[1] * result.scale}x'
                        f'{result.pixels.shape[0] * result.scale} at 1/{result.scale}'
                        if result.whole is not None else f'whole at 1/{result.scale}')
            else:
                what = 'whole at 1/1'
            centre = (width // 2 - 8, height // 2 - 8, width // 2 + 8, height // 2 + 8)
            cut = decoder.plan(decoder.header(data), centre)
            variants = {
                'whole': lambda: cv2.imdecode(data, cv2.IMREAD_COLOR),
                'before': lambda: before(data, resampling),
                'after': lambda: after(data, region, resampling),
                'floor': lambda: decoder._cut_and_decode(data, cut, 8)}
            samples = {name: [] for name in variants}
            for _ in range(repeats):
                for name, run in variants.items():
                    # twice in a row, the second timed: a node decodes one way frame after
                    # frame, so the allocator holds that way's buffers (right after another
                    # variant's large frees the first call pays page faults, up to +7 ms at
                    # 1080p)
                    run()
                    start = time.perf_counter()
                    run()
                    samples[name].append(time.perf_counter() - start)
            ms = {name: f'{statistics.median(v) * 1e3:.2f} / {min(v) * 1e3:.2f}'
                  for name, v in samples.items()}
            print(f'| {width}x{height} | {target} | {region[2] - region[0]} | {ms["whole"]} | '
                  f'{ms["before"]} | {ms["after"]} | {what} | {ms["floor"]} |')


def region_sweep(repeats: int, quality: int) -> None:
    """Region decode vs whole decode per reduction and region size: where the region pays."""
    from lite_tracker_ros.core import region_decode
    decoder = region_decode.RegionDecoder.load()
    if decoder is None:
        sys.exit('no libturbojpeg on this system: region decoding is unavailable')
    limits = dict(region_decode.REGION_MAX_FRACTION)
    region_decode.REGION_MAX_FRACTION.update(dict.fromkeys(limits, 1.0))  # time every size
    ok, frame = cv2.VideoCapture(str(SHARED / 'data' / 'videos' / 'pysot_bag.avi')).read()
    if not ok:
        sys.exit('cannot read pysot_bag.avi from ../shared/data/videos')
    fractions = (0.05, 0.1, 0.2, 0.3, 0.45)
    print(f'region decode ms by fraction of the image (shipped limits {limits}); each time: '
          'median / fastest')
    print('| image | reduction | whole ms | ' + ' | '.join(f'region {f:g} ms' for f in fractions)
          + ' |')
    print('|---|---|---|' + '---|' * len(fractions))
    for width, height in SIZES[1:]:
        image = cv2.resize(frame, (width, height), interpolation=cv2.INTER_CUBIC)
        data = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
        for reduction in (1, 2, 4):
            variants = {'whole': (lambda r=reduction: decode_reduced(data, r) if r > 1
                                  else cv2.imdecode(data, cv2.IMREAD_COLOR))}
            for fraction in fractions:
                half = 0.5 * (fraction * width * height) ** 0.5
                region = (width / 2 - half, height / 2 - half, width / 2 + half, height / 2 + half)
                variants[fraction] = (lambda g=region, r=reduction: decoder.decode(data, g, r))
            samples = {name: [] for name in variants}
            for _ in range(repeats):
                for name, run in variants.items():
                    run()  # twice in a row, the second timed (see region_timing)
                    start = time.perf_counter()
                    run()
                    samples[name].append(time.perf_counter() - start)
            cells = [f'{statistics.median(v) * 1e3:.2f} / {min(v) * 1e3:.2f}'
                     for v in samples.values()]
            print(f'| {width}x{height} | 1/{reduction} | ' + ' | '.join(cells) + ' |')
    region_decode.REGION_MAX_FRACTION.update(limits)


def _jpeg_frames(sequence, upscale: int) -> list[bytes]:
    frames = []
    for path in sequence.images:
        data = path.read_bytes()
        if upscale > 1:
            pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            pixels = cv2.resize(pixels, None, fx=upscale, fy=upscale,
                                interpolation=cv2.INTER_CUBIC)
            data = cv2.imencode('.jpg', pixels, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
        frames.append(data)
    return frames


def _decode_for(tracker, data: np.ndarray, reduction: int, region_decoder) -> Frame | None:
    """Decode for the second path: a region where asked for and possible, else reduced."""
    frame = None
    if region_decoder is not None:
        region = tracker.search_region()
        if region is not None:
            frame = region_decoder.decode(data, region, reduction)
    if frame is None and reduction > 1:
        frame = decode_reduced(data, reduction)
    return frame


def _track(tracker, frames: list[bytes], gt: np.ndarray, reduced: bool, margin: float,
           region_decoder=None):
    from lite_tracker_ros.evaluation.metrics import present
    init = int(np.flatnonzero(present(gt))[0])
    boxes = np.full((len(frames), 4), np.nan)
    used = []
    for index in range(init, len(frames)):
        data = np.frombuffer(frames[index], np.uint8)
        reduction = 1
        if reduced and index > init:
            reduction = resampling_to_reduction(tracker.search_resampling(), margin=margin)
        frame = None
        if reduced and index > init:
            frame = _decode_for(tracker, data, reduction, region_decoder)
        if frame is None:
            frame = Frame(cv2.imdecode(data, cv2.IMREAD_COLOR), ChannelOrder.BGR)
        if index == init:
            tracker.init(frame, BoxXYWH(*(float(v) for v in gt[index])))
            boxes[index] = gt[index]
        else:
            boxes[index] = tracker.update(frame).box.as_tuple()
            used.append(-frame.scale if frame.whole is not None else frame.scale)
    return boxes, init, used


def _one_step(make_tracker, frames: list[bytes], gt: np.ndarray, margin: float,
              region_decoder=None):
    """
    Per-frame box differences with no drift: both paths start every update from one state.

    Returns the largest corner difference (px) per frame that was decoded reduced. NanoTrack's
    whole state is its box (centre and size), copied from the whole-decode tracker each frame.
    """
    from lite_tracker_ros.evaluation.metrics import present
    init = int(np.flatnonzero(present(gt))[0])
    whole, reduced = make_tracker(), make_tracker()
    first = Frame(cv2.imdecode(np.frombuffer(frames[init], np.uint8), cv2.IMREAD_COLOR),
                  ChannelOrder.BGR)
    start = BoxXYWH(*(float(v) for v in gt[init]))
    whole.init(first, start)
    reduced.init(first, start)
    diffs = []
    for data in frames[init + 1:]:
        for name in ('_cx', '_cy', '_w', '_h'):
            setattr(reduced, name, getattr(whole, name))
        reduction = resampling_to_reduction(whole.search_resampling(), margin=margin)
        buffer = np.frombuffer(data, np.uint8)
        a = whole.update(Frame(cv2.imdecode(buffer, cv2.IMREAD_COLOR), ChannelOrder.BGR)).box
        frame = _decode_for(reduced, buffer, reduction, region_decoder)
        if frame is None:
            continue  # the same whole frame: nothing to compare
        b = reduced.update(frame).box
        diffs.append(max(abs(a.x - b.x), abs(a.y - b.y), abs(a.x + a.w - b.x - b.w),
                         abs(a.y + a.h - b.y - b.h)))
    return diffs


def one_step(data_root: Path, upscale: int, margin: float, region_decoder=None) -> None:
    from lite_tracker_ros.evaluation.sequences import discover_sequences
    from lite_tracker_ros.factory import create_tracker
    os.environ.setdefault('LITE_TRACKER_MODEL_PATH', str(SHARED / 'models' / 'nanotrack'))
    print(f'NanoTrack v2 one-step box differences, upscale {upscale}, margin {margin}, '
          f'region {region_decoder is not None}')
    print('| sequence | frames reduced | corner diff p50 / p95 / max px |')
    print('|---|---|---|')
    everything = []
    for sequence in discover_sequences(data_root):
        gt = sequence.groundtruth() * upscale
        diffs = _one_step(lambda: create_tracker('nanotrack_v2', backend='onnxruntime',
                                                 num_threads=1),
                          _jpeg_frames(sequence, upscale), gt, margin, region_decoder)
        everything += diffs
        cells = (' / '.join(f'{np.percentile(diffs, q):.2f}' for q in (50, 95, 100))
                 if diffs else '-')
        print(f'| {sequence.name} | {len(diffs)} | {cells} |')
    if everything:
        cells = ' / '.join(f'{np.percentile(everything, q):.2f}' for q in (50, 95, 100))
        print(f'| **all** | {len(everything)} | {cells} |')


def accuracy(data_root: Path, upscale: int, margin: float, region_decoder=None) -> None:
    import onnxruntime  # noqa: F401 - fail early and clearly when absent
    from lite_tracker_ros.evaluation.metrics import average_scores, score_sequence
    from lite_tracker_ros.evaluation.sequences import discover_sequences
    from lite_tracker_ros.factory import create_tracker

    sequences = discover_sequences(data_root)
    # the published ONNX pair, found through the model path like the node finds it
    os.environ.setdefault('LITE_TRACKER_MODEL_PATH', str(SHARED / 'models' / 'nanotrack'))
    print(f'NanoTrack v2, onnxruntime 1 thread, {len(sequences)} sequences, upscale {upscale}, '
          f'margin {margin}, region {region_decoder is not None}')
    print('| sequence | AUC whole | AUC reduced | frames at 1/1, 1/2, 1/4, 1/8 '
          '(region: 1/1, 1/2, 1/4, 1/8) | max corner diff px | mean corner diff px |')
    print('|---|---|---|---|---|---|')
    whole_scores, reduced_scores = [], []
    for sequence in sequences:
        gt = sequence.groundtruth() * upscale
        frames = _jpeg_frames(sequence, upscale)
        results = {}
        for reduced in (False, True):
            tracker = create_tracker('nanotrack_v2', backend='onnxruntime', num_threads=1)
            results[reduced] = _track(tracker, frames, gt, reduced, margin, region_decoder)
        (whole, init, _), (reduced_boxes, _, used) = results[False], results[True]
        s_whole, s_reduced = score_sequence(whole, gt, init), score_sequence(reduced_boxes, gt,
                                                                             init)
        whole_scores.append(s_whole)
        reduced_scores.append(s_reduced)
        diff = np.abs(whole - reduced_boxes)[init + 1:]
        corners = np.concatenate([diff[:, :2], np.abs((whole[:, :2] + whole[:, 2:])
                                                      - (reduced_boxes[:, :2]
                                                         + reduced_boxes[:, 2:]))[init + 1:]],
                                 axis=1)
        counts = ', '.join(str(used.count(r)) for r in (1, 2, 4, 8))
        if region_decoder is not None:
            counts += ' (' + ', '.join(str(used.count(-r)) for r in (1, 2, 4, 8)) + ')'
        print(f'| {sequence.name} | {s_whole.auc:.4f} | {s_reduced.auc:.4f} | {counts} | '
              f'{np.nanmax(corners):.2f} | {np.nanmean(corners):.2f} |')
    a, b = average_scores(whole_scores).auc, average_scores(reduced_scores).auc
    print(f'| **mean** | **{a:.4f}** | **{b:.4f}** (diff {b - a:+.4f}) | | | |')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--timing', action='store_true')
    parser.add_argument('--accuracy', action='store_true')
    parser.add_argument('--one-step', action='store_true',
                        help='box differences of single updates from a shared state (no drift)')
    parser.add_argument('--repeats', type=int, default=41)
    parser.add_argument('--quality', type=int, default=90)
    parser.add_argument('--upscale', type=int, default=1)
    parser.add_argument('--margin', type=float, default=1.0,
                        help='reduce only while reduction * margin <= crop resampling')
    parser.add_argument('--data', type=Path, default=SHARED / 'data' / 'sot')
    parser.add_argument('--region-sweep', action='store_true',
                        help='time region decodes of growing size against whole decodes')
    parser.add_argument('--region', action='store_true',
                        help='the second path decodes only the search region (libturbojpeg)')
    args = parser.parse_args()
    cv2.setNumThreads(1)
    decoder = None
    if args.region:
        from lite_tracker_ros.core.region_decode import RegionDecoder
        decoder = RegionDecoder.load()
        if decoder is None:
            sys.exit('no libturbojpeg on this system: region decoding is unavailable')
    if args.timing:
        if args.region:
            region_timing(args.repeats, args.quality, args.margin)
        else:
            timing(args.repeats, args.quality)
    if args.region_sweep:
        region_sweep(args.repeats, args.quality)
    if args.accuracy:
        accuracy(args.data, args.upscale, args.margin, decoder)
    if args.one_step:
        one_step(args.data, args.upscale, args.margin, decoder)
    if not (args.timing or args.accuracy or args.one_step or args.region_sweep):
        parser.error('choose --timing, --accuracy, --one-step and/or --region-sweep')
    return 0


if __name__ == '__main__':
    sys.exit(main())
