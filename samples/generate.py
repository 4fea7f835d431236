"""Render the sample documents that are PDF or DOCX from their text in `sources/`.

The manifest lists every sample; for each `.pdf` or `.docx` one, the text is
`sources/<same name>.md` (a heading per `#` line, `- ` bullets, numbered steps, and
paragraphs separated by blank lines). The output is byte-for-byte the same on every run
(fixed dates and zip timestamps), so a re-run after an edit changes only what was edited.

    .venv/bin/python samples/generate.py          # rewrite samples/documents/*.pdf|docx
    .venv/bin/python samples/generate.py --check  # exit 1 when a committed file is stale
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import docx
from fpdf import FPDF

HERE = Path(__file__).resolve().parent
DOCUMENTS = HERE / "documents"
SOURCES = HERE / "sources"
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
AUTHOR = "Tidepool Software (fictional sample)"
_NUMBERED = re.compile(r"^(\d+)\. ")


@dataclass(frozen=True)
class Block:
    kind: str  # "title", "heading", "bullet", "step" or "paragraph"
    text: str


def parse(source: str) -> list[Block]:
    """Blocks of the source; a line that starts no block continues the one above it."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", source.strip()):
        continued = False  # a paragraph, bullet or step of this chunk may go on
        for line in (line.strip() for line in chunk.splitlines()):
            if line.startswith("## "):
                block, continued = Block("heading", line[3:]), False
            elif line.startswith("# "):
                block, continued = Block("title", line[2:]), False
            elif line.startswith("- "):
                block, continued = Block("bullet", line[2:]), True
            elif _NUMBERED.match(line):
                block, continued = Block("step", line), True
            elif continued:
                last = blocks.pop()
                block = Block(last.kind, f"{last.text} {line}")
            else:
                block, continued = Block("paragraph", line), True
            blocks.append(block)
    return blocks


def render_pdf(blocks: list[Block], title: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_author(AUTHOR)
    pdf.set_margins(22, 22, 22)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.add_page()
    for block in blocks:
        text = block.text
        if block.kind == "title":
            pdf.set_font("Helvetica", "B", 18)
            pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif block.kind == "heading":
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 13)
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        else:
            pdf.set_font("Helvetica", "", 11)
            indent = 6 if block.kind in ("bullet", "step") else 0
            pdf.set_x(pdf.l_margin + indent)
            prefix = "- " if block.kind == "bullet" else ""
            pdf.multi_cell(0, 5.5, prefix + text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())


def render_docx(blocks: list[Block], title: str) -> bytes:
    document = docx.Document()
    properties = document.core_properties
    properties.title = title
    properties.author = AUTHOR
    properties.last_modified_by = AUTHOR
    properties.created = properties.modified = FIXED_DATE.replace(tzinfo=None)
    for block in blocks:
        if block.kind == "title":
            document.add_heading(block.text, level=1)
        elif block.kind == "heading":
            document.add_heading(block.text, level=2)
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        elif block.kind == "step":
            document.add_paragraph(_NUMBERED.sub("", block.text), style="List Number")
        else:
            document.add_paragraph(block.text)
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry dated FIXED_DATE (python-docx stamps the clock)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=FIXED_DATE.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(item.filename))
    return out.getvalue()


RENDERERS = {".pdf": render_pdf, ".docx": render_docx}


def generated() -> dict[Path, bytes]:
    manifest = json.loads((HERE / "manifest.json").read_text())
    files: dict[Path, bytes] = {}
    for entry in manifest["documents"]:
        target = DOCUMENTS / entry["file"]
        render = RENDERERS.get(target.suffix)
        if render is None:
            continue
        source = (SOURCES / target.name).with_suffix(".md")
        files[target] = render(parse(source.read_text(encoding="utf-8")), entry["title"])
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    stale = []
    for path, content in generated().items():
        if path.is_file() and path.read_bytes() == content:
            continue
        stale.append(path.name)
        if not args.check:
            path.write_bytes(content)
    verb = "stale" if args.check else "written"
    print(f"{verb}: {', '.join(stale)}" if stale else "up to date")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
