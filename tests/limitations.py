"""Collect the "Limitations" paragraphs of cskit's modules into one page.

``make docs`` writes ``docs/limitations.md`` from the module docstrings;
``tests/test_docs.py`` checks the page is current, so a limitation written
in the code is always listed there too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "limitations.md"
_HEADER = """# Known limitations

What cskit does not do yet, or does in a simplified way, module by module.
Each paragraph is the "Limitations" section of the module's own docstring;
`make docs` regenerates this page from them.
"""


def limitations() -> dict[str, str]:
    """Return each module's Limitations paragraph, by dotted module name."""
    found = {}
    for path in sorted((ROOT / "cskit").rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        marker = "Limitations\n-----------\n"
        if marker in doc:
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = doc.split(marker, 1)[1].strip()
    return found


def render() -> str:
    """Return the page's Markdown."""
    parts = [_HEADER]
    for name, text in limitations().items():
        parts.append(f"## `{name}`\n\n{text}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
