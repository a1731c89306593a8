"""Likely misspelt tags: a tag used in only one place of the whole programme.

A need counts only when the other side offers the same tag, so ``textile-machinary`` in one
enterprise's needs silently lowers every score of that enterprise. A tag that appears in only
one of the four lists — left capabilities, left needs, right capabilities, right needs — can
meet nothing. When a tag used elsewhere is close to it (:mod:`difflib` ratio at least 0.85:
a letter or two apart), it is reported as a warning — not an error, since a unique tag can be
genuine — naming the enterprises that use it and the tag it is likely meant to be. A unique tag
with no close neighbour is not reported (small programmes have many).
"""

from __future__ import annotations

import difflib
from collections import defaultdict

from pairing.model.programme import Programme

__all__ = ["one_sided_tags"]

#: Enterprises named per warning before "and N more".
_SHOWN = 5
#: How alike two tags must be (difflib's ratio) for one to be reported as a misspelling.
_CUTOFF = 0.85


def one_sided_tags(programme: Programme) -> list[str]:
    """One warning sentence per tag that appears in only one side's needs or capabilities and
    is close to a tag used elsewhere."""
    where: dict[str, set[tuple[str, str]]] = defaultdict(set)
    users: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for side_name in ("left", "right"):
        side = programme.side(side_name)
        for enterprise in side.enterprises:
            for role in ("capabilities", "needs"):
                for tag in getattr(enterprise, role):
                    where[tag].add((side.label, role))
                    users[(tag, side.label, role)].append(enterprise.id)
    known = sorted(where)
    sentences = []
    for tag in known:
        if len(where[tag]) != 1:
            continue
        (label, role), = where[tag]
        ids = users[(tag, label, role)]
        named = ", ".join(ids[:_SHOWN]) + (f" and {len(ids) - _SHOWN} more"
                                          if len(ids) > _SHOWN else "")
        others = [t for t in known if t != tag]
        close = difflib.get_close_matches(tag, others, n=1, cutoff=_CUTOFF)
        if not close or _rarer(close[0], tag, where, users):
            continue  # no neighbour, or the neighbour is the likelier misspelling: said there
        used = "; ".join(f"{lab} {rol}" for lab, rol in sorted(where[close[0]]))
        sentences.append(
            f"tag {tag!r} appears only in {label} {role} ({named}), so it matches nothing "
            f"on the other side; did you mean {close[0]!r} (used in {used})?"
        )
    return sentences


def _rarer(
    tag: str,
    than: str,
    where: dict[str, set[tuple[str, str]]],
    users: dict[tuple[str, str, str], list[str]],
) -> bool:
    """True when ``tag`` is one-sided too and used less (or as much, and sorts first) than
    ``than``: two neighbouring one-sided tags are reported once, from the rarer one."""
    if len(where[tag]) != 1:
        return False
    count = {t: sum(len(users[(t, *place)]) for place in where[t]) for t in (tag, than)}
    return (count[tag], tag) < (count[than], than)
