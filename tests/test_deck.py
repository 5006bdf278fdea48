"""Slide decks: one slide per section, figures, tables and text, no network."""

import base64
import io

import nbformat
import pandas as pd
from matplotlib.figure import Figure

from cskit import deck


def _png() -> str:
    figure = Figure(figsize=(4, 3))
    figure.subplots().plot([1, 2, 3])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def _notebook():
    table = pd.DataFrame({"metric": ["mad", "nps"], "value": [3, 40]}).to_html()
    out = nbformat.v4.new_output
    cells = [
        nbformat.v4.new_markdown_cell("# QBR of Acme\n\n**Parameters** ..."),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "header",
            outputs=[out("execute_result", {"text/html": table, "text/plain": "t"})],
        ),
        nbformat.v4.new_markdown_cell("## Usage and adoption\n\nText."),
        nbformat.v4.new_code_cell(
            "plot", outputs=[out("display_data", {"image/png": _png()})]
        ),
        nbformat.v4.new_code_cell(
            "table", outputs=[out("execute_result", {"text/html": table})]
        ),
        nbformat.v4.new_markdown_cell("### A sub-heading stays in its section"),
        nbformat.v4.new_markdown_cell("## Agenda"),
        nbformat.v4.new_code_cell(
            "agenda",
            outputs=[out("execute_result", {"text/markdown": "```text\n1. Hi\n```"})],
        ),
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    return notebook


def test_sections_collect_their_outputs():
    sections = deck.deck_sections(_notebook())
    assert [title for title, _ in sections] == [
        "QBR of Acme",
        "Usage and adoption",
        "Agenda",
    ]
    kinds = [[kind for kind, _ in items] for _, items in sections]
    assert kinds == [["table"], ["image", "table"], ["text"]]
    assert sections[2][1][0][1] == "1. Hi"
    assert list(sections[0][1][0][1]["value"]) == [3, 40]


def test_deck_has_one_slide_per_section(tmp_path):
    from pptx import Presentation

    source = tmp_path / "qbr.ipynb"
    nbformat.write(_notebook(), source)
    written = deck.export_deck(source, tmp_path / "qbr.pptx")
    slides = Presentation(str(written)).slides
    assert [s.shapes.title.text for s in slides] == [
        "QBR of Acme",
        "Usage and adoption",
        "Agenda",
    ]
    usage = slides[1].shapes
    assert any(shape.shape_type == 13 for shape in usage)  # a picture
    assert any(shape.has_table for shape in usage)
    assert not list(tmp_path.glob(".*partial*"))
