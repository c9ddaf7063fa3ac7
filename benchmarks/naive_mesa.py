"""The naive reference: the residents' contact-and-deception step written the plain Mesa way.

This is what ``simulation.model.FraudModel`` would look like if every resident were a
``mesa.Agent``: one Python object per person, stepped every day with
``AgentSet.shuffle_do("step")``. It is a yardstick for ``benchmarks/run_benchmarks.py``, not
part of the model, and it is deliberately kept to the part of a day that touches every
resident (contact, interception, the app, engagement by awareness and susceptibility, the
daily decay of awareness, and a simple payment or abandonment of an ongoing scam), so the
comparison favours it: the real model does every other phase too (card market, warnings,
laundering, police, gang adaptation, outputs).

Rates come from the same scenario parameters as the real model:

* contacts per resident per day ``= n_gangs_national * n_operators_mean *
  contacts_per_operator_per_day / population_national`` (about 0.008 for the baseline);
* fraud types by ``portfolio_share``, channels by each type's ``channels`` mix, interception by
  ``interception.p_block``;
* engagement with chance ``p_engage * susceptibility[group] * (1 - awareness) **
  effect_exponent``, as in ``FraudModel._make_contacts``;
* awareness starts at the group's level and decays toward it with ``awareness.decay_days``.

Each day the few gang agents plan their contacts (Poisson, as in the real model), then every
resident draws whether it was contacted today: a Bernoulli draw with the chance of at least one
contact, ``1 - exp(-rate)``. At a rate near 0.008 a second contact on the same day is rare
(about 1 in 250 contacted residents), and the real model lets a resident engage at most once a
day anyway. Draws use the agent's ``self.random`` (Python's ``random.Random``, seeded by the
model), the fastest per-object draw Mesa offers.

Run it on its own::

    .venv/bin/python benchmarks/naive_mesa.py --residents 100000 --days 30
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"


class NaiveGang(mesa.Agent):
    """A fraud gang: it plans how many contacts its operators make today.

    Attributes:
        n_operators: operators (may be fractional: sized so that the national contact rate
            per resident is matched exactly).
        portfolio: cumulative weights of its effort over the fraud types.
        planned_contacts: contacts planned today.
        cash_yuan: money taken from victims, yuan.
    """

    def __init__(self, model: NaiveFraudModel, n_operators: float) -> None:
        """Create a gang with ``n_operators`` operators and the scenario's portfolio."""
        super().__init__(model)
        self.n_operators = n_operators
        self.portfolio = model.portfolio_cum
        self.planned_contacts = 0
        self.cash_yuan = 0.0

    def step(self) -> None:
        """Plan today's contacts: Poisson with mean operators x contacts per operator."""
        m = self.model
        self.planned_contacts = int(m.rng.poisson(self.n_operators * m.contacts_per_operator))


class NaiveResident(mesa.Agent):
    """One resident as one object.

    Attributes:
        group: victim group index.
        awareness: anti-fraud awareness in [0, 1].
        savings_yuan: money held, yuan.
        engaged: whether the resident is in a scam.
        has_app: whether the anti-fraud app is installed.
        scam_gang: the gang running the resident's scam, or ``None``.
        scam_type: fraud type index of the scam (-1 when none).
        pay_day: the model day the scam asks for the money.
    """

    def __init__(
        self,
        model: NaiveFraudModel,
        group: int,
        awareness: float,
        savings_yuan: float,
        has_app: bool,
    ) -> None:
        """Create a resident with its group, awareness, savings and app."""
        super().__init__(model)
        self.group = group
        self.awareness = awareness
        self.savings_yuan = savings_yuan
        self.engaged = False
        self.has_app = has_app
        self.scam_gang: NaiveGang | None = None
        self.scam_type = -1
        self.pay_day = 0

    def step(self) -> None:
        """One day: awareness decays; an ongoing scam goes on; else maybe contacted."""
        m = self.model
        r = self.random
        floor = m.awareness_floor[self.group]
        self.awareness = floor + (self.awareness - floor) * m.decay_per_day
        if self.engaged:
            self._go_on_with_scam()
            return
        if r.random() >= m.p_contacted:
            return
        m.contacts += 1
        gang = r.choices(m.gang_list, cum_weights=m.gang_cum)[0]
        ftype = r.choices(m.type_index, cum_weights=gang.portfolio)[0]
        channel = r.choices(m.channel_index, cum_weights=m.channel_cum[ftype])[0]
        if r.random() < m.p_block[channel]:
            m.blocked += 1
            return
        if self.has_app and r.random() < m.p_app_warning:
            m.app_warnings += 1
            return
        p = (
            m.p_engage[ftype]
            * m.susceptibility[ftype][self.group]
            * (1.0 - self.awareness) ** m.effect_exponent
        )
        if r.random() < p:
            self.engaged = True
            self.scam_gang = gang
            self.scam_type = ftype
            self.pay_day = m.day + int(r.expovariate(1.0) * m.script_days[ftype])
            m.engagements += 1

    def _go_on_with_scam(self) -> None:
        m = self.model
        r = self.random
        ftype = self.scam_type
        if m.day < self.pay_day:
            if r.random() < m.p_abandon[ftype]:
                self._end_scam()
            return
        loss = min(
            self.savings_yuan, m.loss_median[ftype] * r.lognormvariate(0.0, m.loss_sigma[ftype])
        )
        self.savings_yuan -= loss
        self.scam_gang.cash_yuan += loss
        self.awareness += m.boost_victimised * (1.0 - self.awareness)
        m.cases += 1
        m.loss_yuan += loss
        self._end_scam()

    def _end_scam(self) -> None:
        self.engaged = False
        self.scam_gang = None
        self.scam_type = -1


