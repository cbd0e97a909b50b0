"""The tool speaks zh-Hans, zh-Hant and English: every message of the source is in both Chinese
catalogs, the language is chosen by --lang, SITE_BUILDER_LANG or the locale, and machine-read
fields stay English."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from site_builder.cli import main
from site_builder.messages import _, choose_language, locale_language, set_language
from tests.conftest import REPO, MakeSite

LOCALE = REPO / "site_builder" / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# a placeholder of str.format: {name}, {name!r}, {name:.2f}; {{ and }} are literal braces
_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")
# the locale variables a test of the language choice clears first
_LANG_VARS = ("SITE_BUILDER_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def source_messages() -> dict[str, tuple[str, ...]]:
    """Every marked message of the package: msgid -> (msgid, plural) as Babel extracts them."""
    found: dict[str, tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO / "site_builder"),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,  # type: ignore[arg-type]  # Babel's annotation is narrower
    ):
        parts = (message,) if isinstance(message, str) else tuple(message)
        found[parts[0]] = parts
    return found


def catalog(language: str) -> Catalog:
    with (LOCALE / language / "LC_MESSAGES" / "site_builder.po").open("rb") as f:
        return read_po(f)


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
def test_every_message_has_a_reviewed_translation(language: str) -> None:
    messages = source_messages()
    assert len(messages) > 100  # the extraction found the marked messages at all
    po = catalog(language)
    problems = []
    for msgid, parts in sorted(messages.items()):
        entry = po.get(msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(s.strip() for s in strings):
            problems.append(f"fuzzy or empty: {msgid!r}")
            continue
        wanted = set().union(*(placeholders(p) for p in parts))
        for s in strings:
            # a plural text may leave out the count its Chinese single form does not need
            ok = placeholders(s) <= wanted if len(parts) > 1 else placeholders(s) == wanted
            if not ok:
                problems.append(f"placeholders differ: {msgid!r} -> {s!r}")
    stale = sorted(
        str(m.id)
        for m in po
        if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in messages
    )
    assert problems == [], "\n".join(problems)
    assert stale == [], "entries the source no longer has (run scripts/messages.sh)"


def test_every_format_call_names_the_placeholders_of_its_message() -> None:
    """``_("… {name} …").format(name=…)``: the keywords are the message's placeholders, no more
    and no fewer (a translation can only use the names the code passes)."""
    import ast

    wrong = []
    for path in sorted((REPO / "site_builder").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
                and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == "_"
            ):
                continue
            (literal,) = node.func.value.args
            assert isinstance(literal, ast.Constant)
            names = {kw.arg for kw in node.keywords}
            if node.args or placeholders(literal.value) != names:
                wrong.append(f"{path.name}:{node.lineno}: {literal.value!r} given {sorted(names)}")
    assert wrong == []


def test_zh_hant_uses_traditional_forms_and_corner_quotes() -> None:
    """The zh-Hant catalog is not the zh-Hans one: no character of it is a Simplified form
    (OpenCC s2tw leaves each one as it is) and it quotes with 「」, not “”."""
    import opencc

    s2tw = opencc.OpenCC("s2tw")
    hans = catalog("zh_Hans")
    differ = 0
    for entry in catalog("zh_Hant"):
        if not entry.id:
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for s in strings:
            if "“" not in str(entry.id):  # a message about the quotes themselves names them
                assert "“" not in s and "”" not in s, s
            # (the characters the English text itself quotes, 中層干部, stay as quoted)
            assert [c for c in s if s2tw.convert(c) != c and c not in str(entry.id)] == [], s
        differ += hans.get(entry.id).string != entry.string  # type: ignore[union-attr]
    assert differ > 100


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh-Hans"),
        ({"LANG": "zh_SG.UTF-8"}, "zh-Hans"),
        ({"LANG": "zh_TW.UTF-8"}, "zh-Hant"),
        ({"LANG": "zh_HK.UTF-8"}, "zh-Hant"),
        ({"LANG": "zh_MO"}, "zh-Hant"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        # LC_ALL overrides LC_MESSAGES overrides LANG, as for every program
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "zh_CN.UTF-8"}, "zh-Hant"),
    ],
)
def test_the_locale_chooses_the_language(env: dict[str, str], expected: str) -> None:
    assert locale_language(env) == expected


def test_option_over_environment_over_locale() -> None:
    env = {"SITE_BUILDER_LANG": "zh-Hant", "LANG": "zh_CN.UTF-8"}
    assert choose_language(None, env) == "zh-Hant"
    assert choose_language("en", env) == "en"
    assert choose_language(None, {"LANG": "zh_CN.UTF-8"}) == "zh-Hans"
    # a value that names no language is passed over
    assert choose_language(None, {"SITE_BUILDER_LANG": "klingon", "LANG": "zh_HK"}) == "zh-Hant"


# --- the command line in each language ---------------------------------------------------------


@pytest.fixture
def broken(make_site: MakeSite) -> Path:
    return make_site({"content/orgs/city.yaml": "name: x\nlevel: village\n"})


def run(args: list[str | Path], **env: str | None) -> tuple[int, str, str]:
    """The CLI with the language variables cleared, then ``env`` set."""
    full: dict[str, str | None] = dict.fromkeys(_LANG_VARS)
    full.update(env)
    result = CliRunner().invoke(main, [str(a) for a in args], env=full, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _back_to_english() -> Iterator[None]:
    yield
    set_language("en")


def test_lang_option_gives_zh_hans(broken: Path) -> None:
    code, _out, err = run(["check", "--source", broken, "--lang", "zh-Hans"])
    assert code == 1
    first = err.splitlines()[0]
    assert first == (
        "content/orgs/city.yaml:2:8: 错误: 未知的级别“village”"
        "（应为以下之一：county, municipal, national, provincial, township）"
    )
    assert err.splitlines()[-1] == "检查未通过：1 个错误，0 个警告"


def test_environment_variable_gives_zh_hant(broken: Path) -> None:
    code, _out, err = run(["check", "--source", broken], SITE_BUILDER_LANG="zh-Hant")
    assert code == 1
    assert err.splitlines()[0].startswith("content/orgs/city.yaml:2:8: 錯誤: 未知的級別「village」")
    assert err.splitlines()[-1] == "檢查未通過：1 個錯誤，0 個警告"


def test_locale_gives_zh_hant(broken: Path) -> None:
    code, _out, err = run(["build", "--source", broken], LANG="zh_TW.UTF-8")
    assert code == 1
    assert err.splitlines()[-1] == "生成失敗：1 個錯誤，0 個警告；輸出未作改動"


def test_english_without_a_chinese_locale(broken: Path) -> None:
    code, _out, err = run(["check", "--source", broken], LANG="en_US.UTF-8")
    assert code == 1
    assert err.splitlines()[-1] == "check failed: 1 error(s), 0 warning(s)"


def test_json_keeps_english_codes_and_severity(broken: Path) -> None:
    code, _out, err = run(["check", "--source", broken, "--format", "json", "--lang", "zh-Hans"])
    assert code == 1
    first = json.loads(err.splitlines()[0])
    assert first["severity"] == "error"
    assert first["code"] == "content"
    assert first["message"] == "未知的级别“village”"
    assert first["hint"].startswith("应为以下之一")


def test_summary_of_a_good_build_in_chinese(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    code, _out, err = run(["build", "--source", site, "--out", tmp_path / "o", "--lang", "zh-Hant"])
    assert code == 0, err
    assert re.fullmatch(
        r"已生成 \d+ 個頁面（\d+ 個文件）到 .+，用時 [\d.]+ 秒：渲染 \d+ 個，寫入 \d+ 個，"
        r"未變 0 個，刪除 0 個",
        err.splitlines()[-1],
    ), err
    # built again in another language: the recorded messages are not replayed in the old one
    code, _out, err = run(["build", "--source", site, "--out", tmp_path / "o"], LANG="en_US.UTF-8")
    assert code == 0
    assert err.splitlines()[-1].startswith("built ")


def test_help_in_chinese() -> None:
    code, out, _err = run(["build", "--help"], LANG="zh_CN.UTF-8")
    assert code == 0
    assert out.startswith("用法: main build [OPTIONS]")  # the runner names it main
    assert "把网站生成到输出文件夹" in out
    assert "把警告当作错误处理。" in out  # an option's help
    assert "显示本帮助并退出。" in out  # Click's own
    code, out, _err = run(["--help", "--lang", "zh-Hant"])  # --lang after --help works too
    assert "選項:" in out and "命令:" in out and "檢查內容、引用和頁面" in out


def test_clicks_errors_in_chinese() -> None:
    code, _out, err = run(["build", "--no-such-option"], SITE_BUILDER_LANG="zh-Hans")
    assert code == 2
    assert "错误：没有选项 '--no-such-option'。" in err


def test_init_and_new_report_speak_the_language(tmp_path: Path) -> None:
    code, out, _err = run(["init", tmp_path / "s", "--lang", "zh-Hant"])
    assert code == 0
    assert out.splitlines()[0] == f"已創建 {tmp_path / 's' / 'site.yaml'}"
    assert out.splitlines()[-1].startswith(f"下一步：cd {tmp_path / 's'} && ")
    site_yaml = (tmp_path / "s" / "site.yaml").read_text(encoding="utf-8")
    assert site_yaml.startswith("# 網站設置。")
    assert "default_language: zh-Hant" in site_yaml
    code, out, _err = run(
        [
            "new",
            "report",
            "--source",
            tmp_path / "s",
            "--org",
            "example-city",
            "--year",
            "2025",
            "--title",
            "年度总结",
        ],
        LANG="zh_CN.UTF-8",
    )
    assert code == 0
    path = Path(out.removeprefix("已创建 ").strip())
    assert "# 目前只有年份；如已知，请写出日期" in path.read_text(encoding="utf-8")
    # the scaffold still builds
    code, _out, err = run(["check", "--source", tmp_path / "s"], LANG="zh_CN.UTF-8")
    assert code == 0, err
    code, _out, err = run(
        [
            "new",
            "report",
            "--source",
            tmp_path / "s",
            "--org",
            "nope",
            "--year",
            "2025",
            "--title",
            "x",
        ],
        SITE_BUILDER_LANG="zh-Hans",
    )
    assert code == 2
    assert (
        err.strip() == "错误：未知的组织“nope”（是否应为“example-city”？）"
        or err.strip().startswith("错误：未知的组织“nope”")
    )


def test_serve_overlay_texts_in_chinese() -> None:
    from site_builder.preview_server import inject

    set_language("zh-Hans")
    page = inject(b"<html><body>x</body></html>", "t:1", 8000).decode()
    assert 'data-lang="zh-Hans"' in page
    assert 'data-title="生成失败：这是页面上一次成功生成的版本。' in page
    assert 'data-hint="提示："' in page
    set_language("en")
    page = inject(b"<html><body>x</body></html>", "t:1", 8000).decode()
    assert 'data-title="Build failed: this is the last good version of the page.' in page
    live = (REPO / "site_builder/defaults/serve/live.js").read_text(encoding="utf-8")
    for name in ("lang", "label", "title", "hint", "close"):
        assert f'text("{name}", ' in live  # the overlay reads each text the server sets


def test_language_is_per_call() -> None:
    set_language("zh-Hant")
    assert _("error") == "錯誤"
    set_language("en")
    assert _("error") == "error"
