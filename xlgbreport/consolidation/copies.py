"""Copied prose in a run: sections 一, 五 and 六 of each unit against every other unit's and
against the same body's last year, fast for 10,000 units.

Not all pairs: each worker hands back its report's normalised sentences as fingerprints
(``similarity.fingerprints``, names, years and numbers taken out), an inverted index maps each
fingerprint to the units holding it, and a pair becomes a candidate when it shares at least
``MIN_SHARED`` sentences. A sentence held by more than ``common_limit(n)`` units is common
phrasing (「严格落实《条例》要求」), not copying, and is not indexed. Candidates alone are read
again and verified by ``TextCopied`` (``similarity.carried``: equal once normalised, or nearly
by rapidfuzz), which decides. An exact-sentence LSH with fuzzy verification: a copy whose every
sentence was reworded escapes the index, as it would escape a reader.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path

from ..actions import sources
from ..actions.results import Batch, FileResult
from ..core import reasons
from ..core.findings import Finding
from ..core.model import Report
from ..core.prior import normalise
from ..core.similarity import unpack
from ..core.text_rules import TextCopied, longest
from ..errors import XlgbreportError
from .gather import Entry

#: Sentences shared by a pair before it is verified (as many as a copied section must carry).
MIN_SHARED = TextCopied.MIN_CARRIED
#: A sentence held by more than this share of the units (and by more than ``COMMON_FLOOR``) is
#: common phrasing: not indexed.
COMMON_SHARE = 0.02
COMMON_FLOOR = 50
FOUND = "文字雷同 {n} 处（{units} 个单位），见“雷同”表"
_UNIT_BITS = 24  # a unit's number inside an index key: up to 16 million units
RULE = TextCopied()


@dataclass(frozen=True)
class Copied:
    """One unit's section carried from another unit of the run, or from its own last year."""

    path: str
    org: str
    other_path: str
    other_org: str
    last_year: bool
    finding: Finding
    share: float
    carried: int
    sentences: int
    sample: str  # the unit's longest carried sentence
    twin: str  # the same sentence in the other report


@dataclass(frozen=True)
class Search:
    """What the search found, and what it cost: candidate pairs verified, sentences skipped as
    common."""

    found: tuple[Copied, ...]
    candidates: int
    common: int


def common_limit(units: int) -> int:
    """How many units may hold one sentence before it counts as common phrasing."""
    return max(COMMON_FLOOR, int(units * COMMON_SHARE))


def candidates(prints: Sequence[bytes], min_shared: int = MIN_SHARED) -> tuple[list[tuple[int, int]], int]:
    """The pairs of units (by position in ``prints``) sharing at least ``min_shared``
    fingerprints, not counting common ones; and how many fingerprints were common. The index is
    one sorted list of ints (fingerprint and unit), not a dict of lists: flat in memory."""
    keys = sorted((int.from_bytes(fp) << _UNIT_BITS) | unit
                  for unit, packed in enumerate(prints) for fp in unpack(packed))
    limit = common_limit(len(prints))
    mask = (1 << _UNIT_BITS) - 1
    shared: Counter[tuple[int, int]] = Counter()
    common = start = 0
    for end in range(1, len(keys) + 1):
        if end < len(keys) and keys[end] >> _UNIT_BITS == keys[start] >> _UNIT_BITS:
            continue
        holders = end - start
        if holders > limit:
            common += 1
        elif holders > 1:
            shared.update(combinations(sorted(k & mask for k in keys[start:end]), 2))
        start = end
    return sorted(pair for pair, n in shared.items() if n >= min_shared), common


Loader = Callable[[str], Report]


def load(path: str) -> Report:
    """A unit's report, read again for its text (the workers kept only fingerprints)."""
    return sources.load(Path(path))


def search(units: Sequence[Entry], last_year: Mapping[str, Entry] | None = None, *,
           loader: Loader = load) -> Search:
    """Copied sections between ``units`` (one entry per body) and from each one's
    ``last_year`` entry (by normalised org)."""
    pairs, common = candidates([u.prose for u in units])
    before = last_year or {}
    prior_pairs = []
    for u in units:
        then = before.get(normalise(u.org))
        if then is not None and len(set(unpack(u.prose)) & set(unpack(then.prose))) >= MIN_SHARED:
            prior_pairs.append((u, then))
    cache: dict[str, Report | None] = {}

    def report(entry: Entry) -> Report | None:
        if entry.path not in cache:
            try:
                cache[entry.path] = loader(entry.path)
            except (XlgbreportError, OSError):
                cache[entry.path] = None  # changed or gone since it was read: not judged
        return cache[entry.path]

    found: list[Copied] = []
    for i, j in pairs:
        found += _verified(units[i], units[j], report)
        found += _verified(units[j], units[i], report)
    for u, then in prior_pairs:
        found += _verified(u, then, report, last_year=True)
    return Search(tuple(found), len(pairs) + len(prior_pairs), common)


def _verified(unit: Entry, other: Entry, report: Callable[[Entry], Report | None], *,
              last_year: bool = False) -> Iterable[Copied]:
    mine, theirs = report(unit), report(other)
    if mine is None or theirs is None:
        return
    for found, carried in RULE.compare(mine, theirs):
        (finding,), _ = reasons.explain([found], mine.reasons)  # the unit's 核实说明 for it, if any
        first = longest(carried)
        yield Copied(unit.path, unit.org or "", other.path, other.org or "", last_year, finding,
                     carried.share, carried.carried, carried.sentences, first.sentence, first.twin)


def units_of(entries: Iterable[Entry], year: int | None) -> list[Entry]:
    """The units compared: readable reports of the year, one per body (a body's duplicate or
    identical copy is not a copy of itself)."""
    seen: set[str] = set()
    out = []
    for e in entries:
        key = normalise(e.org)
        if e.readable and e.year == year and key and key not in seen:
            seen.add(key)
            out.append(e)
    return out


def fold(entries: Sequence[Entry], search: Search) -> list[Entry]:
    """The entries with their ``text.copied`` warnings counted (open or explained) and named
    among their problems, so the decision table's status and 汇总状态's counts include them."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for c in search.found:
        by_path[c.path].append(c.finding)
    out = []
    for e in entries:
        found = by_path.get(e.path)
        if not found:
            out.append(e)
            continue
        explained = sum(1 for f in found if f.explained)
        out.append(replace(e, warnings=e.warnings + len(found) - explained,
                           explained=e.explained + explained,
                           problems=(*e.problems, *(f"{f.ref} {f.shown}" for f in found))))
    return out


def attach(batch: Batch, search: Search) -> Batch:
    """The batch with each unit's ``text.copied`` findings in its result, and a note saying
    how many were found."""
    if not search.found:
        return batch
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for c in search.found:
        by_path[c.path].append(c.finding)
    files: list[FileResult] = [replace(f, findings=(*f.findings, *by_path[f.path])) if f.path in by_path
                               else f for f in batch.files]
    note = FOUND.format(n=len(search.found), units=len(by_path))
    return Batch(files, (*batch.notes, note), batch.headline, batch.extra)
