"""Banks and payment platforms, and the laundering chain that runs through their accounts.

A victim's payment lands in a gang's first-level mule account at one bank and becomes a
*parcel* in the :class:`MuleLedger`. Each parcel is layered hop by hop (minutes to hours apart)
through further accounts; at each hop part of it is cashed out (cash or crypto) to the gang,
and a bank's screening may freeze it. When the victim reports, police ask the bank for an
emergency stop; the freeze takes effect after the bank's delay and holds whatever is still in
the chain. Frozen money goes back to the victim after ``return_days``.

Time inside a day matters here (the "golden window" is the first 30-60 minutes), so parcels
carry times in hours since the model's first day and each day's hops are worked through in
time order.

:class:`Laundering` is the laundering phase of the day: reports due today reach the police and
trigger stop requests, parcels move, gangs get their cash, frozen money goes back to victims.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulation.levers import toward_one
from simulation.params import BankParams
from simulation.streams import Stream
from simulation.tables import Table
from simulation.unique import unique, unique_inverse

if TYPE_CHECKING:
    from simulation.model import FraudModel

HOURS_PER_DAY = 24.0


class Bank(mesa.Agent):
    """A bank or payment platform: screens transfers and executes stop-payment requests.

    Attributes:
        p_screen_per_hop: chance its screening freezes a parcel at a hop through it.
        stop_delay_hours: hours from a police request to the freeze.
        frozen_yuan: money it has frozen so far, yuan.
    """

    def __init__(self, model: mesa.Model, params: BankParams) -> None:
        """Create a bank with the standing screening and stop delay."""
        super().__init__(model)
        self.p_screen_per_hop = params.p_screen_per_hop
        self.stop_delay_hours = params.stop_delay_hours
        self.frozen_yuan = 0.0


@dataclass
class LaunderingDay:
    """What the laundering chain did in one day, yuan (model units)."""

    cashed_out_yuan: np.ndarray  # by gang row of the day's gang index, see MuleLedger.advance
    cashed_out_gang: np.ndarray
    crypto_yuan: float
    stopped_yuan: float
    screened_yuan: float
    stopped_by_victim: np.ndarray  # victim index per freeze
    stopped_amount: np.ndarray  # yuan per freeze
    stopped_bank: np.ndarray  # bank index per freeze


class MuleLedger:
    """Money in laundering chains: one row (parcel) per victim payment still in transit."""

    def __init__(self, params: BankParams) -> None:
        """Create an empty ledger."""
        self.params = params
        self.parcels = Table(
            {
                "case": np.int64,
                "victim": np.int64,
                "gang": np.int64,
                "bank": np.int64,
                "remaining_yuan": np.float64,
                "hops_left": np.int32,
                "next_hop_hour": np.float64,
                "stop_hour": np.float64,
            }
        )

    def total_yuan(self) -> float:
        """Money still in mule accounts, yuan."""
        return float(self.parcels["remaining_yuan"].sum())

    def deposit(
        self,
        rng: np.random.Generator,
        *,
        case: np.ndarray,
        victim: np.ndarray,
        gang: np.ndarray,
        bank: np.ndarray,
        amount_yuan: np.ndarray,
        hour: np.ndarray,
    ) -> None:
        """Victim payments arrive in first-level accounts at ``hour`` (hours since day 0)."""
        k = case.size
        if k == 0:
            return
        hops = 1 + rng.poisson(max(self.params.n_hops_mean - 1.0, 0.0), size=k)
        self.parcels.append(
            case=case,
            victim=victim,
            gang=gang,
            bank=bank,
            remaining_yuan=amount_yuan,
            hops_left=hops.astype(np.int32),
            next_hop_hour=hour + rng.exponential(self.params.hop_hours_mean, size=k),
            stop_hour=np.inf,
        )

    def request_stop(self, case: np.ndarray, hour: np.ndarray, delay_by_bank: np.ndarray) -> int:
        """Police ask for an emergency stop on every parcel of ``case`` reported at ``hour``.

        Args:
            case: case ids reported (distinct).
            hour: report time per case, hours since day 0.
            delay_by_bank: each bank's delay from request to freeze, hours.

        Returns:
            The number of reported cases that still had money in the chain.
        """
        if case.size == 0 or len(self.parcels) == 0:
            return 0
        parcel_case = self.parcels["case"]
        order = case.argsort()
        sorted_case = case[order]
        pos = np.minimum(np.searchsorted(sorted_case, parcel_case), case.size - 1)
        hit = sorted_case[pos] == parcel_case
        when = hour[order][pos] + delay_by_bank[self.parcels["bank"]]
        stop = self.parcels["stop_hour"]
        stop[hit] = np.minimum(stop[hit], when[hit])
        return int(unique(parcel_case[hit]).size)

    def advance(
        self,
        rng: np.random.Generator,
        day_end_hour: float,
        p_screen_by_bank: np.ndarray,
    ) -> LaunderingDay:
        """Work through every hop and stop due before ``day_end_hour``, in each parcel's order.

        At a hop a parcel is first screened (frozen with the bank's probability), else a share
        ``p_cashout_per_hop`` leaves the chain to the gang (all of it at the last hop). A parcel
        whose stop time comes before its next hop is frozen whole.

        Parcels do not interact, so each parcel's day is drawn at once: the times of all its
        remaining hops (the gaps are exponential, so the first hop after today is kept as its
        next hop and the later ones are drawn again tomorrow), a screening draw per hop, and
        the day ends at the first screening, stop, last hop or midnight.
        """
        p = self.params
        t = self.parcels
        remaining = t["remaining_yuan"]
        next_hop = t["next_hop_hour"]
        stop = t["stop_hour"]
        hops_left = t["hops_left"]
        act = ((remaining > 0.0) & ((next_hop < day_end_hour) | (stop < day_end_hour))).nonzero()[0]
        if act.size == 0:
            empty = np.empty(0)
            none = np.empty(0, dtype=np.int64)
            return LaunderingDay(empty, none, 0.0, 0.0, 0.0, none, empty, none)
        n_hops = int(hops_left[act].max())
        gaps = rng.exponential(p.hop_hours_mean, size=(act.size, n_hops - 1))
        since_next = np.zeros((act.size, n_hops))  # hours from the next hop to each hop
        gaps.cumsum(axis=1, out=since_next[:, 1:])
        times = next_hop[act, None] + since_next
        screen = rng.random((act.size, n_hops)) < p_screen_by_bank[t["bank"][act], None]
        left = hops_left[act]
        stop_at = stop[act]
        # A hop happens if it is before midnight and before the stop, and the parcel has it.
        happens = (times < np.minimum(day_end_hour, stop_at)[:, None]) & (
            np.arange(n_hops) < left[:, None]
        )
        reached = happens.cumprod(axis=1).sum(axis=1)  # hops before the first that fails
        screened_at = np.where(screen.any(axis=1), screen.argmax(axis=1), n_hops)
        screened = screened_at < reached
        cashed = np.where(screened, screened_at, reached)  # hops that cashed out
        last = cashed == left
        start = remaining[act]
        kept = np.where(last, 0.0, start * (1.0 - p.p_cashout_per_hop) ** cashed)
        out = start - kept
        # After the hops: the next hop (if any) is the first one not reached.
        row = np.arange(act.size)
        next_time = times[row, np.minimum(reached, n_hops - 1)]
        # A stop due today before the next hop freezes what is left.
        stopped = ~screened & ~last & (stop_at < day_end_hour) & (stop_at <= next_time)
        frozen = screened | stopped

        remaining[act] = np.where(frozen, 0.0, kept)
        hops_left[act] = left - cashed
        moved = reached < left
        next_hop[act[moved]] = next_time[moved]
        cash_mask = out > 0.0
        screened_yuan = float(kept[screened].sum())
        stopped_yuan = float(kept[stopped].sum())
        result = LaunderingDay(
            cashed_out_yuan=out[cash_mask],
            cashed_out_gang=t["gang"][act[cash_mask]],
            crypto_yuan=float(out.sum()) * p.p_crypto,
            stopped_yuan=stopped_yuan,
            screened_yuan=screened_yuan,
            stopped_by_victim=t["victim"][act[frozen]],
            stopped_amount=kept[frozen],
            stopped_bank=t["bank"][act[frozen]],
        )
        # Requests are removed with the parcels they no longer concern: drop empty parcels.
        t.keep(t["remaining_yuan"] > 0.0)
        return result

    def nbytes(self) -> int:
        """Memory held, bytes."""
        return self.parcels.nbytes()


class Laundering:
    """The banks and the laundering chains of a model, and the day's laundering phase.

    Args:
        model: the model (scams, gangs, residents, police, policy, streams, tally).

    Attributes:
        banks: the banks and payment platforms.
        ledger: money in transit through mule accounts.
        frozen: money frozen by stops and screening, waiting to go back to its victim (victim,
            yuan, model day of return).
    """

    def __init__(self, model: FraudModel) -> None:
        """The banks, an empty ledger and nothing frozen."""
        self.model = model
        self.params = model.config.banks
        self.banks = [Bank(model, self.params) for _ in range(self.params.n_banks)]
        self.ledger = MuleLedger(self.params)
        self.frozen = Table({"victim": np.int64, "amount_yuan": np.float64, "return_day": np.int64})

    def act(self) -> None:
        """Reports due today ask for stops; parcels move; cash reaches gangs; frozen money goes back."""
        m = self.model
        tally = m.tally
        day_end = (m.day_index + 1) * HOURS_PER_DAY
        state = m.policy
        cases, hours = m.scams.reports_due(day_end)
        if cases.size:
            delay = np.array([b.stop_delay_hours for b in self.banks]) * (
                1.0 - state.stop_delay_cut
            )
            reached = self.ledger.request_stop(cases, hours, delay)
            tally.count("reports", cases.size)
            tally.count("stop_requests", reached)
            m.police.anti_fraud_centre.book_effort("stop_payment", cases.size)
            tally.by_type["reports"] += np.bincount(
                m.scams.cases["ftype"][cases], minlength=tally.by_type["reports"].size
            )
            m.police.investigation.queue.extend(cases.tolist())
        p_screen = np.array(
            [toward_one(b.p_screen_per_hop, state.p_screen_gain) for b in self.banks]
        )
        result = self.ledger.advance(m.streams[Stream.LAUNDERING], day_end, p_screen)
        if result.cashed_out_yuan.size:
            self._pay_gangs(result)
        if result.stopped_amount.size:
            self._freeze(result)
        self._return_frozen()

    def _pay_gangs(self, result: LaunderingDay) -> None:
        """Cashed-out money reaches its gangs (or the members of gangs gone)."""
        m = self.model
        # Each gang gets its parcels' cash summed in parcel order, then added at once.
        gangs = m.gangs.table
        rows = gangs.rows_of(result.cashed_out_gang)
        alive = rows >= 0
        totals = np.bincount(
            rows[alive], weights=result.cashed_out_yuan[alive], minlength=len(gangs)
        )
        paid = np.bincount(rows[alive], minlength=len(gangs)) > 0
        gangs["cash_yuan"][paid] += totals[paid]
        if not alive.all():  # the network still cashes out for members of gangs gone
            _, inverse = unique_inverse(result.cashed_out_gang[~alive])
            gone = np.bincount(inverse, weights=result.cashed_out_yuan[~alive])
            for total in gone.tolist():  # one gang at a time, as each gang's members take it
                m.money.retired_yuan += total
        m.tally.count("cashed_out_yuan", float(result.cashed_out_yuan.sum()))
        m.tally.count("crypto_yuan", result.crypto_yuan)

    def _freeze(self, result: LaunderingDay) -> None:
        """Money stopped or screened today is frozen at its bank until it goes back."""
        m = self.model
        tally = m.tally
        tally.count("stopped_yuan", result.stopped_yuan)
        tally.count("screened_yuan", result.screened_yuan)
        tally.count("averted_yuan", result.stopped_yuan + result.screened_yuan)
        by_bank = np.bincount(
            result.stopped_bank, weights=result.stopped_amount, minlength=len(self.banks)
        )
        for bank, amount in zip(self.banks, by_bank.tolist(), strict=True):
            bank.frozen_yuan += amount
        return_day = m.day_index + round(self.params.return_days)
        self.frozen.append(
            victim=result.stopped_by_victim,
            amount_yuan=result.stopped_amount,
            return_day=return_day,
        )

    def _return_frozen(self) -> None:
        """Frozen money whose day has come goes back to its victims."""
        if not len(self.frozen):
            return
        m = self.model
        back = self.frozen["return_day"] <= m.day_index
        if back.any():
            np.add.at(
                m.residents.savings_yuan,
                self.frozen["victim"][back],
                self.frozen["amount_yuan"][back],
            )
            m.tally.count("recovered_yuan", float(self.frozen["amount_yuan"][back].sum()))
            self.frozen.keep(~back)
