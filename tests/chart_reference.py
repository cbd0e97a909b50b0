"""The chart options as pyecharts builds them: the reference ``charts.build_options`` is held to.

The site once built every chart through pyecharts' ``Bar``/``Line``/``Pie`` and its JSON dump;
it now writes the same options directly. This is that former builder, kept for the tests that
compare the two on many specs.
"""

from __future__ import annotations

import json
from typing import Any

from site_builder.derive.charts import (
    MAX_LABELLED_POINTS,
    PALETTE,
    ChartSpec,
    Series,
    _legend_rows,
    _merge,
    _whole,
    point_label,
    unit_name,
)


def pyecharts_options(spec: ChartSpec, text_lang: str) -> dict[str, Any]:
    """The options pyecharts writes for a chart: the site's builder before it wrote them
    directly (``charts.build_options`` must give the same, key for key)."""
    from pyecharts import options as opts
    from pyecharts.charts import Bar, Line, Pie

    t = text_lang
    # ECharts' own aria description reads category charts poorly ("2022 is 0, 22"): the page
    # gives the container a description of its own (see views.chart_view).
    init = opts.InitOpts(chart_id=spec.id)
    labelled = len(spec.x) * len(spec.series) <= MAX_LABELLED_POINTS

    def items(s: Series) -> list[Any]:
        # Each value carries its text as the language writes it (3000余, 3,000+, 303.92万):
        # shown as the value label, and by charts.js in the tooltip.
        return [
            None if p is None else {"value": p.value, "label": {"formatter": point_label(p, s, t)}}
            for p in s.points
        ]

    def label(position: str) -> Any:
        return opts.LabelOpts(is_show=labelled, position=position)

    chart: Any
    axes: dict[str, Any] = {}
    if spec.type == "pie":
        s = spec.series[0]
        chart = Pie(init_opts=init)
        pairs = [
            (x.get(t), p.value) for x, p in zip(spec.x, s.points, strict=True) if p is not None
        ]
        chart.add(
            s.name.get(t),
            pairs,
            radius=["0%", "62%"],
            label_opts=opts.LabelOpts(formatter="{b}: {d}%"),
        )
    else:
        x = [c.get(t) for c in spec.x]
        if spec.type == "line":
            chart = Line(init_opts=init).add_xaxis(x)
            for s in spec.series:
                chart.add_yaxis(s.name.get(t), items(s), symbol_size=8, label_opts=label("top"))
        else:
            stacked = spec.type == "stacked_bar"
            bars = [s for s in spec.series if s.kind != "line"]
            chart = Bar(init_opts=init).add_xaxis(x)
            for s in bars:
                chart.add_yaxis(
                    s.name.get(t),
                    items(s),
                    stack="total" if stacked else None,
                    label_opts=label("inside" if stacked else "top"),
                )
            lines = [s for s in spec.series if s.kind == "line"]
            if lines:  # bar_line: lines on a second axis when their unit differs
                line_axis = 0 if lines[0].unit == bars[0].unit else 1
                if line_axis:
                    chart.extend_axis(
                        yaxis=opts.AxisOpts(
                            type_="value",
                            name=unit_name(lines[0].unit, t) or None,
                            position="right",
                            min_interval=1 if _whole(lines[0]) else 0,
                        )
                    )
                overlay = Line(init_opts=init).add_xaxis(x)
                for s in lines:
                    overlay.add_yaxis(
                        s.name.get(t),
                        items(s),
                        yaxis_index=line_axis,
                        symbol_size=8,
                        label_opts=label("top"),
                    )
                chart.overlap(overlay)
        axes = {
            "xaxis_opts": opts.AxisOpts(
                type_="category",
                axislabel_opts=opts.LabelOpts(interval=0, overflow="break", text_width=96),
            ),
            "yaxis_opts": opts.AxisOpts(
                type_="value",
                name=unit_name(spec.series[0].unit, t) or None,
                min_interval=1 if _whole(spec.series[0]) else 0,
            ),
        }
    chart.set_global_opts(
        title_opts=opts.TitleOpts(title=spec.title.get(t), is_show=False),
        legend_opts=opts.LegendOpts(
            is_show=len(spec.series) > 1 or spec.type == "pie", pos_bottom=0
        ),
        tooltip_opts=opts.TooltipOpts(trigger="item" if spec.type == "pie" else "axis"),
        **axes,
    )
    options: dict[str, Any] = json.loads(chart.dump_options())
    if spec.type != "pie":
        # pyecharts pairs a line's values with the x labels ([x, item]), which breaks per-item
        # labels; the series' data are set here, one item per category, in series order.
        ordered = [s for s in spec.series if s.kind != "line"]
        ordered += [s for s in spec.series if s.kind == "line"]
        for series_options, s in zip(options["series"], ordered, strict=True):
            series_options["data"] = items(s)
            series_options["labelLayout"] = {"hideOverlap": True}
    ordered_colors = [s.color for s in spec.series if s.kind != "line"]
    ordered_colors += [s.color for s in spec.series if s.kind == "line"]
    if spec.type != "pie" and all(ordered_colors):
        options["color"] = ordered_colors
    else:
        options["color"] = list(PALETTE)
    if spec.type != "pie":
        bottom = 12 + 24 * _legend_rows(spec, t) if len(spec.series) > 1 else 8
        options["grid"] = {
            "left": 8,
            "right": 16,
            "top": 40,
            "bottom": bottom,
            "containLabel": True,
        }
    return _merge(options, spec.options)
