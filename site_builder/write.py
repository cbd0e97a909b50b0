"""Stage 7, write: put the rendered files on disk, only after every check has passed.

The rendered pages go to a temporary sibling folder while the build runs (``Staging``); nothing
in the output changes before the build has passed its checks. Then one of two ways:

- **A few files change** (an edit: changed and removed files at most half of the output), they
  are committed in place: each new file is renamed over the old one (a reader sees the old bytes
  or the new ones), each removed one moved aside. A failure in the middle puts back what was
  already done, from hard links to the old files kept in the temporary folder. A build killed in
  the middle leaves a mix of old and new files; the caller marks its state before the first
  change (``before``) so that the next build repairs it.
- **Most files change, or there is no output yet**: the new tree is assembled in the temporary
  sibling (unchanged files are hard-linked from the current output, so they keep their inode and
  mtime) and swapped in with two renames, all or nothing. A build killed before the swap leaves
  the previous output exactly as it was; the next build removes leftovers.

Nothing outside the output folder and its temporary siblings is touched.

The tool never deletes a file it did not write: every output tree holds a marker file
(``MARKER``), and a non-empty folder without it (a user's notes, a home folder) is refused unless
the user says so (``build --overwrite``). Temporary siblings are recognised by their exact name
(the output's name, a dash and ``mkdtemp``'s eight characters), never by a shared prefix: the
leftovers of an output ``site-2`` are not those of ``site``, and sibling builds run at once.

Long: the two ways of committing a build (in place and by swap) and the output folder's safety
rules (marker, temporary siblings, refusals) are one contract about what a build may touch.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from site_builder.errors import UsageError
from site_builder.messages import _

TMP_PREFIX = ".site-builder-tmp-"
OLD_PREFIX = ".site-builder-old-"
# In every output tree: says the folder is the tool's to replace. Not one of the site's files
# (no page links to it), and left out of every count.
MARKER = ".site-builder-output"
MARKER_TEXT = (
    b"This folder is built by site-builder: each build replaces everything in it.\n"
    b"Do not keep your own files here.\n"
)
# mkdtemp's random part: eight of these characters
_RANDOM = "[a-z0-9_]{8}"


def sibling_re(out_name: str) -> re.Pattern[str]:
    """The exact names of the temporary siblings of an output folder called ``out_name``."""
    prefixes = "|".join(re.escape(p) for p in (TMP_PREFIX, OLD_PREFIX))
    return re.compile(rf"(?:{prefixes}){re.escape(out_name)}-{_RANDOM}")


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: int  # files whose bytes are new or changed
    unchanged: int
    removed: int  # files of the previous output that are gone
    changed: tuple[str, ...] = ()  # the paths written
    deleted: tuple[str, ...] = ()  # the paths removed


def write_atomic(target: Path, data: bytes, prefix: str = TMP_PREFIX) -> None:
    """Replace ``target`` with ``data`` by a temp file and a rename: readers see the old bytes
    or the new ones, never a mix."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def check_output_dir(
    source: Path, out: Path, overwrite: bool = False, built_before: bool = False
) -> None:
    """Refuse an output folder that is, contains, or sits inside the sources it would replace;
    one that is a mount point (the swap renames the folder, which a mount point cannot be); and
    a non-empty one that is not the tool's own (no ``MARKER``, and no build state of an older
    version, ``built_before``) unless ``overwrite`` says to replace it."""
    src, dst = source.resolve(), out.resolve()
    if dst == src:
        raise UsageError(
            _("--out {out} is the source folder; choose a separate folder like output/").format(
                out=out
            )
        )
    if src.is_relative_to(dst):
        raise UsageError(
            _("--out {out} contains the source folder {source}").format(out=out, source=source)
        )
    if (
        dst.is_relative_to(src / "content")
        or dst.is_relative_to(src / "templates")
        or (dst.is_relative_to(src / "assets"))
    ):
        raise UsageError(_("--out {out} is inside the site's sources").format(out=out))
    if not dst.exists():
        return
    if not dst.is_dir():
        raise UsageError(_("--out {out} exists and is not a folder").format(out=out))
    for marker in ("site.yaml", "content", "pyproject.toml", ".git"):
        if (dst / marker).exists():
            raise UsageError(
                _(
                    "--out {out} holds '{marker}': it looks like a source folder, not a build output; refusing to replace it"
                ).format(out=out, marker=marker)
            )
    if os.path.ismount(dst):
        raise UsageError(
            _(
                "--out {out} is a mount point: a build swaps in a new output folder by renaming it, which a mount point does not allow (build into a folder inside it, e.g. --out {value})"
            ).format(out=out, value=out / "site")
        )
    if overwrite or built_before or (dst / MARKER).is_file():
        return
    entries = sorted(p.name for p in dst.iterdir())
    if entries:
        raise UsageError(
            _(
                "--out {out} is not empty and was not made by site-builder (it holds {count} item(s), e.g. '{entries}'): a build replaces everything in it, so it is left alone (choose an empty or new folder, or pass --overwrite to delete its contents and build there)"
            ).format(out=out, count=len(entries), entries=entries[0])
        )


