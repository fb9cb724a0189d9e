"""The dashboard's charts, drawn server-side by pygal as standalone SVG documents.

Each chart is served at its own URL and shown by an <img>: an image runs no script and
loads nothing, so pygal's own <style> and config <script> never meet the pages' CSP.
Two sizes: `wide` for the desktop layout, `phone` drawn narrow with the same font
sizes, so that the text stays readable when a 390 px screen shows it at full width.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Callable

import pygal
from pygal.style import Style

from handoff.metrics import FUNNEL_STAGES, Dashboard

FONT = 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif'
# Colour-blind-safe (Okabe-Ito) for the pathways, grey for "no pathway recommended".
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
NONE_COLOUR = "#9AA3AF"
ACCENT = "#1f5fbf"
MARGIN = 12
LEGEND_FONT = 13


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    phone: bool


# Drawn at about the size they are shown (the console's content column, or a phone's width).
SIZES = {
    "wide": {"tickets": Size(1200, 430, False), "reply_time": Size(590, 380, False), "funnel": Size(590, 380, False)},
    "phone": {"tickets": Size(344, 440, True), "reply_time": Size(344, 340, True), "funnel": Size(344, 340, True)},
}


def _style(colours: tuple[str, ...], phone: bool) -> Style:
    return Style(
        font_family=FONT, label_font_family=FONT, major_label_font_family=FONT, value_font_family=FONT,
        value_label_font_family=FONT, title_font_family=FONT, legend_font_family=FONT, tooltip_font_family=FONT,
        background="#ffffff", plot_background="#ffffff", foreground="#1d2430", foreground_strong="#1d2430",
        foreground_subtle="#d9dee7", guide_stroke_color="#d9dee7", major_guide_stroke_color="#d9dee7",
        guide_stroke_dasharray="0", major_guide_stroke_dasharray="0", value_colors=("#ffffff",), colors=colours, opacity=".9", opacity_hover=".9", transition="0ms",
        title_font_size=16, legend_font_size=LEGEND_FONT - phone, label_font_size=12, major_label_font_size=12,
        value_font_size=12, value_label_font_size=12, no_data_font_size=18,
    )


def _common(size: Size, colours: tuple[str, ...], **options: object) -> dict[str, object]:
    return {
        "width": size.width, "height": size.height, "explicit_size": True, "js": [], "style": _style(colours, size.phone),
        "disable_xml_declaration": False, "no_data_text": "No tickets in this period", "truncate_legend": -1,
        "truncate_label": -1, "margin": MARGIN, "spacing": 10, "show_legend": True, "legend_at_bottom": True,
        "tooltip_border_radius": 0,
        **options,
    }


def _legend_shortfall(series: int, columns: int) -> float:
    """pygal 3.1 leaves room for series // columns legend rows below the plot, one short
    when the last row is not full: the missing row's height, added to the margin."""
    missing = math.ceil(series / columns) - series // columns
    return missing * max(LEGEND_FONT, 12) * 1.5  # (a little more than needed at phone size)


def _integer_axis(top: int, phone: bool) -> dict[str, list[int]]:
    """Whole-number guides from 0 to at least `top` (counts are never fractional); none
    for an empty chart (pygal 3.1 fails on `y_labels` without a series: it shows its
    no-data text instead)."""
    if top <= 0:
        return {}
    step = max(1, math.ceil(top / (4 if phone else 6)))
    return {"y_labels": list(range(0, top + step, step))}


def tickets_chart(board: Dashboard, size: Size) -> str:
    """Tickets opened per day, stacked by pathway."""
    colours = tuple(NONE_COLOUR if code == "none" else PALETTE[i % len(PALETTE)]
                    for i, (code, _) in enumerate(board.pathways))
    days = board.period.days
    # Every day is labelled when there is room; otherwise every few days, with a guide
    # line at each label so that a bar is easy to place.
    room = 5 if size.phone else 40
    labels_every = max(1, math.ceil(len(days) / room))
    columns = 1 if size.phone else 3
    chart = pygal.StackedBar(
        **_common(size, colours or (ACCENT,), margin_bottom=MARGIN + _legend_shortfall(len(board.pathways), columns)),
        legend_at_bottom_columns=columns,
        x_labels_major_every=labels_every, show_minor_x_labels=False, x_label_rotation=0,
        **_integer_axis(max((board.day_total(d) for d in days), default=0), size.phone),
        show_y_guides=True, show_x_guides=labels_every > 1,
    )
    chart.x_labels = [_day_label(d, i == 0 or d.day == 1 or labels_every > 1) for i, d in enumerate(days)]
    if board.tickets_opened:
        for code, label in board.pathways:
            chart.add(label, [board.per_day[d].get(code, 0) or None for d in days])
    return chart.render(is_unicode=True)


def _day_label(day: date, with_month: bool) -> str:
    """"3 Dec", or only "3" between the first day shown and the first of a month."""
    return f"{day.day} {day.strftime('%b')}" if with_month else str(day.day)


def reply_time_chart(board: Dashboard, size: Size) -> str:
    """How long tickets of the period waited for a coordinator's first reply."""
    labels = board.reply_labels()
    chart = pygal.HorizontalBar(
        **_common(size, (ACCENT,), show_legend=False),
        print_values=True,
        **_integer_axis(max(board.first_reply.values(), default=0), size.phone),
    )
    # pygal draws the first label at the bottom: reversed, the quickest replies come first.
    codes = list(board.first_reply)[::-1]
    chart.x_labels = [labels[c] for c in codes]
    if board.tickets_opened:
        chart.add("Tickets", [board.first_reply[c] for c in codes])
    return chart.render(is_unicode=True)


def funnel_chart(board: Dashboard, size: Size) -> str:
    """From a conversation started to a coordinator's reply, each stage with its share."""
    started = board.funnel.get("conversations", 0)
    chart = pygal.HorizontalBar(
        **_common(size, (ACCENT,), show_legend=False, no_data_text="No conversations in this period"),
        print_values=True, formatter=lambda count: f"{count:g} ({_share(count, started)})",
        **_integer_axis(max(board.funnel.values(), default=0), size.phone),
    )
    stages = list(FUNNEL_STAGES)[::-1]
    chart.x_labels = [label for _, label in stages]
    if board.funnel.get("conversations"):
        chart.add("Conversations", [board.funnel[code] for code, _ in stages])
    return chart.render(is_unicode=True)


def _share(count: float, whole: int) -> str:
    return f"{round(100 * count / whole)}%" if whole else "–"


CHARTS: dict[str, Callable[[Dashboard, Size], str]] = {
    "tickets": tickets_chart, "reply_time": reply_time_chart, "funnel": funnel_chart,
}


def render(name: str, board: Dashboard, size_name: str) -> str:
    """One chart as an SVG document.

    Raises:
        KeyError: an unknown chart or size.
    """
    return CHARTS[name](board, SIZES[size_name][name])
