"""Model specs of the mvt family."""

from lite_tracker_ros.core.model_spec import ModelSpec

SPECS: dict[str, ModelSpec] = {}
