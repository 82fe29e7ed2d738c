# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
What an exported graph says about itself, readable by a runtime without torch.

Every exported ONNX file carries metadata properties (``metadata_props``) naming the model, the
graph's role (``template`` or ``search``), its precision, the template-cache tensors passed
from the template graph to the search graph, and the full :class:`ModelSpec` as JSON. A backend
that loads the pair can therefore rebuild the spec and feed the tracker loop without importing
the networks. File names follow :func:`graph_file_names`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
import json
from pathlib import Path
from typing import Mapping

from lite_tracker_ros.core.model_spec import CropSpec, ModelSpec
from lite_tracker_ros.errors import LiteTrackerError

#: bump when the meaning of the properties below changes
FORMAT_VERSION = '1'
ROLES = ('template', 'search')
#: fp32 and fp16 come from ``lite-tracker export``, int8 from ``lite-tracker quantize``
PRECISIONS = ('fp32', 'fp16', 'int8')

KEY_FORMAT = 'lite_tracker.format'
KEY_MODEL = 'lite_tracker.model'
KEY_ROLE = 'lite_tracker.role'
KEY_PRECISION = 'lite_tracker.precision'
KEY_CACHE = 'lite_tracker.cache'
KEY_SPEC = 'lite_tracker.spec'
#: int8 graphs only: what quantization did (``export/int8.py``)
KEY_QUANTIZATION = 'lite_tracker.quantization'


class GraphMetadataError(LiteTrackerError, ValueError):
    """An ONNX file lacks or contradicts the metadata this package writes on export."""


@dataclass(frozen=True)
class GraphMetadata:
    """The properties of one exported graph."""

    spec: ModelSpec
    role: str
    precision: str
    #: template-path outputs the search graph reads, in the search graph's input order
    cache: tuple[str, ...]

    def to_props(self) -> dict[str, str]:
        """Return the ``metadata_props`` entries (all strings) to store in the ONNX file."""
        return {KEY_FORMAT: FORMAT_VERSION, KEY_MODEL: self.spec.name, KEY_ROLE: self.role,
                KEY_PRECISION: self.precision, KEY_CACHE: json.dumps(list(self.cache)),
                KEY_SPEC: spec_to_json(self.spec)}

    @classmethod
    def from_props(cls, props: Mapping[str, str], source: str = 'graph') -> 'GraphMetadata':
        """Parse ``metadata_props``; raise GraphMetadataError naming what is wrong."""
        if props.get(KEY_FORMAT) != FORMAT_VERSION:
            raise GraphMetadataError(
                f'{source} has no lite_tracker metadata (format {props.get(KEY_FORMAT)!r}, '
                f'expected {FORMAT_VERSION!r}); export it with `lite-tracker export`')
        try:
            spec = spec_from_json(props[KEY_SPEC])
            meta = cls(spec, props[KEY_ROLE], props[KEY_PRECISION],
                       tuple(json.loads(props[KEY_CACHE])))
        except (KeyError, TypeError, ValueError) as error:
            raise GraphMetadataError(f'{source}: unreadable lite_tracker metadata ({error}); '
                                     're-export it with `lite-tracker export`') from error
        if meta.spec.name != props.get(KEY_MODEL) or meta.role not in ROLES:
            raise GraphMetadataError(f'{source}: inconsistent lite_tracker metadata; re-export '
                                     'it with `lite-tracker export`')
        return meta


def spec_to_json(spec: ModelSpec) -> str:
    """Serialise a ModelSpec (nested crop specs, tuples as lists)."""
    return json.dumps(asdict(spec), sort_keys=True)


def spec_from_json(text: str) -> ModelSpec:
    """Rebuild the ModelSpec that :func:`spec_to_json` wrote."""
    fields = json.loads(text)
    for crop in ('template', 'search'):
        fields[crop] = CropSpec(**fields[crop])
    for key, value in fields.items():
        if isinstance(value, list):
            fields[key] = tuple(value)
    return ModelSpec(**fields)


def graph_file_names(model: str, precision: str = 'fp32') -> tuple[str, str]:
    """File names of a model's template and search graphs, e.g. ``litetrack_b4.template.onnx``."""
    suffix = '' if precision == 'fp32' else f'.{precision}'
    return tuple(f'{model}.{role}{suffix}.onnx' for role in ROLES)


def graph_paths(folder: str | Path, model: str, precision: str = 'fp32') -> tuple[Path, Path]:
    """Paths of a model's exported template and search graphs inside ``folder``."""
    template, search = graph_file_names(model, precision)
    return Path(folder) / template, Path(folder) / search


def read_metadata(path: str | Path) -> GraphMetadata:
    """Read an exported graph's metadata with the onnx package (the weights are parsed too)."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    return GraphMetadata.from_props({p.key: p.value for p in model.metadata_props}, str(path))
