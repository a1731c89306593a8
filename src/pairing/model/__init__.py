"""The data the library takes and gives: a programme (inputs) and a result (outputs).

- :mod:`pairing.model.programme`: the validated programme (enterprises, sides, rules).
- :mod:`pairing.model.result`: the result of a solve.
- :mod:`pairing.model.cross_checks`: the cross-field checks on raw programme data.
"""

from pairing.model.programme import (
    OBJECTIVES,
    SIZES,
    Capacity,
    Enterprise,
    FairTo,
    Objective,
    PairQuota,
    PartnerQuota,
    Preference,
    Programme,
    Quota,
    Rules,
    Side,
    SideName,
    Source,
    Weights,
    programme_issues,
)
from pairing.model.result import Result

__all__ = [
    "OBJECTIVES",
    "SIZES",
    "Capacity",
    "Enterprise",
    "FairTo",
    "Objective",
    "PairQuota",
    "PartnerQuota",
    "Preference",
    "Programme",
    "Quota",
    "Result",
    "Rules",
    "Side",
    "SideName",
    "Source",
    "Weights",
    "programme_issues",
]
