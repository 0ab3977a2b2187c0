"""Every number of the notebook's prose (every markdown cell, cell 0 included) and of the README's
results is a claim tied to the printed line it comes from, with its context, and the qualitative
readings of the printed tables are checked against them: claims_checker.py says how, and
claims_registry.py holds the entries. The mutation test proves it: each false sentence added to a
copy makes the same check fail, for the reason it should."""

import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from claims_checker import G, M, Printed, R, Tables, check, notebook_prose, readme_prose, value
from claims_registry import PAIRS, README_SECTIONS, TABLES, odd_table, pair_count

from notebook_loader import NOTEBOOK, REPO, outputs_text, read_notebook

README = Path(os.environ.get("ODD_SHAPES_README", REPO / "README.md"))


def texts():
    return NOTEBOOK.read_text(encoding="utf-8"), README.read_text(encoding="utf-8")


def report(problems):
    return f"{len(problems)} problem(s):\n" + "\n".join(f"  {problem}" for problem in problems)


def test_the_prose_and_the_printed_output_are_found():
    notebook_text, readme_text = texts()
    cells = json.loads(notebook_text)["cells"]
    sections, problems = readme_prose(readme_text, README_SECTIONS)
    assert not problems and len(sections) == len(README_SECTIONS)
    assert len(notebook_prose(cells)) > 30 and notebook_prose(cells)[0].name == "cell 0"
    assert len(Printed(cells).lines) > 100
    # the checker reads the outputs as notebook_loader does, each run of whitespace one space
    loader = [" ".join(line.split()) for line in outputs_text(read_notebook()).splitlines()]
    assert Printed(cells).lines == loader


def test_every_number_in_the_prose_is_tied_to_its_printed_line():
    problems = check(*texts())
    assert not problems, report(problems)


# -------------------------------------------------------------------------------------------------
# The mutation test: false sentences, each added to a copy, each must make check() fail for its
# own reason. They are built from the copy's printed values, so they stay false after a re-run.

FINAL = r"^Final RMSE on [\d,]+ fresh OddXYDataset samples: {N} px"
PRECISE = r"^RMSE on 200,000 fresh samples of the batched generator: {N} px"
WRONG_SHARE = r"^wrong picks on visible odd shapes: [\d,]+ of [\d,]+ samples \({N}\)"
WRONG_EXCESS = r"^wrong picks on visible odd shapes: .*, holding {N} of the excess"
ONE_HEAD_SEED_0 = r"^one attention head .* {N} / \S+ \(seed 0, 1\)$"
ONE_HEAD_SEED_1 = r"^one attention head .* \S+ / {N} \(seed 0, 1\)$"
SCHEDULE = r"^one schedule over both stages \S+ vs \S+ {N} \("
SCHEDULE_FULL = r"^one schedule, full 30 \+ 90 epochs \S+ vs \S+ {N} \("
QUARTER_SEED_0 = r"^0\.25x 8 \+ 22 [\d,]+ seed 0: {N} "
QUARTER_SEED_1 = r"^0\.25x 8 \+ 22 [\d,]+ seed 0: \S+ seed 1: {N}$"
HIDDEN_COUNT = r"^Background queries .* {N} of the [\d,]+ samples have no visible odd ink"
EXCESS = r"^200,000 test samples: network .* excess >> "
MOSTLY_HIDDEN = EXCESS + r"^0-25% [\d,]+ {N} "  # its share of the samples
HALF_HIDDEN_EXCESS = EXCESS + r"^25-50% .* {N}$"  # its share of the excess
TRIANGLES_EXCESS = [
    EXCESS + r"^triangles \+ circle .* {N}$",
    EXCESS + r"^triangles \+ square .* {N}$",
]
VISIBLE = "of samples the odd shape is at least partly visible and the answer lands more than 4 px"


def ahead_shares(p):
    """Head 2's printed shares of samples where the odd token reads the odd shape more than the
    base control, one per type pair."""
    return [p(odd_table(2, pair, "ahead")) for pair in PAIRS]


def pair_size(p):
    """The analysis samples of the first type pair, as printed."""
    return int(value(p(pair_count(PAIRS[0]))))


def flip(number):
    return {"+": "-", "-": "+"}[number[0]] + number[1:] if number[0] in "+-" else "-" + number


def swap(pair):
    base, odd = pair.split(" + ")
    return f"{odd}s + {base[:-1]}"


def above_half_one_swapped(t):
    """Head 1's pairs above 50%, one of them replaced by its swapped pair, which is below 50%."""
    above = [p for p in PAIRS if value(t.share(1, p)) > 50]
    wrong = next(p for p in above if value(t.share(1, swap(p))) < 50)
    listed = [swap(p) if p == wrong else p for p in above]
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def ranked(t, head):
    medians = t.background_medians(head)
    return sorted(medians, key=medians.get, reverse=True)


def shares(t, head, pairs=PAIRS):
    return sorted((t.share(head, p) for p in pairs), key=value)


