"""The sample workspace (`samples/`): complete, fresh, and answering its own questions."""

from __future__ import annotations

import importlib.util
import re
import sys
import uuid
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from sift.assistant.grounding import extractive
from sift.assistant.passages import Passage
from sift.core.filetypes import is_markdown_name, sniff
from sift.runtime.demo import MIME_TYPES, Manifest, default_samples_dir
from sift.search.config import IngestSettings
from sift.search.ingestion.extract import Deadline, extract

SAMPLES = default_samples_dir()


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return Manifest.load(SAMPLES)


@pytest.fixture(scope="module")
def texts(manifest: Manifest) -> dict[str, str]:
    """Each sample's text, as ingestion extracts it."""
    return {
        document.file: extract(
            manifest.path(document).read_bytes(),
            declared_type=None,
            settings=IngestSettings(),
            deadline=Deadline(30),
        ).text
        for document in manifest.documents
    }


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("samples_generate", SAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_sample_is_there_once_in_an_accepted_type(manifest: Manifest) -> None:
    files = [document.file for document in manifest.documents]
    assert len(files) == len(set(files)) >= 25
    assert {path.name for path in (SAMPLES / "documents").iterdir()} == set(files)
    kinds = Counter(Path(file).suffix for file in files)
    assert set(kinds) == {".md", ".html", ".pdf", ".docx"} and min(kinds.values()) >= 5
    for document in manifest.documents:
        data = manifest.path(document).read_bytes()
        sniffed = sniff(data, markdown_hint=is_markdown_name(document.file))
        assert sniffed.mime_type == MIME_TYPES[Path(document.file).suffix], document.file
        assert len(data) < 64 * 1024, f"{document.file}: samples stay small"
        assert document.title and "sample" in document.tags


def test_the_committed_pdf_and_docx_files_are_what_generate_py_makes() -> None:
    generated = load_generator().generated()
    assert {path.suffix for path in generated} == {".pdf", ".docx"}
    stale = [path.name for path, content in generated.items() if path.read_bytes() != content]
    assert stale == [], "run samples/generate.py"


def test_every_source_becomes_a_document(manifest: Manifest, texts: dict[str, str]) -> None:
    generator = load_generator()
    for document in manifest.documents:
        if Path(document.file).suffix not in (".pdf", ".docx"):
            continue
        source = (SAMPLES / "sources" / document.file).with_suffix(".md").read_text()
        text = " ".join(texts[document.file].split())  # PDF wraps lines
        for block in generator.parse(source):
            # Every block of the source reaches the text ingestion indexes; a DOCX numbers
            # its steps itself (a list style), so their numbers are not in the text.
            assert " ".join(re.sub(r"^\d+\. ", "", block.text).split()) in text, block


def test_each_suggested_question_is_answered_from_the_document_that_holds_its_answer(
    manifest: Manifest, texts: dict[str, str]
) -> None:
    assert 4 <= len(manifest.questions) <= 6
    files = [document.file for document in manifest.documents]
    passages = [
        Passage(chunk_id=uuid.uuid4(), document_id=uuid.uuid4(), text=texts[file]) for file in files
    ]
    for item in manifest.questions:
        answer = extractive.answer(item.question, passages)
        assert answer != extractive.NO_ANSWER, item.question
        first = re.search(r"\[(\d+)\]", answer)
        assert first is not None, answer
        assert files[int(first.group(1)) - 1] == item.answer_in, (item.question, answer)
