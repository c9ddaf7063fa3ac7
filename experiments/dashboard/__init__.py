"""The interactive dashboard (``fraudsim dashboard``): move levers and watch the model run.

The modules: :mod:`~experiments.dashboard.paired` (the policy run and its reference run,
stepped together), :mod:`~experiments.dashboard.controls` (the inputs), :mod:`~experiments.
dashboard.charts` (matplotlib figures of the pair), :mod:`~experiments.dashboard.app` (the
Solara page: Mesa's SolaraViz with those charts), :mod:`~experiments.dashboard.server`
(serving it offline) and :mod:`~experiments.dashboard.command` (the subcommand). Only ``app``
and ``server`` need the ``dashboard`` extra (Solara); importing this package needs nothing
beyond fraudsim's own dependencies.
"""
