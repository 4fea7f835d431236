"""SQL of reading ranked chunks back: their documents, texts, titles and highlighted snippets.

Every statement here repeats the scope's permission conditions, so that a chunk ID that
reached this point by any way (a stale cache, another vector store) is still only read
when the caller may read it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, Text, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.db import ReadSession
from sift.search.retrieval.scope import Scope


@dataclass(frozen=True)
class PageBreak:
    """Page `page` is the document's text[start:end] (only pages a chunk overlaps)."""

    page: int
    start: int
    end: int


@dataclass(frozen=True)
class ChunkRow:
    chunk_id: uuid.UUID
    document_id: uuid.UUID
    document_title: str
    collection_id: uuid.UUID
    version_id: uuid.UUID
    ordinal: int
    page: int | None
    page_end: int | None
    start_char: int
    end_char: int
    text: str
    headline: str | None
    # The pages a chunk that spans several overlaps (empty otherwise, or when the version's
    # pages were not stored: it was indexed before they were).
    pages: tuple[PageBreak, ...] = ()


_TITLE = "coalesce(d_title.title, di.filename, '')"
# The stored pages a multi-page chunk overlaps, in order.
_PAGES = (
    "(SELECT json_agg(json_build_array(p.page, p.start_char, p.end_char) ORDER BY p.seq)"
    " FROM search.text_pages p WHERE p.version_id = c.version_id AND p.page IS NOT NULL"
    " AND c.page IS DISTINCT FROM c.page_end"
    " AND p.start_char < c.end_char AND p.end_char > c.start_char) AS pages"
)
_TITLE_JOINS = (
    " LEFT JOIN search.documents d_title ON d_title.document_id = c.document_id"
    " LEFT JOIN search.documents_index di ON di.version_id = c.version_id"
)


class ChunkRepository:
    async def documents_of(
        self,
        session: AsyncSession,
        scope: Scope,
        chunk_ids: list[uuid.UUID],
        *,
        must_match: str | None = None,
    ) -> dict[uuid.UUID, uuid.UUID]:
        """chunk ID → document ID, for the chunks of `chunk_ids` that are in the scope.

        `must_match`: web-search syntax every chunk must satisfy (phrases, exclusions), which
        holds the semantic list to the same explicit conditions as the full-text one.
        """
        if not chunk_ids or scope.empty:
            return {}
        params: list[Any] = [*scope.parameters(), bindparam("ids", chunk_ids, type_=ARRAY(Uuid()))]
        condition = ""
        if must_match is not None:
            condition = " AND c.tsv @@ websearch_to_tsquery(c.text_search_config, :must_match)"
            params.append(bindparam("must_match", must_match, type_=Text()))
        statement = text(
            "SELECT c.id, c.document_id FROM search.chunks c"  # noqa: S608 - fixed fragments only  # nosec B608
            f"{scope.documents_join()} WHERE c.id = ANY(:ids) AND {scope.conditions()}{condition}"
        ).bindparams(*params)
        return {row.id: row.document_id for row in await session.execute(statement)}

    async def rows(
        self,
        session: AsyncSession,
        scope: Scope,
        chunk_ids: list[uuid.UUID],
        *,
        headline_query: str | None = None,
        explicit_query: str | None = None,
        headline_options: str = "",
    ) -> dict[uuid.UUID, ChunkRow]:
        """The chunks, with a `ts_headline` of each when a query is given.

        `headline_query` is a tsquery literal of lexemes (OR); `explicit_query` is web-search
        syntax, parsed with each chunk's own configuration (phrases highlight as phrases).
        """
        if not chunk_ids or scope.empty:
            return {}
        # The sentinel characters ts_headline marks with must not occur in the text itself.
        source = "translate(c.text, chr(1) || chr(2), '')"
        params: list[Any] = [
            *scope.parameters(),
            bindparam("ids", chunk_ids, type_=ARRAY(Uuid())),
        ]
        if explicit_query is not None:
            headline = (
                f"ts_headline(c.text_search_config, {source},"
                " websearch_to_tsquery(c.text_search_config, :hq), :options)"
            )
            params += [
                bindparam("hq", explicit_query, type_=Text()),
                bindparam("options", headline_options, type_=Text()),
            ]
        elif headline_query is not None:
            headline = (
                f"ts_headline(c.text_search_config, {source}, CAST(:hq AS tsquery), :options)"
            )
            params += [
                bindparam("hq", headline_query, type_=Text()),
                bindparam("options", headline_options, type_=Text()),
            ]
        else:
            headline = "NULL"
        statement = text(
            f"SELECT c.id, c.document_id, {_TITLE} AS title, c.collection_id, c.version_id,"  # noqa: S608  # nosec B608
            " c.ordinal, c.page, c.page_end, c.start_char, c.end_char, c.text,"
            f" {headline} AS headline, {_PAGES}"
            f" FROM search.chunks c{scope.documents_join()}{_TITLE_JOINS}"
            f" WHERE c.id = ANY(:ids) AND {scope.conditions()}"
        ).bindparams(*params)
        return {row.id: _row(row) for row in await session.execute(statement)}

    async def of_document(
        self, session: ReadSession, scope: Scope, document_id: uuid.UUID
    ) -> list[ChunkRow]:
        """Every chunk of the document's indexed version, in order (empty: unknown or unreadable).

        Only one version of a document has chunks at a time; should two (a moment of
        re-indexing), the most recently announced one is returned.
        """
        if scope.empty:
            return []
        statement = text(
            f"SELECT c.id, c.document_id, {_TITLE} AS title, c.collection_id, c.version_id,"  # noqa: S608  # nosec B608
            " c.ordinal, c.page, c.page_end, c.start_char, c.end_char, c.text, NULL AS headline,"
            f" {_PAGES}"
            f" FROM search.chunks c{scope.documents_join()}{_TITLE_JOINS}"
            f" WHERE c.document_id = :document_id AND {scope.conditions()}"
            " AND c.version_id = ("
            "   SELECT latest.version_id FROM search.chunks latest"
            "   JOIN search.documents_index v ON v.version_id = latest.version_id"
            "   WHERE latest.document_id = :document_id"
            "   ORDER BY v.announced_at DESC LIMIT 1)"
            " ORDER BY c.ordinal"
        ).bindparams(*scope.parameters(), bindparam("document_id", document_id, type_=Uuid()))
        return [_row(row) for row in await session.execute(statement)]


def _json(value: Any) -> Any:
    """A `json` column of a textual statement (the driver hands it over undecoded)."""
    return json.loads(value) if isinstance(value, str) else value


def _row(row: Any) -> ChunkRow:
    return ChunkRow(
        chunk_id=row.id,
        document_id=row.document_id,
        document_title=row.title,
        collection_id=row.collection_id,
        version_id=row.version_id,
        ordinal=row.ordinal,
        page=row.page,
        page_end=row.page_end,
        start_char=row.start_char,
        end_char=row.end_char,
        text=row.text,
        headline=row.headline,
        pages=tuple(PageBreak(*values) for values in _json(row.pages) or ()),
    )


chunk_repository = ChunkRepository()
