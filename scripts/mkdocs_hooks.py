"""MkDocs hooks (mkdocs.yml ``hooks:``): files that live outside ``docs/`` join the site.

The notebooks stay in ``notebooks/`` (where ``make notebooks`` writes them and readers look)
and the benchmark plots in ``benchmarks/results/`` (where ``make bench`` writes them); copying
them into ``docs/`` would give each two homes that drift apart. The site serves them under
``notebooks/`` and ``performance/`` as if they were there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
# (folder in the repository, glob, folder in the site)
EXTERNAL = [
    (ROOT / "notebooks", "*.ipynb", "notebooks"),
    (ROOT / "benchmarks" / "results", "*.png", "performance"),
]


def on_files(files: Files, config: Any, **kwargs: Any) -> Files:
    for folder, pattern, site_folder in EXTERNAL:
        for path in sorted(folder.glob(pattern)):
            files.append(
                File.generated(config, f"{site_folder}/{path.name}", abs_src_path=str(path))
            )
    return files
