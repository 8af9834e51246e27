"""Limits on a figure that keep groups: "reps with over $100k in pipeline", "reps with a win rate above 60%".

A comparison next to a metric's name, of the metric's kind (money, a percentage), in a grouped question is
not a condition on each row but on each group's figure; it becomes a `FigureFilter` (a HAVING).
"""

from __future__ import annotations

from nlq.catalog import Metric
from nlq.english import amount_text
from nlq.parsing.conditions import OP_WORDS, int_if_whole
from nlq.parsing.state import Modifier, ParseState
from nlq.plan import AVERAGE, FigureFilter, QueryPlan

_FIGURE_GAP = frozenset({"in", "of", "on", "a", "an", "the", "is", "are", "total", "their", "its"})


def figure_limits(state: ParseState, metric: Metric) -> list[Modifier]:
    """Comparisons next to the figure's name and of its kind ("pipeline over 100k", "over $500k in pipeline",
    "a win rate above 60%"), taken out of the row conditions."""
    named = [m for m in state.mentions if m.metric == metric.name]
    limits = []
    for mod in state.modifiers:
        if mod.kind != "compare":
            continue
        average = bool(mod.data.get("average"))  # "a win rate above average": the figure's own kind
        if not average and (bool(mod.data.get("percent")) != (metric.format == "percent") or
                            mod.data.get("money") and metric.format != "money"):
            continue
        for m in named:
            between = range(m.end, mod.pos) if mod.pos >= m.end else range(mod.end, m.pos)
            grouping = len(between) >= 2 and state.word(between[0]) in ("by", "per") and \
                all(state.used[k] for k in between[1:])  # "revenue by rep over 200k"
            if grouping or len(between) <= 2 and all(state.word(k) in _FIGURE_GAP for k in between):
                limits.append(mod)
                break
    state.modifiers = [m for m in state.modifiers if m not in limits]
    return limits


def against_average(index: int, op: str, figure: str) -> FigureFilter:
    """Groups whose figure (the plan's measure `index`, named `figure`) is over or under the mean of the
    groups' figures ("reps with a win rate above average", "which are below average" after a breakdown)."""
    return FigureFilter(measure_index=index, op=op, value=AVERAGE,  # type: ignore[arg-type]
                        text=f"{figure.replace('_', ' ')} {OP_WORDS.get(op, op)} the average")


def figure_filter(plan: QueryPlan, metric: Metric, mod: Modifier) -> FigureFilter:
    """The limit on the plan's figure; a percentage compares with the rate's fraction (60% → 0.6)."""
    index = next((i for i, m in enumerate(plan.measures) if m.metric == metric.name), 0)
    value = mod.data["value"]
    if value == AVERAGE:  # "reps with a win rate above average": the mean of the groups' figures
        return against_average(index, mod.data["op"], metric.name)
    scale = 0.01 if metric.format == "percent" else 1
    # rounded: 60 × 0.01 is 0.6, not 0.6000000000000001; 100000, not 100000.0
    scaled = [int_if_whole(round(v * scale, 6)) for v in value] if isinstance(value, list) \
        else int_if_whole(round(value * scale, 6))

    def shown(v: float) -> str:
        return f"{v:g}%" if metric.format == "percent" else amount_text(v, money=True) if metric.format == "money" \
            else f"{v:,g}"

    figure = " and ".join(shown(v) for v in value) if isinstance(value, list) else shown(value)
    return FigureFilter(measure_index=index, op=mod.data["op"], value=scaled,
                        text=f"{metric.name.replace('_', ' ')} {OP_WORDS.get(mod.data['op'], mod.data['op'])} {figure}")
