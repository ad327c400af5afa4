"""SVG bars for the report's charts: geometry only, no text.

WeasyPrint lays SVG text out letter by letter (no Arabic joining, no
bidirectional ordering), so every label and figure of a chart is HTML around
the bars (see ``templates/reports/pdf/_charts.html``) and the SVG draws shapes
alone. Each bar is 100 units wide and stretches to its table cell; in a
right-to-left report it grows from the right.
"""
from markupsafe import Markup

from reporting.questionnaire.scale import STATUS_VALUES
from reporting.reports.aggregation import StatusCounts

# From "not started" (warm) to "implemented" (deep UN blue); "not applicable" neutral grey.
STATUS_COLOURS = {
    "not_started": "#c0504d",
    "planned": "#e8a33d",
    "in_progress": "#7fb3e0",
    "implemented": "#1f5a96",
    "not_applicable": "#c4c9d0",
}
PREVIOUS_COLOUR = "#b5bcc6"
GRID_COLOUR = "#ffffff"


def _svg(shapes: list[str], height: int = 10) -> Markup:
    grid = "".join(
        f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="{GRID_COLOUR}" stroke-width="0.35"/>' for x in (25, 50, 75)
    )
    return Markup(
        f'<svg class="bar" viewBox="0 0 100 {height}" preserveAspectRatio="none" aria-hidden="true">'
        f'{"".join(shapes)}{grid}</svg>'
    )


def _rect(x: float, width: float, colour: str, rtl: bool, y: float = 0, height: float = 10) -> str:
    if rtl:
        x = 100 - x - width
    return f'<rect x="{x:.3f}" y="{y}" width="{width:.3f}" height="{height}" fill="{colour}"/>'


def stacked_bar(segments: list[tuple[float, str]], rtl: bool = False) -> Markup:
    """One bar of (share, colour) segments laid end to end from the reading start."""
    shapes, x = [], 0.0
    for share, colour in segments:
        if share > 0:
            shapes.append(_rect(x, 100 * share, colour, rtl))
            x += 100 * share
    return _svg(shapes)


def status_bar(counts: StatusCounts, rtl: bool = False) -> Markup:
    """The distribution over the status scale, as shares of the replies other than "not applicable"."""
    if not counts.applicable:
        return _svg([])
    return stacked_bar([(counts.share(status), STATUS_COLOURS[status]) for status in STATUS_VALUES
                        if status != "not_applicable"], rtl)


def progress_bar(counts: StatusCounts, rtl: bool = False) -> Markup:
    """Implemented, then in progress: the regional comparison."""
    if not counts.applicable:
        return _svg([])
    return stacked_bar([(counts.share(status), STATUS_COLOURS[status]) for status in ("implemented", "in_progress")], rtl)


def trend_bar(previous: float, current: float, rtl: bool = False) -> Markup:
    """Share implemented in the previous cycle (thin, grey) above this cycle's (blue)."""
    return _svg([
        _rect(0, 100 * previous, PREVIOUS_COLOUR, rtl, y=1, height=3.5),
        _rect(0, 100 * current, STATUS_COLOURS["implemented"], rtl, y=5, height=4.5),
    ])


def swatch(colour: str) -> Markup:
    """A legend key."""
    return Markup(f'<svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" fill="{colour}"/></svg>')


def spread_bar(spread, rtl: bool = False) -> Markup:
    """The spread of several questions' shares: range (thin), quartiles (box) and median (tick)."""
    if not spread.questions:
        return _svg([])
    shapes = [
        _rect(100 * spread.minimum, 100 * (spread.maximum - spread.minimum), PREVIOUS_COLOUR, rtl, y=4.5, height=1),
        _rect(100 * spread.lower_quartile, max(100 * (spread.upper_quartile - spread.lower_quartile), 0.6),
              STATUS_COLOURS["in_progress"], rtl, y=2, height=6),
        _rect(100 * spread.median - 0.6, 1.2, STATUS_COLOURS["implemented"], rtl, y=0, height=10),
    ]
    return _svg(shapes)


TREND_COLOURS = {"decreased": "#1f5a96", "stable": "#7fb3e0", "increased": "#c0504d", "not_known": "#c4c9d0"}


def trend_shares_bar(counts, rtl: bool = False) -> Markup:
    """The trend answers to a dated target (``counts``: value → countries, ``"n"`` → countries replying)."""
    if not counts["n"]:
        return _svg([])
    return stacked_bar([(counts[value] / counts["n"], colour) for value, colour in TREND_COLOURS.items()], rtl)