class NaiveFraudModel(mesa.Model):
    """Residents and a few gangs as ``mesa.Agent`` s, stepped the plain Mesa way.

    A day: gangs plan their contacts (``do("step")``), the chance a resident is contacted
    follows from the total, then every resident steps in random order
    (``shuffle_do("step")``).

    Args:
        params: rates and levels from :func:`naive_params`.
        n_residents: residents (one agent each).
        rng: seed.
        app_share: share of residents with the anti-fraud app (0 by default, as before the
            app's launch; the check is made either way).
        p_app_warning: chance the app stops a contact reaching a user.
    """

    def __init__(
        self,
        params: dict[str, Any],
        n_residents: int = 100_000,
        *,
        rng: int = 0,
        app_share: float = 0.0,
        p_app_warning: float = 0.0,
    ) -> None:
        """Build ``n_residents`` resident agents and the gangs."""
        super().__init__(rng=rng)
        self.day = 0
        self.contacts = self.blocked = self.app_warnings = self.engagements = self.cases = 0
        self.loss_yuan = 0.0
        p = params
        self.contact_rate = p["contacts_per_resident_per_day"]
        self.contacts_per_operator = p["contacts_per_operator_per_day"]
        self.p_contacted = 0.0
        self.type_index = list(range(len(p["p_engage"])))
        self.channel_index = list(range(len(p["p_block"])))
        self.portfolio_cum = list(np.cumsum(p["portfolio"]))
        self.channel_cum = [list(np.cumsum(mix)) for mix in p["channel_mix"]]
        self.p_block = p["p_block"]
        self.p_engage = p["p_engage"]
        self.susceptibility = p["susceptibility"]
        self.effect_exponent = p["effect_exponent"]
        self.awareness_floor = p["awareness_initial"]
        self.decay_per_day = math.exp(-1.0 / p["decay_days"])
        self.boost_victimised = p["boost_victimised"]
        self.script_days = p["script_days"]
        self.p_abandon = p["p_abandon_per_day"]
        self.loss_median = p["loss_median_yuan"]
        self.loss_sigma = p["loss_sigma"]
        self.p_app_warning = p_app_warning

        # Gangs: as many as the national count scaled to this population (at least 3), sized so
        # that the expected contacts per resident per day equal the real model's.
        n_gangs = max(3, round(p["n_gangs_national"] * n_residents / p["population_national"]))
        total_operators = self.contact_rate * n_residents / self.contacts_per_operator
        NaiveGang.create_agents(self, n_gangs, total_operators / n_gangs)
        self.gangs = self.agents_by_type[NaiveGang]
        self.gang_list = list(self.gangs)
        self.gang_cum = list(np.cumsum([g.n_operators for g in self.gang_list]))

        shares = np.asarray(p["group_shares"])
        group = self.rng.choice(shares.size, size=n_residents, p=shares / shares.sum())
        savings = np.asarray(p["savings_median_yuan"])[group] * self.rng.lognormal(
            0.0, p["savings_sigma"], size=n_residents
        )
        has_app = self.rng.random(n_residents) < app_share
        NaiveResident.create_agents(
            self,
            n_residents,
            group.tolist(),
            [self.awareness_floor[g] for g in group.tolist()],
            savings.tolist(),
            has_app.tolist(),
        )
        self.residents = self.agents_by_type[NaiveResident]
        self.n_residents = n_residents

    def step(self) -> None:
        """One day: gangs plan, then every resident steps in random order."""
        self.gangs.do("step")
        planned = sum(g.planned_contacts for g in self.gang_list)
        self.p_contacted = 1.0 - math.exp(-planned / self.n_residents)
        self.residents.shuffle_do("step")
        self.day += 1


