"""Scams under way and the cases they make: the payment phase, and victims' reports.

A scam starts when a contacted resident engages (:mod:`simulation.contacts`): it has a victim, a
gang, a fraud type, a channel, a planned loss sized to the victim's means and a payment
schedule from its type's script. In the payment phase a victim may abandon a scam before paying,
or pays when a payment is due, into one of the gang's mule accounts (:mod:`simulation.banks`);
the first payment makes a *case*. When the last payment is made (or the victim runs out of
money, or is dissuaded after paying) the victim may report, after a delay; reports reach the
police in the laundering phase.

Scams end at any point of the day (:meth:`Scams.end`) and their rows are removed at the end of
the day (:meth:`Scams.drop_ended`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from simulation.categories import CHANNELS, FRAUD_TYPES
from simulation.gangs import account_capacity, use_accounts
from simulation.levers import toward_one
from simulation.streams import Stream
from simulation.tables import Table
from simulation.unique import runs, unique

if TYPE_CHECKING:
    from simulation.model import FraudModel

HOURS_PER_DAY = 24.0

#: Per-type parameters read for many scams at once, as arrays indexed by fraud type.
TYPE_PARAMETERS: Sequence[str] = (
    "script_days",
    "loss_median_yuan",
    "loss_sigma",
    "n_payments",
    "p_abandon_per_day",
    "payment_interval_days",
    "p_report",
    "report_delay_hours_median",
)


class Scams:
    """Every scam under way, every case so far, and the reports not yet made.

    Args:
        model: the model (residents, gangs, laundering, policy, streams, tally).

    Attributes:
        scams: one row per scam under way (victim, gang id, fraud type, channel, next payment
            hour, payments left, planned and paid yuan, case id or -1, detected, ended).
        cases: one row per case (first payment made): victim, gang id, fraud type, whether the
            gang was abroad, loss so far (yuan), cracked.
        pending_reports: reports decided but not yet made: case id and hour (hours since day 0).
        types: the fraud types' parameters as arrays by type (:data:`TYPE_PARAMETERS`).
    """

    def __init__(self, model: FraudModel) -> None:
        """No scams, cases or reports yet."""
        self.model = model
        ftypes = model.config.fraud_types.in_order()
        self.types = {
            name: np.array([getattr(t, name) for t in ftypes]) for name in TYPE_PARAMETERS
        }
        # Scammers size their ask to the victim's savings relative to the typical resident's.
        self.savings_reference_yuan = float(np.median(model.residents.savings_yuan))
        self.scams = Table(
            {
                "victim": np.int64,
                "gang": np.int64,
                "ftype": np.int8,
                "channel": np.int8,
                "next_pay_hour": np.float64,
                "payments_left": np.int16,
                "planned_yuan": np.float64,
                "paid_yuan": np.float64,
                "case": np.int64,
                "detected": bool,
                "ended": bool,
            }
        )
        self.cases = Table(
            {
                "victim": np.int64,
                "gang": np.int64,
                "ftype": np.int8,
                "overseas": bool,
                "loss_yuan": np.float64,
                "cracked": bool,
            }
        )
        self.pending_reports = Table({"case": np.int64, "hour": np.float64})

    def __len__(self) -> int:
        """Scams under way (ended ones count until the end of the day)."""
        return len(self.scams)

    # ---------------------------------------------------------------------------- starting
    def start(
        self, victim: np.ndarray, gang: np.ndarray, ftype: np.ndarray, channel: np.ndarray
    ) -> None:
        """Residents ``victim`` engage with scams of gangs ``gang`` (ids), by type and channel."""
        m = self.model
        rng = m.streams[Stream.SCAM_SCRIPT]
        k = victim.size
        types = self.types
        script_days = types["script_days"][ftype]
        median = types["loss_median_yuan"][ftype]
        sigma = types["loss_sigma"][ftype]
        n_payments = types["n_payments"][ftype]
        # Single sessions pay the same day (between 08:00 and 22:00); grooming takes weeks.
        start_hour = m.day_index * HOURS_PER_DAY + rng.uniform(8.0, 22.0, size=k)
        first_pay = start_hour + rng.exponential(1.0, size=k) * script_days * HOURS_PER_DAY
        # Scammers size their ask to the victim's means (grooming finds out what they have),
        # so losses of a million yuan come from the wealthy, as they do in the case files.
        wealth = m.residents.savings_yuan[victim] / self.savings_reference_yuan
        planned = (
            median
            * rng.lognormal(0.0, sigma)
            * np.power(np.maximum(wealth, 1e-6), m.config.gangs.ask_wealth_elasticity)
        )
        m.residents.engaged[victim] = True
        self.scams.append(
            victim=victim,
            gang=gang,
            ftype=ftype,
            channel=channel,
            next_pay_hour=first_pay,
            payments_left=n_payments.astype(np.int16),
            planned_yuan=planned,
            paid_yuan=0.0,
            case=-1,
            detected=False,
            ended=False,
        )
        m.tally.count("engagements", k)
        m.tally.by_type["engagements"] += np.bincount(ftype, minlength=len(FRAUD_TYPES))
        m.tally.by_channel["engagements"] += np.bincount(channel, minlength=len(CHANNELS))

    # ---------------------------------------------------------------------------- ending
    def end(self, rows: np.ndarray, *, dissuaded: bool) -> None:
        """End scams ``rows`` now (their rows go at the end of the day).

        A dissuaded scam counts its unpaid planned money as averted; a victim who had paid
        already may report it.
        """
        rows = rows[~self.scams["ended"][rows]]
        if rows.size == 0:
            return
        m = self.model
        s = self.scams
        s["ended"][rows] = True
        m.residents.engaged[s["victim"][rows]] = False
        if dissuaded:
            m.tally.count("scams_dissuaded", rows.size)
            m.tally.count("dissuaded", rows.size)
            m.tally.by_type["scams_dissuaded"] += np.bincount(
                s["ftype"][rows], minlength=len(FRAUD_TYPES)
            )
            m.tally.count(
                "averted_yuan",
                float(np.maximum(s["planned_yuan"][rows] - s["paid_yuan"][rows], 0).sum()),
            )
            paid = rows[s["case"][rows] >= 0]
            self._maybe_report(paid, m.day_index * HOURS_PER_DAY + 12.0)

    def end_scams_of(self, gang_id: int) -> None:
        """Every scam of gang ``gang_id`` ends (the gang is gone)."""
        if len(self.scams):
            self.end(np.flatnonzero(self.scams["gang"] == gang_id), dissuaded=False)

    def drop_ended(self) -> None:
        """Remove the rows of the scams that ended today."""
        ended = self.scams["ended"]
        if ended.any():
            self.scams.keep(~ended)

    # ---------------------------------------------------------------------------- payments
    def abandon(self) -> None:
        """Victims who have paid nothing yet may walk away, with their type's daily chance."""
        s = self.scams
        if not len(s):
            return
        p = self.types["p_abandon_per_day"][s["ftype"]]
        unpaid = (s["case"] < 0) & ~s["ended"]
        quit_ = unpaid & (self.model.streams[Stream.SCAM_ABANDON].random(len(s)) < p)
        rows = quit_.nonzero()[0]
        if rows.size:
            self.model.tally.count("scams_abandoned", rows.size)
            self.end(rows, dissuaded=False)

    def take_payments(self) -> None:
        """Scams due today take a payment each; the first payment makes a case."""
        m = self.model
        # Counted afresh from today's payments, for the gangs' card buying and learning.
        gangs = m.gangs.table
        gangs["payments_waiting"] = 0
        gangs["payments_today"] = 0
        gangs["revenue_today"] = 0.0
        s = self.scams
        if not len(s):
            return
        day_end = (m.day_index + 1) * HOURS_PER_DAY
        due = (~s["ended"] & (s["next_pay_hour"] < day_end)).nonzero()[0]
        if due.size == 0:
            return
        rng = m.streams[Stream.PAYMENT]
        g = m.config.gangs
        res = m.residents
        # Every live scam's gang is alive: ending a gang ends its scams.
        # A victim with nothing left to take is done: the scam is over.
        has_money = res.savings_yuan[s["victim"][due]] > 0.0
        broke = due[~has_money]
        due = due[has_money]
        # Each gang's accounts take the payments due in row order until they are used up.
        gang_ids = s["gang"][due]
        order = gang_ids.argsort(kind="stable")
        gids, first, counts = runs(gang_ids[order])
        rank = np.empty(due.size, dtype=np.int64)
        rank[order] = np.arange(due.size) - first.repeat(counts)
        gang_rows = gangs.rows_of(gids)
        room = account_capacity(gangs, gang_rows, g)
        capacity = np.empty(due.size, dtype=np.int64)
        capacity[order] = room.repeat(counts)
        due_gang_row = np.empty(due.size, dtype=np.intp)  # each due scam's row in the table
        due_gang_row[order] = gang_rows.repeat(counts)
        use_accounts(gangs, gang_rows, np.minimum(room, counts), g)
        gangs["payments_waiting"][gang_rows] = np.maximum(0, counts - room)
        with_account = rank < capacity
        paying = due[with_account]
        paying_gang_row = due_gang_row[with_account]
        # No account to take the money: the victim may slip away, else tries tomorrow.
        waiting = due[~with_account]
        slips = rng.random(waiting.size) < g.p_victim_lost_without_account
        lost = waiting[slips]
        s["next_pay_hour"][waiting[~slips]] += HOURS_PER_DAY
        if lost.size:
            m.tally.count("payments_lost_no_account", lost.size)
            self.end(lost, dissuaded=False)
        if broke.size:
            self.end(broke, dissuaded=False)
            paid_before = broke[s["case"][broke] >= 0]
            self._maybe_report(paid_before, s["next_pay_hour"][paid_before])
        if paying.size:
            self._pay(paying, paying_gang_row, rng)

    def _pay(self, rows: np.ndarray, gang_row: np.ndarray, rng: np.random.Generator) -> None:
        """Scams ``rows`` (gangs at table rows ``gang_row``) take one payment each."""
        m = self.model
        s = self.scams
        res = m.residents
        victims = s["victim"][rows]
        left = s["payments_left"][rows].astype(np.float64)
        # Escalating payments: with L payments left, this one is 1 / (2**L - 1) of what is
        # still planned, so small "test" payments come first and the largest last.
        share = 1.0 / (2.0**left - 1.0)
        amount = np.minimum(
            (s["planned_yuan"][rows] - s["paid_yuan"][rows]) * share, res.savings_yuan[victims]
        )
        amount = np.maximum(amount, 0.0)
        ok = amount > 0.0
        rows, victims, amount = rows[ok], victims[ok], amount[ok]
        gang_row = gang_row[ok]
        if rows.size == 0:
            return
        res.savings_yuan[victims] -= amount
        s["paid_yuan"][rows] += amount
        new_case = s["case"][rows] < 0
        if new_case.any():
            self._open_cases(rows[new_case], gang_row[new_case])
        ftype = s["ftype"][rows]
        tally = m.tally
        tally.count("loss_yuan", float(amount.sum()))
        np.add.at(tally.by_type["loss_yuan"], ftype, amount)
        np.add.at(
            tally.by_victim["loss_yuan"],
            tally.victim_columns(res, victims),
            np.concatenate((amount,) * 3),
        )
        # Revenue and payments by gang (table row) and type, for the gangs' learning.
        gangs = m.gangs.table
        n_gangs, n_types = len(gangs), len(FRAUD_TYPES)
        gangs["revenue_today"] += np.bincount(
            gang_row * n_types + ftype, weights=amount, minlength=n_gangs * n_types
        ).reshape(n_gangs, n_types)
        gangs["payments_today"] += np.bincount(gang_row, minlength=n_gangs)
        laundering = m.laundering
        bank = rng.integers(0, len(laundering.banks), size=rows.size)
        laundering.ledger.deposit(
            rng,
            case=s["case"][rows],
            victim=victims,
            gang=s["gang"][rows],
            bank=bank,
            amount_yuan=amount,
            hour=s["next_pay_hour"][rows],
        )
        self.cases["loss_yuan"][s["case"][rows]] += amount  # one payment per case today
        s["payments_left"][rows] -= 1
        done = s["payments_left"][rows] <= 0
        finished = rows[done]
        if finished.size:
            res.times_victimised[s["victim"][finished]] = np.minimum(
                res.times_victimised[s["victim"][finished]].astype(np.int64) + 1, 255
            ).astype(np.uint8)
            res.boost_awareness(
                unique(s["victim"][finished]), m.config.awareness.boost_victimised, m.day_index
            )
            last_hour = s["next_pay_hour"][finished].copy()
            self.end(finished, dissuaded=False)
            self._maybe_report(finished, last_hour)
        going_on = rows[~done]
        if going_on.size:
            interval = self.types["payment_interval_days"][s["ftype"][going_on]]
            s["next_pay_hour"][going_on] += np.maximum(
                rng.exponential(1.0, size=going_on.size) * interval * HOURS_PER_DAY, 0.05
            )

    def _open_cases(self, rows: np.ndarray, gang_row: np.ndarray) -> None:
        """The first payments of scams ``rows`` open cases (``gang_row``: gangs' table rows)."""
        m = self.model
        s = self.scams
        victims = s["victim"][rows]
        ids = self.cases.append(
            victim=victims,
            gang=s["gang"][rows],
            ftype=s["ftype"][rows],
            overseas=m.gangs.table["overseas"][gang_row],
            loss_yuan=0.0,
            cracked=False,
        )
        s["case"][rows] = ids
        tally = m.tally
        tally.count("cases", rows.size)
        tally.by_type["cases"] += np.bincount(s["ftype"][rows], minlength=len(FRAUD_TYPES))
        tally.by_channel["cases"] += np.bincount(s["channel"][rows], minlength=len(CHANNELS))
        tally.by_victim["cases"] += np.bincount(
            tally.victim_columns(m.residents, victims), minlength=tally.by_victim["cases"].size
        )

    # ---------------------------------------------------------------------------- reports
    def _maybe_report(self, rows: np.ndarray, hour: np.ndarray | float) -> None:
        """Victims of scams ``rows`` decide whether and when to report."""
        if rows.size == 0:
            return
        m = self.model
        s = self.scams
        rng = m.streams[Stream.REPORT]
        ftype = s["ftype"][rows]
        p = self.types["p_report"][ftype]
        gain = m.policy.p_app_report_gain
        if gain:  # toward_one(p, 0.0) is p
            has_app = m.residents.has_app[s["victim"][rows]]
            p = np.where(has_app, toward_one(p, gain), p)
        report = rng.random(rows.size) < p
        median = self.types["report_delay_hours_median"][ftype]
        delay = median * rng.lognormal(0.0, 1.5, size=rows.size)
        when = hour + delay
        self.pending_reports.append(case=s["case"][rows][report], hour=when[report])

    def reports_due(self, before_hour: float) -> tuple[np.ndarray, np.ndarray]:
        """Take the reports made before ``before_hour``: their case ids and hours."""
        reports = self.pending_reports
        if not len(reports):
            return np.empty(0, dtype=np.int64), np.empty(0)
        due = reports["hour"] < before_hour
        if not due.any():
            return np.empty(0, dtype=np.int64), np.empty(0)
        cases = reports["case"][due].copy()
        hours = reports["hour"][due].copy()
        reports.keep(~due)
        return cases, hours
