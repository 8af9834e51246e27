"""Hybrid retrieval over notes and emails: vector (HNSW) and full-text results fused by reciprocal rank.

Both retrievers apply every filter and the asker's scope *inside* their SQL, so a hit outside the
scope is never fetched, counted or ranked. The vector side searches passages (`search_chunks`):
with a selective filter (one record, one rep's texts) an exact scan over the few matching passages
is both faster and exact; otherwise the HNSW index is scanned with pgvector's iterative scans
(`hnsw.iterative_scan = relaxed_order`) so that filtering does not starve the result. The keyword
side ranks documents by `ts_rank_cd` over an OR of the query's stemmed words. Hybrid search takes the
union of both candidate lists and ranks it by one score (`rerank`): the cosine of each text's best
passage to the query widened by pseudo-relevance feedback (the query vector moved towards the ten
texts ranked first), plus a share of the query's words the text contains, each word weighted by its
rarity (inverse document frequency, from PostgreSQL's own column statistics). Passage vectors are first
smoothed towards their nearest k-means centroids (cluster hypothesis; `nlq.search.clusters`), so a text
also scores by how close the query is to the texts it resembles. Everything runs in one
read-only transaction with a statement timeout, like the NL query executor.
"""

from __future__ import annotations

import re
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Engine

from nlq.embeddings import embed_query
from nlq.executor import read_only_cursor
from nlq.search.clusters import TEXT_WEIGHT, load_centroids, smooth
from nlq.search.errors import EmptySearchQueryError, InvalidSearchFilterError, SearchQueryTooLongError
from nlq.search.snippets import build_snippet, highlight_markers
from nlq.search.vectors import as_array, vector_literal

Mode = Literal["hybrid", "vector", "keyword"]
MODES: tuple[Mode, ...] = ("hybrid", "vector", "keyword")

MAX_QUERY_CHARS = 1000
MAX_K = 50
RRF_K = 60            # the constant of reciprocal rank fusion (Cormack et al. 2009)
# Keyword ranks count half: on paraphrased questions meaning is the stronger signal, and the dev suite
# (evals/suites/search.jsonl) scores weighted fusion above equal weights (nDCG@10 0.80 vs 0.78).
VECTOR_WEIGHT, KEYWORD_WEIGHT = 1.0, 0.5
# Candidates per HNSW scan (pgvector's default is 40): on 199,102 passages of medium demo data 400 gives
# recall@10 0.96 against exact search under a team's scope at a p95 of 12 ms (benchmarks/search_medium_bench.py).
HNSW_EF_SEARCH = 400
# Hybrid reranking (dev suite, small demo data: recall@10 0.774 → 0.80, nDCG@10 0.799 → 0.82 against RRF;
# neighbouring settings — weight 0.15-0.2, 10-15 feedback texts, feedback weight 1-1.5 — score within 0.01).
HYBRID_CANDIDATES = 100        # texts taken from each retriever into the reranked union
FEEDBACK_TEXTS = 10            # texts ranked first whose mean vector widens the query (pseudo-relevance feedback)
FEEDBACK_WEIGHT = 0.5          # query vector + this × their mean direction (both unit length)
# Feedback repeated on the re-ranked list: two half-weight rounds instead of one full one beat it on the dev
# suite (recall@10 0.876 → 0.885) and on the held-out suite written after the tuning (0.821 → 0.838).
FEEDBACK_ROUNDS = 2
# Feedback anchored to the query's words: its texts are the best-ranked of the first FEEDBACK_DEPTH that hold at
# least FEEDBACK_ANCHOR_COVERAGE of the query's word weight (IDF), when FEEDBACK_MIN_ANCHORED of them do; else
# the best-ranked texts. A first pass that drifts to a neighbouring topic ("the executive backing our deal
# resigned" → "after the reorg, our CFO won't sign off") no longer pulls the query further that way. Recall@10
# dev 0.893 → 0.903, held-out 0.856 → 0.860; on another day's draw of the demo data 0.839 → 0.865 and
# 0.813 → 0.851 (coverage 0.35 and 0.40 beat none on all four, 0.25-0.30 on most; depth 50 or 5 anchored
# texts did not).
FEEDBACK_DEPTH = 30
FEEDBACK_ANCHOR_COVERAGE = 0.35
FEEDBACK_MIN_ANCHORED = 3
KEYWORD_COVERAGE_WEIGHT = 0.15  # score = cosine + this × IDF-weighted share of the query's words present
# A search phrase is short; the texts it looks for are notes and e-mails. The hybrid ranking's query vector is
# half the phrase's own, half the mean of the phrase framed as such a text (dev suite recall@10 0.887 → 0.893,
# held-out 0.838 → 0.856; on another day's draw of the demo data 0.848 → 0.839 and 0.791 → 0.813).
QUERY_FRAMES = ("A note about {q}.", "An email about {q}.")
QUERY_FRAME_WEIGHT = 0.5
EXACT_SCAN_MAX_CHUNKS = 20_000  # below this many candidate passages an exact scan beats the index
KEYWORD_CANDIDATES = 5_000  # most keyword matches ranked per search (the newest)
_STATS_TTL_S = 600.0
_MARK_START, _MARK_END = "\x02", "\x03"


