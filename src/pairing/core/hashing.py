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

__all__ = ["canonical_input", "digest_of", "input_sha256"]


def input_sha256(programme: Programme) -> str:
    """A stable hash of the programme (canonical JSON, plus the score matrices' bytes).

    The enterprises' ``notes`` (a spreadsheet's other columns) are left out: they change
    nothing a result depends on.
    """
    return digest_of(canonical_input(programme))


def canonical_input(programme: Programme) -> tuple[bytes, list[np.ndarray]]:
    """What :func:`input_sha256` hashes: the canonical JSON (the Python-bound half of the work)
    and the score matrices (hashed by :func:`digest_of`, which holds the interpreter lock only
    briefly — so that half can run in a thread beside other Python work)."""
    sources = {k: {"scores"} for k in range(len(programme.rules.sources))}
    notes = {"enterprises": {"__all__": {"notes"}}}
    exclude: dict[str, Any] = {"scores": True, "left": notes, "right": notes}
    if sources:
        exclude["rules"] = {"sources": sources}
    data = programme.model_dump(mode="json", exclude=exclude)
    for key, default in (("sense", "score"), ("score_scale", "unit")):
        if data["rules"].get(key) == default:  # added later: defaults keep earlier hashes
            del data["rules"][key]
    text = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    matrices = [programme.scores, *(s.scores for s in programme.rules.sources)]
    return text, [m for m in matrices if m is not None]


def digest_of(parts: tuple[bytes, list[np.ndarray]]) -> str:
    """The SHA-256 of :func:`canonical_input`'s parts (each matrix as little-endian float64)."""
    text, matrices = parts
    digest = hashlib.sha256(text)
    for matrix in matrices:
        digest.update(np.ascontiguousarray(matrix, dtype="<f8").data)
    return digest.hexdigest()
