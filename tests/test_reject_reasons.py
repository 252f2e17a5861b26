"""The reject reasons: the README's table of them is the enum, no more and no less, so
the codes users group by cannot drift from the docs."""

import re
from pathlib import Path

from transforms.documents import RejectReason

README = Path(__file__).resolve().parents[1] / "README.md"


def _documented_reasons() -> list[str]:
    """The first column of the README's `| reason | what it means |` table."""
    text = README.read_text(encoding="utf-8")
    table = re.search(r"^\| reason \| what it means \|\n\| --- \| --- \|\n((?:\|.*\n)+)", text, re.M)
    assert table, "README.md has no table of reject reasons"
    return re.findall(r"^\| `(\w+)` \|", table.group(1), re.M)


def test_the_readme_lists_every_reject_reason_once_and_nothing_else():
    documented = _documented_reasons()

    assert sorted(documented) == sorted(RejectReason)


def test_reject_reasons_are_their_stored_codes():
    assert all(reason == reason.value == str(reason) == f"{reason}" for reason in RejectReason)
    assert RejectReason("no_text") is RejectReason.NO_TEXT