class SearchFilters(BaseModel):
    """Narrow a search: one kind, one linked record, one author/owner, a date range (inclusive days)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["note", "email"] | None = Field(default=None, description="Only notes or only emails.")
    account_id: int | None = Field(default=None, description="Texts linked to this account (emails: via the contact).")
    contact_id: int | None = Field(default=None, description="Texts linked to this contact.")
    deal_id: int | None = Field(default=None, description="Notes of this deal and emails with its primary contact.")
    author_id: int | None = Field(default=None, description="Notes written by / emails owned by this user.")
    date_from: date | None = Field(default=None, description="On or after this day (UTC).")
    date_to: date | None = Field(default=None, description="On or before this day (UTC).")
    account_ids: list[int] | None = Field(default=None, description="Texts linked to any of these accounts.")
    contact_ids: list[int] | None = Field(default=None, description="Texts linked to any of these contacts.")

    @model_validator(mode="after")
    def _dates_in_order(self) -> SearchFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self

    @property
    def names_a_record(self) -> bool:
        return any(v is not None for v in (self.account_id, self.contact_id, self.deal_id, self.account_ids,
                                           self.contact_ids))


@dataclass
class SearchHit:
    """One note or email: fused score, the passage that matched, who wrote it when, what it links to."""

    kind: str
    id: int
    score: float
    snippet: str
    highlights: list[tuple[int, int]]
    occurred_at: datetime | None
    author_id: int | None
    author: str | None
    contact_id: int | None
    account_id: int | None
    deal_id: int | None
    subject: str | None = None
    direction: str | None = None
    contact_name: str | None = None
    account_name: str | None = None
    vector_similarity: float | None = None
    keyword_rank: float | None = None

    def marked_snippet(self, start: str = "**", end: str = "**") -> str:
        """The snippet with each highlighted span wrapped in `start`/`end` (markdown bold by default)."""
        out, position = [], 0
        for s, e in self.highlights:
            out += [self.snippet[position:s], start, self.snippet[s:e], end]
            position = e
        out.append(self.snippet[position:])
        return "".join(out)


@dataclass
class SearchResult:
    query: str
    mode: Mode
    hits: list[SearchHit]
    elapsed_ms: float
    path: str = ""                       # "hnsw" or "exact" (vector side), for benchmarks and logs
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass
class _Plan:
    """The SQL conditions of one search: scope plus filters, for chunks (c) or documents (d)."""

    where: str
    params: dict[str, Any]


class Searcher:
    """Searches one database; holds the query-embedding cache and the statistics that pick the path."""

    def __init__(self, engine: Engine, *, model_name: str, timeout_ms: int = 5000,
                 ef_search: int = HNSW_EF_SEARCH) -> None:
        self.engine = engine
        self.model_name = model_name
        self.timeout_ms = timeout_ms
        self.ef_search = ef_search
        self._stats: dict[tuple[int | None, str, date], int] = {}
        self._stats_at = 0.0
        self._stats_lock = threading.Lock()
        self._word_freq: tuple[dict[str, float], float] = ({}, 1.0)
        self._word_freq_at = 0.0
        self._centroids: list[np.ndarray] = []
        self._centroids_at = 0.0

    # -- public ------------------------------------------------------------------------------------

    def search(self, query: str, *, owner_ids: frozenset[int] | None, k: int = 10,
               filters: SearchFilters | None = None, mode: Mode = "hybrid",
               force_path: Literal["hnsw", "exact"] | None = None) -> SearchResult:
        """The top `k` notes/emails for `query` among those owned by `owner_ids` (None: all).

        Raises:
            EmptySearchQueryError: the query has no words.
            SearchQueryTooLongError: the query is over MAX_QUERY_CHARS characters.
            InvalidSearchFilterError: k or a filter is out of range.
            QueryTimeoutError / QueryFailedError: the database stopped or refused the search.
        """
        started = time.perf_counter()
        text = clean_query(query)
        filters = filters or SearchFilters()
        if not 1 <= k <= MAX_K:
            raise InvalidSearchFilterError(f"k must be between 1 and {MAX_K}; got {k}.")
        if mode not in MODES:
            raise InvalidSearchFilterError(f"Unknown search mode '{mode}'; use one of {', '.join(MODES)}.")
        timings: dict[str, float] = {}
        if owner_ids is not None and not owner_ids:
            return SearchResult(text, mode, [], 0.0)
        depth = max(HYBRID_CANDIDATES if mode == "hybrid" else 50, 3 * k)
        vector_ranked: list[tuple[str, int, float, int, int]] = []
        keyword_ranked: list[tuple[str, int, float]] = []
        path = ""
        query_vector = self._embed_query(text) if mode != "keyword" else None
        # (the ranking reads the phrase framed as a note or e-mail; the scans its own vector: framing narrows
        # what a scan finds — vector-only recall@10 0.760 → 0.737 — and the union already holds it)
        rank_vector = framed_query_vector(text, self.model_name) if mode == "hybrid" else None
        timings["embed"] = (time.perf_counter() - started) * 1000
        with self._read_only() as cur:
            if query_vector is not None:
                path = force_path or self._choose_path(owner_ids, filters)
                t0 = time.perf_counter()
                vector_ranked = self._vector(cur, query_vector, owner_ids, filters, depth, path)
                timings["vector"] = (time.perf_counter() - t0) * 1000
            if mode != "vector":
                t0 = time.perf_counter()
                keyword_ranked = self._keyword(cur, text, owner_ids, filters, depth)
                timings["keyword"] = (time.perf_counter() - t0) * 1000
            if mode == "hybrid" and rank_vector is not None:
                t0 = time.perf_counter()
                fused, passages = self._rerank(cur, text, rank_vector, vector_ranked, keyword_ranked)
                fused = fused[:k]
                shown = {(kind, rid) for kind, rid, _ in fused}
                vector_ranked = [p for p in passages if (p[0], p[1]) in shown]
                timings["rerank"] = (time.perf_counter() - t0) * 1000
            else:
                fused = fuse(vector_ranked, keyword_ranked, mode)[:k]
            t0 = time.perf_counter()
            hits = self._details(cur, text, fused, vector_ranked, keyword_ranked, owner_ids)
            timings["details"] = (time.perf_counter() - t0) * 1000
        return SearchResult(text, mode, hits, (time.perf_counter() - started) * 1000, path, timings)

    def recent(self, *, owner_ids: frozenset[int] | None, k: int, filters: SearchFilters) -> SearchResult:
        """The newest `k` notes/emails the filters allow ("notes about Cobalt": nothing to rank by, so by date)."""
        started = time.perf_counter()
        if owner_ids is not None and not owner_ids:
            return SearchResult("", "keyword", [], 0.0)
        plan = _conditions("d", owner_ids, filters)
        with self._read_only() as cur:
            cur.execute(f"SELECT d.kind, d.record_id FROM search_documents d WHERE {plan.where} "
                        "ORDER BY d.occurred_at DESC NULLS LAST, d.record_id DESC LIMIT %(n)s", {**plan.params, "n": k})
            newest = [(kind, rid, 0.0) for kind, rid in cur.fetchall()]
            hits = self._details(cur, "", newest, [], [], owner_ids)
        return SearchResult("", "keyword", hits, (time.perf_counter() - started) * 1000, "recent")

    def vector_candidates(self, query: str, *, owner_ids: frozenset[int] | None, k: int,
                          filters: SearchFilters | None = None,
                          path: Literal["hnsw", "exact"] = "hnsw") -> list[tuple[str, int, int, float]]:
        """Raw passages (kind, record id, chunk no, cosine distance) of the vector side alone, nearest first.

        Benchmarks compare the HNSW path with the exact one through this, on the same filters.
        """
        vector = self._embed_query(clean_query(query))
        with self._read_only() as cur:
            rows = self._vector_chunks(cur, vector, owner_ids, filters or SearchFilters(), k, path)
        return [(r[0], r[1], r[2], float(r[5])) for r in rows]

    # -- the two retrievers --------------------------------------------------------------------------

    def _vector(self, cur: Any, vector: np.ndarray, owner_ids: frozenset[int] | None, filters: SearchFilters,
                depth: int, path: str) -> list[tuple[str, int, float, int, int]]:
        """Documents ranked by their best passage: (kind, id, similarity, char_start, char_end)."""
        rows = self._vector_chunks(cur, vector, owner_ids, filters, depth * 2, path)
        best: dict[tuple[str, int], tuple[str, int, float, int, int]] = {}
        for kind, record_id, _chunk_no, start, end, distance in rows:
            key = (kind, record_id)
            if key not in best:
                best[key] = (kind, record_id, 1.0 - float(distance), start, end)
        return list(best.values())[:depth]

    def _vector_chunks(self, cur: Any, vector: np.ndarray, owner_ids: frozenset[int] | None,
                       filters: SearchFilters, limit: int, path: str) -> list[Any]:
        plan = _conditions("c", owner_ids, filters)
        params = {**plan.params, "q": vector_literal(vector), "n": limit}
        if path == "exact":
            # `+ 0` makes the order expression differ from the index's, so PostgreSQL scans the
            # filtered passages (through the b-tree indexes) and computes every distance: exact.
            sql = f"""
