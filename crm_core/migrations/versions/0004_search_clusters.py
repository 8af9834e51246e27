"""search clusters: k-means centroids of the text vectors at a few resolutions (several runs each), for
cluster smoothing

Hybrid search scores a text partly by how close the query is to the centroid of the text's cluster
(the cluster hypothesis). The indexer rebuilds the centroids when the number of embedded passages has
changed by more than a tenth since they were built (`nlq.search.clusters`); texts are assigned to their
nearest centroid at query time, so no per-text column exists to keep in step.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE TABLE search_clusters (
  resolution smallint NOT NULL,
  run smallint NOT NULL,
  cluster_no integer NOT NULL,
  centroid vector(384) NOT NULL,
  size integer NOT NULL,
  built_on integer NOT NULL,
  model text NOT NULL,
  built_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (resolution, run, cluster_no)
)""")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_clusters")
