"""Lets the tests here import their helper modules (``import_walk``) under importlib mode."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
