"""The machinery that runs the model: provenance, executors and the one run-a-scenario function.

Runs here are tiny (a month at 1 agent = 20,000 people); pools are spawned once per module.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from experiments import provenance as prov
from experiments.executors import (
    DaskExecutor,
    PoolExecutor,
    SerialExecutor,
    WorkerLost,
    gather,
    make_executor,
)
from experiments.runs import run_scenario
from simulation.errors import FraudsimError
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


# --- executors -------------------------------------------------------------------------------
# Built-in functions as the calls where they serve (pow for results, int("x") for a call that
# raises), and one function that kills the worker running it.

POWERS = [(2, n) for n in range(6)]


def exit_or_echo(value: int, die: bool) -> int:
    """``value``, or the end of the process running it (as a crash or the OOM killer would)."""
    if die:
        os._exit(1)
    return value


@pytest.fixture(scope="module")
def pool():
    with make_executor(2) as executor:
        yield executor


def test_make_executor_chooses_from_the_options():
    assert isinstance(make_executor(1), SerialExecutor), "one worker runs in this process"
    assert isinstance(make_executor(3), PoolExecutor), "more than one is a local pool"
    assert make_executor(3).workers == 3
    assert isinstance(make_executor(None, "tcp://127.0.0.1:8786"), DaskExecutor)
    assert make_executor().description, "the default is described for the report"


@pytest.mark.parametrize(
    ("workers", "scheduler", "message"),
    [
        (0, None, "'workers'"),
        (True, None, "'workers'"),
        (2, "tcp://h:1", "both given"),
        (None, " ", "needs an address"),
    ],
)
def test_make_executor_refuses_bad_options(workers, scheduler, message):
    with pytest.raises(FraudsimError, match=message):
        make_executor(workers, scheduler)


def test_serial_and_pool_give_every_result(pool):
    serial = dict(SerialExecutor().map_unordered(pow, POWERS))
    assert serial == {i: 2**n for i, (_, n) in enumerate(POWERS)}, f"serial results: {serial}"
    parallel = dict(pool.map_unordered(pow, POWERS))
    assert parallel == serial, f"the pool should give the serial results: {parallel}"
    assert gather(pool, pow, POWERS) == [2**n for _, n in POWERS], "gather keeps call order"


def test_an_error_in_a_call_reaches_the_caller_as_it_is(pool):
    with pytest.raises(ValueError, match="invalid literal"):
        list(SerialExecutor().map_unordered(int, [("1",), ("x",)]))
    with pytest.raises(ValueError, match="invalid literal"):
        list(pool.map_unordered(int, [("1",), ("x",), ("3",)]))
    assert gather(pool, int, [("4",)]) == [4], "the pool should work again after an error"


def test_a_dying_worker_loses_only_its_own_call(pool):
    results = dict(pool.map_unordered(exit_or_echo, [(n, n == 2) for n in range(4)]))
    assert set(results) == {0, 1, 2, 3}, f"every call should be accounted for: {results}"
    lost = {i: r for i, r in results.items() if isinstance(r, WorkerLost)}
    assert list(lost) == [2], f"only the call that killed its worker is lost: {results}"
    assert lost[2].kind == "WorkerDied", lost
    assert [results[i] for i in (0, 1, 3)] == [0, 1, 3], f"the others finish: {results}"
    with pytest.raises(FraudsimError, match="WorkerDied"):
        gather(pool, exit_or_echo, [(0, False), (1, True)])


def test_an_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("distributed")
    executor = DaskExecutor("tcp://127.0.0.1:9", timeout=1)
    with pytest.raises(FraudsimError, match="cannot reach the Dask scheduler"):
        executor.__enter__()
