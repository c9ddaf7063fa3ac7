"""Technical countermeasures: telecom and internet operators intercept fraud contacts."""

from __future__ import annotations

import mesa
import numpy as np

from simulation.levers import PolicyState
from simulation.params import InterceptionParams


class TelecomOperator(mesa.Agent):
    """Telecom and internet operators, as one agent.

    They intercept fraud calls and SMS and block fraud websites and accounts, each channel with its
    own chance. The model applies :meth:`block_probabilities` to every contact of the day (drawn
    per fraud type for all gangs at once, see ``FraudModel._make_contacts``).

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
