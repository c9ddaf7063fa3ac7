"""Analysis of fraudsim results: tables in, figures and comparisons out.

Analysis reads result tables (the parquet files and ``manifest.json`` a run writes), never a
live model: from :mod:`simulation` it uses only the documented column contract
(:mod:`simulation.outputs`), the scenario format (:mod:`simulation.config`) and the error
types, never the model. That keeps analysis code valid for results produced on another
machine, by a sweep, or by an older version of the model.
"""
