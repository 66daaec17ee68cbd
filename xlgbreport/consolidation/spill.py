"""The entries of a consolidation, kept on disk as they arrive, so that the parent's memory stays
flat however many files a run has.

An :class:`~.gather.Entry` is about 0.8 KiB (path, org, digest, packed cells and measures, prose
fingerprints, problems) and the parent used to hold every one until the last file was read.
:class:`Spill` appends each one, pickled, to an anonymous temporary file and keeps only where
it starts (8 bytes a file); reading an entry back unpickles it. The decision's lines, the sheets
and the batch's results read entries one at a time, so at most a handful are in memory at once.
"""

from __future__ import annotations

import errno
import pickle
import tempfile
import weakref
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, TypeVar, overload

from .gather import Entry

T = TypeVar("T")


class Spill(Sequence[Entry]):
    """Entries in the order added, on disk: ``spill[i]`` reads the i-th back. Append-only; the
    file (deleted as it is made, where the system allows) goes when the spill does."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        # unbuffered: nothing is left to flush when the spill goes (a buffered file's last flush,
        # in the finalizer, failed with EINVAL under pytest), and a read sees every write
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="xlgbreport-", buffering=0)
        weakref.finalize(self, self._file.close)  # the batch's results read it until then
        self._starts = array("q", [0])  # where each entry starts, and the end of the last
        self._last: tuple[int, Entry] | None = None  # a line reads its entry a few times in a row
        self.extend(entries)

    def extend(self, entries: Iterable[Entry]) -> None:
        """Append ``entries`` as they arrive (a generator is consumed, never listed)."""
        self._file.seek(0, 2)
        for entry in entries:
            data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
            if self._file.write(data) != len(data):  # unbuffered: a short write is a full disk
                raise OSError(errno.ENOSPC, "short write to the consolidation's temporary file")
            self._starts.append(self._starts[-1] + len(data))

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, i: int) -> Entry: ...
    @overload
    def __getitem__(self, i: slice) -> list[Entry]: ...

    def __getitem__(self, i: int | slice) -> Entry | list[Entry]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        if self._last is not None and self._last[0] == i:
            return self._last[1]  # frozen: the same entry can be handed out again
        self._file.seek(self._starts[i])
        data = self._file.read(self._starts[i + 1] - self._starts[i])
        entry: Entry = pickle.loads(data)  # noqa: S301 - written by ``extend`` above, in this process
        self._last = (i, entry)
        return entry

    def __iter__(self) -> Iterator[Entry]:
        return map(self.__getitem__, range(len(self)))


class View(Sequence[T]):
    """Some items of ``base`` (``positions``, by default all), some of them replaced
    (``swapped``, by position in ``base``): a selection or a changed copy of a :class:`Spill`
    without reading its entries into memory."""

    def __init__(self, base: Sequence[T], positions: Sequence[int] | None = None,
                 swapped: Mapping[int, T] | None = None) -> None:
        self._base = base
        self._positions = positions if positions is not None else range(len(base))
        self._swapped = swapped or {}

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...

    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        at = self._positions[i]
        found = self._swapped.get(at)
        return found if found is not None else self._base[at]

    def __iter__(self) -> Iterator[T]:
        return map(self.__getitem__, range(len(self)))


class Keyed(Mapping[str, T]):
    """Items of ``base`` by key (``positions``: key → position), read when looked up."""

    def __init__(self, base: Sequence[T], positions: dict[str, int]) -> None:
        self._base = base
        self._positions = positions

    def __getitem__(self, key: str) -> T:
        return self._base[self._positions[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)

    def pop(self, key: str) -> T | None:
        """The item of ``key``, which is no longer in the mapping; None when there was none."""
        at = self._positions.pop(key, None)
        return self._base[at] if at is not None else None
