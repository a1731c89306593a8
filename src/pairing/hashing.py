"""The input hash recorded in every result (``input_sha256``).

It identifies the programme a result was computed for: ``pairing check`` flags a result whose
hash does not match the programme it is checked against.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from pairing.model import Programme

__all__ = ["input_sha256"]


def input_sha256(programme: Programme) -> str:
    """A stable hash of the programme (canonical JSON, plus the score matrix's bytes)."""
    digest = hashlib.sha256()
    data = programme.model_dump(mode="json", exclude={"scores"})
    digest.update(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    if programme.scores is not None:
        digest.update(np.ascontiguousarray(programme.scores, dtype="<f8").data)
    return digest.hexdigest()
