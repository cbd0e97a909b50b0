"""Hostile and broken input (gate 6): a corpus of broken or hostile source files under
tests/hostile/, each placed into the minimal fixture site. Every one gives its pinned, precise
message (all problems of the build at once) or is rendered safely; none gives a traceback; a
failing build leaves the previous output byte for byte as it was.

Generated inside the tests rather than committed: a 5 MB report, YAML nested 200,000 levels
deep, and symbolic-link loops in content/.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_SITE, write_site
from tests.util import Run, cli, error_lines, tree_digest

HOSTILE = Path(__file__).parent / "hostile"
REPORT = "content/reports/city/2024-summary.md"
REPORT_PAGE = "reports/city/2024-summary/index.html"


@dataclass(frozen=True)
class Case:
    target: str  # where the corpus file is put in the fixture site
    lines: list[str]  # every error and warning line, exactly
    code: int = 1
    extra: dict[str, str] = field(default_factory=dict)  # more corpus files: target -> name


CASES: dict[str, Case] = {
    "asset-at-search-path.js": Case(
        "assets/search/fold.js",
        [
            "assets/search/fold.js:1:1: error: this asset has the path of a file the site generates (rename or move it: assets/search/ holds the site's search index)",
        ],
    ),
    "chart-value-nan.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:12:12: warning: series 1 value 1 must be a finite number, not .nan (write a plain number, or null for a missing value)",
            "content/reports/city/2024-summary.md:12:18: warning: series 1 value 2 must be a finite number, not .inf (write a plain number, or null for a missing value)",
            "content/reports/city/2024-summary.md:12:24: warning: series 1 value 3 must be a finite number, not -.inf (write a plain number, or null for a missing value)",
        ],
        code=0,
    ),
    "metric-huge-digits.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:6:12: error: metric value is too large (400 digits; the limit is 10^15) (check the digits: write the plain number, e.g. 3039200)",
        ],
    ),
    "metric-huge-float.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:6:12: error: metric value is too large (301 digits; the limit is 10^15) (check the digits: write the plain number, e.g. 3039200)",
        ],
    ),
    "metric-sexagesimal.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:6:12: error: metric value '1:30' is not a number (YAML reads it as the base-60 number 90) (write the figure as one plain number, e.g. 90)",
        ],
    ),
    "metrics-key-newline.yaml": Case(
        "content/metrics.yaml",
        [
            "content/metrics.yaml:1:1: error: metric key 'study_sessions\\n' must use a-z, 0-9 and '_' (e.g. study_sessions)",
        ],
    ),
    "org-cycle-a.yaml": Case(
        "content/orgs/city.yaml",
        [
            "content/orgs/city.yaml:3:9: error: organization parents form a cycle: city → town → city (one of them must have another parent, or none)",
            "content/orgs/city.yaml:3:9: error: parent 'town' is county, below this municipal organization (a parent is at its child's level or above (national > provincial > municipal > county > township))",
            "content/orgs/town.yaml:3:9: error: organization parents form a cycle: town → city → town (one of them must have another parent, or none)",
        ],
        extra={"content/orgs/town.yaml": "org-cycle-b.yaml"},
    ),
    "org-level-no.yaml": Case(
        "content/orgs/city.yaml",
        [
            "content/orgs/city.yaml:2:8: error: unknown level 'no' (YAML reads no as a boolean; quote it if you mean the word: 'no'; expected one of: county, municipal, national, provincial, township)",
        ],
    ),
    "org-level-yes-parent-on.yaml": Case(
        "content/orgs/city.yaml",
        [
            "content/orgs/city.yaml:2:8: error: unknown level 'Yes' (YAML reads Yes as a boolean; quote it if you mean the word: 'Yes'; expected one of: county, municipal, national, provincial, township)",
            "content/orgs/city.yaml:3:9: error: 'parent' must be an organization key, not a boolean (YAML reads on as a boolean; quote it if you mean the word: 'on')",
        ],
    ),
    "org-self-parent.yaml": Case(
        "content/orgs/city.yaml",
        [
            "content/orgs/city.yaml:3:9: error: organization 'city' names itself as its parent (name the organization above it, or remove 'parent' if it has none)",
        ],
    ),
    "report-upper-ext.MD": Case(
        "content/reports/city/2023-upper.MD",
        [
            "content/reports/city/2023-upper.MD:1:1: warning: file with extension '.MD' is ignored: extensions are lowercase (rename it to 2023-upper.md)",
        ],
        code=0,
    ),
    "site-base-url-query.yaml": Case(
        "site.yaml",
        [
            "site.yaml:2:11: error: 'base_url' must be the address of the site's folder, without a query (?…), a fragment (#…) or blanks (sitemap and feed URLs are made by adding each page's path to it, e.g. http://intranet/reports/)",
        ],
    ),
    "tag-boolean.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:14: error: a tag must be text, not a boolean (YAML reads off as a boolean; quote it if you mean the word: 'off')",
        ],
    ),
    "tags-boolean-keys.yaml": Case(
        "content/tags.yaml",
        [],
        code=0,
        extra={"content/reports/city/2023-words.md": "tag-quoted-words.md"},
    ),
    "tags-slug-newline.yaml": Case(
        "content/tags.yaml",
        [
            "content/tags.yaml:1:34: error: tag slug 'party\\n' must use a-z, 0-9 and '-'",
        ],
    ),
    "title-control-chars.md": Case(
        REPORT,
        [
            'content/reports/city/2024-summary.md:2:8: error: \'title\' holds the control character U+0000 (remove it (YAML escapes such as "\\0", "\\x07" or "\\e" in double quotes write invisible characters))',
        ],
    ),
    "yaml-error-with-translation.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:3:5: error: invalid YAML: did not find expected ',' or ']' (check indentation, and quote values that contain ': ' or start with a symbol)",
        ],
        extra={"content/reports/city/2024-summary.en.md": "yaml-error-translation.en.md"},
    ),
    "full-width-colon-in-values.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "utf16be-no-bom.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:1:1: error: file is not UTF-8 (it looks like UTF-16BE without a byte-order mark) (convert it: iconv -f UTF-16BE -t UTF-8 'content/reports/city/2024-summary.md' > tmp && mv tmp 'content/reports/city/2024-summary.md', or save it as UTF-8 in your editor)",
        ],
    ),
    "utf16le-no-bom.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:1:1: error: file is not UTF-8 (it looks like UTF-16LE without a byte-order mark) (convert it: iconv -f UTF-16LE -t UTF-8 'content/reports/city/2024-summary.md' > tmp && mv tmp 'content/reports/city/2024-summary.md', or save it as UTF-8 in your editor)",
        ],
    ),
    "yaml-full-width-colon-in-list.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:5:8: error: full-width colon '：' after 'key': YAML needs an ASCII colon (write 'key: …', with an ASCII colon and a space)",
        ],
    ),
    "yaml-full-width-colon.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:3:5: error: full-width colon '：' after 'date': YAML needs an ASCII colon (write 'date: …', with an ASCII colon and a space)",
        ],
    ),
    "yaml-unclosed-quote.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:2:8: error: invalid YAML: this quoted value is never closed (end it with the same quote mark on its line, or remove the opening quote)",
        ],
    ),
    "yaml-unclosed-single-quote.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:3:10: error: invalid YAML: this quoted value is never closed (end it with the same quote mark on its line, or remove the opening quote)",
        ],
    ),
    "big5.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:2:8: error: file is not UTF-8 (it looks like Big5) (convert it: iconv -f BIG5 -t UTF-8 'content/reports/city/2024-summary.md' > tmp && mv tmp 'content/reports/city/2024-summary.md', or save it as UTF-8 in your editor)",
        ],
    ),
    "bom.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "chart-data-absolute.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:13:7: warning: 'data' must be a file inside content/data/, not '/etc/passwd' (name the file relative to content/data/, without '..' or a leading '/')",
        ],
        code=0,
    ),
    "chart-data-traversal.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:13:7: warning: 'data' must be a file inside content/data/, not '../../etc/passwd' (name the file relative to content/data/, without '..' or a leading '/')",
        ],
        code=0,
    ),
    "chart-data-windows.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:13:7: warning: 'data' must be a file inside content/data/, not 'C:\\Windows\\win.ini' (name the file relative to content/data/, without '..' or a leading '/')",
        ],
        code=0,
    ),
    "chart-labels-with-colons.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "chart-options-css-url.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:20:16: warning: 'options.series[0].itemStyle.color' loads '//evil.example/c.png' from outside the site (the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path)",
            "content/reports/city/2024-summary.md:22:19: warning: 'options.tooltip.extraCssText' loads 'https://evil.example/x.png' from outside the site (the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path)",
        ],
        code=0,
    ),
    "chart-options-dataview.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:21:17: warning: 'options.toolbox.feature.dataView' is not supported: the data view writes its text into the page as HTML (remove it: the page shows every chart's data in a table beside it)",
        ],
        code=0,
    ),
    "chart-options-image-urls.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:19:15: warning: 'options.series[0].symbol' loads 'http://evil.example/pin.png' from outside the site (the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path)",
            "content/reports/city/2024-summary.md:21:12: warning: 'options.backgroundColor.image' loads 'https:evil.example/bg.png' from outside the site (the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path)",
            "content/reports/city/2024-summary.md:24:22: warning: 'options.graphic[0].style.image' loads 'ftp://evil.example/g.png' from outside the site (the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path)",
        ],
        code=0,
    ),
    "chart-options-offhost-img.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:19:16: warning: 'options.tooltip.formatter' loads 'http://other.host/track.png' from outside the site (the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path)",
        ],
        code=0,
    ),
    "chart-options-series-tooltip.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "chart-options-title-link.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:19:11: warning: 'options.title.link' must be a relative link or an http(s) URL, not 'javascript:alert('click')' (e.g. link: ../../orgs/city/ or link: http://intranet/reports/)",
            "content/reports/city/2024-summary.md:20:14: warning: 'options.title.sublink' must be a relative link or an http(s) URL, not ' JaVa\\x09ScRiPt:alert('sub')' (e.g. link: ../../orgs/city/ or link: http://intranet/reports/)",
        ],
        code=0,
    ),
    "chart-options-tooltip-img.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "chart-title-attribute-lookalike.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "metrics-colon-label.yaml": Case(
        "content/metrics.yaml",
        [],
        code=0,
    ),
    "title-attribute-lookalike.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "chart-options-yaml-types.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:20:10: warning: 'options.legend.top' must be text, a number, true/false, null, a list or a mapping, not a date (quote it: '2024-01-01')",
            "content/reports/city/2024-summary.md:21:16: warning: 'options.grid.left' must be a finite number, not .nan (write a number, or quote the text)",
        ],
        code=0,
    ),
    "chart-not-yaml.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:13:1: warning: invalid YAML in chart block: did not find expected ',' or ']' (check indentation, and quote values that contain ': ' or start with a symbol)",
        ],
        code=0,
    ),
    "chart-title-script.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "cr-only.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "crlf.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "data-not-mapping.yaml": Case(
        "content/data/x.yaml",
        [
            "content/reports/city/2024-summary.md:9:7: warning: data file 'x.yaml': must be a mapping with 'x' and 'series', not a list",
        ],
        code=0,
        extra={REPORT: "chart-uses-data-file.md"},
    ),
    "date-impossible.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:3:7: error: 'date' must be a date YYYY-MM-DD, not '2024-13-45' (e.g. date: 2024-12-31)",
        ],
    ),
    "date-list.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:3:7: error: 'date' must be a date YYYY-MM-DD, not [2024] (e.g. date: 2024-12-31)",
        ],
    ),
    "deep-nesting.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:73: error: YAML nested more than 64 levels deep (flatten the lists and mappings)",
        ],
    ),
    "draft-text.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:8: error: 'draft' must be true or false, not text",
        ],
    ),
    "empty.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:1:1: error: file is empty (start the file with a YAML block between two '---' lines, e.g. '---\\ntitle: …\\n---')",
        ],
    ),
    "front-matter-list.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:2:1: error: front matter must be a mapping of keys to values, not a list (write 'key: value' lines)",
        ],
    ),
    "front-matter-unclosed.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:1:1: error: front matter is not closed (end the YAML block with a line '---' before the Markdown body)",
        ],
    ),
    "gbk.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:2:8: error: file is not UTF-8 (it looks like GBK/GB18030) (convert it: iconv -f GB18030 -t UTF-8 'content/reports/city/2024-summary.md' > tmp && mv tmp 'content/reports/city/2024-summary.md', or save it as UTF-8 in your editor)",
        ],
    ),
    "lang-french.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:7: error: 'lang' must be zh-Hans or zh-Hant, not 'fr'",
        ],
    ),
    "latin1-in-utf8.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:9:10: error: file is not UTF-8 (it looks like an unknown encoding) (convert it: iconv -f <ENCODING> -t UTF-8 'content/reports/city/2024-summary.md' > tmp && mv tmp 'content/reports/city/2024-summary.md', or save it as UTF-8 in your editor)",
        ],
    ),
    "long-title.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "metric-entry-number.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:5:5: error: a metric entry must be a mapping {key: …, value: …}, not a number",
        ],
    ),
    "metric-infinite.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:6:12: error: metric value must be a finite number of zero or more",
        ],
    ),
    "metric-key-list.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:5:11: error: a metric's 'key' must be text, not a list",
        ],
    ),
    "metric-list-is-number.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:10: error: 'metrics' must be a list of {key: …, value: …}",
        ],
    ),
    "metric-nan.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:6:12: error: metric value must be a finite number of zero or more",
        ],
    ),
    "metric-negative.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:6:12: error: metric value must be a finite number of zero or more",
        ],
    ),
    "metric-qualifier.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:5:48: error: unknown qualifier 'roughly' (expected more_than (余/多/以上) or about (约))",
        ],
    ),
    "metric-text.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:6:12: error: metric value must be a number, not text (write the number alone and add 'qualifier: more_than' or 'qualifier: about')",
        ],
    ),
    "metric-twice.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:6:11: error: metric 'study_sessions' is listed twice in this report",
        ],
    ),
    "metric-unknown.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:5:10: error: unknown metric 'study_session' (did you mean 'study_sessions'?; metrics are defined in content/metrics.yaml)",
        ],
    ),
    "metrics-bad.yaml": Case(
        "content/metrics.yaml",
        [
            "content/metrics.yaml:1:1: error: metric key 'Study Sessions' must use a-z, 0-9 and '_' (e.g. study_sessions)",
            "content/metrics.yaml:5:3: error: missing required key 'unit' in metric 'funds_raised'",
            "content/metrics.yaml:6:11: error: unknown format 'money' (expected one of: count, currency, percent)",
            "content/metrics.yaml:7:10: error: unknown scale 'huge' (expected one of: auto, none, wan, yi)",
            "content/metrics.yaml:8:13: error: 'additive' must be true or false, not text",
        ],
    ),
    # a registry that does not load is one error at its YAML, not one per report using it
    "metrics-unparsable.yaml": Case(
        "content/metrics.yaml",
        [
            "content/metrics.yaml:3:7: error: invalid YAML: did not find expected ',' or ']' (check indentation, and quote values that contain ': ' or start with a symbol)",
        ],
    ),
    "metrics-entry-not-mapping.yaml": Case(
        "content/metrics.yaml",
        [
            "content/metrics.yaml:1:17: error: metric 'study_sessions' must be a mapping with label and unit",
        ],
    ),
    "tags-unparsable.yaml": Case(
        "content/tags.yaml",
        [
            "content/tags.yaml:2:5: error: invalid YAML: did not find expected ',' or '}' (check indentation, and quote values that contain ': ' or start with a symbol)",
        ],
    ),
    "types-unparsable.yaml": Case(
        "content/types.yaml",
        [
            "content/types.yaml:2:1: error: invalid YAML: did not find expected node content (check indentation, and quote values that contain ': ' or start with a symbol)",
        ],
        extra={REPORT: "report-with-type.md"},
    ),
    # gate findings in generated pages name the source to fix (issue 16): the Markdown at the
    # link's or markup's line and column, once for every language tree; a template of the site
    # at the literal it writes, once, with the number of pages; site.yaml for theme files
    "markdown-link-broken.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:18:10: error: link '../2023-annual/index.html' leads to no file of the site (did you mean 'index.html'?)",
            "content/reports/city/2024-summary.md:18:43: error: link '#二其他工作' leads to no anchor '#二其他工作' on this page (expected one of: key-figures, main, toc-title, 一主要工作)",
        ],
    ),
    "raw-html-offhost.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:18:15: error: <img src> loads 'http://other.host/chart.png' from another host (other.host) (the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path)",
            "content/reports/city/2024-summary.md:20:16: error: link '../../../pages/none/index.html' leads to no file of the site (did you mean '../../../tags/index.html'?)",
        ],
        extra={"site.yaml": "site-raw-html.yaml"},
    ),
    "template-offhost-img.html": Case(
        "templates/report.html",
        [
            "templates/report.html:4:14: error: <img src> loads 'https://cdn.example.com/banner.png' from another host (cdn.example.com) (the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path; on 6 pages, e.g. reports/city/2024-summary/index.html)",
            "templates/report.html:5:13: error: link 'missing.html' leads to no file of the site (did you mean 'index.html'?; on 6 pages, e.g. reports/city/2024-summary/index.html)",
        ],
    ),
    "template-base-glued-link.html": Case(
        "templates/base.html",
        [
            "templates/base.html:8:82: error: link 'index.htmlabout.html' leads to no file of the site (did you mean 'index.html'?; on 42 pages, e.g. index.html)",
        ],
    ),
    "site-logo-missing.yaml": Case(
        "site.yaml",
        [
            "site.yaml:4:9: error: 'logo' names assets/img/logo.png, which does not exist (expected one of: favicon.svg; put the image in the site's assets/ folder)",
        ],
    ),
    # round two, again: labels that look like schemes are labels; links and patterns are not
    "chart-labels-url-like.md": Case(REPORT, [], code=0),
    "chart-options-link-schemes.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:19:11: warning: 'options.title.link' must be a relative link or an http(s) URL, not '//evil.example/x' (e.g. link: ../../orgs/city/ or link: http://intranet/reports/)",
            "content/reports/city/2024-summary.md:20:14: warning: 'options.title.sublink' must be a relative link or an http(s) URL, not 'data:text/html,<script>alert(1)</script>' (e.g. link: ../../orgs/city/ or link: http://intranet/reports/)",
        ],
        code=0,
    ),
    "chart-options-image-patterns.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:20:24: warning: 'options.series[0].itemStyle.color.image' loads 'http://evil.example/pattern.png' from outside the site (the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path)",
            "content/reports/city/2024-summary.md:23:28: warning: 'options.backgroundColor.image' loads 'https://evil.example/bg.png' from outside the site (the intranet's readers have no internet access: copy the file into the site's assets/ folder and refer to it by a relative path)",
        ],
        code=0,
    ),
    "report-year-zero.md": Case(
        "content/reports/city/0000-summary.md",
        [
            "content/reports/city/0000-summary.md:1:1: error: the year in the file name, 0000, is not a year of reports (1900 to 2100) (name the file after the year reported on, e.g. 2024-annual-summary.md)",
        ],
    ),
    "markdown-deep-quotes.md": Case(REPORT, [], code=0),
    "markdown-open-brackets.md": Case(REPORT, [], code=0),
    "tags-one-text-chinese-comma.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:5:7: error: unknown tag '党的建设，巡察整改' ('党的建设，巡察整改' is one text: write each tag as an item of a list, e.g. tags: [党的建设, 巡察整改])",
        ],
    ),
    "tags-list-with-enumeration-comma.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:5:8: error: unknown tag '党的建设、巡察整改' ('党的建设、巡察整改' is one text: write each tag as an item of a list, e.g. tags: [党的建设, 巡察整改])",
        ],
    ),
    "metrics-xss.yaml": Case(
        "content/metrics.yaml",
        [],
        code=0,
    ),
    "no-front-matter.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:1:1: error: missing front matter (start the file with a YAML block between two '---' lines, e.g. '---\\ntitle: …\\n---')",
        ],
    ),
    "nul-bytes.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:1:1: error: file contains NUL bytes (is this a binary file?)",
        ],
    ),
    "org-bad-filename.yaml": Case(
        "content/orgs/Bad_Name.yaml",
        [
            "content/orgs/Bad_Name.yaml:1:1: error: organization key 'Bad_Name' (the file name) must use a-z, 0-9 and '-' (rename the file, e.g. content/orgs/tianjin.yaml)",
        ],
    ),
    "org-list.yaml": Case(
        "content/orgs/evil.yaml",
        [
            "content/orgs/evil.yaml:1:1: error: an organization file must be a mapping, not a list",
        ],
    ),
    "org-parent-below.yaml": Case(
        "content/orgs/evil.yaml",
        [
            "content/orgs/evil.yaml:3:9: error: parent 'city' is municipal, below this national organization (a parent is at its child's level or above (national > provincial > municipal > county > township))",
        ],
    ),
    "org-unknown-parent.yaml": Case(
        "content/orgs/evil.yaml",
        [
            "content/orgs/evil.yaml:3:9: error: unknown parent organization 'ctiy' (did you mean 'city'?)",
        ],
    ),
    "org-wrong-types.yaml": Case(
        "content/orgs/evil.yaml",
        [
            "content/orgs/evil.yaml:2:8: error: unknown level '5' (expected one of: county, municipal, national, provincial, township)",
            "content/orgs/evil.yaml:3:9: error: 'parent' must be an organization key, not a list",
            "content/orgs/evil.yaml:4:9: error: 'sample' must be true or false, not text",
        ],
    ),
    "org-xss.yaml": Case(
        "content/orgs/evil.yaml",
        [],
        code=0,
    ),
    "page-in-subfolder.md": Case(
        "content/pages/sub/page.md",
        [
            "content/pages/sub/page.md:1:1: error: page file name 'page.md' must be <name>.md in content/pages/ (use a-z, 0-9 and '-', e.g. about.md)",
        ],
    ),
    "page-xss.md": Case(
        "content/pages/evil.md",
        [],
        code=0,
    ),
    "report-bad-filename.md": Case(
        "content/reports/city/summary.md",
        [
            "content/reports/city/summary.md:1:1: error: report file name 'summary.md' must be <year>-<slug>.md (the slug uses a-z, 0-9 and '-', e.g. 2024-annual-summary.md)",
        ],
    ),
    "report-nested-folder.md": Case(
        "content/reports/city/2024/2024-summary.md",
        [
            "content/reports/city/2024/2024-summary.md:1:1: error: a report must sit at content/reports/<org>/<year>-<slug>.md (move it into its organization's folder)",
        ],
    ),
    "report-unknown-org.md": Case(
        "content/reports/nosuch/2024-summary.md",
        [
            "content/reports/nosuch/2024-summary.md:1:1: error: unknown organization 'nosuch' (the report's folder) (expected one of: city, nat; organizations are content/orgs/<key>.yaml)",
        ],
    ),
    "rtl-and-zero-width.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "site-bad-values.yaml": Case(
        "site.yaml",
        [
            "site.yaml:2:11: error: 'base_url' must be an absolute http(s) URL (e.g. http://intranet/reports/)",
            "site.yaml:3:22: error: unknown language 'fr' (expected one of: en, zh-Hans, zh-Hant)",
            "site.yaml:3:26: error: language 'zh-Hans' is listed twice",
            "site.yaml:4:17: error: 'latest_reports' must be a whole number from 1 to 100",
            "site.yaml:5:22: error: 'raw_html' must be true or false, not text",
        ],
    ),
    "site-empty.yaml": Case(
        "site.yaml",
        [
            "site.yaml:1:1: error: missing required key 'title' in site.yaml",
        ],
    ),
    "site-list.yaml": Case(
        "site.yaml",
        [
            "site.yaml:1:1: error: site.yaml must be a mapping of settings, not a list",
        ],
    ),
    "site-xss.yaml": Case(
        "site.yaml",
        [],
        code=0,
    ),
    "tag-list-is-mapping.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:7: error: 'tags' must be a list of tag names (e.g. tags: [巡察整改])",
        ],
    ),
    "tag-unknown.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:8: error: unknown tag '党的建没' (did you mean '党的建设'?; tags are defined in content/tags.yaml)",
        ],
    ),
    "tags-duplicate-slug.yaml": Case(
        "content/tags.yaml",
        [
            "content/tags.yaml:2:1: error: tag '巡察整改' has the same slug 'dang-de-jian-she' as tag '党的建设' (give one of them its own 'slug')",
        ],
    ),
    "tags-traversal.yaml": Case(
        "content/tags.yaml",
        [
            "content/tags.yaml:1:34: error: tag slug '../../etc/passwd' must use a-z, 0-9 and '-'",
        ],
    ),
    "tags-xss.yaml": Case(
        "content/tags.yaml",
        [],
        code=0,
    ),
    "title-empty.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:2:8: error: 'title' must not be empty",
        ],
    ),
    "title-list.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:2:8: error: 'title' must be text or a mapping {zh: …, en: …}, not a list",
        ],
    ),
    "title-yes.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:2:8: error: 'title' must be text or a mapping {zh: …, en: …}, not a boolean (YAML reads yes as a boolean; quote it if you mean the word: 'yes')",
        ],
    ),
    "translation-bad.en.md": Case(
        "content/reports/city/2024-summary.en.md",
        [
            "content/reports/city/2024-summary.en.md:2:8: error: 'title' of a translation must be English text",
        ],
    ),
    "translation-orphan.en.md": Case(
        "content/reports/city/2023-none.en.md",
        [
            "content/reports/city/2023-none.en.md:1:1: error: translation has no original report (expected content/reports/city/2023-none.md beside it)",
        ],
    ),
    "unknown-key.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:1: error: unknown key 'auther' in front matter (did you mean 'author'?)",
        ],
    ),
    "utf16.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:1:1: error: file is not UTF-8 (it looks like UTF-16) (convert it: iconv -f UTF-16 -t UTF-8 'content/reports/city/2024-summary.md' > tmp && mv tmp 'content/reports/city/2024-summary.md', or save it as UTF-8 in your editor)",
        ],
    ),
    "whitespace-only.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:1:1: error: file is empty (start the file with a YAML block between two '---' lines, e.g. '---\\ntitle: …\\n---')",
        ],
    ),
    "xss-fields.md": Case(
        REPORT,
        [],
        code=0,
    ),
    "yaml-alias-bomb.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:14: error: YAML expands to more than 100000 values (write the values out instead of repeating them with & anchors and * aliases)",
        ],
    ),
    "yaml-bad-indent.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:3:7: error: invalid YAML: mapping values are not allowed in this context (check indentation, and quote values that contain ': ' or start with a symbol)",
        ],
    ),
    "yaml-duplicate-key.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:1: error: duplicate key 'title' (each key may appear once; remove or merge the repeated entry)",
        ],
    ),
    "yaml-merge-key.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:2:1: error: missing required key 'title' in front matter",
            "content/reports/city/2024-summary.md:2:1: error: unknown key 'base' in front matter (did you mean 'tags'?)",
            "content/reports/city/2024-summary.md:3:1: error: YAML merge keys (<<) are not supported (write the fields out)",
        ],
    ),
    "yaml-python-tag.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:2:8: error: unsupported YAML tag '!!python/object/apply:os.system' (remove the tag: values are text, numbers, dates, lists and mappings)",
        ],
    ),
    "yaml-recursive-alias.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:4:10: error: a YAML alias refers to itself (remove the * alias)",
        ],
    ),
    "yaml-tab-indent.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:5:1: error: invalid YAML: found character that cannot start any token (indent with spaces: YAML does not allow tabs)",
        ],
    ),
    "yaml-unclosed-bracket.md": Case(
        REPORT,
        [
            "content/reports/city/2024-summary.md:3:5: error: invalid YAML: did not find expected ',' or ']' (check indentation, and quote values that contain ': ' or start with a symbol)",
        ],
    ),
}

# Cases that build: what must (not) be in the output, beyond the generic checks of `assert_safe`.
SAFE: dict[str, list[tuple[str, str]]] = {
    # (output file, text that must appear: the escaped form of what was written)
    "xss-fields.md": [
        (REPORT_PAGE, "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;标题"),
        (REPORT_PAGE, "&lt;img src=x onerror=alert(&#39;summary&#39;)&gt;摘要"),
        (REPORT_PAGE, "javascript:alert(&#39;source&#39;)"),
        (REPORT_PAGE, "<p>&lt;script&gt;alert('raw')&lt;/script&gt;</p>"),
        (REPORT_PAGE, "<p>[点我](javascript:alert('link'))"),
        (REPORT_PAGE, "&lt;img src=x onerror=&quot;alert('rawimg')&quot;&gt;"),
    ],
    "chart-labels-url-like.md": [(REPORT_PAGE, '"data":["file:1","http:数量","https:率"]')],
    "chart-title-script.md": [
        (REPORT_PAGE, "&lt;/script&gt;&lt;script&gt;alert(&#39;chart&#39;)&lt;/script&gt;"),
        (REPORT_PAGE, "\\u003c/script>\\u003cscript>alert('chart')\\u003c/script>"),
    ],
    "site-xss.yaml": [
        ("index.html", "&lt;script&gt;alert(&#39;site&#39;)&lt;/script&gt;测试站点"),
        ("en/index.html", "&lt;/title&gt;&lt;script&gt;alert(&#39;site-en&#39;)&lt;/script&gt;"),
    ],
    "org-xss.yaml": [
        ("orgs/evil/index.html", "&lt;script&gt;alert(&#39;org&#39;)&lt;/script&gt;测试组织"),
        ("en/orgs/evil/index.html", "&lt;b onmouseover=alert(&#39;org&#39;)&gt;Evil&lt;/b&gt;"),
    ],
    "metrics-xss.yaml": [
        (REPORT_PAGE, "&lt;script&gt;alert(&#39;metric&#39;)&lt;/script&gt;学习"),
        ("en/" + REPORT_PAGE, "&lt;/script&gt;Study"),
    ],
    "tags-xss.yaml": [
        ("en/tags/index.html", "&lt;script&gt;alert(&#39;tag-en&#39;)&lt;/script&gt;Party"),
    ],
    "page-xss.md": [
        ("pages/evil/index.html", "&lt;script&gt;alert(&#39;page&#39;)&lt;/script&gt;关于"),
    ],
    # chart options: tooltip templates escaped (ECharts escapes the data it fills in)
    "chart-options-tooltip-img.md": [
        (REPORT_PAGE, '"formatter":"&lt;img src=x onerror=alert(&#x27;tip&#x27;)&gt;{b}: {c}"'),
    ],
    "chart-options-series-tooltip.md": [
        (REPORT_PAGE, "&lt;/script&gt;&lt;script&gt;alert(&#x27;series&#x27;)&lt;/script&gt;{a}"),
        (REPORT_PAGE, "&lt;b onmouseover=alert(&#x27;legend&#x27;)&gt;{name}&lt;/b&gt;"),
    ],
    "chart-labels-with-colons.md": [
        (REPORT_PAGE, '"formatter":"Total: {c}<br/>Year: {b}"'),
        (REPORT_PAGE, '"link":"http://other.host/report.html"'),
        ("en/" + REPORT_PAGE, "Study: collective sessions"),
    ],
    "chart-title-attribute-lookalike.md": [
        (REPORT_PAGE, "&lt;img src=x&gt; 图表 href=nowhere.html"),
    ],
    "metrics-colon-label.yaml": [("en/" + REPORT_PAGE, "Study: collective sessions")],
    "title-attribute-lookalike.md": [(REPORT_PAGE, "测试 src=x.png href=nowhere.html")],
    "tags-boolean-keys.yaml": [("en/tags/no/index.html", "No"), ("en/tags/on/index.html", "On")],
    "full-width-colon-in-values.md": [
        (REPORT_PAGE, "说明：全年工作"),
        (REPORT_PAGE, "备注：正文。"),
    ],
    "bom.md": [(REPORT_PAGE, "<h1>测试市妇联2024年工作总结</h1>")],
    "crlf.md": [(REPORT_PAGE, "<h1>测试市妇联2024年工作总结</h1>")],
    "cr-only.md": [(REPORT_PAGE, "<h1>测试市妇联2024年工作总结</h1>")],
    "long-title.md": [(REPORT_PAGE, "很长" * 2000)],
    "rtl-and-zero-width.md": [(REPORT_PAGE, "总结\u202e\u200b")],
}

_DANGEROUS_URL = re.compile(r"^\s*(?:javascript|vbscript|data:text/html)", re.I)


class _Oracle(HTMLParser):
    """Finds what would run script: an event-handler attribute, a script URL, or a <script>
    that is not one of the site's own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False  # inside a <script> that runs (not JSON data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and _DANGEROUS_URL.match(
                value or ""
            ):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script":
            kind = dict(attrs).get("type") or ""
            src = dict(attrs).get("src") or ""
            ok = kind == "application/json" or (src and not _DANGEROUS_URL.match(src))
            if not ok:
                self.found.append(f"<script type={kind!r} src={src!r}>")
            self._script = kind != "application/json"

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and "alert(" in data:
            self.found.append(f"script data with alert(: {data[:80]!r}")


