"""Copy detection at a county's, a province's scale: how long do fingerprints, the index and the
verification take, and does it find the planted copies and nothing else?

Run: ``python bench/bench_copies.py [N ...]`` (default 1000 10000). For each N it builds N
synthetic units' texts (一, 五, 六) from the real reports' sentences (``../shared``: seeds,
reports, examples): each sentence two or three clauses of different real sentences, shuffled and
mixed, with the unit's own name and numbers; every unit also says two of five stock sentences (common
phrasing, held by far more units than ``copies.common_limit``). ``PLANTED`` units take another
unit's 五 with the name, years and numbers changed. Then, in this process:

- fingerprints: ``similarity.fingerprints`` of each unit (the workers' share of the cost);
- search: ``copies.search`` (index, candidates, verification with ``similarity.carried``), the
  reports served from memory (a run reads the candidates' files again); its peak memory
  (``tracemalloc``, in a second search).

It prints ms per unit for the fingerprints, seconds for the search, candidate pairs verified,
sentences skipped as common, and the planted copies found and the other units flagged (false
alarms). A benchmark, not a test: numbers vary by machine.
"""

from __future__ import annotations

import random
import re
import sys
import time
import tracemalloc
from pathlib import Path

import xlgbreport
from xlgbreport.actions import sources
from xlgbreport.consolidation import copies
from xlgbreport.consolidation.gather import Entry
from xlgbreport.core import similarity
from xlgbreport.core.model import Report
from xlgbreport.core.text_rules import TextCopied

SHARED = Path(__file__).resolve().parents[2] / "shared"
PLANTED = 5
STOCK = ("本机关严格落实《中华人民共和国政府信息公开条例》各项要求，持续推进政务公开工作。",
         "坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开。",
         "进一步加强政府信息公开平台建设，提升政府网站信息发布质量。",
         "认真做好政府信息公开申请的受理、办理和答复工作，依法保障群众知情权。",
         "下一步将继续加强业务培训，不断提高工作人员的业务能力和水平。")
SIZES = {"overview": 14, "problems": 6, "other_matters": 3}  # sentences a section


def clauses() -> list[str]:
    """Every clause (between ，and sentence ends) of the real reports' prose, 6+ characters."""
    texts: list[str] = []
    for path in sorted((SHARED / "seeds").glob("0*.txt")) + sorted((SHARED / "reports").glob("*.txt")):
        for one in xlgbreport.read_published(path):
            texts += [t for t in one.report.text.values() if t]
    for path in sorted((SHARED / "examples").glob("*.json")):
        texts += [t for t in sources.load(path).text.values() if t]
    found = {c.strip() for t in texts for c in re.split(r"[，,。！？；;\n]", t)}
    return sorted(c for c in found if len(c) >= 6)


def unit(rng: random.Random, pool: list[str], i: int) -> Report:
    org = f"基准{i:05d}镇人民政府"
    text = {}
    for section, n in SIZES.items():
        said = [("，".join(rng.sample(pool, rng.randint(2, 3))) + "。") for _ in range(n)]
        said = [re.sub(r"\d+", lambda _m: str(rng.randint(1, 500)), s) for s in said]
        if section == "overview":
            said = [f"{2024}年，基准{i:05d}镇共办理{rng.randint(1, 99)}件。", *rng.sample(STOCK, 2), *said]
        rng.shuffle(said)
        text[section] = "".join(said)
    return Report(org=org, year=2024, text=text)


def plant(rng: random.Random, source: Report, target: Report) -> Report:
    """``target`` with ``source``'s 五, its name, years and numbers changed."""
    short, mine = (re.sub("人民政府$", "", r.org or "") for r in (source, target))
    five = (source.text["problems"] or "").replace(short, mine)
    five = re.sub(r"\d+", lambda _m: str(rng.randint(1, 500)), five)
    return Report(org=target.org, year=target.year, text={**target.text, "problems": five})


def bench(n: int, pool: list[str]) -> None:
    rng = random.Random(n)
    reports = {f"u{i}": unit(rng, pool, i) for i in range(n)}
    planted = set()
    for k in range(PLANTED):
        src, dst = f"u{k * 2}", f"u{n - 1 - k}"
        reports[dst] = plant(rng, reports[src], reports[dst])
        planted.add(frozenset((src, dst)))
    started = time.perf_counter()
    units = [Entry(p, r.org, 2024, values=(), prose=similarity.fingerprints(
        (r.text.get(s) for s in TextCopied.SECTIONS), (r.org,))) for p, r in reports.items()]
    printed = time.perf_counter() - started
    started = time.perf_counter()
    found = copies.search(units, loader=reports.__getitem__)
    searched = time.perf_counter() - started
    tracemalloc.start()  # a second search for its memory: tracing slows it several times
    copies.search(units, loader=reports.__getitem__)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    pairs = {frozenset((c.path, c.other_path)) for c in found.found}
    print(f"| {n:,} | {printed / n * 1000:.2f} ms/unit | {searched:.2f} s | {peak / 2**20:.1f} MiB | "
          f"{found.candidates:,} | {found.common} | {len(pairs & planted)}/{len(planted)} | "
          f"{len(pairs - planted)} |", flush=True)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    pool = clauses()
    print(f"{len(pool)} clauses from the real reports")
    print("| units | fingerprints | search | search peak memory | candidate pairs verified | "
          "common sentences skipped | planted found | other pairs flagged |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        bench(n, pool)


if __name__ == "__main__":
    main()
