"""Synthetic but realistic-sized documents for the ingestion benchmark (no downloads).

Pages of ~450 words in sentences of varied length drawn from a few thousand word forms, so
that tokenization, sentence splitting and embedding see ordinary English-like text.
"""

from __future__ import annotations

import io
import random

import docx
from fpdf import FPDF

_STEMS = (  # noqa: SIM905
    "account adjust agree allow analyse answer apply arrange assess assign attach audit "
    "balance bill borrow budget build calculate carry change charge check claim collect "
    "compare compile complete confirm connect consider contract control cost count cover "
    "create credit deliver demand deploy design detail develop document draft earn enable "
    "estimate evaluate exchange expand export file finance forecast fund gather govern grant "
    "guide handle hire import improve increase index inform inspect install insure invest "
    "invoice issue launch lease limit list load manage market measure merge monitor move "
    "negotiate notify order organise own pay plan prepare price process produce project "
    "protect publish purchase qualify query rank rate record reduce refund register release "
    "renew repair report request reserve resolve review revise schedule search secure sell "
    "service settle share ship sign source staff store supply support survey tax test trade "
    "train transfer update upgrade value verify vote warrant"
).split()
_NOUNS = (  # noqa: SIM905
    "agency agreement analyst asset bank board branch brand budget buyer capital cargo "
    "carrier catalogue client committee company contract council crane customer dataset "
    "deadline debt department deposit director dividend engineer equipment estate factory "
    "feedback fleet freight fund grant harbor holder income insurer inventory investor "
    "invoice journal kernel ledger lender licence manager margin market member network "
    "office operator owner partner payment pension pipeline policy portfolio premium "
    "product profit program property provider quarter ranking region report retailer "
    "revenue review risk salary schedule sector sensor server service share shipment "
    "shop staff standard statement stock storage strategy supplier surplus system tariff "
    "tax team tenant terminal trader treasury union vendor vessel warehouse window worker"
).split()
_GLUE = "the a an this that our their its each every some".split()  # noqa: SIM905
_PREPS = "of for with in on at by from to under over after before".split()  # noqa: SIM905
_ADJ = (  # noqa: SIM905
    "annual new current early final formal global internal key large local major minor "
    "monthly net open private public quarterly regional senior small total weekly"
).split()


def _phrase(rng: random.Random) -> str:
    words = [rng.choice(_GLUE)]
    if rng.random() < 0.5:
        words.append(rng.choice(_ADJ))
    words.append(rng.choice(_NOUNS))
    return " ".join(words)


def sentence(rng: random.Random) -> str:
    verb = rng.choice(_STEMS)
    verb = verb + ("s" if not verb.endswith("s") else "es")
    parts = [_phrase(rng), verb, _phrase(rng)]
    for _ in range(rng.randint(0, 3)):
        parts += [rng.choice(_PREPS), _phrase(rng)]
    if rng.random() < 0.2:
        parts += ["in", str(rng.randint(1990, 2030))]
    text = " ".join(parts)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def paragraphs(rng: random.Random, words: int) -> list[str]:
    out: list[str] = []
    count = 0
    while count < words:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))
        out.append(paragraph)
        count += len(paragraph.split())
    return out


def make_pdf(rng: random.Random, pages: int, words_per_page: int = 450) -> bytes:
    document = FPDF()
    document.set_font("helvetica", size=10)
    for page in range(pages):
        document.add_page()
        document.set_font("helvetica", style="B", size=13)
        document.multi_cell(0, 7, f"Section {page + 1}", new_x="LMARGIN", new_y="NEXT")
        document.set_font("helvetica", size=10)
        for paragraph in paragraphs(rng, words_per_page):
            document.multi_cell(0, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
            document.ln(2)
    return bytes(document.output())


def make_docx(rng: random.Random, pages: int, words_per_page: int = 450) -> bytes:
    document = docx.Document()
    for page in range(pages):
        document.add_heading(f"Section {page + 1}", level=1)
        for paragraph in paragraphs(rng, words_per_page):
            document.add_paragraph(paragraph)
        document.add_page_break()  # type: ignore[no-untyped-call]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_html(rng: random.Random, pages: int, words_per_page: int = 450) -> bytes:
    body = []
    for page in range(pages):
        body.append(f"<h2>Section {page + 1}</h2>")
        body += [f"<p>{p}</p>" for p in paragraphs(rng, words_per_page)]
    html = (
        "<!DOCTYPE html><html><head><title>Report</title><script>var x = 1;</script>"
        "<style>p { margin: 0 }</style></head><body><nav><a href='/'>Home</a></nav>"
        f"<main><h1>Report</h1>{''.join(body)}</main><footer>Footer</footer></body></html>"
    )
    return html.encode()


def make_markdown(rng: random.Random, pages: int, words_per_page: int = 450) -> bytes:
    parts = ["# Report", ""]
    for page in range(pages):
        parts += [f"## Section {page + 1}", ""]
        for paragraph in paragraphs(rng, words_per_page):
            parts += [paragraph, ""]
    return "\n".join(parts).encode()


def make_abstract(rng: random.Random, words: int = 220) -> bytes:
    """A SciFact-sized document: a title and one abstract (~1.5 KB, two chunks or so)."""
    title = sentence(rng).rstrip(".?!")
    return f"# {title}\n\n{' '.join(paragraphs(rng, words))}\n".encode()


MAKERS = {
    "pdf": (make_pdf, "application/pdf"),
    "docx": (make_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "html": (make_html, "text/html"),
    "md": (make_markdown, "text/markdown"),
}