SELECT c.kind, c.record_id, c.chunk_no, c.char_start, c.char_end, (c.embedding <=> %(q)s::vector) AS distance
  FROM search_chunks c WHERE {plan.where}
 ORDER BY (c.embedding <=> %(q)s::vector) + 0, c.id LIMIT %(n)s"""
        else:
            cur.execute(f"SET LOCAL hnsw.ef_search = {int(max(self.ef_search, limit))}")
            if plan.where != "TRUE":
                cur.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            # relaxed order may return near-ties out of order; the outer ORDER BY restores it
            sql = f"""
SELECT * FROM (
  SELECT c.kind, c.record_id, c.chunk_no, c.char_start, c.char_end,
         (c.embedding <=> %(q)s::vector) AS distance
    FROM search_chunks c WHERE {plan.where}
   ORDER BY c.embedding <=> %(q)s::vector LIMIT %(n)s
) nearest ORDER BY distance"""
        cur.execute(sql, params)
        return list(cur.fetchall())

    def _keyword(self, cur: Any, text: str, owner_ids: frozenset[int] | None, filters: SearchFilters,
                 depth: int) -> list[tuple[str, int, float]]:
        plan = _conditions("d", owner_ids, filters)
        # The query's words as a tsquery first, so that the main statement carries it as a value: the
        # planner then sees how many texts match and, for common words, walks the recency index and stops
        # at the cap (0.03 s on medium data) instead of fetching every match (0.8 s).
        cur.execute(f"SELECT ({_OR_TSQUERY})::text", {"text": text})
        tsquery = cur.fetchone()[0]
        # Documents with more of the query's words first (an OR query alone lets one common word win),
        # then by cover density. Ranking reads every candidate's tsvector, so a common word over a large
        # scope would rank hundreds of thousands; the newest KEYWORD_CANDIDATES matches are ranked instead.
        cur.execute(f"""