# (name, where it goes: the "first" or "last" markdown cell or the "README"'s results, the sentence
# from p (the number a printed line shows) and t (the printed tables), the kinds of failure wanted)
# fmt: off
MUTATIONS = [
    # the eight sentences of the issue
    ("the 25,000-sample RMSE as the 200,000-sample one", "first",
     lambda p, t: f"On 200,000 test samples the RMSE is {p(FINAL)} px.", {"uncovered", "differs"}),
    ("head 2's shares given to head 1", "last",
     lambda p, t: f"Nearly all samples agree (head 1: {t.share(2, 'squares + circle')} for squares "
     f"with an odd circle, {t.share(2, 'circles + square')} for circles with an odd square).",
     {"uncovered"}),
    ("+ for a printed -", "last",
     lambda p, t: f"(one attention head, above: {p(ONE_HEAD_SEED_0)} and "
     f"{flip(p(ONE_HEAD_SEED_1))} px by seed)", {"differs"}),
    ("a prefix of a printed number", "first",
     lambda p, t: f"On 200,000 test samples the lower bound is {p(PRECISE)[:-1]} px.",
     {"uncovered"}),
    ("0.00% for the wrong picks' share", "last",
     lambda p, t: f"In 0.00% {VISIBLE} from its centre: they hold {p(WRONG_EXCESS)} of the excess.",
     {"differs"}),
    ("a one-decimal number never printed", "first",
     lambda p, t: f"Rounded, the network's error is {value(p(PRECISE)):.1f} px.", {"uncovered"}),
    ("an integer never printed", "last",
     lambda p, t: f"(The {int(value(p(HIDDEN_COUNT))) + 113} samples whose odd shape is fully "
     "hidden have no odd tokens.)", {"differs"}),
    ("head 2 prefers its least preferred type", "last",
     lambda p, t: f"head 2 prefers {ranked(t, 2)[-1]}s over {ranked(t, 2)[0]}s.", {"form"}),
    # more of our own
    ("a right number with the wrong sign", "last",
     lambda p, t: "It gained more than two training seeds of this design differ there "
     f"({p(QUARTER_SEED_0)} and {p(QUARTER_SEED_1)} px on this CPU, section 13), "
     f"and its {flip(p(SCHEDULE))} px became {p(SCHEDULE_FULL)} px at the full budget.",
     {"differs"}),
    ("a right number of another quantity", "last",
     lambda p, t: f"the {p(MOSTLY_HIDDEN)} of samples with at most a quarter of it visible hold "
     f"{p(HALF_HIDDEN_EXCESS)} of it.", {"differs"}),
    ("rounded percentages never printed", "last",
     lambda p, t: "Scenes of triangles hold little of it ("
     + ", ".join(f"{value(p(spec)):.0f}%" for spec in TRIANGLES_EXCESS) + ").", {"differs"}),
    ("a percentage with one decimal too many", "last",
     lambda p, t: f"In {p(WRONG_SHARE)[:-1]}0% {VISIBLE} from its centre: they hold "
     f"{p(WRONG_EXCESS)} of the excess.", {"differs"}),
    ("a swapped pair in an above-50% claim", "last",
     lambda p, t: f"Head 1's share is above 50% only for {above_half_one_swapped(t)}.", {"form"}),
    ("a false ordering", "last",
     lambda p, t: f"head 1 prefers {ranked(t, 1)[0]}s, then {ranked(t, 1)[2]}s, "
     f"then {ranked(t, 1)[1]}s.", {"form"}),
    ("a range that does not start at the lowest", "last",
     lambda p, t: "Head 2's odd token reads its shape more than the base control does in "
     f"{sorted(ahead_shares(p), key=value)[1]} to {max(ahead_shares(p), key=value)} of samples, "
     "in every pair.",
     {"differs"}),
    ("an 'about' that is far off", "last",
     lambda p, t: "The interventions use the analysis samples "
     f"(about {3 * pair_size(p):,} per type pair).", {"reading"}),
    ("a preference in no form", "last",
     lambda p, t: "Head 2 clearly prefers the base shapes.", {"reading"}),
    ("head 2's shares given as head 1's", "last",
     lambda p, t: f"Nearly all samples agree (head 1: {t.share(2, 'triangles + circle')} for "
     f"triangles with an odd circle, {t.share(2, 'circles + square')} for circles with an odd "
     "square).", {"differs"}),
    ("README: two numbers swapped", "README",
     lambda p, t: f"Of the network's excess over it, {p(WRONG_SHARE)} lies on the "
     f"{p(WRONG_EXCESS)} of samples where the odd shape is at least partly visible.", {"differs"}),
    ("README: a pair on the wrong side of 50%", "README",
     lambda p, t: "Head 2's share is below 50% for squares with an odd circle.", {"form"}),
]
# fmt: on


@pytest.fixture(scope="module")
def original():
    notebook_text, readme_text = texts()
    return (
        notebook_text,
        readme_text,
        {str(problem) for problem in check(notebook_text, readme_text)},
    )


