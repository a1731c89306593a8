"""The fair objectives — ``maxmin``, ``leximin``, ``balanced`` — one module per algorithm.

Who counts is :func:`pairing.core.objectives.counted` (``rules.fair_to``). Shared pieces:
:mod:`.milp` (the MILP over the rule model, one deadline, warm starts), :mod:`.levels`
(level-0 test and threshold search), :mod:`.reach` (valid rows for "this enterprise reaches
that level" when gains are sums), :mod:`.sum_level` (the max-min level for sums, by a
proven bisection), :mod:`.lp_levels` (leximin's level rounds on LPs, with saturation by
duals), :mod:`.config_rounds` (the same rounds on the configuration LP, :mod:`.config_lp`,
by column generation, priced by :mod:`.config_pricing`), :mod:`.zeros` (forced zeros) and
:mod:`.level_rounds` (the level rounds as a whole: the LP's batches, the matchings that
prove them, the rounds on matchings where they fall short), with :mod:`.keeping` (which rounds
a matching keeps, and the MILP that finds one), :mod:`.repairs` (matchings near the
configuration rounds' LP points), :mod:`.on_matchings` (a round on matchings) and
:mod:`.level_outcome` (what the rounds proved, and how). Algorithms, each registered in
:mod:`pairing.solvers.specs`:

* :mod:`.maxmin_threshold` — one-to-one max-min by threshold search (augmenting paths) + LAPJV;
* :mod:`.maxmin_milp` — max-min under any rules;
* :mod:`.balanced` — the smaller counted side mean (Lagrangian LAPJV pruning, then MILPs);
* :mod:`.leximin_matching` — one-to-one leximin by levels (Hopcroft–Karp + LAPJV on the
  tight pairs, no MILP);
* :mod:`.leximin` — leximin under any rules (level rounds, then ordered-outcomes and counting
  MILP rounds by position).
"""
