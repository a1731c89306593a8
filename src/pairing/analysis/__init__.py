"""Questions asked of a solved programme.

- :mod:`pairing.analysis.alternates`: backup partners per enterprise.
- :mod:`pairing.analysis.runner_up`: each pair's next-best partners.
- :mod:`pairing.analysis.whynot`: why a pair is not in the result, and what it would cost.
- :mod:`pairing.analysis.repair`: re-pair after withdrawals, keeping what can be kept.
- :mod:`pairing.analysis.compare`: one programme under every objective.
- :mod:`pairing.analysis.evaluation`: a matching made by hand, against the rules and the optimum.
"""
