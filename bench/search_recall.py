"""Recall of site search, measured with the shipped search.js (under Node) on built sites.

    .venv/bin/python bench/search_recall.py                  # example site + 1,000 reports
    .venv/bin/python bench/search_recall.py --reports 200    # a smaller generated site
    .venv/bin/python bench/search_recall.py --no-generated   # the example site only

For every report, the words are all 2- and 3-character substrings of the Chinese text of its
sources (title, summary and Markdown body as written, in the script the author used), found by a
plain substring scan: every substring of every run of Chinese characters (a spot check compares
a sample with Python's ``in`` over the whole sources). Each word is then typed as written, in
Simplified and in Traditional (converted with the site's OpenCC converter), on the zh-Hans and
the zh-Hant tree; the expected reports are those whose source holds the word as written.

Recall "as written" = found (word, report) pairs / pairs where the source holds the word exactly;
"in either script" counts a report as expected when its source holds the word in any script (both
folded as search folds them: the cross-script requirement). "Words complete" = words for which
every expected report was found. Also printed: reports found whose source does not hold the word
in either script (false positives; the text a page shows can differ from its Markdown source, e.g.
``巡察**整改**`` reads 巡察整改).
Exit status 1 if any recall is below 100%.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from site_builder.chinese import HANS, HANT  # noqa: E402
from site_builder.pipeline import BuildOptions, run  # noqa: E402
from site_builder.search import CJK_CLASS, fold  # noqa: E402

RUN_RE = re.compile(f"[{CJK_CLASS}]+")
NODE_HELPER = ROOT / "bench" / "search_node.js"


def source_texts(site: object) -> list[str]:
    texts = []
    for rep in site.reports:  # type: ignore[attr-defined]
        texts.append("\n".join([rep.title.zh or "", rep.summary.zh or "", rep.body]))
    return texts


def words_of(texts: list[str]) -> dict[str, set[int]]:
    """word -> reports whose source contains it (2 and 3 characters)."""
    where: dict[str, set[int]] = defaultdict(set)
    for n, text in enumerate(texts):
        for run_ in RUN_RE.findall(text):
            for size in (2, 3):
                for i in range(len(run_) - size + 1):
                    where[run_[i : i + size]].add(n)
    return where


def folded_words_of(texts: list[str]) -> dict[str, set[int]]:
    """Folded word -> reports whose folded source contains it: what "either script" means."""
    return words_of([fold(t) for t in texts])


def spot_check(where: dict[str, set[int]], texts: list[str], sample: int = 300) -> None:
    """The n-gram scan agrees with a plain ``in`` over the whole sources."""
    rng = random.Random(7)
    for word in rng.sample(sorted(where), min(sample, len(where))):
        plain = {n for n, t in enumerate(texts) if word in t}
        assert plain == where[word], (word, plain ^ where[word])


def node_search(out: Path, lang: str, queries: list[str]) -> list[list[int]]:
    with tempfile.TemporaryDirectory() as tmp:
        qfile, rfile = Path(tmp) / "q.json", Path(tmp) / "r.json"
        qfile.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
        subprocess.run(
            ["node", str(NODE_HELPER), str(out), lang, str(qfile), str(rfile)], check=True
        )
        results: list[list[int]] = json.loads(rfile.read_text(encoding="utf-8"))
    return results


def measure(name: str, source: Path, out: Path) -> bool:
    started = time.perf_counter()
    result = run(BuildOptions(source=source, out=out, incremental=False))
    if not result.ok or result.site is None:
        for d in result.errors[:10]:
            print(d, file=sys.stderr)
        raise SystemExit(f"{name}: build failed")
    site = result.site
    print(
        f"\n== {name}: {len(site.reports)} reports, built in {time.perf_counter() - started:.1f}s"
    )
    texts = source_texts(site)
    where = words_of(texts)
    spot_check(where, texts)
    folded = folded_words_of(texts)
    words = sorted(where)
    from site_builder.chinese import Converter, Phrase

    converter = Converter(tuple(Phrase(p.hans, p.hant) for p in site.config.phrases))
    forms = {
        "as written": words,
        "in Simplified": converter.convert_many(words, HANS),
        "in Traditional": converter.convert_many(words, HANT),
    }
    by_size = {2: sum(len(w) == 2 for w in words), 3: sum(len(w) == 3 for w in words)}
    print(f"words: {len(words)} ({by_size[2]} of 2 characters, {by_size[3]} of 3)")
    ok = True
    for lang in ("zh-Hans", "zh-Hant"):
        for form, queries in forms.items():
            t0 = time.perf_counter()
            results = node_search(out, lang, queries)
            elapsed = time.perf_counter() - t0
            expected = found = expected_any = found_any = outside = complete = 0
            missed: list[str] = []
            for word, got in zip(words, results, strict=True):
                want, want_any, got_set = where[word], folded[fold(word)], set(got)
                hits = want & got_set
                expected += len(want)
                found += len(hits)
                expected_any += len(want_any)
                found_any += len(want_any & got_set)
                outside += len(got_set - want_any)
                if hits == want and want_any <= got_set:
                    complete += 1
                elif len(missed) < 5:
                    missed.append(word)
            recall = found / expected if expected else 1.0
            recall_any = found_any / expected_any if expected_any else 1.0
            ok = ok and found == expected and found_any == expected_any
            print(
                f"{lang:8} query {form:15} recall {100 * recall:7.3f}% as written "
                f"({found}/{expected} word-report pairs), {100 * recall_any:7.3f}% in either "
                f"script ({found_any}/{expected_any}); words complete {complete}/{len(words)}; "
                f"found without the word in the source: {outside}; "
                f"{len(queries) / elapsed:,.0f} queries/s"
                + (f"  missed e.g. {' '.join(missed)}" if missed else "")
            )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=1000, help="generated site size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-generated", action="store_true", help="example site only")
    parser.add_argument("--no-example", action="store_true", help="generated site only")
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory(prefix="search-recall-") as tmp:
        if not args.no_example:
            ok &= measure("example site", ROOT, Path(tmp) / "example")
        if not args.no_generated:
            from generate import generate  # bench/generate.py

            site = Path(tmp) / "generated"
            generate(site, args.reports, args.seed)
            name = f"generated site (bench/generate.py --reports {args.reports} --seed {args.seed})"
            ok &= measure(name, site, Path(tmp) / "generated-out")
    print("\nrecall: 100% for every query form" if ok else "\nrecall: BELOW 100%")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
