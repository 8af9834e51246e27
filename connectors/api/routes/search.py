"""POST /v1/search: hybrid search over the notes and emails the API key's user may see."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from assistant.service import Assistant
from connectors.api.deps import CurrentActor
from nlq.search.retrieval import MAX_K, SearchFilters

router = APIRouter(prefix="/v1", tags=["search"])


class SearchRequest(BaseModel):
    query: str = Field(..., max_length=20_000, description="What the notes or emails should be about.")
    k: int = Field(10, ge=1, le=MAX_K, description="How many hits to return.")
    filters: SearchFilters | None = Field(None, description="Kind, linked record, author/owner, date range.")
    mode: Literal["hybrid", "vector", "keyword"] = Field(
        "hybrid", description="hybrid (default) fuses meaning and keywords; vector or keyword use one alone.")


class SearchHitPublic(BaseModel):
    kind: Literal["note", "email"]
    id: int
    score: float = Field(description="Fused relevance (reciprocal rank fusion); higher is better.")
    snippet: str = Field(description="The passage that matched, on one line.")
    highlights: list[tuple[int, int]] = Field(description="[start, end) offsets of query words in the snippet.")
    date: datetime | None = Field(description="When the note was written or the email sent.")
    author_id: int | None = Field(description="Author of a note, owner of an email.")
    author: str | None
    subject: str | None = None
    direction: str | None = None
    contact_id: int | None = None
    account_id: int | None = None
    deal_id: int | None = None
    vector_similarity: float | None = Field(None, description="Cosine similarity of the best passage.")
    keyword_rank: float | None = Field(None, description="Full-text rank, when the query's words occur.")


class SearchResponse(BaseModel):
    hits: list[SearchHitPublic]


@router.post("/search", response_model=SearchResponse, summary="Search notes and emails")
def search(body: SearchRequest, actor: CurrentActor, request: Request) -> SearchResponse:
    """The `k` notes/emails best matching `query`, among those the key's user may see (others never
    appear, not even in counts). An empty or over-long query is a 422 with a stable code."""
    assistant: Assistant = request.app.state.assistant
    scope = assistant.nlq.scope_of(actor)
    result = assistant.search.searcher.search(body.query, owner_ids=scope.owner_ids, k=body.k,
                                              filters=body.filters, mode=body.mode)
    return SearchResponse(hits=[
        SearchHitPublic(kind=h.kind, id=h.id, score=h.score, snippet=h.snippet,  # type: ignore[arg-type]
                        highlights=h.highlights, date=h.occurred_at, author_id=h.author_id, author=h.author,
                        subject=h.subject, direction=h.direction, contact_id=h.contact_id,
                        account_id=h.account_id, deal_id=h.deal_id, vector_similarity=h.vector_similarity,
                        keyword_rank=h.keyword_rank)
        for h in result.hits
    ])