def assert_safe(out: Path) -> None:
    for page in sorted(out.rglob("*.html")):
        oracle = _Oracle()
        oracle.feed(page.read_text(encoding="utf-8"))
        assert not oracle.found, f"{page.relative_to(out)}: {oracle.found}"


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("good")
    site = write_site(root / "site", dict(MINIMAL_SITE))
    out = root / "out"
    run = cli("build", "--source", site, "--out", out)
    assert run.code == 0, run.err
    return out


def site_with(tmp_path: Path, good_output: Path, files: dict[str, bytes]) -> tuple[Path, Path]:
    """The minimal site with ``files`` placed, and a copy of its previous good output."""
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    for rel, data in files.items():
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    out = tmp_path / "out"
    shutil.copytree(good_output, out)
    return site, out


def build(site: Path, out: Path, *more: str) -> Run:
    run = cli("build", "--source", site, "--out", out, *more)
    assert "Traceback" not in run.err, run.err
    return run


def test_the_corpus_is_complete() -> None:
    files = sorted(p.name for p in HOSTILE.iterdir())
    used = set(CASES) | {n for c in CASES.values() for n in c.extra.values()}
    assert sorted(used) == files, "every corpus file has a case, and every case a file"
    assert len(files) >= 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file(name: str, tmp_path: Path, good_output: Path) -> None:
    case = CASES[name]
    files = {case.target: (HOSTILE / name).read_bytes()}
    files |= {target: (HOSTILE / n).read_bytes() for target, n in case.extra.items()}
    site, out = site_with(tmp_path, good_output, files)
    before = tree_digest(out)
    run = build(site, out)
    assert (run.code, error_lines(run)) == (case.code, case.lines), run.err
    if case.code != 0:
        assert tree_digest(out) == before, "a failed build changed the output"
        return
    assert_safe(out)
    for rel, text in SAFE.get(name, []):
        assert text in (out / rel).read_text(encoding="utf-8"), (rel, text)
    if case.lines:  # warnings only: --strict turns them into a failed build
        before = tree_digest(out)
        strict = build(site, out, "--strict")
        assert strict.code == 1
        assert tree_digest(out) == before