WITH q AS (SELECT %(tsq)s::tsquery AS tsq,
                  ARRAY(SELECT to_tsquery('simple', quote_literal(l))
                          FROM unnest(tsvector_to_array(to_tsvector('english', %(text)s))) AS l) AS words),
m AS MATERIALIZED (SELECT d.kind, d.record_id, d.tsv FROM search_documents d
                    WHERE d.tsv @@ %(tsq)s::tsquery AND {plan.where}
                    ORDER BY d.occurred_at DESC NULLS LAST LIMIT %(cap)s)
SELECT m.kind, m.record_id,
       (SELECT count(*) FROM unnest(q.words) AS w WHERE m.tsv @@ w) + ts_rank_cd(m.tsv, q.tsq, 1) AS rank
  FROM m, q
 ORDER BY rank DESC, m.record_id LIMIT %(n)s""", {**plan.params, "text": text, "tsq": tsquery, "n": depth,
                                                    "cap": KEYWORD_CANDIDATES})
        return [(kind, record_id, float(rank)) for kind, record_id, rank in cur.fetchall()]

    # -- hybrid reranking ----------------------------------------------------------------------------

    def _rerank(self, cur: Any, text: str, query_vector: np.ndarray,
                vector_ranked: list[tuple[str, int, float, int, int]],
                keyword_ranked: list[tuple[str, int, float]],
                ) -> tuple[list[tuple[str, int, float]], list[tuple[str, int, float, int, int]]]:
        """Rank the union of both retrievers' candidates by one score; also each one's best passage.

        Reads the candidates' passage vectors and which of the query's words each contains in one
        indexed lookup (a few hundred rows at most), then scores in memory; see `rerank`.
        """
        keys = list(dict.fromkeys([(kind, rid) for kind, rid, *_ in vector_ranked] +
                                  [(kind, rid) for kind, rid, _ in keyword_ranked]))
        if not keys:
            return [], []
        cur.execute("SELECT tsvector_to_array(to_tsvector('english', %(text)s))", {"text": text})
        words = list(cur.fetchone()[0] or [])
        cur.execute("""
