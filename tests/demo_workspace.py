"""The demo workspace the workbook tests and their references run on.

It is the default demo company (fixed seed and end date), built once into
``.cskit/test-demo`` and rebuilt whenever the code that makes it changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / ".cskit" / "test-demo"
WORKSPACE = FOLDER / "workspace.duckdb"
_SOURCES = ["demo.py", "_demo_text.py", "ingest.py", "mapping.py", "schema.py",
            "workspace.py"]


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in _SOURCES:
        path = ROOT / "cskit" / name
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_demo_workspace() -> Path:
    """Build the demo workspace unless an up-to-date one exists; return it."""
    from cskit.demo import write_demo_company
    from cskit.ingest import ingest

    FOLDER.parent.mkdir(parents=True, exist_ok=True)
    with open(FOLDER.parent / "test-demo.lock", "w") as lock:
        # Test sessions running side by side build it once, one at a time.
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = FOLDER / "fingerprint"
        fingerprint = _fingerprint()
        if stamp.is_file() and stamp.read_text() == fingerprint:
            return WORKSPACE
        shutil.rmtree(FOLDER, ignore_errors=True)
        write_demo_company(FOLDER / "data")
        ingest(FOLDER / "data", workspace=WORKSPACE)
        stamp.write_text(fingerprint)
    return WORKSPACE
