"""The contact phase: gangs' operators contact residents; operators and the app block some.

Each gang makes as many contacts as its operators mean to and its phone cards can carry, spread
over fraud types by its portfolio and over channels by each type's channel mix. The telecom and
internet operators (:class:`TelecomOperator`) block some by channel; the anti-fraud app flags
some that reach its users; a contacted resident engages (a scam starts, see
:mod:`simulation.scams`) by the type's engagement chance, their group's susceptibility and their
awareness.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulation.categories import CHANNELS, Channel, ResidentStatus
from simulation.gangs import contact_capacity, contact_effort, wear_phone_cards
from simulation.levers import PolicyState
from simulation.params import InterceptionParams
from simulation.streams import Stream
from simulation.unique import unique_first

if TYPE_CHECKING:
    from simulation.model import FraudModel


class TelecomOperator(mesa.Agent):
    """Telecom and internet operators, as one agent.

    They intercept fraud calls and SMS and block fraud websites and accounts, each channel with its
    own chance. The contact phase applies :meth:`block_probabilities` to every contact of the day
    (drawn per fraud type for all gangs at once).

    Attributes:
        p_block: standing chance a contact is blocked, by channel (:data:`CHANNELS` order).
    """

    def __init__(self, model: mesa.Model, params: InterceptionParams) -> None:
        """Create the operator with the standing interception rates."""
        super().__init__(model)
        self.p_block = np.asarray(params.p_block.as_list(), dtype=np.float64)

    def block_probabilities(self, state: PolicyState) -> np.ndarray:
        """Today's chance of blocking a contact, by channel, with the levers' gain."""
        return self.p_block + (1.0 - self.p_block) * state.p_block_gain


def normalise_rows(weights: np.ndarray) -> np.ndarray:
    """Rows of ``weights`` scaled to sum to 1 (a row of zeros becomes uniform)."""
    total = weights.sum(axis=1, keepdims=True)
    uniform = np.full_like(weights, 1.0 / weights.shape[1])
    return np.divide(weights, total, out=uniform, where=total > 0.0)


class Contacts:
    """The day's contacts, from gangs to residents.

    Args:
        model: the model (gangs, residents, operator, policy, streams, tally, scams).

    Attributes:
        delivered_today: contacts that reached a resident today (the anti-fraud centre flags
            some of them).
        overseas_today: contacts made today by gangs abroad.
    """

    def __init__(self, model: FraudModel) -> None:
        """Read the fraud types' engagement chances and channel mixes."""
        self.model = model
        ftypes = model.config.fraud_types.in_order()
        self.susceptibility = np.array([t.susceptibility.as_list() for t in ftypes])
        self.p_engage = np.array([t.p_engage for t in ftypes])
        self.p_engage_max = np.minimum(1.0, self.p_engage * self.susceptibility.max(axis=1))
        self.channel_mix = normalise_rows(
            np.array([t.channels.as_list() for t in ftypes], dtype=np.float64)
        )
        self.operator = TelecomOperator(model, model.config.interception)
        self._chances_for: PolicyState | None = None  # the policy the chances were made for
        self._chances: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.delivered_today = 0
        self.overseas_today = 0

    def make(self) -> None:
        """Gangs' operators contact residents.

        Interception and the app block some; some contacted residents engage (a scam starts).
        """
        self.delivered_today = 0
        self.overseas_today = 0
        m = self.model
        gangs = m.gangs.table
        if not len(gangs):
            return
        g = m.config.gangs
        tally = m.tally
        rng = m.streams[Stream.CONTACT]
        capacity = contact_capacity(gangs, g)
        planned = rng.poisson(contact_effort(gangs, g))
        n_contacts = np.minimum(planned, np.floor(capacity)).astype(np.int64)
        by_type = rng.multinomial(n_contacts, gangs["portfolio"])  # gangs x types
        wear_phone_cards(gangs, n_contacts, g)
        self.overseas_today = int(n_contacts[gangs["overseas"]].sum())
        type_totals = by_type.sum(axis=0)

        # Each contact goes by a channel drawn from its type's mix; the operators block it
        # with the channel's chance; a delivered contact is a candidate for engagement with
        # the type's highest engagement chance (exact thinning: each candidate is accepted
        # below with its own chance over that maximum). Only candidates need a gang and a
        # resident, so they are drawn per gang and type, and the other contacts per type for
        # all gangs together: the cost follows engagements, not contacts.
        n_channels = len(CHANNELS)
        p_candidate, others, cumulative = self._chances_today()
        engage = m.streams[Stream.ENGAGE]
        candidates = engage.binomial(by_type, p_candidate)  # gangs x types
        split = rng.multinomial(type_totals - candidates.sum(axis=0), others)
        blocked, delivered = split[:, :n_channels], split[:, n_channels:]
        cell = np.arange(candidates.size).repeat(candidates.ravel())
        gang_row, ftype = np.unravel_index(cell, candidates.shape)
        channel = np.minimum(
            (engage.random(cell.size)[:, None] >= cumulative[ftype]).sum(axis=1), n_channels - 1
        )
        delivered += np.bincount(ftype * n_channels + channel, minlength=delivered.size).reshape(
            delivered.shape
        )

        blocked_by_channel = blocked.sum(axis=0)
        tally.count("contacts", int(n_contacts.sum()))
        tally.count("contacts_blocked", int(blocked_by_channel.sum()))
        tally.count("calls_intercepted", int(blocked_by_channel[CHANNELS.index(Channel.CALL)]))
        tally.count("sms_intercepted", int(blocked_by_channel[CHANNELS.index(Channel.SMS)]))
        tally.count("websites_blocked", int(blocked_by_channel[CHANNELS.index(Channel.WEBSITE)]))
        tally.by_type["contacts"] += type_totals
        tally.by_channel["contacts"] += blocked_by_channel + delivered.sum(axis=0)
        tally.by_channel["blocked"] += blocked_by_channel
        self.delivered_today = int(delivered.sum())
        m.police.anti_fraud_centre.book_effort("interception", float(blocked_by_channel.sum()))

        res = m.residents
        app_share = res.app_users / res.n
        p_app = app_share * m.policy.p_app_warning
        # The app's decisions have their own stream, so switching it on leaves the engagement
        # draws of everyone else as they were.
        app_rng = m.streams[Stream.APP_WARNING]
        if p_app > 0.0:
            not_candidates = int(delivered.sum()) - cell.size
            tally.count("app_warnings", int(app_rng.binomial(not_candidates, p_app)))
        if cell.size == 0:
            return
        victim = engage.integers(0, res.n, size=cell.size)
        awareness = res.awareness(victim, m.day_index)
        p_i = (
            self.p_engage[ftype]
            * self.susceptibility[ftype, res.group[victim]]
            * (1.0 - awareness) ** m.config.awareness.effect_exponent
        )
        accept = engage.random(cell.size) * self.p_engage_max[ftype] < p_i
        accept &= (res.status[victim] == ResidentStatus.FREE) & ~res.engaged[victim]
        if p_app > 0.0:
            with_app = res.has_app[victim].nonzero()[0]
            flagged_rows = with_app[app_rng.random(with_app.size) < m.policy.p_app_warning]
            tally.count("app_warnings", flagged_rows.size)
            accept[flagged_rows] = False
        idx = accept.nonzero()[0]
        if idx.size == 0:
            return
        if idx.size > 1:
            # A resident contacted twice today engages at most once.
            _, first = unique_first(victim[idx])
            first.sort()
            idx = idx[first]
        m.scams.start(
            victim[idx],
            gangs["unique_id"][gang_row[idx]],
            ftype[idx].astype(np.int8),
            channel[idx].astype(np.int8),
        )

    def _chances_today(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The chances of a contact by fraud type, with today's interception.

        Returns:
            The chance a contact is delivered and is a candidate for engagement (types); how
            the other contacts split over blocked and delivered by channel (types x 2
            channels); the cumulative channel mix of delivered contacts (types x channels).

        They change only with the levers, so they are worked out again only when the day's
        :class:`PolicyState` is another object than the day before.
        """
        policy = self.model.policy
        if self._chances is None or self._chances_for is not policy:
            p_block = self.operator.block_probabilities(policy)
            through = self.channel_mix * (1.0 - p_block)  # types x channels: delivered
            p_through = through.sum(axis=1)
            others = np.concatenate(
                [self.channel_mix * p_block, through * (1.0 - self.p_engage_max)[:, None]],
                axis=1,
            )
            self._chances = (
                self.p_engage_max * p_through,
                normalise_rows(others),
                np.cumsum(normalise_rows(through), axis=1),
            )
            self._chances_for = policy
        return self._chances
