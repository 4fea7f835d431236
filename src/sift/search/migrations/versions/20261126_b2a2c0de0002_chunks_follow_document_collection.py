"""chunks follow their document's collection (moves), so permissions and postings do too

Revision ID: b2a2c0de0002
Revises: b2a2c0de0001, b1a1c0de0001
Create Date: 2026-11-26 00:20:00

Search filters chunks by `chunks.collection_id` inside every query (and the postings carry
it for BM25). A document moved to another collection (`document.updated`, applied to the
`documents` projection) must move its chunks in the same transaction, or a search would
still serve them under the old collection's permissions. Chunks written later for an
earlier announcement (a re-index queued before the move) take the document's current
collection as they are inserted.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b2a2c0de0002"
down_revision: str | tuple[str, ...] | None = ("b2a2c0de0001", "b1a1c0de0001")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATEMENTS = [
    """
CREATE FUNCTION search.document_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search.chunks SET collection_id = NEW.collection_id
    WHERE document_id = NEW.document_id AND org_id = NEW.org_id
      AND collection_id <> NEW.collection_id;
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER documents_move_chunks
    AFTER INSERT OR UPDATE OF collection_id ON search.documents
    FOR EACH ROW EXECUTE FUNCTION search.document_moved()""",
    """
CREATE FUNCTION search.chunk_collection() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    current_collection uuid;
BEGIN
    SELECT d.collection_id INTO current_collection
    FROM search.documents d
    WHERE d.document_id = NEW.document_id AND d.org_id = NEW.org_id;
    IF current_collection IS NOT NULL THEN
        NEW.collection_id := current_collection;
    END IF;
    RETURN NEW;
END $$""",
    """
CREATE TRIGGER chunks_take_document_collection
    BEFORE INSERT ON search.chunks
    FOR EACH ROW EXECUTE FUNCTION search.chunk_collection()""",
    # Documents moved before this revision.
    """
UPDATE search.chunks c SET collection_id = d.collection_id
FROM search.documents d
WHERE d.document_id = c.document_id AND d.org_id = c.org_id
  AND c.collection_id <> d.collection_id""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS chunks_take_document_collection ON search.chunks")
    op.execute("DROP FUNCTION IF EXISTS search.chunk_collection()")
    op.execute("DROP TRIGGER IF EXISTS documents_move_chunks ON search.documents")
    op.execute("DROP FUNCTION IF EXISTS search.document_moved()")
