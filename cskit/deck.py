"""Slide decks of executed workbooks, as PowerPoint files that work offline.

:func:`export_deck` turns an executed notebook into a ``.pptx`` deck with
python-pptx: a title slide, then one slide per section (a markdown cell
starting with ``## ``) holding that section's outputs: figures as
pictures, tables as slide tables, text as text. Nothing is loaded from the
network, and the file opens in PowerPoint, Keynote or LibreOffice.

Limitations
-----------
A slide holds at most four outputs of its section (the first four) in a
grid; a table shows its first ``max_rows`` rows and ``max_columns``
columns, a text its first 30 lines. Slides have no speaker notes.
"""

from __future__ import annotations

import base64
import io
import logging
import os
from pathlib import Path

import pandas as pd

from cskit.exceptions import ConfigurationError

__all__ = ["deck_sections", "export_deck"]

logger = logging.getLogger(__name__)

_WIDTH, _HEIGHT = 13.333, 7.5
_MAX_ITEMS = 4


def deck_sections(notebook) -> list[tuple[str, list[tuple[str, object]]]]:
    """Return the sections of an executed notebook with their outputs.

    Parameters
    ----------
    notebook : nbformat.NotebookNode

    Returns
    -------
    list of (str, list of (str, object))
        Each section's title (the text of its ``## `` heading; the first
        section is the notebook's ``# `` title) and its outputs, each as
        ``("image", bytes)``, ``("table", DataFrame)`` or ``("text", str)``.
    """
    sections: list = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            heading = _heading(cell.source)
            if heading is not None:
                sections.append((heading, []))
            continue
        if cell.cell_type != "code" or not sections:
            continue
        if "parameters" in cell.metadata.get("tags", []):
            continue
        sections[-1][1].extend(filter(None, map(_output, cell.get("outputs", []))))
    return sections


def _heading(source: str) -> str | None:
    first = source.strip().splitlines()[0] if source.strip() else ""
    if first.startswith(("# ", "## ")):
        return first.lstrip("#").strip()
    return None


def _output(output) -> tuple[str, object] | None:
    data = output.get("data", {})
    if "image/png" in data:
        return "image", base64.b64decode(data["image/png"])
    if "<table" in str(data.get("text/html", "")):
        return "table", _table(data["text/html"])
    if "text/markdown" in data:
        return "text", str(data["text/markdown"]).replace("```text", "").strip("`\n* ")
    if "text/plain" in data:
        return "text", str(data["text/plain"]).strip("'\"")
    if output.get("output_type") == "stream" and output.get("name") == "stdout":
        return "text", str(output.get("text", ""))
    return None


def _table(html: str) -> pd.DataFrame:
    frame = pd.read_html(io.StringIO(html))[0]
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [
            " ".join(str(p) for p in col if not str(p).startswith("Unnamed")).strip()
            for col in frame.columns
        ]
    frame.columns = [
        "" if str(c).startswith("Unnamed") else str(c) for c in frame.columns
    ]
    return frame.fillna("")


def export_deck(
    notebook_file: str | Path,
    deck_file: str | Path,
    *,
    max_rows: int = 12,
    max_columns: int = 7,
) -> Path:
    """Write a slide deck of an executed notebook: one slide per section.

    Parameters
    ----------
    notebook_file : str or pathlib.Path
        An executed notebook.
    deck_file : str or pathlib.Path
        The ``.pptx`` file to write (under a temporary name, then renamed).
    max_rows, max_columns : int
        The part of each table a slide shows.

    Returns
    -------
    pathlib.Path
        The deck written.

    Raises
    ------
    ConfigurationError
        When python-pptx is not installed (the message says how to).
    """
    import nbformat

    try:
        from pptx import Presentation
        from pptx.util import Inches
    except ImportError as error:
        raise ConfigurationError(
            "slide decks need python-pptx; install it with `pip install python-pptx`"
        ) from error

    sections = deck_sections(nbformat.read(str(notebook_file), as_version=4))
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(_WIDTH), Inches(_HEIGHT)
    for index, (title, items) in enumerate(sections):
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = title
        _fit_title(slide)
        shown = items[:_MAX_ITEMS] if index else items[:1]
        for box, (kind, value) in zip(_grid(len(shown)), shown, strict=False):
            _place(slide, kind, value, box, (max_rows, max_columns))
    deck_file = Path(deck_file)
    partial = deck_file.with_name(f".{deck_file.name}.partial")
    deck.save(str(partial))
    os.chmod(partial, 0o640)  # a deck holds customer data, as the reports do
    os.replace(partial, deck_file)
    logger.info("deck of %d slides written to %s", len(sections), deck_file)
    return deck_file