def test_a_5_mb_report_builds_in_linear_time(tmp_path: Path, good_output: Path) -> None:
    para = "全年开展集体学习12次，宣讲3000余场，惠及7万人次。[首页](../../../index.html)\n\n"
    parts = ["---\ntitle: 超大报告\ndate: 2024-12-31\n---\n\n"]
    size, i = 0, 0
    while size < 5 * 1024 * 1024:
        parts.append(f"## 第{i}节\n\n" + para * 20)
        size += len(parts[-1].encode())
        i += 1
    site, out = site_with(tmp_path, good_output, {REPORT: "".join(parts).encode()})
    started = time.monotonic()
    run = build(site, out)
    assert run.code == 0, run.err
    assert time.monotonic() - started < 240
    page = (out / REPORT_PAGE).read_text(encoding="utf-8")
    assert f"第{i - 1}节" in page and page.count("惠及7万人次") == 20 * i


def test_yaml_nested_200000_levels_is_refused(tmp_path: Path, good_output: Path) -> None:
    """libyaml's composer recurses in C: this used to kill the process (SIGSEGV)."""
    text = "---\ntitle: 测试\ndate: 2024-12-31\nsummary: " + "[" * 200_000 + "]" * 200_000
    site, out = site_with(tmp_path, good_output, {REPORT: (text + "\n---\n").encode()})
    before = tree_digest(out)
    run = build(site, out)
    assert error_lines(run) == [
        f"{REPORT}:4:73: error: YAML nested more than 64 levels deep (flatten the lists and"
        " mappings)"
    ]
    assert tree_digest(out) == before


