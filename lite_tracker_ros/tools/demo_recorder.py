# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
The demo's recorder: collects camera frames, detections and diagnostics; writes the results.

Frames are kept as JPEG-free numpy copies only up to a bound (about 2 GB at 640x480 would take
7000 frames), so a long video is recorded up to ``max_frames`` and the rest is only counted.
"""

from __future__ import annotations

import json
from pathlib import Path
import time

import cv2
from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import qos_profile_sensor_data, QoSHistoryPolicy, QoSProfile
from sensor_msgs.msg import Image
from vision_msgs.msg import Detection2DArray

from lite_tracker_ros.ros.image_conversion import image_to_frame


def _stamp(msg) -> int:
    return msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec


class DemoRecorder:
    """A ROS node, spun from the calling thread, that records what the demo shows."""

    def __init__(self, namespace: str, max_frames: int = 3000):
        self.namespace = namespace
        self.max_frames = max_frames
        self.context = rclpy.Context()
        rclpy.init(context=self.context)
        self.node = rclpy.create_node('demo_recorder', context=self.context)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        deep_best_effort = QoSProfile(depth=100, history=QoSHistoryPolicy.KEEP_LAST,
                                      reliability=qos_profile_sensor_data.reliability)
        self.frames: dict[int, np.ndarray] = {}
        self.frame_order: list[int] = []
        self.results: dict[int, object] = {}
        self.arrival_ns: dict[int, int] = {}
        self.diagnostics: dict[str, str] = {}
        self.node.create_subscription(Image, f'{namespace}/camera/image', self._on_image,
                                      deep_best_effort)
        self.node.create_subscription(Detection2DArray, f'{namespace}/tracker_node/detections',
                                      self._on_detections, 100)
        self.node.create_subscription(DiagnosticArray, '/diagnostics', self._on_diagnostics, 10)

    def _on_image(self, msg) -> None:
        stamp = _stamp(msg)
        self.frame_order.append(stamp)
        if len(self.frames) < self.max_frames:
            frame = image_to_frame(msg)
            self.frames[stamp] = np.array(frame.pixels)  # BGR, as the publisher sends it

    def _on_detections(self, msg) -> None:
        stamp = _stamp(msg)
        self.arrival_ns[stamp] = time.time_ns()
        self.results[stamp] = msg.detections[0] if msg.detections else None

    def _on_diagnostics(self, msg) -> None:
        for status in msg.status:
            if status.name == f'{self.namespace}/tracker_node: tracker':
                self.diagnostics = {kv.key: kv.value for kv in status.values}
                self.diagnostics['level'] = str(status.level[0])
                self.diagnostics['message'] = status.message

    def wait_for_tracker(self, process, timeout_s: float) -> bool:
        topic = f'{self.namespace}/tracker_node/detections'
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and process.poll() is None:
            if self.node.count_publishers(topic) > 0:
                return True
            self.executor.spin_once(timeout_sec=0.05)
        return False

    def record_until(self, done) -> None:
        while not done():
            self.executor.spin_once(timeout_sec=0.05)

    def record_for(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        self.record_until(lambda: time.monotonic() > end)

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown(context=self.context)


def _draw(frame: np.ndarray, detection, gt_box) -> np.ndarray:
    canvas = frame.copy()
    if gt_box is not None and np.all(np.isfinite(gt_box)):
        x, y, w, h = (int(round(v)) for v in gt_box)
        cv2.rectangle(canvas, (x, y), (x + w, y + h), (255, 128, 0), 1)
    if detection is not None:
        b = detection.bbox
        x1 = int(round(b.center.position.x - b.size_x / 2))
        y1 = int(round(b.center.position.y - b.size_y / 2))
        cv2.rectangle(canvas, (x1, y1), (x1 + int(round(b.size_x)), y1 + int(round(b.size_y))),
                      (0, 220, 0), 2)
        score = detection.results[0].hypothesis.score if detection.results else float('nan')
        cv2.putText(canvas, f'{score:.2f}', (x1, max(14, y1 - 4)), cv2.FONT_HERSHEY_SIMPLEX,
                    0.5, (0, 220, 0), 1, cv2.LINE_AA)
    return canvas


def _percentiles_ms(values_ns) -> dict[str, float]:
    values = np.asarray(values_ns, dtype=float) / 1e6
    if values.size == 0:
        return {}
    return {'mean': float(values.mean()), 'p50': float(np.percentile(values, 50)),
            'p95': float(np.percentile(values, 95)), 'max': float(values.max())}


def write_outputs(recorder: DemoRecorder, out: Path, model: str, backend: str,
                  groundtruth: Path | None, wall_s: float) -> dict:
    """Write annotated.mp4, strip.png and summary.{md,json}; return the summary."""
    from lite_tracker_ros.sources import read_groundtruth

    gt = read_groundtruth(groundtruth) if groundtruth is not None else None
    stamps = [s for s in recorder.frame_order if s in recorder.frames]
    annotated = []
    for index, stamp in enumerate(stamps):
        gt_box = gt[index] if gt is not None and index < len(gt) else None
        annotated.append(_draw(recorder.frames[stamp], recorder.results.get(stamp), gt_box))
    if annotated:
        height, width = annotated[0].shape[:2]
        writer = cv2.VideoWriter(str(out / 'annotated.mp4'), cv2.VideoWriter_fourcc(*'mp4v'),
                                 30.0, (width, height))
        for image in annotated:
            writer.write(image)
        writer.release()
        picks = np.linspace(0, len(annotated) - 1, num=min(6, len(annotated))).astype(int)
        thumbs = [cv2.resize(annotated[i], (width // 2, height // 2)) for i in picks]
        cv2.imwrite(str(out / 'strip.png'), np.concatenate(thumbs, axis=1))

    tracked = [s for s in recorder.frame_order if recorder.results.get(s) is not None]
    latency = [recorder.arrival_ns[s] - s for s in recorder.frame_order
               if s in recorder.arrival_ns]
    values = {
        'model': model, 'backend': backend,
        'frames_published': len(recorder.frame_order),
        'frames_with_result': sum(1 for s in recorder.frame_order if s in recorder.results),
        'frames_tracked': len(tracked),
        'frames_dropped_by_node': int(recorder.diagnostics.get('frames_dropped', 0)),
        'wall_s': round(wall_s, 2),
        'end_to_end_ms_measured_here': _percentiles_ms(latency),
        'node_latency_ms': {k[len('latency_ms.'):]: float(v)
                            for k, v in recorder.diagnostics.items()
                            if k.startswith('latency_ms.')},
    }
    if gt is not None and tracked:
        values['accuracy'] = _accuracy(recorder, gt)
    lines = [f'# Demo: {model} on {backend}', '',
             f'- frames published: {values["frames_published"]}, with a result: '
             f'{values["frames_with_result"]}, tracked: {values["frames_tracked"]}, dropped by '
             f'the node (latest-frame policy): {values["frames_dropped_by_node"]}']
    e2e = values['end_to_end_ms_measured_here']
    if e2e:
        lines.append(f'- end-to-end latency (image stamp to result received), ms: mean '
                     f'{e2e["mean"]:.1f}, p50 {e2e["p50"]:.1f}, p95 {e2e["p95"]:.1f}, '
                     f'max {e2e["max"]:.1f}')
    node = values['node_latency_ms']
    for stage in ('conversion', 'preprocess', 'inference', 'postprocess'):
        if f'{stage}.mean' in node:
            lines.append(f'- {stage}: mean {node[stage + ".mean"]:.2f} ms, p95 '
                         f'{node[stage + ".p95"]:.2f} ms')
    if 'accuracy' in values:
        acc = values['accuracy']
        lines.append(f'- against ground truth: success AUC {acc["success_auc"]:.3f}, '
                     f'precision@20px {acc["precision_20px"]:.3f} over {acc["frames"]} frames')
    text = '\n'.join(lines) + '\n'
    (out / 'summary.md').write_text(text)
    (out / 'summary.json').write_text(json.dumps(values, indent=2) + '\n')
    return {'text': text, 'values': values}


def _accuracy(recorder: DemoRecorder, gt: np.ndarray) -> dict:
    """Score the frames that got a result (frames the node dropped have no box to score)."""
    from lite_tracker_ros.evaluation.metrics import score_sequence
    pred, truth = [], []
    for index, stamp in enumerate(recorder.frame_order[1:], start=1):
        det = recorder.results.get(stamp)
        if index >= len(gt) or det is None:
            continue
        b = det.bbox
        pred.append([b.center.position.x - b.size_x / 2, b.center.position.y - b.size_y / 2,
                     b.size_x, b.size_y])
        truth.append(gt[index])
    scores = score_sequence(np.asarray(pred).reshape(-1, 4), np.asarray(truth).reshape(-1, 4),
                            init_index=-1)
    return {'frames': scores.frames_scored, 'success_auc': scores.auc,
            'precision_20px': scores.precision_20}
