"""A small growable structure of arrays, used for scams, money parcels and cases.

Rows are appended in batches and removed by a keep-mask at one fixed point of the day, so that
every phase sees a stable table while it works (removals are requested, then applied).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

_SEQUENCES = (np.ndarray, list, tuple)  # column values given per row (else one for all rows)


class ColumnTable:
    """Named numpy columns of equal length with amortised appends.

    Args:
        dtypes: column name to numpy dtype.

    Example:
        >>> t = ColumnTable({"a": np.int64, "b": np.float64})
        >>> t.append(a=np.array([1, 2]), b=np.array([0.5, 1.5]))
        >>> t["b"].sum(), len(t)
        (np.float64(2.0), 2)
    """

    def __init__(self, dtypes: Mapping[str, type | np.dtype]) -> None:
        """Create an empty table."""
        self._dtypes = {k: np.dtype(v) for k, v in dtypes.items()}
        self._capacity = 16
        self._data = {k: np.empty(self._capacity, dtype=d) for k, d in self._dtypes.items()}
        self._n = 0
        self._views: dict[str, np.ndarray] = {}  # column views of the rows, kept until they change

    def __len__(self) -> int:
        """Number of rows."""
        return self._n

    def __getitem__(self, name: str) -> np.ndarray:
        """A writable view of column ``name`` (valid until the next append or keep)."""
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = self._data[name][: self._n]
        return view

    def append(self, **columns: np.ndarray | float) -> np.ndarray:
        """Append rows; returns the new rows' indices.

        Every column must be given: an array of the new rows' values, or one value (a scalar)
        for all of them; at least one column is an array, which says how many rows come.
        """
        if columns.keys() != self._dtypes.keys():
            missing = set(self._dtypes) ^ set(columns)
            raise KeyError(f"append needs exactly the table's columns; mismatch: {sorted(missing)}")
        sizes = {len(v) for v in columns.values() if isinstance(v, _SEQUENCES)}
        if len(sizes) != 1:
            raise ValueError(f"columns of unequal length: {sizes}")
        k = sizes.pop()
        need = self._n + k
        if need > self._capacity:
            self._capacity = max(need, 2 * self._capacity)
            for name, old in self._data.items():
                grown = np.empty(self._capacity, dtype=old.dtype)
                grown[: self._n] = old[: self._n]
                self._data[name] = grown
        data, new = self._data, slice(self._n, need)
        for name, values in columns.items():
            data[name][new] = values
        rows = np.arange(self._n, need)
        self._n = need
        self._views.clear()
        return rows

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` is true (in order)."""
        if mask.size != self._n:
            raise ValueError(f"mask has {mask.size} entries for {self._n} rows")
        rows = mask.nonzero()[0]
        if rows.size == self._n:
            return
        for arr in self._data.values():
            arr[: rows.size] = arr[rows]
        self._n = rows.size
        self._views.clear()

    def nbytes(self) -> int:
        """Memory held, bytes."""
        return int(sum(a.nbytes for a in self._data.values()))
