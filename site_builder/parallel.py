"""Spreading a build's independent work over processes (``build --jobs N``).

Workers are forked from the build process once its model is complete, so they share the site,
the derived values, the rendered bodies and the Jinja environment without pickling them; only
small task indexes go out and finished results come back. Results are put back in task order,
so the output is byte-identical to a one-process build whatever the number of workers and
however the work was divided.

Rendering goes through three ``Renderer`` hooks (``render.py``): ``plan_task`` in the parent
(e.g. an incremental build keeps an unchanged page without rendering it), ``render_task`` in a
worker (the page's bytes and what the parent must record about it), ``finish_task`` in the
parent. A renderer that overrides ``render_page`` without these hooks renders in one process,
since its bookkeeping would be lost in the workers.

Where ``fork`` is not available (not Linux or macOS), everything runs in one process.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from site_builder.render import OutputFile, PageSpec, Renderer

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

MIN_TASKS = 64
"""Below this many items a pool costs more than it saves."""

CHUNK = 24
"""Items per message to a worker: large enough to amortize pickling, small enough to balance."""

# Set in the parent just before the pool forks; the workers inherit them.
_FN: Callable[[int], Any] | None = None


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | None) -> int:
    """``None`` or 0 means one worker per core."""
    return default_jobs() if not jobs else max(1, jobs)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _run_chunk(bounds: tuple[int, int]) -> list[tuple[int, Any]]:
    assert _FN is not None
    fn = _FN
    return [(i, fn(i)) for i in range(*bounds)]


def run_indexed(
    fn: Callable[[int], R],
    count: int,
    jobs: int,
    on_result: Callable[[int, R], None],
    chunk: int = CHUNK,
) -> None:
    """Call ``fn(i)`` for ``i`` in ``range(count)`` over ``jobs`` forked workers, passing each
    result to ``on_result`` in the parent, in index order.
    Exceptions in a worker are raised in the parent."""
    global _FN
    if jobs <= 1 or count < MIN_TASKS or not _can_fork():
        for i in range(count):
            on_result(i, fn(i))
        return
    bounds = [(a, min(a + chunk, count)) for a in range(0, count, chunk)]
    _FN = fn
    # Objects that exist now are never collected in the workers: without this, the first
    # collection there touches every object's header and copies the whole heap page by page.
    gc.freeze()
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(min(jobs, len(bounds))) as pool:
            for results in pool.imap(_run_chunk, bounds):
                for i, value in results:
                    on_result(i, value)
    finally:
        _FN = None
        gc.unfreeze()


def pmap(fn: Callable[[T], R], items: Sequence[T], jobs: int, chunk: int = CHUNK) -> list[R]:
    """``[fn(x) for x in items]`` over ``jobs`` forked workers, in order. ``fn`` and the items
    are inherited by the workers, so neither needs to pickle; the results must."""
    out: list[Any] = [None] * len(items)

    def put(i: int, value: R) -> None:
        out[i] = value

    run_indexed(lambda i: fn(items[i]), len(items), jobs, put, chunk)
    return out


def parallel_safe(renderer: Renderer) -> bool:
    """Whether ``renderer``'s pages may render in workers (see the module docstring)."""
    from site_builder.render import Renderer

    cls = type(renderer)
    return cls.render_page is Renderer.render_page or cls.render_task is not Renderer.render_task


class Inspection(Generic[T]):
    """Work on each rendered file that is done in the worker beside the rendering, when pages
    render in workers: ``look`` there (its result must pickle), ``keep`` with the result back
    in the build process. For the gates' scans, which then spread over the workers too."""

    def __init__(
        self,
        look: Callable[[OutputFile], T],
        keep: Callable[[OutputFile, T], None],
    ) -> None:
        self.look, self.keep = look, keep


def render_pages(
    renderer: Renderer,
    tasks: Sequence[tuple[PageSpec, str]],
    jobs: int,
    progress: Callable[[int], None] | None = None,
    inspection: Inspection[Any] | None = None,
) -> list[OutputFile]:
    """Every (page, language) of ``tasks`` rendered, in task order. With workers, each file
    also goes through ``inspection`` (nothing happens without workers: the caller does that
    work itself, in one process, as it would have here)."""
    if jobs > 1 and not parallel_safe(renderer):
        log.info("%s renders in one process (no render_task)", type(renderer).__name__)
        jobs = 1
    results: list[Any] = [renderer.plan_task(spec, lang) for spec, lang in tasks]
    todo = [i for i, r in enumerate(results) if r is None]
    done = len(tasks) - len(todo)
    if jobs > 1:
        renderer.prepare_workers()

    look = inspection.look if inspection is not None and jobs > 1 else None

    def render(k: int) -> tuple[OutputFile, Any, Any]:
        spec, lang = tasks[todo[k]]
        file, effects = renderer.render_task(spec, lang)
        return file, effects, look(file) if look is not None else None

    def put(k: int, value: tuple[OutputFile, Any, Any]) -> None:
        nonlocal done
        i = todo[k]
        spec, lang = tasks[i]
        file, effects, seen = value
        if look is not None and inspection is not None:
            inspection.keep(file, seen)
        results[i] = renderer.finish_task(spec, lang, file, effects)
        done += 1
        if progress is not None:
            progress(done)

    run_indexed(render, len(todo), jobs, put)
    return results
