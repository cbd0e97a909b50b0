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
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from site_builder.kinds import PageSpec
    from site_builder.render import OutputFile, Renderer

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


def _claim(counter: Any, total: int) -> int | None:
    """The next chunk nobody has taken yet (the counter is shared by every process)."""
    with counter.get_lock():
        k = counter.value
        if k >= total:
            return None
        counter.value = k + 1
        return int(k)


def _worker(
    conn: Connection, readers: list[Connection], counter: Any, bounds: list[tuple[int, int]]
) -> None:
    """A forked worker: chunks until none is left, each sent back as (chunk, results).
    ``readers``: the build process's ends of the workers' pipes, this one's included, which
    the fork copied; closed first, so that when the build process dies (killed) no pipe has a
    reader left, and a send fails instead of waiting forever for a reader that is gone."""
    for reader in readers:
        reader.close()
    try:
        while (k := _claim(counter, len(bounds))) is not None:
            conn.send((k, _run_chunk(bounds[k])))
    except BaseException as exc:  # sent to the build process, which raises it
        try:
            conn.send(("error", exc))
        except Exception:  # not picklable: its text
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def run_indexed(
    fn: Callable[[int], R],
    count: int,
    jobs: int,
    on_result: Callable[[int, R], None],
    chunk: int = CHUNK,
) -> None:
    """Call ``fn(i)`` for ``i`` in ``range(count)`` over ``jobs`` processes, passing each
    result to ``on_result`` in the parent, in index order.
    Exceptions in a worker are raised in the parent.

    The build process is one of the ``jobs``: it forks ``jobs - 1`` workers and takes chunks
    from the same shared counter itself, between putting results in order. Its own results
    need no pickling, and one process fewer holds a copy of the model."""
    global _FN
    if jobs <= 1 or count < MIN_TASKS or not _can_fork():
        for i in range(count):
            on_result(i, fn(i))
        return
    bounds = [(a, min(a + chunk, count)) for a in range(0, count, chunk)]
    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("q", 0)
    done: dict[int, list[tuple[int, Any]]] = {}
    errors: list[BaseException] = []
    arrived = threading.Condition()
    workers: list[tuple[Any, Connection]] = []
    threads: list[threading.Thread] = []
    next_chunk = 0  # the first chunk whose results are not yet passed on
    _FN = fn
    # Objects that exist now are never collected in the workers: without this, the first
    # collection there touches every object's header and copies the whole heap page by page.
    gc.freeze()
    try:
        for _ in range(min(jobs, len(bounds)) - 1):
            reader, writer = ctx.Pipe(duplex=False)
            readers = [r for _p, r in workers] + [reader]
            proc = ctx.Process(target=_worker, args=(writer, readers, counter, bounds), daemon=True)
            proc.start()
            writer.close()
            workers.append((proc, reader))

        def receive(conn: Connection) -> None:
            # a thread per worker takes its results as they come, so no worker waits on a pipe
            while True:
                try:
                    k, results = conn.recv()
                except EOFError:
                    return
                with arrived:
                    if k == "error":
                        errors.append(results)
                    else:
                        done[k] = results
                    arrived.notify()

        threads += [threading.Thread(target=receive, args=(r,), daemon=True) for _, r in workers]
        for t in threads:
            t.start()

        def put_ready() -> None:
            nonlocal next_chunk
            while True:
                with arrived:
                    if errors:
                        raise errors[0]
                    results = done.pop(next_chunk, None)
                if results is None:
                    return
                for i, value in results:
                    on_result(i, value)
                next_chunk += 1

        while (k := _claim(counter, len(bounds))) is not None:
            results = _run_chunk(bounds[k])
            with arrived:
                done[k] = results
            put_ready()
        while next_chunk < len(bounds):
            with arrived:
                if next_chunk not in done and not errors:
                    if not any(t.is_alive() for t in threads):
                        raise RuntimeError("a build worker ended without its results")
                    arrived.wait(0.5)
            put_ready()
    finally:
        _FN = None
        for proc, _reader in workers:
            if proc.is_alive() and (errors or next_chunk < len(bounds)):
                proc.terminate()
            proc.join()
        for t in threads:
            t.join()  # each ends at its worker's end of the pipe
        for _proc, reader in workers:
            reader.close()
        gc.unfreeze()


def pmap(fn: Callable[[T], R], items: Sequence[T], jobs: int, chunk: int = CHUNK) -> list[R]:
    """``[fn(x) for x in items]`` over ``jobs`` forked workers, in order. ``fn`` and the items
    are inherited by the workers, so neither needs to pickle; the results must."""
    out: list[Any] = [None] * len(items)

    def put(i: int, value: R) -> None:
        out[i] = value

    run_indexed(lambda i: fn(items[i]), len(items), jobs, put, chunk)
    return out


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
    sink: Callable[[OutputFile], OutputFile] | None = None,
) -> list[OutputFile]:
    """Every (page, language) of ``tasks`` rendered, in task order. With workers, each file
    also goes through ``inspection`` (nothing happens without workers: the caller does that
    work itself, in one process, as it would have here). ``sink``: what the build keeps of
    each finished file, in the build process (e.g. it is written out and only its digest
    kept)."""
    if jobs > 1 and not renderer.parallel_safe():
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
        if sink is not None:
            results[i] = sink(results[i])
        done += 1
        if progress is not None:
            progress(done)

    run_indexed(render, len(todo), jobs, put)
    return results
