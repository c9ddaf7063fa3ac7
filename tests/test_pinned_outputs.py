"""Every output column of the pinned runs is exactly as pinned (see ``tests/pinned_outputs.py``)."""

import numpy as np
import pandas as pd
from pinned_outputs import PINNED_RUNS, column_digest, current, differences, load_pinned


def test_pinned_file_lists_the_pinned_runs():
    pinned = [(r["scenario"], r["seed"], r["scale"]) for r in load_pinned()["runs"]]
    assert pinned == list(PINNED_RUNS), (
        f"expected the pinned file to hold the runs of PINNED_RUNS {PINNED_RUNS}, got {pinned}"
    )


def test_outputs_equal_the_pinned_digests():
    lines = differences(load_pinned()["runs"], current())
    assert not lines, (
        "expected every output column of the pinned runs to equal its pinned digest; a "
        "deliberate change of behaviour refreshes tests/data/pinned/outputs.json in a commit "
        "of its own. Differences:\n" + "\n".join(lines)
    )


def test_digest_sees_a_change_in_the_last_bit():
    a = pd.Series([0.1, 0.2, 0.3])
    b = a.copy()
    b.iloc[1] = np.nextafter(0.2, 1.0)  # 0.2 with its last bit changed
    assert b.iloc[1] != a.iloc[1], "expected the test value to differ from 0.2"
    assert column_digest(a) != column_digest(b), "expected a one-bit change to change the digest"
    assert column_digest(a) == column_digest(a.copy()), "expected equal columns to digest equal"
