"""The dev set (../shared/devset): fidelity, page breaks, dates, titles, tei_all validity."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from conftest import DEVSET, devset_sources, tei_all_errors
from tei_edition.evaluate import evaluate
from tei_edition.pipeline import convert_path


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    sources = devset_sources()
    out = tmp_path_factory.mktemp("devset")
    for src in sources:
        result = convert_path(str(src))
        assert result.error is None, (src.name, result.error)
        (out / result.name).write_bytes(result.xml)
    return out


def test_devset_figures(converted):
    report = evaluate(DEVSET, converted, validate=False)
    c = report.counts
    assert c["docs"] == len(devset_sources())
    assert c["fidelity"] == c["docs"], report.failures
    assert c["pages_hit"] == c["pages_gold"] and c["pages_pred"] == c["pages_gold"]
    assert c["titles_hit"] >= 0.95 * c["titles_gold"]
    assert c["datable_hit"] == c["datable"], report.failures
    assert c["dates_wrong"] == 0, report.failures


def test_devset_undated_documents_are_not_guessed(converted):
    """Where the gold date stands nowhere in the text, no @when is written."""
    for gold_path in DEVSET.glob("*.gold.json"):
        gold = json.loads(gold_path.read_text())
        root = etree.parse(str(converted / gold_path.name.replace(".gold.json", ".xml")))
        when = root.xpath("string(//*[local-name()='creation']/*[local-name()='date']/@when)")
        if when:
            assert when[:10] == gold["date"][:10], gold_path.name


def test_devset_valid_against_tei_all(converted):
    report = tei_all_errors(sorted(converted.glob("*.xml")))
    assert report == ""
