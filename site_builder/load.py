"""Stage 1, load: read the site project from disk. The only stage (with ``write``) that does I/O.

Every source becomes a ``SourceFile`` holding its decoded text. Files that are not UTF-8 are
reported with the encoding they look like and how to convert them.

Long: reading every kind of source, with the file cache, the source stamps and the
encoding diagnostics those reads share.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from site_builder.errors import Diagnostic, Severity
from site_builder.messages import _

MAX_SOURCE_BYTES = 20 * 1024 * 1024
# Fonts and images are larger than any text source; still read whole, so still bounded.
MAX_ASSET_BYTES = 200 * 1024 * 1024


class NotRegular(OSError):
    """A source that is a FIFO, a device or a socket (or a link to one): reading it would block
    forever (a FIFO) or never end (/dev/zero)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"not a regular file ({kind})")
        self.kind = kind


class TooLarge(OSError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"file is too large ({size} bytes; the limit is {limit})")
        self.size, self.limit = size, limit


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file"


def _mode(path: Path) -> int | None:
    try:
        return os.stat(path).st_mode
    except OSError:
        return None


def read_regular(path: Path, limit: int = MAX_SOURCE_BYTES) -> tuple[bytes, os.stat_result]:
    """The bytes of ``path`` and its stat, if it is a regular file of at most ``limit`` bytes.
    Opened without blocking (a FIFO would block ``open`` itself) and checked on the open file,
    so a file swapped for a FIFO or a device between a check and the read is still refused;
    read with a bound, so a file that grows while it is read is refused too."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        mode = _mode(path)  # a socket cannot be opened at all (ENXIO): say what it is
        if mode is not None and not stat.S_ISREG(mode):
            raise NotRegular(_kind(mode)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(_kind(st.st_mode))
        if st.st_size > limit:
            raise TooLarge(st.st_size, limit)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as f:
            # sized by the file, not the bound: read(limit + 1) reserves the whole bound
            data = f.read(st.st_size + 1)
            if len(data) > st.st_size:  # it grew since fstat: the rest, still bounded
                data += f.read(limit + 1 - len(data))
        if len(data) > limit:
            raise TooLarge(len(data), limit)
        return data, st
    finally:
        os.close(fd)


def read_problem(rel: str, exc: OSError) -> Diagnostic:
    """A source that cannot be read, as a diagnostic at the file."""
    if isinstance(exc, NotRegular):
        return Diagnostic(
            rel,
            1,
            1,
            _("not a regular file: it is {kind}").format(kind=exc.kind),
            _("only regular files are read: replace it with the file itself"),
            code="load",
        )
    if isinstance(exc, TooLarge):
        hint = (
            _("split the report") if exc.limit == MAX_SOURCE_BYTES else _("make the file smaller")
        )
        return Diagnostic(rel, 1, 1, str(exc), hint, code="load")
    return Diagnostic(
        rel, 1, 1, _("cannot read file: {reason}").format(reason=exc.strerror or exc), code="load"
    )


@dataclass(frozen=True, slots=True)
class SourceFile:
    rel: str  # path relative to the project root, POSIX separators: used in every message
    text: str  # decoded, BOM stripped, newlines normalised to \n
    digest: str  # sha256 of the raw bytes: the incremental cache key


@dataclass(frozen=True, slots=True)
class TemplateSource:
    name: str  # template name as Jinja sees it
    text: str
    digest: str
    overridden: bool  # the site's own templates/ replaces the packaged one


@dataclass(frozen=True, slots=True)
class AssetSource:
    rel: str  # path under assets/ (POSIX)
    data: bytes
    digest: str


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    config: SourceFile | None
    orgs: tuple[SourceFile, ...]
    metrics: SourceFile | None
    tags: SourceFile | None
    reports: tuple[SourceFile, ...]
    pages: tuple[SourceFile, ...]
    data: tuple[SourceFile, ...]
    templates: tuple[TemplateSource, ...]
    assets: tuple[AssetSource, ...]
    types: SourceFile | None = None  # content/types.yaml, the document-type registry

    def sources(self) -> list[SourceFile]:
        """Every content file and site.yaml, as read."""
        one = [f for f in (self.config, self.metrics, self.tags, self.types) if f is not None]
        return [*one, *self.orgs, *self.reports, *self.pages, *self.data]


def _guess_encoding(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    if len(raw) > 3 and raw[1::2].count(0) > len(raw) // 4:
        return "UTF-16-LE"
    fits = []
    for enc in ("gb18030", "big5"):
        try:
            raw.decode(enc)
        except UnicodeDecodeError:
            continue
        fits.append(enc)
    if "big5" in fits and (len(fits) == 1 or _looks_big5(raw)):
        return "Big5"
    return "GBK/GB18030" if fits else "an unknown encoding"


def _looks_big5(raw: bytes) -> bool:
    """Both decoders accept most Chinese bytes. Read as GBK, Big5's common characters land in
    GBK's rows of kana, Greek, Cyrillic, box drawing and private use, which Chinese text in
    GBK hardly uses."""
    text = raw.decode("gb18030", errors="replace")
    wide = [c for c in text if ord(c) > 0x7F]
    odd = sum(1 for c in wide if _ODD_IN_GBK.match(c))
    return bool(wide) and odd / len(wide) > 0.1


_ODD_IN_GBK = re.compile("[\u0370-\u04ff\u2500-\u257f\u3040-\u30ff\u3100-\u312f\ue000-\uf8ff]")


def _utf16_without_bom(raw: bytes) -> str | None:
    """ "UTF-16BE" or "UTF-16LE" for text saved so without a byte-order mark: the ASCII of
    front matter ('---', keys) puts a NUL in every other byte (valid UTF-8 NULs, or no UTF-8
    at all, neither of which said what the file was)."""
    head = raw[:400]
    if len(head) < 8 or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    for name, zeros, other in (("UTF-16BE", even, odd), ("UTF-16LE", odd, even)):
        if zeros >= half * 0.3 and other <= half * 0.05:
            try:
                raw[: len(raw) // 2 * 2].decode(name.lower())
            except UnicodeDecodeError:
                continue
            return name
    return None


def decode(rel: str, raw: bytes) -> tuple[str | None, Diagnostic | None]:
    """Decode UTF-8 (with or without BOM); anything else is a diagnostic naming the fix."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    bare16 = _utf16_without_bom(raw)
    if bare16 is not None:
        return None, Diagnostic(
            rel,
            1,
            1,
            _("file is not UTF-8 (it looks like {encoding} without a byte-order mark)").format(
                encoding=bare16
            ),
            _(
                "convert it: iconv -f {encoding} -t UTF-8 '{rel}' > tmp && mv tmp '{rel}', or save it as UTF-8 in your editor"
            ).format(encoding=bare16, rel=rel),
            Severity.ERROR,
            "encoding",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        enc = _guess_encoding(raw)
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        src = {"GBK/GB18030": "GB18030", "Big5": "BIG5", "UTF-16": "UTF-16"}.get(enc)
        src = src or {"UTF-16-LE": "UTF-16LE"}.get(enc, "<ENCODING>")
        return None, Diagnostic(
            rel,
            line,
            col,
            _("file is not UTF-8 (it looks like {enc})").format(enc=enc),
            _(
                "convert it: iconv -f {src} -t UTF-8 '{rel}' > tmp && mv tmp '{rel}', or save it as UTF-8 in your editor"
            ).format(src=src, rel=rel),
            Severity.ERROR,
            "encoding",
        )
    if "\0" in text:
        return None, Diagnostic(
            rel, 1, 1, _("file contains NUL bytes"), _("is this a binary file?"), code="encoding"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


class FileCache:
    """What a process that loads the same project again and again (``serve``) read before: a
    file whose size, mtime and inode are unchanged is not read again.

    An entry is trusted only if the file's mtime was well before the moment it was read: a
    write in the same clock tick as an earlier one (same size) would leave the mtime as it was
    (git's "racily clean" rule)."""

    RACY_NS = 2_000_000_000

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple[int, int, int], int, object]] = {}

    def get(self, path: Path, st: os.stat_result) -> object | None:
        found = self._entries.get(path)
        if found is None:
            return None
        key, read_at, value = found
        if (
            key != (st.st_size, st.st_mtime_ns, st.st_ino)
            or st.st_mtime_ns > read_at - self.RACY_NS
        ):
            return None
        return value

    def put(self, path: Path, st: os.stat_result, read_at: int, value: object) -> None:
        self._entries[path] = ((st.st_size, st.st_mtime_ns, st.st_ino), read_at, value)


