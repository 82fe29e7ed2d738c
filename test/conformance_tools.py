# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""Helpers the conformance and parity tests share: the pack's tables, a recording backend."""

from __future__ import annotations

from pathlib import Path


def read_tsv(path: Path) -> list[dict]:
    """Return a pack table's rows as dicts of strings (lines starting with '#' are comments)."""
    lines = [line for line in path.read_text().splitlines() if not line.startswith('#')]
    header = lines[0].split('\t')
    return [dict(zip(header, line.split('\t'))) for line in lines[1:]]


class RecordingBackend:
    """Passes calls through to a backend and keeps every template input and search output."""

    def __init__(self, inner):
        self.inner, self.name, self.device = inner, inner.name, inner.device
        self.templates, self.outputs = [], []

    @property
    def last(self) -> dict:
        """Return the latest search outputs."""
        return self.outputs[-1]

    def set_template(self, inputs):
        self.templates.append(dict(inputs))
        self.inner.set_template(inputs)

    def search(self, inputs):
        self.outputs.append(self.inner.search(inputs))
        return self.outputs[-1]
