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


def _fingerprint() -> str:
    """Hash the package's code and data: any change rebuilds the workspace."""
    digest = hashlib.sha256()
    package = ROOT / "cskit"
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_demo_workspace() -> Path:
    """Build the demo workspace unless an up-to-date one exists; return it."""
    from cskit.demo import write_demo_company
    from cskit.enrich import enrich_workspace
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
        enrich_workspace(WORKSPACE)
        stamp.write_text(fingerprint)
    return WORKSPACE