def mutated(notebook_text, readme_text, where, sentence):
    """The texts with `sentence` added as a paragraph, and the name of the prose it went into."""
    notebook = json.loads(notebook_text)
    if where == "README":
        name = README_SECTIONS[0]
        section = re.search(rf"^## {name}\n.*?(?=^## |\Z)", readme_text, re.M | re.S)
        end = section.end()
        readme_text = readme_text[:end].rstrip() + f"\n\n{sentence}\n\n" + readme_text[end:]
        return json.dumps(notebook), readme_text, f"README.md section {name}"
    markdown = [i for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "markdown"]
    index = markdown[0] if where == "first" else markdown[-1]
    cell = notebook["cells"][index]
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    cell["source"] = source.rstrip() + "\n\n" + sentence
    return json.dumps(notebook), readme_text, f"cell {index}"


def test_an_unmutated_copy_passes(original):
    notebook_text, readme_text, _ = original
    problems = check(json.dumps(json.loads(notebook_text), indent=1), readme_text)
    assert not problems, report(problems)


@pytest.mark.parametrize("name, where, build, kinds", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_a_false_sentence_makes_the_check_fail(original, name, where, build, kinds):
    notebook_text, readme_text, before = original
    printed = Printed(json.loads(notebook_text)["cells"])
    sentence = build(printed.number, Tables(printed, TABLES))
    *texts_after, prose = mutated(notebook_text, readme_text, where, sentence)
    new = [problem for problem in check(*texts_after) if str(problem) not in before]
    assert new, f"the check accepted the false sentence {sentence!r} in {prose}"
    ours = [
        p for p in new if p.kind in kinds and (p.where == prose or p.where.startswith(prose + ","))
    ]
    assert ours, f"{sentence!r} in {prose} failed, but not as {sorted(kinds)}: " + report(new)


# -------------------------------------------------------------------------------------------------
# The checker's own rules, on a tiny notebook


def tiny(markdown, printed, entries, readme="## Results\n\nNothing measured.\n"):
    """check() on a notebook of one markdown cell and one code cell that printed `printed`."""
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": markdown, "metadata": {}},
            {
                "cell_type": "code",
                "source": "",
                "outputs": [{"output_type": "stream", "text": printed}],
            },
        ]
    }
    registry = SimpleNamespace(README_SECTIONS=["Results"], TABLES=TABLES, ENTRIES=entries)
    return sorted(problem.kind for problem in check(json.dumps(notebook), readme, registry))


def test_code_math_and_link_targets_are_not_prose_but_tables_are():
    markdown = "`x = 3` and $y^2$ and $$z_4$$ and [a](#5-b) and\n```\n6\n```\n| rmse | 1.5 |\n"
    assert tiny(markdown, "rmse 1.5\n", []) == ["uncovered"]
    assert tiny(markdown, "rmse 1.5\n", [M(r"\| rmse \| {N} \|", r"^rmse {N}$")]) == []


def test_a_measured_claim_is_the_same_string_on_exactly_one_printed_line():
    entry = [M(r"the RMSE is {N} px", r"^RMSE {N}$")]
    assert tiny("the RMSE is 1.50 px", "RMSE 1.50\n", entry) == []
    assert tiny("the RMSE is 1.5 px", "RMSE 1.50\n", entry) == ["differs"]  # precision
    assert tiny("the RMSE is +1.50 px", "RMSE 1.50\n", entry) == ["differs"]  # sign
    assert tiny("the RMSE is 1.50 px", "RMSE 1.50\nRMSE 1.60\n", entry) == ["entry"]  # 2 lines
    assert tiny("the RMSE is 1.50 px", "rmse 1.50\n", entry) == ["entry"]  # no line
    assert tiny("the loss is 1.50 px", "RMSE 1.50\n", entry) == ["stale", "uncovered"]


def test_a_number_is_claimed_once_and_wholly():
    overlap = [M(r"the RMSE is {N} px", r"^RMSE {N}$"), G(r"is (1\.50)", "design")]
    assert tiny("the RMSE is 1.50 px", "RMSE 1.50\n", overlap) == ["twice"]
    partial = [M(r"the RMSE is (1)\.50 px", r"^RMSE {N}\.50$")]
    assert "entry" in tiny("the RMSE is 1.50 px", "RMSE 1.50\n", partial)


def test_a_range_is_the_lowest_and_the_highest_printed_value():
    entry = [R(r"from {N} to {N}", r"^a {N}$", r"^b {N}$", r"^c {N}$")]
    assert tiny("from 1.2 to 3.4", "a 2.0\nb 1.2\nc 3.4\n", entry) == []
    assert tiny("from 2.0 to 3.4", "a 2.0\nb 1.2\nc 3.4\n", entry) == ["differs"]


def test_a_missing_readme_section_is_reported():
    assert tiny("no numbers", "", [], readme="## Other\n") == ["setup"]
