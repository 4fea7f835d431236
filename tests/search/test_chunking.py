"""Language, sentences and chunks: exact offsets, sizes, overlap, pages, determinism."""

from __future__ import annotations

import itertools

import pytest

from sift.search.config import IngestSettings
from sift.search.ingestion.chunking import (
    ChunkDraft,
    chunk_context,
    chunk_text,
    embedding_input,
)
from sift.search.ingestion.embedding import Embedder
from sift.search.ingestion.extract import Deadline, ExtractedText, FileType, PageSpan, extract
from sift.search.ingestion.nlp import analyze, detect_language, text_search_config
from tests.search import files


def chunks_of(
    extracted: ExtractedText, embedder: Embedder, *, title: str | None = None, **sizes: int
) -> list[ChunkDraft]:
    analysis = analyze(extracted, deadline=Deadline(30))
    return chunk_text(
        extracted.text,
        analysis.sentences,
        count_tokens=embedder.count_tokens,
        target_tokens=sizes.get("target", 200),
        max_tokens=sizes.get("maximum", 256),
        overlap_tokens=sizes.get("overlap", 40),
        headings=extracted.headings,
        title=title,
    )


def markdown_text(source: str) -> ExtractedText:
    return extract(
        source.encode(),
        declared_type="text/markdown",
        settings=IngestSettings(),
        deadline=Deadline(30),
    )


def tokens(embedder: Embedder, text: str) -> int:
    return embedder.count_tokens([text])[0]


def pdf_text(pages: int) -> ExtractedText:
    return extract(
        files.pdf(files.pdf_pages(pages)),
        declared_type=None,
        settings=IngestSettings(),
        deadline=Deadline(30),
    )


@pytest.mark.parametrize(
    ("text", "language", "config"),
    [
        ("The committee reviewed the budget and approved the new harbor cranes.", "en", "english"),
        (
            "Der Ausschuss hat den Haushalt geprüft und die neuen Hafenkräne genehmigt.",
            "de",
            "german",
        ),
        ("Le comité a examiné le budget et approuvé les nouvelles grues du port.", "fr", "french"),
        (
            "委员会审查了预算并批准了新的港口起重机。"
            "财政部长说\uff0c这些起重机将在明年春天投入使用\uff0c并将港口的吞吐量提高三分之一。",
            "zh",
            "simple",
        ),
    ],
)
def test_language_and_text_search_configuration(text: str, language: str, config: str) -> None:
    assert detect_language(text) == language
    assert text_search_config(language) == config


def test_too_little_text_has_no_language() -> None:
    assert detect_language("42 / 7") is None
    assert text_search_config(None) == "simple"


# Short English texts of the kind teams and old abstract collections hold: titles alone,
# algorithm titles with a number in parentheses, ticket lines, a title and an author.
SHORT_ENGLISH = [
    "Heap Merge (Algorithm 17)",
    "Quicksort (Algorithm 64)",
    "Treesort 3 (Algorithm 245)",
    "Heap Merge (Algorithm 17)\n\nJ. Smith",
    "Fix login bug on Safari",
    "Reduce p95 latency of search API",
    "Meeting notes: Q3 roadmap, owners, deadlines",
    "Merge sort (Algorithm 17). Merges sorted runs. Communications of the ACM, 1962.",
    "Binary search tree insertion. The procedure inserts a key into a binary search tree.",
    "Ein Algorithmus (Algorithm 99)",
    "Gauss-Seidel iteration",
    "Zeta function values",
]
# Normal-length documents in other languages keep their own configuration.
OTHER_LANGUAGES = [
    (
        "Die Verwaltung hat beschlossen, dass die neuen Regeln ab dem ersten Januar gelten. "
        "Alle Mitarbeiter werden gebeten, die Unterlagen bis Ende des Monats einzureichen.",
        "german",
    ),
    (
        "Le comité a décidé que les nouvelles règles s'appliqueront à partir du premier "
        "janvier. Tous les employés doivent remettre leurs documents avant la fin du mois.",
        "french",
    ),
]


