"""The machinery that runs the model: provenance, executors and the one run-a-scenario function.

Runs here are tiny (a month at 1 agent = 20,000 people); pools are spawned once per module.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from experiments import provenance as prov
from experiments.runs import run_scenario
from simulation.params import RunParams

#: A month at 1 agent = 20,000 people after ten days of burn-in: a fraction of a second.
TINY_RUN = RunParams(
    start=dt.date(2021, 1, 1), end=dt.date(2021, 1, 31), burn_in_days=10, scale=20000.0
)


# --- provenance ------------------------------------------------------------------------------


def test_provenance_record_has_every_part():
    record = prov.provenance()
    assert set(record) == {"created_utc", "versions", "platform", "git", "code_sha256"}, record
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["created_utc"]), record
    for package in ("fraudsim", "python", "mesa", "numpy", "pandas", "pydantic", "pyarrow"):
        assert record["versions"][package], f"the record should give the {package} version"
    assert set(record["git"]) == {"commit", "dirty"}, record["git"]
    assert re.fullmatch(r"[0-9a-f]{64}", record["code_sha256"]), record["code_sha256"]


def test_code_digest_covers_the_model_package_and_only_it():
    digest = prov.code_sha256()
    prov.code_sha256.cache_clear()
    try:
        assert prov.code_sha256() == digest, "the digest should be stable"
    finally:
        prov.code_sha256.cache_clear()
    files = sorted(p.relative_to(prov._MODEL_PACKAGE).as_posix()
                   for p in prov._MODEL_PACKAGE.rglob("*.py"))  # fmt: skip
    assert "model.py" in files, f"the model's source should be digested: {files}"
    assert not any(f.startswith(("experiments", "analysis")) for f in files), files


def test_a_run_manifest_embeds_the_record(make_config):
    result = run_scenario(make_config(run=TINY_RUN), 0)
    record = prov.provenance()
    for key in ("versions", "platform", "git", "code_sha256"):
        assert result.manifest[key] == record[key], f"the run manifest's {key} is the record's"
    assert result.manifest["created_utc"].endswith("Z"), result.manifest["created_utc"]


def test_run_scenario_refuses_a_bad_seed(make_config):
    with pytest.raises(ValueError, match="seed"):
        run_scenario(make_config(run=TINY_RUN), -1)
