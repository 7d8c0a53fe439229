"""Exporters: HTML reading edition, plain text, JSON, CSV, teiCorpus and BagIt deposit.

Every exporter reads TEI from disk (``common.read_tei``), so a file corrected by hand
exports exactly like a generated one."""

from .bag import make_bag, verify_bag
from .commands import export, export_all, package

__all__ = ["export", "export_all", "make_bag", "package", "verify_bag"]
