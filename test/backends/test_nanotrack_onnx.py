# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""The NanoTrack ONNX-pair backend against OpenCV's DNN engine running the same files."""

import cv2
import numpy as np
import pytest

from lite_tracker_ros.backends.nanotrack_onnx import NanoTrackOnnxBackend
from lite_tracker_ros.core.backend import Backend
from lite_tracker_ros.specs.nanotrack import SPECS


def _backend(nanotrack_dir, name, threads=2):
    version = name.rsplit('_', 1)[-1]
    return NanoTrackOnnxBackend(SPECS[name], nanotrack_dir / f'nanotrack{version}_backbone.onnx',
                                nanotrack_dir / f'nanotrack{version}_head.onnx', threads=threads)


@pytest.fixture(scope='module')
def crops(sot_dir):
    frame = cv2.imread(str(sorted((sot_dir / 'Crossing' / 'img').glob('*.jpg'))[0]))
    box_x, box_y = 205, 151  # first ground-truth box of Crossing: 205,151,17,50
    template = cv2.resize(frame[box_y - 25:box_y + 75, box_x - 40:box_x + 60], (127, 127))
    search = cv2.resize(frame[box_y - 80:box_y + 120, box_x - 90:box_x + 110], (255, 255))
    return tuple(c.transpose(2, 0, 1)[None].astype(np.float32) for c in (template, search))


@pytest.mark.parametrize('name', ['nanotrack_v1', 'nanotrack_v2', 'nanotrack_v3'])
def test_outputs_named_and_shaped_by_spec(nanotrack_dir, crops, name):
    backend = _backend(nanotrack_dir, name)
    assert isinstance(backend, Backend)
    assert (backend.name, backend.device) == ('onnxruntime', 'CPUExecutionProvider')
    backend.set_template({'template': crops[0]})
    outputs = backend.search({'search': crops[1]})
    size = SPECS[name].feat_size
    assert tuple(outputs) == ('cls', 'loc')
    assert outputs['cls'].shape == (1, 2, size, size) and outputs['cls'].dtype == np.float32
    assert outputs['loc'].shape == (1, 4, size, size) and np.all(outputs['loc'] > 0)


@pytest.mark.parametrize('name', ['nanotrack_v1', 'nanotrack_v2'])
def test_same_as_opencv_dnn(nanotrack_dir, crops, name):
    # OpenCV 5.0's DNN cannot run the v3 head (reshape error), hence v1 and v2 only.
    template, search = crops
    version = name.rsplit('_', 1)[-1]
    try:
        backbone = cv2.dnn.readNet(str(nanotrack_dir / f'nanotrack{version}_backbone.onnx'))
        head = cv2.dnn.readNet(str(nanotrack_dir / f'nanotrack{version}_head.onnx'))
    except cv2.error as error:  # OpenCV before 4.7 cannot import these graphs (Clip, opset 11)
        reason = next((line for line in str(error).splitlines() if 'parse error' in line),
                      str(error).strip().splitlines()[0])
        pytest.skip(f'OpenCV {cv2.__version__} DNN cannot read the NanoTrack graphs: '
                    f'{reason.strip()[:160]}')
    backbone.setInput(template)
    head.setInput(backbone.forward(), 'input1')
    backbone.setInput(search)
    head.setInput(backbone.forward(), 'input2')
    cls, loc = head.forward(['output1', 'output2'])

    backend = _backend(nanotrack_dir, name)
    backend.set_template({'template': template})
    outputs = backend.search({'search': search})
    # two float32 engines with different kernels: ~1e-5 relative apart
    np.testing.assert_allclose(outputs['cls'], cls, rtol=0, atol=1e-3)
    np.testing.assert_allclose(outputs['loc'], loc, rtol=1e-3, atol=1e-3)


def test_template_is_cached_until_replaced(nanotrack_dir, crops):
    template, search = crops
    backend = _backend(nanotrack_dir, 'nanotrack_v2')
    with pytest.raises(RuntimeError, match='set_template'):
        backend.search({'search': search})
    backend.set_template({'template': template})
    first = backend.search({'search': search})
    np.testing.assert_array_equal(backend.search({'search': search})['cls'], first['cls'])
    backend.set_template({'template': np.ascontiguousarray(template[:, ::-1])})
    assert not np.allclose(backend.search({'search': search})['cls'], first['cls'])


def test_thread_count_does_not_change_results(nanotrack_dir, crops):
    results = []
    for threads in (1, 2):
        backend = _backend(nanotrack_dir, 'nanotrack_v2', threads=threads)
        backend.set_template({'template': crops[0]})
        results.append(backend.search({'search': crops[1]}))
    for key in ('cls', 'loc'):
        np.testing.assert_allclose(results[0][key], results[1][key], rtol=1e-5, atol=1e-5)