def _read(
    root: Path, path: Path, diags: list[Diagnostic], cache: FileCache | None = None
) -> SourceFile | None:
    rel = _rel(root, path)
    try:
        if cache is not None:
            st = path.stat()
            found = cache.get(path, st)
            if isinstance(found, SourceFile) and found.rel == rel:
                return found
        read_at = time.time_ns()
        raw, st = read_regular(path)
    except OSError as exc:
        diags.append(read_problem(rel, exc))
        return None
    text, problem = decode(rel, raw)
    if problem is not None:
        diags.append(problem)
        return None
    assert text is not None
    source = SourceFile(rel, text, hashlib.sha256(raw).hexdigest())
    if cache is not None:
        cache.put(path, st, read_at, source)
    return source


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def _walk(root: Path, top: Path, diags: list[Diagnostic]) -> list[Path]:
    """Files under ``top``, sorted, following no symlinked directories (loops are reported)."""
    found: list[Path] = []
    if not top.is_dir():
        return found
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        d = Path(dirpath)
        st = d.stat()
        if (st.st_dev, st.st_ino) in seen:  # pragma: no cover - os.walk does not revisit
            continue
        seen.add((st.st_dev, st.st_ino))
        for name in list(dirnames):
            if (d / name).is_symlink():
                dirnames.remove(name)
                diags.append(
                    Diagnostic(
                        _rel(root, d / name),
                        1,
                        1,
                        _("symbolic link to a folder is not followed"),
                        _("copy the files into content/ instead of linking them"),
                        Severity.WARNING,
                        "load",
                    )
                )
        dirnames[:] = sorted(n for n in dirnames if not n.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith("~"):
                continue
            p = d / name
            if p.is_symlink() and not p.exists():
                diags.append(_broken_link(root, p))
                continue
            found.append(p)
    return sorted(found)


def _broken_link(root: Path, p: Path) -> Diagnostic:
    try:
        p.stat()
        message, hint = "symbolic link cannot be read", ""
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            message, hint = "symbolic link loop", "make it point at a real file"
        else:
            message = _("broken symbolic link: its target does not exist")
            hint = _("restore the file it points at, or remove the link")
    return Diagnostic(_rel(root, p), 1, 1, message, hint, code="load")


def _theme_root() -> Path:
    """The folder holding the packaged theme, ``templates/`` and ``assets/`` (the defaults a site
    overrides file by file): ``site_builder/theme/`` in an installed wheel, where the build puts
    them, else the source checkout's top level, where they are kept (an editable install)."""
    installed = Path(__file__).parent / "theme"
    return installed if installed.is_dir() else Path(__file__).parent.parent


PACKAGE_DEFAULTS = _theme_root()


def _asset(rel: str, path: Path, cache: FileCache | None) -> AssetSource:
    st = path.stat()
    found = cache.get(path, st) if cache is not None else None
    if isinstance(found, AssetSource) and found.rel == rel:
        return found
    read_at = time.time_ns()
    data, st = read_regular(path, MAX_ASSET_BYTES)
    asset = AssetSource(rel, data, hashlib.sha256(data).hexdigest())
    if cache is not None:
        cache.put(path, st, read_at, asset)
    return asset


Stamp = tuple[int, int, int]
"""A file's or folder's size, mtime (ns) and inode."""

UNSTAMPED: Stamp = (-1, -1, -1)
"""A file listed but gone before it was stamped: equal to nothing (``state.up_to_date``)."""


_STAMP_PREFIXES: dict[str, Callable[[], Path]] = {
    "package-templates:": lambda: PACKAGE_DEFAULTS / "templates",
    "package-assets:": lambda: PACKAGE_DEFAULTS / "assets",
    "package-vendor:": lambda: Path(__file__).parent / "vendor",
}


def stamped_path(root: Path, key: str) -> Path:
    """The file a ``stamp_sources`` key names."""
    for prefix, top in _STAMP_PREFIXES.items():
        if key.startswith(prefix):
            return top() / key[len(prefix) :]
    return root / key


def digest_sources(root: Path, keys: Iterable[str], known: Mapping[str, str]) -> dict[str, str]:
    """sha256 of the files ``keys`` name (``stamp_sources`` keys): from ``known`` (key ->
    digest of the bytes a build read) where it has them, else read now. A file that cannot be
    read is left out."""
    out: dict[str, str] = {}
    for key in keys:
        if key in known:
            out[key] = known[key]
            continue
        try:
            data, _st = read_regular(stamped_path(root, key), MAX_ASSET_BYTES)
            out[key] = hashlib.sha256(data).hexdigest()
        except OSError:
            continue
    return out


def stamp_sources(root: Path) -> dict[str, Stamp]:
    """The stamp of every file and folder ``load_project`` looks at, by path (project-relative;
    the packaged templates, assets and vendored scripts under a ``package-…:`` prefix), without
    reading a file.

    Two equal sets of stamps taken well after the files' mtimes (``FileCache.RACY_NS``) mean
    the same sources; a file edited just before the stamps were taken needs its content
    compared too (``state.up_to_date``). Folders (keys ending in "/") and links to folders
    (ending in "@") are stamped too. Hidden and backup files are skipped, as ``load_project``
    skips them."""
    out: dict[str, Stamp] = {}

    def stamp(key: str, path: str, follow: bool = True) -> None:
        try:
            st = os.stat(path, follow_symlinks=follow)
        except OSError:
            try:
                st = os.stat(path, follow_symlinks=False)  # a broken link: reported by load
            except OSError:  # gone since it was listed
                out[key] = UNSTAMPED
                return
        out[key] = (st.st_size, st.st_mtime_ns, st.st_ino)

    vendor = Path(__file__).parent / "vendor"
    tops = [
        ("", root / "content"),
        ("", root / "templates"),
        ("", root / "assets"),
        ("package-templates:", PACKAGE_DEFAULTS / "templates"),
        ("package-assets:", PACKAGE_DEFAULTS / "assets"),
        ("package-vendor:", vendor),
    ]
    if (root / "site.yaml").exists() or (root / "site.yaml").is_symlink():
        stamp("site.yaml", str(root / "site.yaml"))
    for prefix, top in tops:
        if not top.is_dir():
            continue
        base = root if not prefix else top
        for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
            rel_dir = os.path.relpath(dirpath, base).replace(os.sep, "/")
            stamp(prefix + rel_dir + "/", dirpath)
            dirnames[:] = [n for n in dirnames if not n.startswith(".")]
            for name in dirnames:  # a linked folder is not followed (load warns): its link
                if os.path.islink(os.path.join(dirpath, name)):
                    key = prefix + (name if rel_dir == "." else f"{rel_dir}/{name}")
                    stamp(key + "@", os.path.join(dirpath, name), follow=False)
            for name in filenames:
                if name.startswith(".") or name.endswith("~"):
                    continue
                key = prefix + (name if rel_dir == "." else f"{rel_dir}/{name}")
                stamp(key, os.path.join(dirpath, name))
    return out


def load_project(root: Path, cache: FileCache | None = None) -> tuple[Project, list[Diagnostic]]:
    """Read every source of the project under ``root`` (unchanged files from ``cache``)."""
    diags: list[Diagnostic] = []
    content = root / "content"

    def one(path: Path) -> SourceFile | None:
        return _read(root, path, diags, cache) if os.path.lexists(path) else None

    def many(top: Path, suffixes: tuple[str, ...]) -> tuple[SourceFile, ...]:
        out = []
        for p in _walk(root, top, diags):
            if p.name.endswith(suffixes):
                f = _read(root, p, diags, cache)
                if f is not None:
                    out.append(f)
            elif p.name.lower().endswith(suffixes):  # 2024-summary.MD: read by no one
                diags.append(
                    Diagnostic(
                        p.relative_to(root).as_posix(),
                        1,
                        1,
                        _(
                            "file with extension '{suffix}' is ignored: extensions are lowercase"
                        ).format(suffix=p.suffix),
                        _("rename it to {stem}{lower}").format(stem=p.stem, lower=p.suffix.lower()),
                        Severity.WARNING,
                        "load",
                    )
                )
            elif p.suffix.lower() in {".txt", ".doc", ".docx", ".markdown", ".yml"}:
                diags.append(
                    Diagnostic(
                        p.relative_to(root).as_posix(),
                        1,
                        1,
                        _("file with unexpected extension '{suffix}' is ignored").format(
                            suffix=p.suffix
                        ),
                        _("reports and pages are .md files; data and orgs are .yaml files"),
                        Severity.WARNING,
                        "load",
                    )
                )
        return tuple(out)

    templates: dict[str, TemplateSource] = {}
    for base in (PACKAGE_DEFAULTS / "templates", root / "templates"):
        for p in _walk(root, base, diags):
            name = p.relative_to(base).as_posix()
            src = _read(root, p, diags, cache)
            if src is not None:
                templates[name] = TemplateSource(
                    name, src.text, src.digest, base == root / "templates"
                )
    assets: dict[str, AssetSource] = {}
    vendor = Path(__file__).parent / "vendor"
    for base in (PACKAGE_DEFAULTS / "assets", vendor, root / "assets"):
        for p in _walk(root, base, diags):
            rel = p.relative_to(base).as_posix()
            if base == vendor and not rel.endswith(".js"):
                continue
            try:
                assets[rel] = _asset(rel, p, cache)
            except OSError as exc:
                diags.append(read_problem(_rel(root, p), exc))

    project = Project(
        root=root,
        config=one(root / "site.yaml"),
        orgs=many(content / "orgs", (".yaml",)),
        metrics=one(content / "metrics.yaml"),
        tags=one(content / "tags.yaml"),
        types=one(content / "types.yaml"),
        reports=many(content / "reports", (".md",)),
        pages=many(content / "pages", (".md",)),
        data=many(content / "data", (".yaml",)),
        templates=tuple(templates[k] for k in sorted(templates)),
        assets=tuple(assets[k] for k in sorted(assets)),
    )
    if project.config is None and not any(d.path == "site.yaml" for d in diags):
        diags.append(
            Diagnostic(
                "site.yaml",
                1,
                1,
                _("no site.yaml in {root}").format(root=root),
                _(
                    "run the command in a site project, pass --source DIR, or create one with 'site-builder init DIR'"
                ),
                code="load",
            )
        )
    return project, diags