SELECT x.kind, x.record_id, c.char_start, c.char_end, c.embedding,
       ARRAY(SELECT w FROM unnest(%(words)s::text[]) AS w WHERE d.tsv @@ to_tsquery('simple', quote_literal(w)))
  FROM unnest(%(kinds)s::text[], %(ids)s::int[]) AS x(kind, record_id)
  JOIN search_documents d ON d.kind = x.kind AND d.record_id = x.record_id
  LEFT JOIN search_chunks c ON c.kind = x.kind AND c.record_id = x.record_id""",
                    {"words": words, "kinds": [kd for kd, _ in keys], "ids": [rid for _, rid in keys]},
                    binary=True)  # vectors as raw floats: parsing their text form would cost ~20 ms
        candidates: dict[tuple[str, int], Candidate] = {}
        for kind, rid, start, end, embedding, matched in cur.fetchall():
            cand = candidates.setdefault((kind, rid), Candidate(kind, rid, set(matched or ())))
            if embedding is not None:
                cand.passages.append((int(start), int(end), as_array(embedding)))
        ordered = [candidates[key] for key in keys if key in candidates]
        frequencies, floor = self._word_frequencies(cur)
        weights = {w: idf_weight(frequencies.get(w), floor) for w in words}
        centroids = self._cluster_centroids(cur)
        with _single_threaded_blas():
            return rerank(query_vector, ordered, weights, centroids=centroids)

    def _cluster_centroids(self, cur: Any) -> list[np.ndarray]:
        """The indexer's k-means centroids (one array per resolution), re-read every few minutes."""
        with self._stats_lock:
            if time.monotonic() - self._centroids_at > _STATS_TTL_S:
                self._centroids = load_centroids(cur)
                self._centroids_at = time.monotonic()
            return self._centroids

    def _word_frequencies(self, cur: Any) -> tuple[dict[str, float], float]:
        """Share of documents containing each common stem, and the share below which stems are not listed.

        ANALYZE already samples the tsvector column's most common lexemes and their frequencies
        (`pg_stats.most_common_elems`), so word rarity costs no scan of its own; refreshed every few minutes.
        """
        with self._stats_lock:
            if time.monotonic() - self._word_freq_at > _STATS_TTL_S:
                cur.execute("SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                            "WHERE tablename = 'search_documents' AND attname = 'tsv' "
                            "AND schemaname = current_schema()")
                row = cur.fetchone()
                if row and row[0] and row[1]:
                    elems, freqs = list(row[0]), [float(f) for f in row[1]]
                    # after the per-element frequencies come their minimum, maximum and the null share
                    floor = freqs[len(elems)] if len(freqs) > len(elems) else min(freqs[:len(elems)])
                    self._word_freq = (dict(zip(elems, freqs[:len(elems)], strict=False)), max(floor, 1e-6))
                else:
                    self._word_freq = ({}, 1.0)  # never analysed: every word weighs the same
                self._word_freq_at = time.monotonic()
            return self._word_freq

    # -- the hits ------------------------------------------------------------------------------------

    def _details(self, cur: Any, text: str, fused: list[tuple[str, int, float]],
                 vector_ranked: list[tuple[str, int, float, int, int]],
                 keyword_ranked: list[tuple[str, int, float]], owner_ids: frozenset[int] | None) -> list[SearchHit]:
        if not fused:
            return []
        passages = {(kind, rid): (sim, s, e) for kind, rid, sim, s, e in vector_ranked}
        ranks = {(kind, rid): rank for kind, rid, rank in keyword_ranked}
        note_ids = [rid for kind, rid, _ in fused if kind == "note"]
        email_ids = [rid for kind, rid, _ in fused if kind == "email"]
        # Scope is checked again on the source rows: defence in depth behind the filtered retrievers.
        cur.execute("""
SELECT 'note', n.id, coalesce(n.body, ''), n.author_id, n.created_at, n.contact_id, n.account_id, n.deal_id,
       NULL, NULL, u.full_name,
       CASE WHEN %(all)s OR c.owner_id = ANY(%(owners)s) THEN c.first_name || ' ' || c.last_name END,
       CASE WHEN %(all)s OR a.owner_id = ANY(%(owners)s) THEN a.name END
  FROM notes n LEFT JOIN users u ON u.id = n.author_id
       LEFT JOIN contacts c ON c.id = n.contact_id LEFT JOIN accounts a ON a.id = n.account_id
 WHERE n.id = ANY(%(notes)s) AND (%(all)s OR n.author_id = ANY(%(owners)s))
UNION ALL
SELECT 'email', e.id, coalesce(e.subject, '') || E'\\n' || coalesce(e.body, ''), e.owner_id, e.sent_at,
       e.contact_id, c.account_id, NULL, e.subject, e.direction, u.full_name,
       CASE WHEN %(all)s OR c.owner_id = ANY(%(owners)s) THEN c.first_name || ' ' || c.last_name END,
       CASE WHEN %(all)s OR a.owner_id = ANY(%(owners)s) THEN a.name END
  FROM emails e LEFT JOIN users u ON u.id = e.owner_id
       LEFT JOIN contacts c ON c.id = e.contact_id LEFT JOIN accounts a ON a.id = c.account_id
 WHERE e.id = ANY(%(emails)s) AND (%(all)s OR e.owner_id = ANY(%(owners)s))""",
                    {"notes": note_ids, "emails": email_ids, "all": owner_ids is None,
                     "owners": sorted(owner_ids or ())})
        rows = {(r[0], r[1]): r for r in cur.fetchall()}
        snippets: list[tuple[str, list[tuple[int, int]]]] = []
        kept = []
        for kind, rid, score in fused:
            row = rows.get((kind, rid))
            if row is None:
                continue
            passage = passages.get((kind, rid))
            snippet = build_snippet(kind, row[2], (passage[1], passage[2]) if passage else None)
            snippets.append((snippet, []))
            kept.append((kind, rid, score, row, passage))
        marked = self._highlight(cur, text, [s for s, _ in snippets])
        hits = []
        for (kind, rid, score, row, passage), (snippet, highlights) in zip(kept, marked, strict=True):
            hits.append(SearchHit(
                kind=kind, id=rid, score=round(score, 6), snippet=snippet, highlights=highlights,
                occurred_at=row[4], author_id=row[3], author=row[10], contact_id=row[5], account_id=row[6],
                deal_id=row[7], subject=row[8], direction=row[9], contact_name=row[11], account_name=row[12],
                vector_similarity=round(passage[0], 4) if passage else None,
                keyword_rank=round(ranks[(kind, rid)], 4) if (kind, rid) in ranks else None,
            ))
        return hits

    def _highlight(self, cur: Any, text: str, snippets: list[str]) -> list[tuple[str, list[tuple[int, int]]]]:
        """Mark the query's words (by stem, as full-text search matched them) in each snippet."""
        if not snippets:
            return []
        cur.execute(f"""
WITH q AS (SELECT {_OR_TSQUERY} AS tsq)
SELECT ts_headline('english', s.snippet, q.tsq,
                   'HighlightAll=true, StartSel={_MARK_START}, StopSel={_MARK_END}')
  FROM unnest(%(snippets)s::text[]) WITH ORDINALITY AS s(snippet, n), q ORDER BY s.n""",
                    {"text": text, "snippets": snippets})
        return [highlight_markers(row[0], _MARK_START, _MARK_END) for row in cur.fetchall()]

    # -- helpers -------------------------------------------------------------------------------------

    def _embed_query(self, text: str) -> np.ndarray:
        return embed_query(text, name=self.model_name)

    def _choose_path(self, owner_ids: frozenset[int] | None, filters: SearchFilters) -> str:
        """Exact scan when the filters leave few passages, else the HNSW index."""
        if filters.names_a_record:
            return "exact"
        owners = owner_ids
        if filters.author_id is not None:
            owners = frozenset({filters.author_id}) if owners is None else owners & {filters.author_id}
        if owners is None and filters.date_from is None and filters.date_to is None:
            return "hnsw"
        estimate = self._estimate(owners, filters)
        return "exact" if estimate <= EXACT_SCAN_MAX_CHUNKS else "hnsw"

    def _estimate(self, owners: frozenset[int] | None, filters: SearchFilters) -> float:
        stats = self._chunk_stats()
        low = filters.date_from.replace(day=1) if filters.date_from else None
        high = filters.date_to if filters.date_to else None
        total = 0.0
        for (owner, kind, month), count in stats.items():
            if owners is not None and owner not in owners:
                continue
            if filters.kind and kind != filters.kind:
                continue
            if (low and month < low) or (high and month > high):
                continue
            total += count
        return total

    def _chunk_stats(self) -> dict[tuple[int | None, str, date], int]:
        """Passages per (owner, kind, month), refreshed every few minutes (cheap next to a search)."""
        with self._stats_lock:
            if time.monotonic() - self._stats_at > _STATS_TTL_S:
                with self._read_only() as cur:
                    cur.execute("SELECT owner_id, kind, date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date, "
                                "count(*) FROM search_chunks GROUP BY 1, 2, 3")
                    self._stats = {(o, k, m or date.min): int(n) for o, k, m, n in cur.fetchall()}
                self._stats_at = time.monotonic()
            return self._stats

    def refresh_statistics(self) -> None:
        """Forget the cached passage counts (after indexing a lot)."""
        with self._stats_lock:
            self._stats_at = 0.0

    def _read_only(self) -> Any:
        return read_only_cursor(self.engine, timeout_ms=self.timeout_ms, what="search",
                                narrow="a kind, an account, a date range")


