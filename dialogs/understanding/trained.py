"""The understanding's trained readers (red flags, dialogue acts): trained from the
repository's data into the model cache before a process that reads messages starts."""
from __future__ import annotations

from pathlib import Path

from dialogs.understanding.acts import model as act_model
from dialogs.understanding.safety import learned as safety_model


def missing() -> bool:
    """True when a reader has yet to be trained for this data and code."""
    return not (safety_model.model_path().exists() and act_model.model_path().exists())


def ensure_models() -> list[Path]:
    """Each reader's cached model file, trained first when there is none."""
    return [safety_model.ensure_model(), act_model.ensure_model()]