def _digest_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _existing(out: Path) -> dict[str, Path]:
    if not out.is_dir():
        return {}
    found: dict[str, Path] = {}
    for dirpath, _dirs, files in os.walk(out):
        for name in files:
            p = Path(dirpath) / name
            found[p.relative_to(out).as_posix()] = p
    found.pop(MARKER, None)  # the tool's own, not one of the site's files
    return found


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _cleanup_leftovers(out: Path) -> None:
    parent = out.parent
    if not parent.is_dir():
        return
    mine = sibling_re(out.name)
    for p in parent.iterdir():
        if mine.fullmatch(p.name):
            shutil.rmtree(p, ignore_errors=True)


def _write_new(target: str, data: bytes) -> None:
    """One file of a new tree (os calls: cheaper than ``Path.write_bytes`` 60,000 times)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _prepare(out: Path) -> None:
    """Before a new tree is made beside ``out``: recover from a build killed between the two
    renames (the old tree is still complete), and remove what killed builds left."""
    mine = sibling_re(out.name)
    olds = sorted(
        p
        for p in (out.parent.glob(OLD_PREFIX + "*") if out.parent.is_dir() else ())
        if mine.fullmatch(p.name)
    )
    if not out.exists() and olds:
        olds[-1].rename(out)
    _cleanup_leftovers(out)


class Staging:
    """The new output tree, written file by file while the build still runs (so the build
    does not hold every page in memory), in a temporary sibling of ``out``. ``write_output``
    completes it and swaps it in; a build that fails calls ``discard``, and a build that is
    killed leaves it for the next build to remove."""

    def __init__(self, out: Path) -> None:
        self.out = out.absolute()
        _prepare(self.out)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(
            tempfile.mkdtemp(prefix=TMP_PREFIX + self.out.name + "-", dir=self.out.parent)
        )
        self._root = str(self.root)
        self._made: set[str] = {""}
        self.paths: set[str] = set()

    def put(self, path: str, data: bytes) -> None:
        folder = posixpath.dirname(path)
        if folder not in self._made:
            os.makedirs(os.path.join(self._root, folder), exist_ok=True)
            self._made.add(folder)
        _write_new(os.path.join(self._root, path), data)
        self.paths.add(path)

    def read(self, path: str) -> bytes:
        with open(os.path.join(self._root, path), "rb") as fh:
            return fh.read()

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


Before = Callable[[Sequence[str]], None]
"""Told the paths a build is about to change in the output (written or removed), before the
first of them changes: the caller marks its state as not describing the output any more."""


def write_output(
    out: Path,
    files: Iterable[tuple[str, bytes]],
    keep: Collection[str] = (),
    staging: Staging | None = None,
    before: Before | None = None,
) -> WriteResult:
    """Make ``out`` hold exactly ``files`` (path -> bytes), the files ``keep`` of the current
    output as they are (an incremental build did not render them) and the files already put in
    ``staging`` (a staged file also in ``keep`` has the bytes of the current one, which is kept
    in its place, inode and mtime included); write nothing when nothing changed. ``before`` is
    told what is about to change before an in-place commit (the module docstring says when the
    files are committed in place and when the tree is swapped)."""
    out = out.absolute()
    if staging is None:
        _prepare(out)
    existing = _existing(out)
    wanted = dict(files)
    staged = staging.paths if staging is not None else set()
    missing = [p for p in keep if p not in existing or p in wanted]
    if missing:
        raise ValueError(f"cannot keep {missing[0]!r}: not in {out} or also given new bytes")
    changed = {
        path: data
        for path, data in wanted.items()
        if path not in existing
        or existing[path].stat().st_size != len(data)
        or existing[path].read_bytes() != data
    }
    kept = set(keep)
    if staging is not None:
        # a staged file with the bytes of the current one keeps the current one (a build with
        # no state to say so compares the files)
        kept |= {
            p for p in staged - kept if p in existing and _same_bytes(existing[p], staging.root / p)
        }
    staged_new = staged - kept
    removed = [p for p in existing if p not in wanted and p not in kept and p not in staged]
    total = len(wanted.keys() | kept | staged)
    marked = (out / MARKER).is_file()
    if not changed and not staged_new and not removed and out.is_dir() and marked:
        if staging is not None:
            staging.discard()
        return WriteResult(0, total, 0)
    paths, gone = tuple(sorted(changed.keys() | staged_new)), tuple(sorted(removed))

    out.parent.mkdir(parents=True, exist_ok=True)
    if staging is not None:
        tmp = staging.root
    else:
        tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX + out.name + "-", dir=out.parent))
    if marked and out.is_dir() and 2 * (len(paths) + len(gone)) <= total:
        try:
            root = str(tmp)
            made: set[str] = {""}
            for path, data in changed.items():  # every new byte on disk before any change
                _put(root, path, data, made)
            if before is not None:
                before(paths + gone)
            _commit_in_place(out, tmp, paths, gone)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return WriteResult(len(paths), total - len(paths), len(removed), paths, gone)
    # all or nothing: a build killed before the renames leaves the old tree, one killed after
    # them a new tree of new files, whose stamps no state recorded (``before`` is not needed)
    _swap(out, tmp, wanted, kept, changed, staged, existing)
    return WriteResult(len(paths), total - len(paths), len(removed), paths, gone)


def _put(root: str, path: str, data: bytes, made: set[str]) -> None:
    """``data`` at ``path`` under ``root``, its folders made as needed (``made``: so far)."""
    folder = posixpath.dirname(path)
    if folder not in made:
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        made.add(folder)
    _write_new(os.path.join(root, path), data)


def _swap(
    out: Path,
    tmp: Path,
    wanted: Mapping[str, bytes],
    kept: set[str],
    changed: Mapping[str, bytes],
    staged: set[str],
    existing: Mapping[str, Path],
) -> None:
    """Complete the new tree in ``tmp`` (hard links to the files of ``out`` it keeps) and swap
    it in with two renames."""
    old = out.parent / (OLD_PREFIX + out.name + "-" + tmp.name[-8:])
    try:
        made: set[str] = {""}  # folders of the new tree made so far (os calls: 60,000 files)
        root = str(tmp)
        for path in sorted(wanted.keys() | kept):
            folder = posixpath.dirname(path)
            if folder not in made:
                os.makedirs(os.path.join(root, folder), exist_ok=True)
                made.add(folder)
            target = os.path.join(root, path)
            if path not in changed:
                if path in staged:
                    os.unlink(target)  # the same bytes as the current file: keep that one
                try:
                    os.link(existing[path], target)
                    continue
                except OSError:
                    pass  # another file system, or no hard links: copy the bytes
            _write_new(target, wanted[path] if path in wanted else existing[path].read_bytes())
        _write_new(os.path.join(root, MARKER), MARKER_TEXT)
        # readable by a web server regardless of the umask-restricted mkdtemp mode
        os.chmod(tmp, 0o755)
        if out.exists():
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        # a failed second rename must not leave the site without its output
        if not out.exists() and old.is_dir():
            old.rename(out)
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# Inside the temporary folder, where an in-place commit keeps the files it replaces or removes
# (no output path starts with it)
_ASIDE = TMP_PREFIX + "old"


def _commit_in_place(out: Path, tmp: Path, paths: Sequence[str], gone: Sequence[str]) -> None:
    """Move each of ``gone`` aside and rename each of ``paths`` from ``tmp`` over its file in
    ``out``, keeping the old files (hard links) until all is done: a failure puts them back, so
    the output is as it was. Removals go first, so a file may take the place of a folder it
    leaves empty, and the other way round."""
    root, dest, aside = str(tmp), str(out), os.path.join(str(tmp), _ASIDE)
    made: set[str] = set()  # folders of the output made by this commit, for an undo
    kept: set[str] = set()  # folders of ``aside`` made so far
    undo: list[tuple[str, bool]] = []  # (path, an old file was set aside)
    try:
        for path in gone:
            if _set_aside(os.path.join(dest, path), aside, path, kept, move=True):
                undo.append((path, True))
                _prune(out, out / path)
        for path in paths:
            target = os.path.join(dest, path)
            folder = posixpath.dirname(path)
            if folder and not os.path.isdir(os.path.join(dest, folder)):
                _makedirs(dest, folder, made)
            had = _set_aside(target, aside, path, kept, move=False)
            os.replace(os.path.join(root, path), target)
            undo.append((path, had))
    except BaseException:
        for path, had in reversed(undo):
            target = os.path.join(dest, path)
            with contextlib.suppress(OSError):
                if had:
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    os.replace(os.path.join(aside, path), target)
                else:
                    os.unlink(target)
        for folder in sorted(made, reverse=True):
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(dest, folder))
        raise


def _makedirs(dest: str, folder: str, made: set[str]) -> None:
    """Make ``folder`` of the output and the parents it lacks, noting each one made."""
    missing: list[str] = []
    while folder and not os.path.isdir(os.path.join(dest, folder)):
        missing.append(folder)
        folder = posixpath.dirname(folder)
    for f in reversed(missing):
        os.mkdir(os.path.join(dest, f))
        made.add(f)


def _set_aside(target: str, aside: str, path: str, made: set[str], move: bool) -> bool:
    """Keep the current file at ``target`` under ``aside``: moved there, or (``move`` False) a
    hard link to it, or a copy where links are not possible. False when there is none."""
    folder = posixpath.dirname(path)
    if folder not in made:
        os.makedirs(os.path.join(aside, folder), exist_ok=True)
        made.add(folder)
    keep = os.path.join(aside, path)
    try:
        if move:
            os.rename(target, keep)
            return True
        try:
            os.link(target, keep)
        except FileNotFoundError:
            raise
        except OSError:  # another file system, or no hard links
            shutil.copy2(target, keep)
    except FileNotFoundError:
        return False
    return True


def _prune(out: Path, target: Path) -> None:
    """Drop the folders ``target`` leaves empty, up to (not including) the output folder."""
    parent = target.parent
    while parent != out and parent.is_relative_to(out):
        try:
            parent.rmdir()
        except OSError:
            break
        parent = parent.parent


def write_in_place(out: Path, changed: Mapping[str, bytes], removed: Iterable[str]) -> WriteResult:
    """Replace the ``changed`` files of ``out`` one by one (each atomically: a reader sees the old
    or the new bytes, never a mix) and delete ``removed``. For ``serve``'s private output folder,
    where the pages are shown before the site-wide checks run; a build for publishing uses
    ``write_output``, which changes nothing before every check has passed."""
    out = out.absolute()
    if not (out / MARKER).is_file():
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / MARKER, MARKER_TEXT)
    for path, data in sorted(changed.items()):
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data)
    gone: list[str] = []
    for path in sorted(removed):
        target = out / path
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
            gone.append(path)
        _prune(out, target)
    return WriteResult(len(changed), 0, len(gone), tuple(sorted(changed)), tuple(gone))
