#!/usr/bin/env python3
# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Add the MIT header that ament_copyright expects to every source file that lacks it.

    scripts/add_license_headers.py        # then: scripts/test.sh test/test_copyright.py

The files are the ones test/test_copyright.py checks (.py and .cmake, as ament_copyright
selects them); a shebang line stays first.
"""

from datetime import date
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'test'))

from test_copyright import checked_files, has_header  # noqa: E402

HEADER = (f'# Copyright {date.today().year} lite_tracker_ros contributors\n'
          '#\n'
          '# Use of this source code is governed by an MIT-style\n'
          '# license that can be found in the LICENSE file or at\n'
          '# https://opensource.org/licenses/MIT.\n')


def main() -> int:
    added = 0
    for path in checked_files():
        text = path.read_text()
        if has_header(text):
            continue
        shebang = ''
        if text.startswith('#!'):
            shebang, _, text = text.partition('\n')
            shebang += '\n'
        path.write_text(shebang + HEADER + text)
        added += 1
        print(path.relative_to(ROOT))
    print(f'added the header to {added} file(s)', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
