"""Every measured number in the notebook's prose is one that a cell of the committed run printed."""
import re

import pytest

from notebook_loader import outputs_text, read_notebook

# A measured number in prose: a decimal with two or more decimals (1.942 px, 0.24 px, r = +0.53) or a
# percentage with a decimal point (55.1%). Numbers of the homework or the design (0.69999, 9.5) are not
# written that way outside section 3, which the check skips.
MEASURED = re.compile(r"(?<![\w.])[+-]?\d+\.\d{2,}(?![\w.])|(?<![\w.])\d+\.\d+%")
# Sections whose prose reports results: the first cell's summary, and everything from "5. The RMSE curve" on.
RESULTS_START = "## 5. The RMSE curve"
# Numbers the homework itself gives (the teacher's result, the soft-argmax example), not measured here.
HOMEWORK_NUMBERS = {"2.65", "0.69999", "0.00001"}


def cells():
    return read_notebook().cells


def results_prose():
    texts, started = [cells()[0].source], False
    for cell in cells():
        started = started or (cell.cell_type == "markdown" and RESULTS_START in cell.source)
        if started and cell.cell_type == "markdown":
            texts.append(cell.source)
    return "\n".join(texts)


def test_the_results_sections_are_found():
    assert len(results_prose()) > 2_000


def test_every_measured_number_in_the_results_prose_is_printed_by_a_cell():
    printed = outputs_text()
    missing = sorted({number for number in MEASURED.findall(results_prose())
                      if number.lstrip("+") not in printed and number not in HOMEWORK_NUMBERS})
    assert not missing, f"numbers in the prose that no cell printed: {missing}"


# Claims the prose makes in words, each with the printed line that supports it.
CLAIMS = [
    # (what the prose says, a regex over the prose, a regex over the outputs that must match the same value)
    ("first epoch below 5.0 px", r"below 5\.0 px from epoch (\d+)", r"first epoch below 5\.0 px: (\d+);"),
    ("first epoch below 3.0 px", r"below 3\.0 px from epoch (\d+)", r"below 3\.0 px: (\d+)"),
    ("share of wrong picks on visible odd shapes", r"In (\d\.\d\d)% of samples the odd shape is at least partly visible",
     r"wrong picks on visible odd shapes: [\d,]+ of 200,000 samples \((\d\.\d\d)%\)"),
    ("samples left out of the attention statistics", r"(\d+) samples whose odd shape is fully hidden",
     r"(\d+) of the [\d,]+ samples have no visible odd ink and are left out"),
]


@pytest.mark.parametrize("claim, prose_pattern, output_pattern", CLAIMS, ids=[c[0] for c in CLAIMS])
def test_a_claim_in_words_matches_the_printed_value(claim, prose_pattern, output_pattern):
    prose = re.search(prose_pattern, results_prose())
    printed = re.search(output_pattern, outputs_text())
    assert prose, f"the prose no longer states {claim!r}"
    assert printed, f"no cell prints {claim!r}"
    assert prose.group(1) == printed.group(1), f"{claim}: prose {prose.group(1)}, printed {printed.group(1)}"
