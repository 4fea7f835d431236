"""A BEIR-format dataset: corpus.jsonl, queries.jsonl, qrels/test.tsv."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# CommonMark lets a backslash escape any ASCII punctuation: the body comes back verbatim.
_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


@dataclass(frozen=True)
class Dataset:
    name: str
    corpus: dict[str, tuple[str, str]]  # _id -> (title, text)
    queries: dict[str, str]  # _id -> text, only the judged test queries
    qrels: dict[str, dict[str, int]]  # query _id -> {corpus _id: grade}


def load(directory: Path) -> Dataset:
    corpus: dict[str, tuple[str, str]] = {}
    with (directory / "corpus.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                corpus[str(row["_id"])] = (str(row.get("title") or ""), str(row.get("text") or ""))
    qrels: dict[str, dict[str, int]] = {}
    with (directory / "qrels" / "test.tsv").open(encoding="utf-8") as lines:
        for line in lines:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3 or not re.fullmatch(r"-?\d+", fields[2].strip()):
                continue  # the header, or a blank line
            qrels.setdefault(fields[0], {})[fields[1]] = int(fields[2])
    queries: dict[str, str] = {}
    with (directory / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                if str(row["_id"]) in qrels:  # reads only `_id` and `text`
                    queries[str(row["_id"])] = str(row["text"])
    missing = set(qrels) - set(queries)
    if missing:
        raise ValueError(f"{len(missing)} judged queries are not in queries.jsonl")
    return Dataset(directory.resolve().name, corpus, queries, qrels)


def markdown_escape(text: str) -> str:
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def document_file(title: str, text: str) -> bytes:
    """The uploaded file: a Markdown document, the title as its heading, the text below.

    Title + text is the field BEIR's "flat" baselines index. The title is also sent as the
    document's title: every chunk carries it in its header (`chunks.context`), weighted as
    a title field in full-text search and read first by the embedding model.
    """
    parts = [f"# {markdown_escape(title)}"] if title.strip() else []
    if text.strip():
        parts.append(markdown_escape(text))
    return ("\n\n".join(parts) + "\n").encode("utf-8")