def analysis_of(text: str, default_language: str | None) -> str:
    extracted = ExtractedText(FileType.text, text, [PageSpan(None, 0, len(text))])
    return analyze(
        extracted, deadline=Deadline(30), default_language=default_language
    ).text_search_config


def test_a_short_text_takes_the_default_language_instead_of_a_guess() -> None:
    configs = {text: analysis_of(text, "en") for text in SHORT_ENGLISH}
    assert set(configs.values()) == {"english"}, configs
    for text, config in OTHER_LANGUAGES:
        assert analysis_of(text, "en") == config
    # Without a default, what cannot be decided has no language (the 'simple' configuration).
    assert analysis_of("Heap Merge (Algorithm 17)", None) == "simple"


def test_sentences_point_into_the_text() -> None:
    text = "Dr. Smith reviewed the ledger. It balanced!\n\nA new paragraph starts here. Done."
    extracted = ExtractedText(FileType.text, text, [PageSpan(None, 0, len(text))])
    analysis = analyze(extracted, deadline=Deadline(30))
    assert [text[s.start : s.end] for s in analysis.sentences] == [
        "Dr. Smith reviewed the ledger.",
        "It balanced!",
        "A new paragraph starts here.",
        "Done.",
    ]
    assert analysis.language == "en"
    assert "ledger" in analysis.keywords


def test_chunks_point_exactly_into_the_text_with_pages(embedder: Embedder) -> None:
    extracted = pdf_text(6)
    chunks = chunks_of(extracted, embedder)
    assert len(chunks) > 6
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.text == extracted.text[chunk.start : chunk.end]
        assert chunk.page == extracted.page_at(chunk.start)
        assert chunk.page_end == extracted.page_at(chunk.end - 1)
        assert chunk.token_count <= 256
        assert chunk.text[0].isupper() and chunk.text.endswith(".")  # whole sentences
    assert all(c.token_count >= 100 for c in chunks[:-1] if c.page == c.page_end)
    assert {c.page for c in chunks} == {1, 2, 3, 4, 5, 6}


def test_consecutive_chunks_overlap_and_always_advance(embedder: Embedder) -> None:
    chunks = chunks_of(pdf_text(3), embedder, overlap=40)
    for previous, current in itertools.pairwise(chunks):
        assert previous.start < current.start
        if previous.page_end == current.page:
            assert current.start < previous.end  # shares its last sentence(s)
    no_overlap = chunks_of(pdf_text(3), embedder, overlap=0)
    for previous, current in itertools.pairwise(no_overlap):
        assert current.start >= previous.end


def test_chunking_is_deterministic(embedder: Embedder) -> None:
    assert chunks_of(pdf_text(4), embedder) == chunks_of(pdf_text(4), embedder)


def test_a_sentence_longer_than_the_window_is_split_at_words(embedder: Embedder) -> None:
    text = " ".join(files.WORDS * 40)  # ~1,200 words without a full stop
    extracted = ExtractedText(FileType.text, text, [PageSpan(None, 0, len(text))])
    chunks = chunks_of(extracted, embedder, target=100, maximum=128, overlap=0)
    assert len(chunks) > 5
    assert all(c.token_count <= 128 for c in chunks)
    assert " ".join(c.text for c in chunks) == text


def test_headings_label_their_chunks(embedder: Embedder) -> None:
    data = files.docx_file(heading="Budget", paragraphs=files.sentences(30))
    extracted = extract(data, declared_type=None, settings=IngestSettings(), deadline=Deadline(9))
    chunks = chunks_of(extracted, embedder, target=60, maximum=80, overlap=0)
    assert len(chunks) > 2
    assert {c.heading for c in chunks} == {"Budget"}
    assert all(c.page is None for c in chunks)