# OR of the query's stemmed words: any word may match, documents with more (and closer) words rank higher.
# Stems are quoted and read with the 'simple' configuration, so they are taken as they are.
_OR_TSQUERY = ("to_tsquery('simple', coalesce((SELECT string_agg(quote_literal(l), ' | ') "
               "FROM unnest(tsvector_to_array(to_tsvector('english', %(text)s))) AS l), ''))")


def _conditions(alias: str, owner_ids: frozenset[int] | None, filters: SearchFilters) -> _Plan:
    """WHERE conditions shared by both retrievers (the chunk and document tables have the same columns)."""
    a = alias
    where: list[str] = []
    params: dict[str, Any] = {}
    if owner_ids is not None:
        where.append(f"{a}.owner_id = ANY(%(scope)s)")
        params["scope"] = sorted(owner_ids)
    if filters.author_id is not None:
        where.append(f"{a}.owner_id = %(author)s")
        params["author"] = filters.author_id
    if filters.kind:
        where.append(f"{a}.kind = %(kind)s")
        params["kind"] = filters.kind
    if filters.contact_id is not None:
        where.append(f"{a}.contact_id = %(contact)s")
        params["contact"] = filters.contact_id
    if filters.account_id is not None:
        where.append(f"{a}.account_id = %(account)s")
        params["account"] = filters.account_id
    if filters.account_ids is not None:
        where.append(f"{a}.account_id = ANY(%(accounts)s)")
        params["accounts"] = filters.account_ids
    if filters.contact_ids is not None:
        where.append(f"{a}.contact_id = ANY(%(contacts)s)")
        params["contacts"] = filters.contact_ids
    if filters.deal_id is not None:
        # a deal's notes, and the emails exchanged with its primary contact
        where.append(f"({a}.deal_id = %(deal)s OR ({a}.kind = 'email' AND {a}.contact_id = "
                     f"(SELECT contact_id FROM deals WHERE id = %(deal)s)))")
        params["deal"] = filters.deal_id
    if filters.date_from is not None:
        where.append(f"{a}.occurred_at >= %(date_from)s")
        params["date_from"] = datetime.combine(filters.date_from, datetime.min.time(), tzinfo=timezone.utc)
    if filters.date_to is not None:
        where.append(f"{a}.occurred_at < %(date_to)s")
        params["date_to"] = datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time(),
                                             tzinfo=timezone.utc)
    return _Plan(" AND ".join(where) or "TRUE", params)


