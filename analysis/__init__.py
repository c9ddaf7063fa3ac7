"""Analysis of fraudsim results: result files in, tables, figures and comparisons out.

Analysis reads result files (a run's parquet files and ``manifest.json``, a sweep's folder),
never a live model, and never runs one: running is :mod:`experiments`, which may import this
package but never the other way round. From :mod:`simulation` it uses only the documented
column contract (:mod:`simulation.outputs`), the scenario format (:mod:`simulation.config`)
and the error types. That keeps analysis code valid for results produced on another machine,
by a sweep, or by an older version of the model.

- :mod:`analysis.results`: one run's folder (also one whose parameters have since changed).
- :mod:`analysis.sweeps`: a sweep's folder, as one tidy frame per table.
- :mod:`analysis.targets`: the targets file of published figures, and daily tables against it;
  :mod:`analysis.plots.targets` draws that comparison.
"""
