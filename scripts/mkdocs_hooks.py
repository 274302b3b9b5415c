"""MkDocs hooks (mkdocs.yml ``hooks:``): files that live outside ``docs/`` join the site.

The notebooks stay in ``notebooks/`` (where ``make notebooks`` writes them and readers look)
and the benchmark plots in ``benchmarks/results/`` (where ``make bench`` writes them); copying
them into ``docs/`` would give each two homes that drift apart. The site serves the notebooks
under ``notebooks/`` (rendered by mkdocs-jupyter, with their committed outputs) and the plots
under ``performance/``, beside the page that shows them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]


# Before mkdocs-jupyter's own on_files, which turns the .ipynb files it finds into pages.
@event_priority(100)
def on_files(files: Files, config: Any, **kwargs: Any) -> Files:
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        files.append(
            File(
                f"notebooks/{notebook.name}",
                src_dir=str(ROOT),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    for plot in sorted((ROOT / "benchmarks" / "results").glob("*.png")):
        files.append(File.generated(config, f"performance/{plot.name}", abs_src_path=str(plot)))
    return files
