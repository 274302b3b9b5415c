"""Warn when the older ``langchain-aimlapi`` distribution shares this environment.

``langchain-aimlapi`` 0.1.x (ChatAimlapi, AimlapiEmbeddings, AimlapiLLM, ...) installs the same
import package, ``langchain_aimlapi``, as this distribution: installing both mixes two packages'
files in one folder, and whichever was installed last wins each file. Nothing else would tell.

Cost: ``python -X importtime`` charges ``importlib.metadata`` to this module only because it
runs first; langchain-core imports it anyway (``langchain_core/utils/utils.py``), so the check
adds the lookup alone (figures in ``benchmarks/results/adapter_micro_timings.md``). A
hand-written scan of ``sys.path`` for ``*.dist-info`` would be a little quicker and lose what
``importlib.metadata`` reads that pip also reads (egg-info, eggs, zips, other finders).
"""

from __future__ import annotations

import importlib.metadata
import warnings

OLD_DISTRIBUTION = "langchain-aimlapi"


class ConflictingDistributionWarning(UserWarning):
    """The older ``langchain-aimlapi`` distribution is installed beside this one."""


def old_distribution_version() -> str | None:
    """The installed version of ``langchain-aimlapi``, or ``None`` when it is not installed."""
    try:
        return importlib.metadata.version(OLD_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None


def warn_if_old_distribution_installed() -> None:
    version = old_distribution_version()
    if version is None:
        return
    warnings.warn(
        f"langchain-aimlapi {version} is installed in this environment too. It uses the same "
        "import package (langchain_aimlapi) as aimlapi-integrations, so the two overwrite each "
        "other's files. Run `pip uninstall -y langchain-aimlapi` and then reinstall "
        "aimlapi-integrations with `--force-reinstall`. The README's 'Migrating from "
        "langchain-aimlapi 0.1.x' table lists what replaces ChatAimlapi, AimlapiEmbeddings, "
        "AimlapiLLM and the other old names.",
        ConflictingDistributionWarning,
        stacklevel=3,
    )
