"""The input hash recorded in every result (``input_sha256``).

It identifies the programme a result was computed for: ``pairing check`` flags a result whose
hash does not match the programme it is checked against.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from pairing.model.programme import Programme

__all__ = ["input_sha256"]


def input_sha256(programme: Programme) -> str:
    """A stable hash of the programme (canonical JSON, plus the score matrices' bytes).

    The enterprises' ``notes`` (a spreadsheet's other columns) are left out: they change
    nothing a result depends on.
    """
    digest = hashlib.sha256()
    sources = {k: {"scores"} for k in range(len(programme.rules.sources))}
    notes = {"enterprises": {"__all__": {"notes"}}}
    exclude: dict[str, Any] = {"scores": True, "left": notes, "right": notes}
    if sources:
        exclude["rules"] = {"sources": sources}
    data = programme.model_dump(mode="json", exclude=exclude)
    for key, default in (("sense", "score"), ("score_scale", "unit")):
        if data["rules"].get(key) == default:  # added later: defaults keep earlier hashes
            del data["rules"][key]
    digest.update(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    matrices = [programme.scores, *(s.scores for s in programme.rules.sources)]
    for matrix in matrices:
        if matrix is not None:
            digest.update(np.ascontiguousarray(matrix, dtype="<f8").data)
    return digest.hexdigest()