def test_symlink_loops_in_content(tmp_path: Path, good_output: Path) -> None:
    site, out = site_with(tmp_path, good_output, {})
    reports = site / "content/reports/city"
    os.symlink("..", reports / "loop")  # a folder that contains itself
    os.symlink("b.md", reports / "2024-a.md")  # two files pointing at each other
    os.symlink("2024-a.md", reports / "b.md")
    (site / "content/pages").mkdir()
    os.symlink(site / "content", site / "content/pages/content")
    before = tree_digest(out)
    run = build(site, out)
    assert (run.code, error_lines(run)) == (
        1,
        [
            "content/pages/content:1:1: warning: symbolic link to a folder is not followed (copy"
            " the files into content/ instead of linking them)",
            "content/reports/city/2024-a.md:1:1: error: symbolic link loop (make it point at a"
            " real file)",
            "content/reports/city/b.md:1:1: error: symbolic link loop (make it point at a real"
            " file)",
            "content/reports/city/loop:1:1: warning: symbolic link to a folder is not followed"
            " (copy the files into content/ instead of linking them)",
        ],
    ), run.err
    assert tree_digest(out) == before


@pytest.mark.parametrize("slug", ["../../../etc/passwd", "..", "a/b", "/etc/passwd", "x\\..\\y"])
def test_new_report_refuses_slugs_that_leave_the_folder(tmp_path: Path, slug: str) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    before = tree_digest(tmp_path)
    run = cli("new", "report", "--source", site, "--org", "city", "--year", "2024")
    run = cli(
        "new",
        "report",
        "--source",
        site,
        "--org",
        "city",
        "--year",
        "2024",
        "--title",
        "x",
        "--slug",
        slug,
    )
    assert run.code == 2, run.err
    assert run.err.startswith("error: "), run.err
    assert tree_digest(tmp_path) == before