def test_vectors_are_normalized_and_stable(embedder: Embedder) -> None:
    first, second = embedder.embed(["harbor cranes", "harbor cranes"])
    assert len(first) == embedder.dimension == 384
    assert first == second
    assert abs(sum(x * x for x in first) - 1.0) < 1e-4
    assert embedder.name == "all-MiniLM-L6-v2"


def test_bfloat16_vectors_match_float32(embedder: Embedder) -> None:
    from sift.search.ingestion.embedding import SentenceTransformerEmbedder, bundled_model_path

    exact = SentenceTransformerEmbedder(
        bundled_model_path(), name="all-MiniLM-L6-v2", precision="float32"
    )
    fast = SentenceTransformerEmbedder(
        bundled_model_path(), name="all-MiniLM-L6-v2", precision="bfloat16"
    )
    texts = files.sentences(8, seed=5)
    for a, b in zip(exact.embed(texts), fast.embed(texts), strict=True):
        assert sum(x * y for x, y in zip(a, b, strict=True)) > 0.999
    assert fast.bfloat16 and not exact.bfloat16


def test_the_header_is_title_then_heading_without_repeats() -> None:
    assert chunk_context("Harbor  report", "Budget") == "Harbor report — Budget"
    assert chunk_context("Harbor report", "harbor REPORT") == "Harbor report"
    assert chunk_context(None, "Budget") == "Budget"
    assert chunk_context("Harbor report", None) == "Harbor report"
    assert chunk_context(" ", None) is None
    assert embedding_input("Harbor report", "Cranes were bought.") == (
        "Harbor report\n\nCranes were bought."
    )
    # A text that starts with its header (a title heading) is not given it twice.
    assert (
        embedding_input("Harbor report", "Harbor report\n\nCranes.") == "Harbor report\n\nCranes."
    )
    assert embedding_input(None, "Cranes.") == "Cranes."


def test_a_document_that_fits_the_window_is_one_chunk(embedder: Embedder) -> None:
    body = " ".join(files.sentences(14, seed=3))
    extracted = markdown_text(f"# Harbor cranes\n\n{body}\n")
    size = tokens(embedder, extracted.text)
    assert 120 < size <= 250  # above the target below, inside the window
    [chunk] = chunks_of(extracted, embedder, title="Harbor cranes", target=100, maximum=256)
    assert chunk.text == extracted.text
    assert chunk.context == "Harbor cranes" and chunk.heading == "Harbor cranes"
    # The same text under a long title no longer fits with its header: split, and every
    # chunk's embedded text (header included) stays inside the window.
    title = " ".join(files.sentences(3, seed=9))
    chunks = chunks_of(extracted, embedder, title=title, target=100, maximum=256)
    assert len(chunks) > 1
    assert all(c.context == f"{title} — Harbor cranes" for c in chunks)
    assert all(tokens(embedder, embedding_input(c.context, c.text)) <= 256 for c in chunks)


def test_sections_are_kept_whole_and_small_ones_packed(embedder: Embedder) -> None:
    short = [" ".join(files.sentences(2, seed=seed)) for seed in (1, 2)]
    long = " ".join(files.sentences(30, seed=4))
    extracted = markdown_text(
        f"# Intro\n\n{short[0]}\n\n# Scope\n\n{short[1]}\n\n# Methods\n\n{long}\n"
    )
    chunks = chunks_of(extracted, embedder, title="Report", target=100, maximum=128, overlap=20)
    # Intro and Scope together stay under the target: one chunk, labelled by the first.
    assert chunks[0].text == extracted.text[: extracted.text.index("Methods")].rstrip()
    assert chunks[0].context == "Report — Intro"
    # Methods is too long for the window: cut, never mixed with the sections before it.
    methods = chunks[1:]
    assert len(methods) > 1 and methods[0].text.startswith("Methods")
    assert all(c.context == "Report — Methods" for c in methods)
    assert all(tokens(embedder, embedding_input(c.context, c.text)) <= 128 for c in methods)
    for chunk in chunks:
        assert chunk.text == extracted.text[chunk.start : chunk.end]
