# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
r"""
Raw-image transport under Fast DDS profile variants: shared-memory segment size, data sharing.

Writes each variant of ``scripts/fastdds_loopback.xml`` to a temporary folder and runs
``bench_node_overhead.py`` under it (a fresh process: the profile is read when the participant
starts), so the rows compare the same node, model and frames with only the transport settings
changed. Variants run in turn, ``--rounds`` times interleaved, so load from other jobs hits them
alike. It measures, it asserts nothing.

    LITE_TRACKER_MODEL_PATH=../shared/models/nanotrack \
        scripts/loopback_exec.sh .venv/bin/python benchmarks/bench_fastdds_profiles.py \
        --sizes 1920x1080,3840x2160 --frames 60 --rounds 2
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import re
import subprocess
import sys
import tempfile

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / 'scripts' / 'fastdds_loopback.xml'
MIB = 1024 * 1024

_DATA_SHARING = """
    <data_writer profile_name="bench_writer" is_default_profile="true">
      <qos><data_sharing><kind>{kind}</kind></data_sharing></qos>
    </data_writer>
    <data_reader profile_name="bench_reader" is_default_profile="true">
      <qos><data_sharing><kind>{kind}</kind></data_sharing></qos>
    </data_reader>
"""

#: name: (shared-memory segment MiB, largest message MiB, data sharing kind or None, env)
VARIANTS = {
    'as shipped (shm 32 MiB, msg 16 MiB)': (32, 16, None, {}),
    'shm 128 MiB, msg 64 MiB': (128, 64, None, {}),
    'shm 128 MiB, msg 64 MiB, data sharing off': (128, 64, 'OFF', {}),
    'shm 128 MiB, msg 64 MiB, asynchronous publishing': (
        128, 64, None, {'RMW_FASTRTPS_PUBLICATION_MODE': 'ASYNCHRONOUS'}),
}


def _profile(segment_mib: int, message_mib: int, sharing: str | None) -> str:
    text = BASE.read_text()
    text = re.sub(r'<segment_size>\d+</segment_size>',
                  f'<segment_size>{segment_mib * MIB}</segment_size>', text)
    text = re.sub(r'<maxMessageSize>\d+</maxMessageSize>',
                  f'<maxMessageSize>{message_mib * MIB}</maxMessageSize>', text)
    if sharing:
        text = text.replace('  </profiles>', _DATA_SHARING.format(kind=sharing) + '  </profiles>')
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', default='1920x1080,3840x2160')
    parser.add_argument('--frames', type=int, default=100)
    parser.add_argument('--rounds', type=int, default=1)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for round_index in range(args.rounds):
            for index, (name, (segment, message, sharing, env)) in enumerate(VARIANTS.items()):
                path = Path(folder) / f'variant{index}.xml'
                path.write_text(_profile(segment, message, sharing))
                child_env = dict(os.environ, FASTDDS_DEFAULT_PROFILES_FILE=str(path), **env)
                done = subprocess.run(
                    [sys.executable, str(ROOT / 'benchmarks' / 'bench_node_overhead.py'),
                     '--sizes', args.sizes, '--frames', str(args.frames)],
                    env=child_env, capture_output=True, text=True, timeout=1800)
                table = [line for line in done.stdout.splitlines()
                         if line.startswith('| ') and 'x' in line.split('|')[1]]
                if done.returncode or not table:
                    rows.append(f'| {name} | failed: {done.stderr.strip()[-300:]} |')
                for line in table:
                    rows.append(f'| {name} (round {round_index + 1}) {line}')
    print('| variant | image | end-to-end mean / p50 / p95 ms | tracker update mean ms | '
          'overhead (e2e - update) mean / p50 ms | image in | in the node | result out | '
          'image conversion |')
    print('|---|---|---|---|---|---|---|---|---|')
    print('\n'.join(rows))
    return 0


if __name__ == '__main__':
    sys.exit(main())
