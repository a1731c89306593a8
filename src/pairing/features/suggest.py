"""Propose ``tag:level`` maps from the free text, for a programme manager to review.

Enterprises often arrive with prose only. :func:`suggest_tags` reads each enterprise's
``offers_text`` (→ capabilities) and ``needs_text`` (→ needs) against the programme's tag
vocabulary: every tag is a short document (its name with ``-`` as a space, e.g. "cold chain"),
vectorised together with the texts by the text term's own TF-IDF over character n-grams
(:func:`pairing.features.text.tfidf`), and a tag is proposed when its cosine similarity with
the text reaches ``minimum``; the level is that similarity, rounded to 0.05. One sparse
(texts × tags) product; the loop is over enterprises only, to write the suggestions.

Tags are named in the vocabulary's language, so a text in another language (Chinese, Urdu)
proposes nothing — those rows say so, rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pairing.features.vocabulary import build_vocabulary
from pairing.model.programme import Programme

__all__ = ["Suggestion", "suggest_tags"]

_FIELDS = (("offers_text", "capabilities"), ("needs_text", "needs"))


@dataclass(frozen=True)
class Suggestion:
    """Proposed levels for one enterprise's capabilities or needs, strongest first."""

    side: str
    id: str
    field: str  # "capabilities" or "needs"
    levels: dict[str, float]
    current: dict[str, float]

    @property
    def cell(self) -> str:
        """The suggestion in the bundle's ``tag:level;tag:level`` form."""
        return ";".join(f"{tag}:{level:g}" for tag, level in self.levels.items())


def suggest_tags(programme: Programme, top: int = 3, minimum: float = 0.3) -> list[Suggestion]:
    """Tags suggested by each enterprise's texts (see the module docstring).

    Parameters
    ----------
    programme
        A programme whose enterprises have ``offers_text`` and/or ``needs_text``.
    top
        At most this many tags per text.
    minimum
        The least cosine similarity in [0, 1] for a tag to be proposed.

    Returns
    -------
    list of Suggestion
        One per enterprise and text it has, in side and sheet order (empty ``levels`` when
        nothing reached ``minimum``).
    """
    from pairing.features.text import normalise, tfidf

    tags = build_vocabulary(programme).tags
    rows = [
        (side, e.id, field, getattr(e, field_text), dict(getattr(e, field)))
        for side in ("left", "right")
        for e in programme.side(side).enterprises
        for field_text, field in _FIELDS
        if getattr(e, field_text)
    ]
    if not rows or not tags:
        return [Suggestion(side, id_, field, {}, current) for side, id_, field, _, current in rows]
    documents = [normalise(tag.replace("-", " ")) for tag in tags]
    found = tfidf(documents + [normalise(text) for *_, text, _ in rows])
    if found is None:
        return []
    vectors, _ = found
    similarity = (vectors[len(tags) :] @ vectors[: len(tags)].T).toarray()
    order = np.argsort(-similarity, axis=1, kind="stable")[:, :top]
    suggestions = []
    for k, (side, id_, field, _, current) in enumerate(rows):
        levels = {
            tags[t]: min(1.0, round(float(similarity[k, t]) * 20) / 20)
            for t in order[k].tolist()
            if similarity[k, t] >= minimum
        }
        suggestions.append(Suggestion(side, id_, field, levels, current))
    return suggestions