# --- generated cases of round two (issue 16): what cannot be a file in the corpus ------------


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "socket"])
def test_only_regular_files_are_read(tmp_path: Path, good_output: Path, kind: str) -> None:
    """A FIFO used to hang the build for ever and /dev/zero to exhaust its memory."""
    import socket

    site, out = site_with(tmp_path, good_output, {})
    target = site / "content/reports/city/2023-odd.md"
    words = {"fifo": "a named pipe", "device": "a device", "folder": "a folder"}
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        os.symlink("/dev/zero", target)
    elif kind == "folder":
        target = site / "content/metrics.yaml"
        target.unlink()
        target.mkdir()
    else:
        sock = socket.socket(socket.AF_UNIX)
        short = Path("/tmp") / f"sb-{os.getpid()}.md"  # AF_UNIX paths are short
        sock.bind(str(short))
        os.symlink(short, target)
        words["socket"] = "a socket"
    before = tree_digest(out)
    try:
        run = build(site, out)
    finally:
        if kind == "socket":
            sock.close()
            short.unlink()
    rel = target.relative_to(site).as_posix()
    expected = (
        f"{rel}:1:1: error: not a regular file: it is {words[kind]} (only regular files are"
        " read: replace it with the file itself)"
    )
    assert run.code == 1 and expected in error_lines(run), run.err
    assert tree_digest(out) == before