def fuse(vector_ranked: list[tuple[str, int, float, int, int]], keyword_ranked: list[tuple[str, int, float]],
         mode: Mode) -> list[tuple[str, int, float]]:
    """Order documents by mode: one retriever's own order, or reciprocal rank fusion of both.

    >>> fuse([("note", 1, .9, 0, 5), ("note", 2, .8, 0, 5)], [("note", 2, .5)], "hybrid")[0][:2]
    ('note', 2)
    >>> fuse([("note", 1, .9, 0, 5)], [("note", 2, .5)], "hybrid")[0][:2]
    ('note', 1)
    """
    if mode == "vector":
        return [(kind, rid, sim) for kind, rid, sim, _, _ in vector_ranked]
    if mode == "keyword":
        return [(kind, rid, rank) for kind, rid, rank in keyword_ranked]
    scores: dict[tuple[str, int], float] = {}
    for rank, (kind, rid, *_rest) in enumerate(vector_ranked, start=1):
        scores[(kind, rid)] = scores.get((kind, rid), 0.0) + VECTOR_WEIGHT / (RRF_K + rank)
    for rank, (kind, rid, _score) in enumerate(keyword_ranked, start=1):
        scores[(kind, rid)] = scores.get((kind, rid), 0.0) + KEYWORD_WEIGHT / (RRF_K + rank)
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [(kind, rid, score) for (kind, rid), score in ordered]


@dataclass
class Candidate:
    """One text in the hybrid union: its embedded passages and which of the query's stems it contains."""

    kind: str
    id: int
    matched: set[str]
    passages: list[tuple[int, int, np.ndarray]] = field(default_factory=list)  # (start, end, unit vector)


def idf_weight(frequency: float | None, floor: float) -> float:
    """log(1 / share of documents with the word); unlisted (rarer) words take the rarest listed share."""
    return float(np.log(1.0 / max(min(frequency if frequency is not None else floor, 1.0), 1e-6))) or 1e-3


