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
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from simulation.columns import ColumnTable
from simulation.params import BankParams


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
    hops: int


class MuleLedger:
    """Money in laundering chains: one row (parcel) per victim payment still in transit."""

    def __init__(self, params: BankParams) -> None:
        """Create an empty ledger."""
        self.params = params
        self.parcels = ColumnTable(
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
            stop_hour=np.full(k, np.inf),
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
        order = np.argsort(case)
        sorted_case = case[order]
        pos = np.minimum(np.searchsorted(sorted_case, parcel_case), case.size - 1)
        hit = sorted_case[pos] == parcel_case
        when = hour[order][pos] + delay_by_bank[self.parcels["bank"]]
        stop = self.parcels["stop_hour"]
        stop[hit] = np.minimum(stop[hit], when[hit])
        return int(np.unique(parcel_case[hit]).size)

    def advance(
        self,
        rng: np.random.Generator,
        day_end_hour: float,
        p_screen_by_bank: np.ndarray,
    ) -> LaunderingDay:
        """Work through every hop and stop due before ``day_end_hour``, in time order.

        At a hop a parcel is first screened (frozen with the bank's probability), else a share
        ``p_cashout_per_hop`` leaves the chain to the gang (all of it at the last hop). A parcel
        whose stop time comes before its next hop is frozen whole.
        """
        p = self.params
        t = self.parcels
        frozen_victim: list[np.ndarray] = []
        frozen_amount: list[np.ndarray] = []
        cash_gang: list[np.ndarray] = []
        cash_amount: list[np.ndarray] = []
        screened = 0.0
        stopped = 0.0
        hops = 0
        while len(t):
            remaining = t["remaining_yuan"]
            next_hop = t["next_hop_hour"]
            stop = t["stop_hour"]
            alive = remaining > 0.0
            # Freezes due before the parcel's next hop (and within today).
            freeze = alive & (stop <= next_hop) & (stop < day_end_hour)
            moving = alive & ~freeze & (next_hop < day_end_hour)
            if not freeze.any() and not moving.any():
                break
            if freeze.any():
                frozen_victim.append(t["victim"][freeze].copy())
                frozen_amount.append(remaining[freeze].copy())
                stopped += float(remaining[freeze].sum())
                remaining[freeze] = 0.0
            idx = np.flatnonzero(moving)
            if idx.size:
                hops += idx.size
                screened_now = rng.random(idx.size) < p_screen_by_bank[t["bank"][idx]]
                s_idx = idx[screened_now]
                if s_idx.size:
                    screened += float(remaining[s_idx].sum())
                    frozen_victim.append(t["victim"][s_idx].copy())
                    frozen_amount.append(remaining[s_idx].copy())
                    remaining[s_idx] = 0.0
                m_idx = idx[~screened_now]
                last = t["hops_left"][m_idx] <= 1
                share = np.where(last, 1.0, p.p_cashout_per_hop)
                out = remaining[m_idx] * share
                cash_gang.append(t["gang"][m_idx].copy())
                cash_amount.append(out)
                remaining[m_idx] -= out
                remaining[m_idx[last]] = 0.0  # no rounding residue after the last hop
                t["hops_left"][m_idx] -= 1
                next_hop[m_idx] += rng.exponential(p.hop_hours_mean, size=m_idx.size)
        # Requests are removed with the parcels they no longer concern: drop empty parcels.
        t.keep(t["remaining_yuan"] > 0.0)
        cash_g = np.concatenate(cash_gang) if cash_gang else np.empty(0, dtype=np.int64)
        cash_a = np.concatenate(cash_amount) if cash_amount else np.empty(0)
        crypto = float(cash_a.sum()) * p.p_crypto
        victims = np.concatenate(frozen_victim) if frozen_victim else np.empty(0, dtype=np.int64)
        amounts = np.concatenate(frozen_amount) if frozen_amount else np.empty(0)
        return LaunderingDay(
            cashed_out_yuan=cash_a,
            cashed_out_gang=cash_g,
            crypto_yuan=crypto,
            stopped_yuan=stopped,
            screened_yuan=screened,
            stopped_by_victim=victims,
            stopped_amount=amounts,
            hops=hops,
        )

    def nbytes(self) -> int:
        """Memory held, bytes."""
        return self.parcels.nbytes()