def test_a_source_over_the_size_limit_is_an_error_at_the_file(
    tmp_path: Path, good_output: Path
) -> None:
    from site_builder.load import MAX_SOURCE_BYTES

    site, out = site_with(tmp_path, good_output, {})
    with open(site / "content/reports/city/2023-big.md", "wb") as f:
        f.truncate(MAX_SOURCE_BYTES + 1)  # sparse: nothing is written, nothing need be read
    run = build(site, out)
    assert error_lines(run) == [
        f"content/reports/city/2023-big.md:1:1: error: file is too large ({MAX_SOURCE_BYTES + 1}"
        f" bytes; the limit is {MAX_SOURCE_BYTES}) (split the report)"
    ], run.err


def test_a_1_mb_site_title_is_an_error_not_minutes(tmp_path: Path, good_output: Path) -> None:
    config = "title: {zh: " + "很" * 1_000_000 + ", en: T}\n"
    site, out = site_with(tmp_path, good_output, {"site.yaml": config.encode()})
    run = build(site, out)
    assert error_lines(run) == [
        "site.yaml:1:13: error: 'title.zh' is 1000000 characters long (the limit is 10000)"
        " (shorten it: titles, names and summaries are a line or a paragraph)"
    ]


def test_a_chain_of_300_organizations_is_reported_not_recursed(
    tmp_path: Path, good_output: Path
) -> None:
    """Organizations nest at most 50 deep (a child may share its parent's level): a chain of
    301 is reported where it passes that depth, each 50 (it raised RecursionError once)."""
    files = {
        f"content/orgs/o{i:03d}.yaml": f"name: 组织{i}\nlevel: county\nparent: o{i + 1:03d}\n".encode()
        for i in range(300)
    }
    files["content/orgs/o300.yaml"] = "name: 顶\nlevel: county\n".encode()
    site, out = site_with(tmp_path, good_output, files)
    run = build(site, out)
    lines = error_lines(run)
    assert run.code == 1 and "RecursionError" not in run.err
    # the link is cut where the depth passes 50, and again 50 below that: o250, o200, … o000
    assert lines == [
        f"content/orgs/o{i:03d}.yaml:3:9: error: the organization tree is more than 50 levels"
        " deep here (organizations nest at most this deep)"
        for i in range(0, 300, 50)
    ]


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s.replace('"digest":"', '"digest":"zz', 1),  # bytes.fromhex raised
        lambda s: s.replace(
            '"outputs":{"',
            '"outputs":{"../../escape.html":{"digest":"","size":0,"mtime_ns":0},"',
            1,
        ),
        lambda s: s[: len(s) // 2],
        lambda s: "[]",
    ],
    ids=["digest-not-hex", "path-outside", "cut-short", "a-list"],
)
def test_a_damaged_state_file_is_ignored(tmp_path: Path, good_output: Path, damage: object) -> None:
    from site_builder.state import state_path

    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    out = tmp_path / "out"
    assert cli("build", "--source", site, "--out", out).code == 0
    state = state_path(out)
    assert callable(damage)
    state.write_text(damage(state.read_text(encoding="utf-8")), encoding="utf-8")
    (site / REPORT).write_text(
        (site / REPORT).read_text(encoding="utf-8") + "\n新增。\n", encoding="utf-8"
    )
    run = build(site, out)
    assert run.code == 0, run.err
    assert "新增。" in (out / REPORT_PAGE).read_text(encoding="utf-8")
    assert not (tmp_path / "escape.html").exists()