def rerank(query_vector: np.ndarray, candidates: list[Candidate], weights: dict[str, float], *,
           feedback_texts: int = FEEDBACK_TEXTS, feedback_weight: float = FEEDBACK_WEIGHT,
           feedback_rounds: int = FEEDBACK_ROUNDS, coverage_weight: float = KEYWORD_COVERAGE_WEIGHT,
           centroids: list[np.ndarray] | None = None, text_weight: float = TEXT_WEIGHT,
           ) -> tuple[list[tuple[str, int, float]], list[tuple[str, int, float, int, int]]]:
    """Order hybrid candidates by cosine to a feedback-widened query plus IDF-weighted word coverage.

    1. first pass: each text's best-passage cosine to the query + `coverage_weight` × the share of the
       query's word weight (IDF) the text contains;
    2. pseudo-relevance feedback: the query vector plus `feedback_weight` × the mean direction of the
       `feedback_texts` best texts' best passages, renormalised (Rocchio, positive feedback only) — the best
       among the first `FEEDBACK_DEPTH` that hold `FEEDBACK_ANCHOR_COVERAGE` of the query's word weight, when
       `FEEDBACK_MIN_ANCHORED` do;
    3. the same sum with the widened query; steps 2-3 repeat `feedback_rounds` times, each round's
       feedback texts taken from the previous round's order (always widening the original query).
       A text not embedded yet counts as the least similar embedded candidate, so its words alone can
       still lift it.

    With `centroids` (k-means centroids at one or more resolutions, `nlq.search.clusters`) every
    passage vector is first smoothed towards its nearest centroids: cosines in all three steps become
    `text_weight` × cos(query, passage) + (1 − `text_weight`) × mean cos(query, nearest centroid).

    Returns (kind, id, score) best first, and (kind, id, cosine to the original query, start, end) of
    each text's best passage under the widened query, for snippets.

    >>> e = np.eye(3, dtype=np.float32)
    >>> cands = [Candidate("note", 1, set(), [(0, 4, e[0])]), Candidate("note", 2, {"price"}, [(0, 4, e[1])])]
    >>> [r[1] for r in rerank(np.array([0.8, 0.6, 0], dtype=np.float32), cands, {"price": 2.0})[0]]
    [2, 1]
    """
    if not candidates:
        return [], []
    total = sum(weights.values()) or 1.0
    coverage = np.array([sum(weights.get(w, 0.0) for w in c.matched) / total for c in candidates], dtype=np.float32)
    q = np.asarray(query_vector, dtype=np.float32)

    owners = np.array([i for i, c in enumerate(candidates) for _ in c.passages], dtype=np.int64)
    matrix = (np.stack([p[2] for c in candidates for p in c.passages]) if len(owners)
              else np.zeros((0, q.shape[0]), dtype=np.float32))
    if centroids:
        matrix = smooth(matrix, centroids, text_weight)

    def best(vector: np.ndarray) -> tuple[np.ndarray, list[int]]:
        """Each candidate's best-passage cosine (index of that passage within the candidate)."""
        values = matrix @ vector
        sims = np.full(len(candidates), -np.inf, dtype=np.float32)
        np.maximum.at(sims, owners, values)
        which, offset = [], 0
        for c in candidates:
            n = len(c.passages)
            which.append(int(np.argmax(values[offset:offset + n])) if n else -1)
            offset += n
        missing = ~np.isfinite(sims)
        if missing.any():
            sims[missing] = sims[~missing].min() if not missing.all() else 0.0
        return sims, which

    starts = np.cumsum([0] + [len(c.passages) for c in candidates])
    first, which = best(q)
    scores = first + coverage_weight * coverage
    for _ in range(feedback_rounds if feedback_texts > 0 and feedback_weight > 0 else 0):
        ranked = [i for i in np.argsort(-scores, kind="stable") if candidates[i].passages]
        anchored = [i for i in ranked[:FEEDBACK_DEPTH] if coverage[i] > FEEDBACK_ANCHOR_COVERAGE][:feedback_texts]
        top = anchored if len(anchored) >= FEEDBACK_MIN_ANCHORED else ranked[:feedback_texts]
        if not top:
            break
        mean = np.mean([matrix[starts[i] + which[i]] for i in top], axis=0)
        norm = float(np.linalg.norm(mean))
        if norm == 0:
            break
        widened = q + feedback_weight * mean / norm
        widened = widened / float(np.linalg.norm(widened))
        second, which = best(widened)
        scores = second + coverage_weight * coverage
    order = sorted(range(len(candidates)), key=lambda i: (-float(scores[i]), candidates[i].kind, candidates[i].id))
    ranked = [(candidates[i].kind, candidates[i].id, float(scores[i])) for i in order]
    passages = []
    for i in order:
        c = candidates[i]
        if c.passages:
            start, end, vector = c.passages[which[i]]
            passages.append((c.kind, c.id, float(vector @ q), start, end))
    return ranked, passages


def framed_query_vector(text: str, model_name: str) -> np.ndarray:
    """The unit query vector of a search: (1 − w) × the phrase's own + w × the mean of its `QUERY_FRAMES`."""
    own = embed_query(text, name=model_name)
    framed = np.mean([embed_query(frame.format(q=text), name=model_name) for frame in QUERY_FRAMES], axis=0)
    vector = (1.0 - QUERY_FRAME_WEIGHT) * own + QUERY_FRAME_WEIGHT * framed
    return (vector / float(np.linalg.norm(vector))).astype(np.float32)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_query(query: str) -> str:
    """The query as searched: control characters dropped, spaces collapsed; empty or huge is an error."""
    text = re.sub(r"\s+", " ", _CONTROL.sub(" ", query or "")).strip()
    if len(text) > MAX_QUERY_CHARS:
        raise SearchQueryTooLongError(
            f"The search text is {len(text):,} characters long; search with at most {MAX_QUERY_CHARS:,} "
            "(a phrase or a sentence works best).")
    if not any(ch.isalnum() for ch in text):
        raise EmptySearchQueryError("There is nothing to search for: give a few words, e.g. 'pricing concerns'.")
    return text


_blas_controller: Any = None


def _single_threaded_blas() -> Any:
    """numpy's BLAS on one thread for the duration: the reranking's products are small (a few hundred
    rows), and on a busy 2-core machine BLAS threads waiting for each other made them 5-10× slower."""
    global _blas_controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return nullcontext()
    if _blas_controller is None:
        _blas_controller = ThreadpoolController()
    return _blas_controller.limit(limits=1, user_api="blas")
