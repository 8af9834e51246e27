"""Cluster smoothing for hybrid search: k-means centroids of the text vectors, built by the indexer.

The cluster hypothesis: texts close together tend to be relevant to the same queries. A text's
score in the hybrid reranking uses `smooth(v) = λ·v + (1 − λ)·mean over resolutions of the centroid
nearest v`, so `q · smooth(v)` is λ·cos(q, text) + (1 − λ)·cos(q, its clusters). Twelve clusterings
(k = 30, 50, 100, 150, three differently seeded runs each) are averaged: one clustering's boundaries
are arbitrary, their mean is stable.

Centroids are fitted on at most `SAMPLE` passage vectors (spherical k-means, k-means++ start, fixed
seed) and stored in `search_clusters`; the indexer rebuilds them only when the number of embedded
passages has changed by more than `REBUILD_CHANGE` since, so a run with nothing new does nothing.
Texts are assigned to their nearest centroid at query time (a few hundred × 330 products).

Semantic filters ("deals whose notes mention budget concerns") compare every passage of the records they
filter, so they read stored smoothed vectors instead (`search_topic_vectors`, unit length): the indexer
writes each passage's with the passage, and rewrites all of them after a rebuild.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from nlq.search.vectors import as_array, vector_literal

RESOLUTIONS: tuple[int, ...] = (30, 50, 100, 150)
RUNS = 3                 # differently seeded k-means runs per resolution
# λ: weight of the text's own vector. Chosen on the dev suite (small data): recall@10 0.877 at 0.3,
# 0.876 at 0.4, 0.872 at 0.45, 0.863 at 0.5, 0.858 at 0.6 (0.800 without smoothing); with two feedback
# rounds 0.3 is best on both the dev and the held-out suite.
TEXT_WEIGHT = 0.3
SAMPLE = 50_000
REBUILD_CHANGE = 0.10
MIN_PASSAGES = 1_000     # fewer embedded passages than this: no clusters (too few to say anything)
TOPIC_BATCH = 5_000      # topic vectors written per transaction
_ITERATIONS = 30
_SEED = 0


def spherical_kmeans(vectors: np.ndarray, k: int, *, seed: int = _SEED, iterations: int = _ITERATIONS) -> np.ndarray:
    """k unit centroids of unit `vectors` by cosine (k-means++ start, Lloyd's iterations); (k, dim) float32.

    >>> x = np.array([[1, 0], [0.99, 0.14], [0, 1], [0.14, 0.99]], dtype=np.float32)
    >>> c = spherical_kmeans(x / np.linalg.norm(x, axis=1, keepdims=True), 2)
    >>> labels = np.argmax(x @ c.T, axis=1).tolist()
    >>> labels[0] == labels[1] != labels[2] == labels[3]
    True
    """
    x = np.asarray(vectors, dtype=np.float32)
    k = min(k, len(x))
    rng = np.random.default_rng(seed)
    chosen = [int(rng.integers(len(x)))]
    distance = np.maximum(1.0 - x @ x[chosen[0]], 0.0)
    for _ in range(1, k):
        weights = distance.astype(np.float64) ** 2
        total = float(weights.sum())
        nxt = int(rng.choice(len(x), p=weights / total)) if total > 0 else int(rng.integers(len(x)))
        chosen.append(nxt)
        distance = np.minimum(distance, np.maximum(1.0 - x @ x[nxt], 0.0))
    centroids = x[chosen].copy()
    for _ in range(iterations):
        labels = np.argmax(x @ centroids.T, axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, labels, x)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        filled = norms[:, 0] > 0
        updated = centroids.copy()
        updated[filled] = sums[filled] / norms[filled]
        if np.allclose(updated, centroids, atol=1e-6):
            centroids = updated
            break
        centroids = updated
    return centroids.astype(np.float32)


def smooth(vectors: np.ndarray, centroid_sets: list[np.ndarray], text_weight: float = TEXT_WEIGHT) -> np.ndarray:
    """λ·v + (1 − λ)·(mean of each resolution's centroid nearest v), row by row; unchanged without centroids.

    >>> c = [np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)]
    >>> [round(float(x), 2) for x in smooth(np.array([[0.8, 0.6]], dtype=np.float32), c, 0.5)[0]]
    [0.9, 0.3]
    """
    v = np.asarray(vectors, dtype=np.float32)
    if not centroid_sets or not len(v):
        return v
    pulled = np.zeros_like(v)
    for centroids in centroid_sets:
        pulled += centroids[np.argmax(v @ centroids.T, axis=1)]
    return text_weight * v + (1.0 - text_weight) * pulled / len(centroid_sets)


def topic_vectors(vectors: np.ndarray, centroid_sets: list[np.ndarray]) -> np.ndarray:
    """The vectors semantic filters compare with: smoothed (the passages' own without centroids), scaled to
    unit length."""
    smoothed = smooth(vectors, centroid_sets)
    return smoothed / np.maximum(np.linalg.norm(smoothed, axis=1, keepdims=True), 1e-12)


def current_centroids(conn: Any) -> tuple[Any, list[np.ndarray]]:
    """(built_at, centroid sets) of the stored clusters; (None, []) when there are none."""
    built_at = conn.execute("SELECT max(built_at) FROM search_clusters").fetchone()[0]
    if built_at is None:
        return None, []
    with conn.cursor() as cur:
        return built_at, load_centroids(cur)


def write_topic_vectors(conn: Any, chunks: list[tuple[int, str, int, int | None]], vectors: np.ndarray,
                        centroids: list[np.ndarray], built_at: Any) -> None:
    """Upsert the topic vectors of `chunks` ((id, kind, record id, owner id), one row of `vectors` each):
    smoothed with `centroids` (made at `built_at`), or the passages' own vectors when there are none."""
    if not chunks:
        return
    topics = topic_vectors(vectors, centroids)
    conn.execute("""
INSERT INTO search_topic_vectors (chunk_id, kind, record_id, owner_id, topic_embedding, smoothed, built_at)
SELECT x.id, x.kind, x.record_id, x.owner_id, x.vec::vector, %s, %s
  FROM unnest(%s::bigint[], %s::text[], %s::int[], %s::int[], %s::text[]) AS x(id, kind, record_id, owner_id, vec)
ON CONFLICT (chunk_id) DO UPDATE
   SET topic_embedding = EXCLUDED.topic_embedding, smoothed = EXCLUDED.smoothed, built_at = EXCLUDED.built_at,
       owner_id = EXCLUDED.owner_id""",
                 (bool(centroids), built_at, [c[0] for c in chunks], [c[1] for c in chunks], [c[2] for c in chunks],
                  [c[3] for c in chunks], [vector_literal(v) for v in topics]))


def fill_topic_vectors(conn: Any, *, batch: int = TOPIC_BATCH,
                       on_progress: Callable[[int, int], None] | None = None) -> int:
    """Write the topic vector of every passage that has none or one made with other centroids (after a
    rebuild, or once the clusters are gone); returns how many were written.

    Rewrites in place, so every passage keeps a vector meanwhile; commits each batch, so a crash loses at
    most one batch and the next run goes on where it stopped.
    """
    built_at, centroids = current_centroids(conn)
    same = "t.built_at IS NULL" if built_at is None else "t.built_at = %(built_at)s"  # so the index counts
    passages, current = conn.execute(
        f"SELECT (SELECT count(*) FROM search_chunks), (SELECT count(*) FROM search_topic_vectors t WHERE {same})",
        {"built_at": built_at}).fetchone()
    todo = int(passages) - int(current)
    if todo <= 0:
        conn.rollback()
        return 0
    done, last_id = 0, 0
    while True:
        rows = conn.execute("""
SELECT c.id, c.kind, c.record_id, c.owner_id, c.embedding
  FROM search_chunks c LEFT JOIN search_topic_vectors t ON t.chunk_id = c.id
 WHERE c.id > %(after)s AND (t.chunk_id IS NULL OR t.built_at IS DISTINCT FROM %(built_at)s::timestamptz)
 ORDER BY c.id LIMIT %(n)s""", {"after": last_id, "built_at": built_at, "n": batch}, binary=True).fetchall()
        if not rows:
            break
        write_topic_vectors(conn, [(int(r[0]), r[1], int(r[2]), r[3]) for r in rows],
                            np.stack([as_array(r[4]) for r in rows]), centroids, built_at)
        conn.commit()
        done += len(rows)
        last_id = int(rows[-1][0])
        if on_progress:
            on_progress(min(done, todo), todo)
    return done


def refresh_clusters(conn: Any, *, model_name: str, force: bool = False) -> dict[str, float] | None:
    """Rebuild the centroids when missing, built for another model or the passages changed by > 10 %.

    `conn` is a psycopg connection (pgvector types registered); commits its own transaction.
    Returns what was done ({"passages", "sampled", "clusters", "seconds"}) or None when nothing was.
    """
    started = time.perf_counter()
    passages = int(conn.execute("SELECT count(*) FROM search_chunks").fetchone()[0])
    row = conn.execute("SELECT max(built_on), min(model), count(*) FROM search_clusters").fetchone()
    built_on, built_model, stored = (int(row[0]) if row[0] is not None else None), row[1], int(row[2])
    if passages < MIN_PASSAGES:
        if stored:
            conn.execute("DELETE FROM search_clusters")
        conn.commit()
        return None
    fresh = (built_on is not None and built_model == model_name
             and abs(passages - built_on) <= REBUILD_CHANGE * built_on)
    if fresh and not force:
        conn.rollback()
        return None
    # A fixed, evenly spread sample of passages (every n-th by id), so a rebuild is reproducible.
    step = max(1, -(-passages // SAMPLE))
    rows = conn.execute("SELECT embedding FROM search_chunks WHERE id %% %s = 0 ORDER BY id" if step > 1
                        else "SELECT embedding FROM search_chunks ORDER BY id",
                        (step,) if step > 1 else None, binary=True).fetchall()
    sample = np.stack([as_array(r[0]) for r in rows]) if rows else np.zeros((0, 384), dtype=np.float32)
    sample /= np.maximum(np.linalg.norm(sample, axis=1, keepdims=True), 1e-12)
    records: list[tuple[int, int, int, str, int]] = []
    for k in RESOLUTIONS:
        for run in range(RUNS):
            centroids = spherical_kmeans(sample, k, seed=_SEED + run)
            sizes = np.bincount(np.argmax(sample @ centroids.T, axis=1), minlength=len(centroids))
            records += [(k, run, n, vector_literal(c), int(s))
                        for n, (c, s) in enumerate(zip(centroids, sizes, strict=True))]
    conn.execute("DELETE FROM search_clusters")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO search_clusters (resolution, run, cluster_no, centroid, size, built_on, model) "
                        "VALUES (%s, %s, %s, %s::vector, %s, %s, %s)",
                        [(k, r, n, c, s, passages, model_name) for k, r, n, c, s in records])
    conn.commit()
    return {"passages": passages, "sampled": len(sample), "clusters": len(records),
            "seconds": time.perf_counter() - started}


def load_centroids(cur: Any) -> list[np.ndarray]:
    """The stored centroids, one (k, dim) array per clustering (resolution, run); empty when none are built."""
    cur.execute("SELECT resolution, run, centroid FROM search_clusters ORDER BY resolution, run, cluster_no",
                binary=True)
    sets: dict[tuple[int, int], list[np.ndarray]] = {}
    for resolution, run, centroid in cur.fetchall():
        sets.setdefault((int(resolution), int(run)), []).append(as_array(centroid))
    return [np.stack(v).astype(np.float32) for _, v in sorted(sets.items())]