def naive_params(scenario: str | Path = BASELINE) -> dict[str, Any]:
    """Rates and levels for the naive model, read from a scenario file.

    Args:
        scenario: a scenario TOML file (default: ``scenarios/baseline.toml``).

    Returns:
        Plain Python numbers and lists (types and groups in the model's order).
    """
    c = load_scenario(scenario)
    types = c.fraud_types.in_order()
    groups = c.population.groups.in_order()
    g = c.gangs
    mixes = [np.asarray(t.channels.as_list(), dtype=float) for t in types]
    return {
        "population_national": float(c.run.population_national),
        "n_gangs_national": float(g.n_gangs_national),
        "contacts_per_operator_per_day": float(g.contacts_per_operator_per_day),
        "contacts_per_resident_per_day": g.n_gangs_national
        * g.n_operators_mean
        * g.contacts_per_operator_per_day
        / c.run.population_national,
        "portfolio": [t.portfolio_share for t in types],
        "channel_mix": [(m / m.sum()).tolist() for m in mixes],
        "p_block": list(c.interception.p_block.as_list()),
        "p_engage": [t.p_engage for t in types],
        "susceptibility": [t.susceptibility.as_list() for t in types],
        "script_days": [t.script_days for t in types],
        "p_abandon_per_day": [t.p_abandon_per_day for t in types],
        "loss_median_yuan": [t.loss_median_yuan for t in types],
        "loss_sigma": [t.loss_sigma for t in types],
        "effect_exponent": c.awareness.effect_exponent,
        "awareness_initial": list(c.awareness.initial.as_list()),
        "decay_days": c.awareness.decay_days,
        "boost_victimised": c.awareness.boost_victimised,
        "group_shares": [x.share for x in groups],
        "savings_median_yuan": [x.savings_median_yuan for x in groups],
        "savings_sigma": c.population.savings_sigma,
    }


def measure(
    n_residents: int = 100_000, n_days: int = 30, seed: int = 0, scenario: str | Path = BASELINE
) -> dict[str, Any]:
    """Build and run the naive model; time both.

    Args:
        n_residents: resident agents.
        n_days: days to step.
        seed: the model's seed.
        scenario: scenario file the rates come from.

    Returns:
        ``build_s`` and ``run_s`` (wall seconds), ``resident_days_per_s`` (residents x days
        over the run time), and the day's counters summed over the run.
    """
    params = naive_params(scenario)
    t0 = time.perf_counter()
    model = NaiveFraudModel(params, n_residents, rng=seed)
    t1 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(n_days):
        model.step()
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    run_s = t2 - t1
    return {
        "residents": n_residents,
        "days": n_days,
        "n_gangs": len(model.gang_list),
        "contacts_per_resident_per_day": params["contacts_per_resident_per_day"],
        "build_s": t1 - t0,
        "run_s": run_s,
        "run_cpu_s": cpu,
        "resident_days_per_s": n_residents * n_days / run_s,
        "contacts": model.contacts,
        "blocked": model.blocked,
        "engagements": model.engagements,
        "cases": model.cases,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: run the naive model and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100_000, help="resident agents")
    parser.add_argument("--days", type=int, default=30, help="days to simulate")
    parser.add_argument("--seed", type=int, default=0, help="seed")
    parser.add_argument("--scenario", default=str(BASELINE), help="scenario file for the rates")
    args = parser.parse_args(argv)
    result = measure(args.residents, args.days, args.seed, args.scenario)
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