def _fit_title(slide) -> None:
    from pptx.util import Inches, Pt

    shape = slide.shapes.title
    shape.left, shape.top = Inches(0.4), Inches(0.2)
    shape.width, shape.height = Inches(_WIDTH - 0.8), Inches(0.8)
    for paragraph in shape.text_frame.paragraphs:
        paragraph.font.size = Pt(28)


def _grid(count: int) -> list[tuple[float, float, float, float]]:
    """Return the boxes (left, top, width, height) of ``count`` items."""
    left, top, width, height = 0.4, 1.2, _WIDTH - 0.8, _HEIGHT - 1.5
    if count <= 1:
        return [(left, top, width, height)]
    half = (width - 0.3) / 2
    if count == 2:
        return [(left, top, half, height), (left + half + 0.3, top, half, height)]
    tall = (height - 0.2) / 2
    return [
        (left + col * (half + 0.3), top + row * (tall + 0.2), half, tall)
        for row in range(2)
        for col in range(2)
    ]


def _place(slide, kind: str, value, box, limits) -> None:
    if kind == "image":
        _picture(slide, value, box)
    elif kind == "table":
        _slide_table(slide, value, box, limits)
    else:
        _text(slide, str(value), box)


def _picture(slide, png: bytes, box) -> None:
    from PIL import Image
    from pptx.util import Inches

    left, top, width, height = box
    with Image.open(io.BytesIO(png)) as image:
        ratio = image.width / image.height
    shown_width = min(width, height * ratio)
    shown_height = shown_width / ratio
    slide.shapes.add_picture(
        io.BytesIO(png),
        Inches(left + (width - shown_width) / 2),
        Inches(top),
        Inches(shown_width),
        Inches(shown_height),
    )


def _slide_table(slide, frame: pd.DataFrame, box, limits) -> None:
    from pptx.util import Inches, Pt

    max_rows, max_columns = limits
    shown = frame.iloc[:max_rows, :max_columns]
    left, top, width, height = box
    rows, columns = len(shown) + 1, max(len(shown.columns), 1)
    row_height = min(height / rows, 0.32)
    shape = slide.shapes.add_table(
        rows,
        columns,
        Inches(left),
        Inches(top),
        Inches(width),
        Inches(row_height * rows),
    )
    table = shape.table
    cells = [list(shown.columns), *shown.astype(str).values.tolist()]
    for r, values in enumerate(cells):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = _short(str(value), 60)
            for paragraph in cell.text_frame.paragraphs:
                paragraph.font.size = Pt(9 if len(cells) < 10 else 8)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(slide, text: str, box) -> None:
    from pptx.util import Inches, Pt

    left, top, width, height = box
    shape = slide.shapes.add_textbox(
        Inches(left), Inches(top), Inches(width), Inches(height)
    )
    frame = shape.text_frame
    frame.word_wrap = True
    lines = text.splitlines()[:30] or [""]
    frame.text = lines[0]
    for line in lines[1:]:
        frame.add_paragraph().text = line
    for paragraph in frame.paragraphs:
        paragraph.font.size = Pt(11 if len(lines) < 18 else 9)
