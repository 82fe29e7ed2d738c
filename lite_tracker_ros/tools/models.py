# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""``lite-tracker models``: the registry, with licences and install status."""

from __future__ import annotations

from lite_tracker_ros import model_registry as mr


def add_arguments(parser) -> None:
    parser.add_argument('--verbose', '-v', action='store_true', help='show pages and caveats')


def _installed(entry: mr.ModelEntry) -> str:
    found = []
    for f in entry.files:
        try:
            mr.find_file(entry, f.role)
            found.append(f.role)
        except mr.CorruptFileError:
            found.append(f'{f.role} (corrupt, re-download)')
        except mr.RegistryError:
            pass
    return ', '.join(found) if found else 'no'


def run(args) -> int:
    registry = mr.load_registry()
    print(f'{"model":<18} {"family":<16} {"installed":<38} license')
    for entry in registry.values():
        print(f'{entry.name:<18} {entry.family:<16} {_installed(entry):<38} {entry.license}')
        if args.verbose:
            print(f'    {entry.variant}\n    page: {entry.page}\n    caveats: {entry.caveats}')
    print(f'\nsearched: {", ".join(str(p) for p in mr.search_path())}')
    return 0
