"""How fast site_builder.chinese converts whole pages.

Each seed report is repeated to about 2 MB (UTF-8) and converted to Simplified and to
Traditional, as text and as an HTML page (one <p> per line, with a title attribute per paragraph
and a JSON chart script every 50 paragraphs). Prints MB of input per second, best of --repeat
runs, measured in CPU time of this process by default (wall-clock time on a shared machine
mostly measures the other processes; pass --clock wall to see it).

    python bench/convert_speed.py [--seeds DIR] [--mb 2] [--repeat 3] [--clock cpu|wall]
"""

from __future__ import annotations

import argparse
import html
import json
import time
from collections.abc import Callable
from pathlib import Path

from site_builder.chinese import HANS, HANT, Converter

DEFAULT_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def as_page(text: str) -> str:
    parts = ["<!DOCTYPE html><html><head><title>报告</title></head><body><main>"]
    for n, line in enumerate(text.splitlines()):
        words = html.escape(line[:12], quote=True)
        parts.append(f'<p title="{words}">{html.escape(line, quote=False)}</p>\n')
        if n % 50 == 49:
            chart = {"title": {"text": line[:10]}, "series": [{"name": line[:6], "data": [1, 2]}]}
            body = json.dumps(chart, ensure_ascii=False)
            parts.append(f'<script type="application/json">{body}</script>\n')
    parts.append("</main></body></html>")
    return "".join(parts)


def best_rate(
    fn: Callable[[str], str], data: str, repeat: int, clock: Callable[[], float]
) -> float:
    size = len(data.encode("utf-8")) / 1e6
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        fn(data)
        best = min(best, clock() - start)
    return size / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--mb", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter

    start = clock()
    converter = Converter()
    converter.to_hant("干部")
    converter.to_hans("幹部")
    print(f"first use (OpenCC dictionaries, phrase table): {clock() - start:.3f} s")

    print(
        f"{'seed':<28} {'MB':>5} {'to_hans':>8} {'to_hant':>8} {'html→Hans':>10} {'html→Hant':>10}"
    )
    for path in sorted(args.seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        copies = max(1, round(args.mb * 1e6 / len(text.encode("utf-8"))))
        data = (text.rstrip("\n") + "\n") * copies
        page = as_page(data)
        rates = [
            best_rate(converter.to_hans, data, args.repeat, clock),
            best_rate(converter.to_hant, data, args.repeat, clock),
            best_rate(lambda s: converter.convert_html(s, HANS), page, args.repeat, clock),
            best_rate(lambda s: converter.convert_html(s, HANT), page, args.repeat, clock),
        ]
        size = len(data.encode("utf-8")) / 1e6
        print(
            f"{path.name:<28} {size:>5.2f} "
            + " ".join(f"{r:>{w}.1f}" for r, w in zip(rates, (8, 8, 10, 10), strict=True))
            + f"  MB/s ({args.clock} time)"
        )


if __name__ == "__main__":
    main()