def test_check_never_speaks_of_an_output(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    (site / "content/reports/city/2023-upper.MD").write_text("---\ntitle: x\n---\n")
    run = cli("check", "--source", site, "--strict")
    assert run.code == 1
    assert run.err.splitlines()[-1] == (
        "check failed: 0 error(s), 1 warning(s) (--strict turns warnings into errors)"
    )


def test_a_gate_finding_in_an_asset_names_the_asset(tmp_path: Path, good_output: Path) -> None:
    """Not the copy in the output folder (an absolute path outside the project)."""
    css = b"body { color: #333 }\n\n.logo {\n  background: url(https://cdn.example.com/logo.png);\n}\n"
    site, out = site_with(tmp_path, good_output, {"assets/site.css": css})
    run = build(site, out)
    assert error_lines(run) == [
        "assets/site.css:4:15: error: CSS url() loads 'https://cdn.example.com/logo.png' from"
        " another host (cdn.example.com) (the intranet's readers have no internet access: copy"
        " the file into the site's assets/ folder and refer to it by a relative path)"
    ], run.err


def test_a_fifo_the_build_does_not_read_never_blocks_it(tmp_path: Path) -> None:
    """A named pipe among files the build ignores (content/notes.fifo) is still stamped, and
    a file stamped just before a build is read for its digest: it hung the first build, and
    the check of a second that has nothing to do."""
    import subprocess
    import sys

    site = write_site(tmp_path / "site", dict(MINIMAL_SITE))
    os.mkfifo(site / "content/notes.fifo")
    command = [sys.executable, "-m", "site_builder", "build", "--source", str(site)]
    command += ["--out", str(tmp_path / "out"), "-j", "1"]
    for _ in range(2):
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
        )
        assert done.returncode == 0, done.stderr
