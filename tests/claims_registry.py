"""The claims of the notebook's prose and of the README's results, each tied to its printed line.

How to add an entry (claims_checker.py says exactly what each kind checks):

    M(r"<prose words> {N} <prose words>", r"<label of the printed line> {N}")   a measured number
    R(r"from {N} to {N}", spec, spec, ...)       a measured range: lowest and highest printed value
    G(r"<prose words with the number>", "homework")                  a given number, not measured
    Q(r"<prose words> {N}", check)               a reading of a table: approx(spec), above(spec),
                                                 or a function (numbers, printed, tables, match)
                                                 returning None or what is wrong

`{N}` captures a number. The prose words must name the quantity: a false sentence with the same
words and another number must match the entry, and fail. Whitespace in the prose is one space, `*`
emphasis is gone, and code, math and link targets read `…`. An out spec is a regex over one printed
line (whitespace one space), or "ANCHOR >> LINE" for the first LINE after the one ANCHOR line; the
spec helpers below build the common ones. A failing check says which number lacks an entry, and
proposes one. Sentences in the forms of claims_checker.FORMS ("head N prefers Xs ...", "head N's
share is above 50% for PAIR") need no entry: they are checked wherever they appear.
"""

import re

from claims_checker import G, M, Q, R, above, approx, highest, lowest, same, value

# The README's sections whose numbers are claims of the notebook: "Results" quotes it. The other
# sections quote other sources and are not read here: "Run it" (wall-clock times of the commands),
# "What a rerun reproduces" (weight digests, the benchmarks' reports), "Tests" (the test count),
# "Benchmarks" (benchmarks/results/*.json, with the rows measured after the notebook's run).
README_SECTIONS = ["Results"]

# -------------------------------------------------------------------------------------------------
# The printed tables, and specs of their cells

PAIRS = [
    "circles + square",
    "circles + triangle",
    "squares + circle",
    "squares + triangle",
    "triangles + circle",
    "triangles + square",
]
SHARE_TABLE = (
    r"^Background queries .*attention per odd-shape token / attention per base-shape token"
)
TYPE_TABLE = r"^head {h}: attention share / area share of each type's ink"
ODD_TABLE = r"^head {h}: attention on the odd shape / its area share"
PROBES = r"^linear probes fitted on the tokens"
EXCESS = r"^200,000 test samples: network .* excess"
# The qualitative forms read these tables (claims_checker.Tables).
TABLES = {"share": SHARE_TABLE, "types": TYPE_TABLE}

CELL = r"\S+ \[[^]]*\] "  # a median and its [quartiles]


def share(head, pair):
    """Head `head`'s share of samples whose background queries read odd ink more, for `pair`."""
    skip = (CELL + r"\S+ \([^)]*\) ") * (head - 1)
    return SHARE_TABLE + " >> ^" + re.escape(pair) + r" [\d,]+ " + skip + CELL + r"{N} \("


def pair_count(pair):
    return SHARE_TABLE + " >> ^" + re.escape(pair) + " {N} "


def reads(head, ink):
    """Head `head`'s background queries on `ink` ink: (as the odd shape, as the base shapes)."""
    table = TYPE_TABLE.replace("{h}", str(head))
    return table + f" >> ^{ink} ink " + r"{N} \[[^]]*\] {N} \[[^]]*\]$"


def odd_table(head, pair, column):
    """A cell of head `head`'s table of the odd token against a base control."""
    row = {
        "odd token": r"[\d,]+ {N} \[",
        "ahead": r"[\d,]+ " + CELL + CELL + r"{N} \(",
        "odd row x": r".*\) {N} \S+ \| \S+ \S+ \| \S+ \S+$",
        "background row": r".* \| {N} {N} \| \S+ \S+$",
        "ink x": r".* \| {N} \S+$",
    }[column]
    return ODD_TABLE.replace("{h}", str(head)) + " >> ^" + re.escape(pair) + " " + row


def probe(tokens, target, when):
    """A linear probe's accuracy on `tokens`: `target` "base type" or "own type", `when` "before"
    or "after" the block."""
    field = {
        ("base type", "before"): r"{N} / \S+(?= |$)",
        ("base type", "after"): r"\S+ / {N}(?= |$)",
        ("own type", "before"): r"\S+ / \S+ {N} / \S+$",
        ("own type", "after"): r"\S+ / \S+ \S+ / {N}$",
    }[target, when]
    return PROBES + " >> ^" + tokens + r" [\d,]+ " + field


def excess(row):
    """The share of the excess in a row of section 11's tables."""
    return EXCESS + " >> ^" + row + r" [\d,]+ \S+ \S+ \S+ {N}$"


def compared(row, sign=""):
    """The paired difference of a row of sections 10.6 and 12; `sign` "+" or "-" where the prose
    says the sign in words ("loses 0.130 px", "gains 0.018 px")."""
    return "^" + re.escape(row) + r" \S+ vs \S+ " + re.escape(sign) + r"{N} \("


def per_seed(row):
    return "^" + re.escape(row) + r" .* {N} / {N} \(seed 0, 1\)$"


FINAL = r"^Final RMSE on 25,000 fresh OddXYDataset samples: {N} px"
INTERVAL_25K = r"^RMSE on the 25,000 OddXYDataset samples of section 6: .* interval {N} - {N} px\)"
PRECISE = (
    r"^RMSE on 200,000 fresh samples of the batched generator: {N} px "
    r"\(95% bootstrap interval {N} - {N} px\)"
)
BOUND = r"^200,000 samples: the network {N} px, the lower bound {N} px"
WRONG = r"^wrong picks on visible odd shapes: "
WRONG_SHARE = WRONG + r"[\d,]+ of [\d,]+ samples \({N}\)"
WRONG_EXCESS = WRONG + r".*, holding {N} of the excess"
NO_ATTENTION = r"^no attention \(the block's MLP alone\) {N} vs"
MEAN = "attention replaced by the mean of the tokens"
STAGE_1 = r"^stage 1: one-headed network, {N} epochs"
STAGE_2 = r"^stage 2: two-headed network, {N} epochs"
TRAINING_TIME = r"training time {N} s$"
MERGED = r"^a merged base silhouette \(2\+ shapes\) [\d,]+ "

# -------------------------------------------------------------------------------------------------
# Readings that no form covers


def types_matter(numbers, printed, tables, match):
    """'each head prefers shape types': in each head's background row the medians differ by type,
    the highest at least 1.5 times the lowest."""
    for head in (1, 2):
        medians = tables.background_medians(head)
        if max(medians.values()) < 1.5 * min(medians.values()):
            return f"head {head}'s background medians by type are close: {medians}"
    return None


def base_and_odd(pair):
    base, odd = pair.split(" + ")
    return base[:-1], odd


def follows_where_preferred(numbers, printed, tables, match):
    """'the background queries do [follow the odd shape] where it is of a type the head prefers':
    for each head and pair, the share is above 50% exactly when the head's background median is
    higher on the odd type than on the base type."""
    wrong = []
    for head in (1, 2):
        medians = tables.background_medians(head)
        for pair in PAIRS:
            base, odd = base_and_odd(pair)
            if (value(tables.share(head, pair)) > 50) != (medians[odd] > medians[base]):
                wrong.append(f"head {head}, {pair}: {tables.share(head, pair)}, {medians}")
    return "; ".join(wrong) or None


def odd_type_preferred_only(numbers, printed, tables, match):
    """'[its background row follows it closely] only where head 2 prefers the odd type to the base
    type (pairs)': the pairs listed are those where head 2's background median is higher on the odd
    type, and their background-row correlations are all above those of the other pairs."""
    listed = re.findall(r"(?:circles|squares|triangles) \+ (?:circle|square|triangle)", match[0])
    medians = tables.background_medians(2)
    preferred = [p for p in PAIRS if medians[base_and_odd(p)[1]] > medians[base_and_odd(p)[0]]]
    if sorted(listed) != sorted(preferred):
        return f"head 2 prefers the odd type in {preferred} ({medians}), the prose lists {listed}"

    def rows(pairs):
        specs = [odd_table(2, p, "background row") for p in pairs]
        return [value(v) for spec in specs for v in printed.captured(spec)[0]]

    others = [p for p in PAIRS if p not in listed]
    if not min(rows(listed)) > max(rows(others)):
        return f"the background row's r: {rows(listed)} in {listed}, {rows(others)} in the others"
    return None


def triangle_most_in_every_class(numbers, printed, tables, match):
    """'In head 1 every class of query reads triangle ink most (lo to hi)'."""
    table = tables.type_table(1)
    wrong = [q for q, row in table.items() if max(row, key=row.get) != "triangle"]
    column = [row["triangle"] for row in table.values()]
    if wrong:
        return f"in head 1's rows {wrong} triangle ink is not the highest: {table}"
    if [value(n) for n in numbers] != [min(column), max(column)]:
        return f"head 1's triangle column runs from {min(column)} to {max(column)}, not {numbers}"
    return None


def odd_row_beats_ink(numbers, printed, tables, match):
    """'in every pair head 2's odd-token row follows the odd shape (r in x) more than the mean
    centre of all ink does'."""
    wrong = []
    for pair in PAIRS:
        row = value(printed.number(odd_table(2, pair, "odd row x")))
        ink = value(printed.number(odd_table(2, pair, "ink x")))
        if not row > ink:
            wrong.append(f"{pair}: odd row {row}, ink {ink}")
    return "; ".join(wrong) or None


def seeds_agree(*rows):
    """'both seeds agree': the per-seed differences of each row have one sign."""

    def check(numbers, printed, tables, match):
        for row in rows:
            seeds = printed.captured(per_seed(row))[0]
            if len({value(s) > 0 for s in seeds}) != 1:
                return f"{row}: the seeds give {seeds}"
        return None

    return check


# -------------------------------------------------------------------------------------------------
# The entries

# fmt: off
ENTRIES = [
    # --- given: cross-references, names, and the homework's or the design's numbers ---------------
    G(r"#+ (\d+(?:\.\d+)?)\.? ", "heading"),
    G(r"\[(\d+)\. [^\]]*\]\(…\)", "xref"),
    G(r"[Ss]ections? (\d+(?:\.\d+)?)(?:-(\d+)| and (\d+(?:\.\d+)?))?", "xref"),
    G(r"which (10\.1) separates", "xref"),
    G(r"Figure (\d+)", "xref"),
    G(r"\brows? (\d)(?:, (\d))?(?: and (\d))?(?= of Figure| \((?:circles|squares|triangles) \+)",
      "figure"),
    G(r"\b[Hh]eads? (\d)\b", "name"),
    G(r"\b[Ss]tage[ -](\d)\b", "name"),
    G(r"\b(\d+) x (\d+)\b", "design"),
    G(r"\b(25,000)(?=[ -](?:fresh|samples?)\b)", "homework"),
    G(r"\b(200,000)(?= (?:fresh |test )?samples)", "design"),
    G(r"(?:at most|<=) ([53]\.0)\b|\b([53]\.0) px (?:line|requirement|bonus)\b"
      r"|homework's ([53]\.0) px", "homework"),
    G(r"teacher's (?:solution: |reference solution \| |)(2\.65)\b", "teacher"),
    G(r"\b(3) to (6) (?:base )?shapes|up to (6) base shapes", "homework"),
    G(r"radius (4)\.\.(10)|radii (4) to (10)|centres run from (4) to (59)", "homework"),
    G(r"probabilities (0\.1), (0\.2), (0\.69999), (0\.00001)", "homework"),
    G(r"\b(95%) (?:bootstrap |paired )?interval", "design"),
    G(r"\b(16) (?:dims|features)\b|\(B, (144), (?:(16)|Dh)\)", "design"),
    G(r"\b(144) (?:tokens|keys|weights)\b|(?:times|attention x) (144)\b", "design"),
    G(r"fields (4) pixels apart|\bstride(?:,| stays)? (4)\b|grow the field to (12) and (20) pixels",
      "design"),
    G(r"token spacings \((4) px\)|token centres, (9\.5) to (53\.5) px"
      r"|span \((9\.5) to (53\.5) px\)", "geometry"),
    G(r"token (11) \(end of the first row\) and token (12) \(start of the second\) "
      r"get neighbouring codes, (44) pixels", "geometry"),
    G(r"\b(2)-layer MLP", "design"),
    G(r"so that ink is (1)\b|\b(1) is what uniform attention gives|\b(1) \(white\) is uniform"
      r"|summing to (1)\b", "math"),
    G(r"base-ink token above (1)\)", "definition"),
    G(r"warm-up over (10%) of its steps|gradient clipping at norm (1)\b", "design"),
    G(r"first (500) scenes with at most (4) base shapes", "rule"),
    G(r"at least (2) tokens away", "definition"),
    G(r"answer lands more than (4) px from", "definition"),
    G(r"a quarter as long, (8) \+ (22) epochs", "config"),
    G(r"AVX-(512)|x86-(64)|; (1), (2), (4) threads", "name"),
    G(r"pixels (0) and (1) on a white background", "design"),
    # --- cell 0 and sections 4 to 6 ------------------------------------------------------------
    M(r"{N}-core CPU", r"^machine: .*, {N} cores,"),
    M(r"the classifier for {N} epochs, then both heads for {N}; {N} s on a",
      STAGE_1, STAGE_2, TRAINING_TIME),
    M(r"Training \({N} \+ {N} epochs of 25,000 fresh samples\) took {N} s",
      STAGE_1, STAGE_2, TRAINING_TIME),
    M(r"below {N} px from epoch {N}, below {N} px from epoch {N}",
      r"^first epoch below {N} px: {N}; below {N} px: {N};"),
    M(r"below {N} px from epoch {N} and below {N} px from epoch {N}, and stage 1 ends at {N} px",
      r"^first epoch below {N} px: {N}; below {N} px: {N}; end of stage 1 \(epoch 30\): {N} px$"),
    M(r"the RMSE rises while the rate is high \({N} px in its epoch {N}\), "
      r"then falls to {N} px in the last epoch",
      r"^stage 2: highest {N} px in its epoch {N};.* last epoch {N} px"),
    M(r"RMSE on 25,000 fresh samples, at most 5\.0 px \| {N} px \(95% interval {N} - {N} px\)",
      FINAL, INTERVAL_25K),
    M(r"{N} px is well under the homework's 5\.0 px", FINAL),
    M(r"section 9 gives its bootstrap interval \({N} - {N} px\)", INTERVAL_25K),
    M(r"On 200,000 test samples the RMSE is {N} px, beside a lower bound of {N} px", BOUND),
    # --- section 7 ------------------------------------------------------------------------------
    Q(r"each head prefers shape types", types_matter),
    Q(r"The background queries do where it is of a type the head prefers",
      follows_where_preferred),
    Q(r"about {N} test samples per type pair", approx(*[pair_count(p) for p in PAIRS])),
    M(r"\| head 1 \| {N} \| {N} \| {N} \| {N} \| {N} \| {N} \| {N} \|",
      *[share(1, p) for p in PAIRS + ["all pairs pooled"]]),
    M(r"\| head 2 \| {N} \| {N} \| {N} \| {N} \| {N} \| {N} \| {N} \|",
      *[share(2, p) for p in PAIRS + ["all pairs pooled"]]),
    R(r"head 1's shares run from {N} to {N}", *[share(1, p) for p in PAIRS]),
    R(r"and head 2's from {N} to {N}", *[share(2, p) for p in PAIRS]),
    M(r"(?:circles slightly over squares|split only between circles and squares"
      r"|to circles within a scene) \({N}, {N}\)",
      share(1, "circles + square"), share(1, "squares + circle")),
    Q(r"head 2's odd-token row follows the odd shape more than the mean centre of all ink does, "
      r"in every pair|in every pair the centroid of head 2's odd-token row follows the odd shape",
      odd_row_beats_ink),
    M(r"the network loses {N} px", compared(MEAN, "+")),
    Q(r"(?:[Ww]ithout attention (?:it|the network)|without it the network) stays above {N} px",
      above(NO_ATTENTION)),
    R(r"(?:tells|reads) the scene's base type from {N} to {N} of (?:the tokens of )?every class"
      r"|after it every class does \({N} to {N}\)",
      *[probe(t, "base type", "after")
        for t in ("odd", "base", "background next to ink", "background farther")]),
    # --- section 9 ------------------------------------------------------------------------------
    Q(r"About {N} of the samples hide their odd shape",
      approx(EXCESS + r" >> ^hidden [\d,]+ {N} ")),
    M(r"The network is {N} px above the bound on the 200,000 samples",
      r"^200,000 samples: the network .*\({N} px above it\)"),
    # --- section 10 -----------------------------------------------------------------------------
    M(r"head 2: {N} for squares with an odd circle, {N} for circles with an odd square",
      share(2, "squares + circle"), share(2, "circles + square")),
    Q(r"The pooled row, about {N} for both heads|pooled over the pairs both heads land near {N}",
      approx(share(1, "all pairs pooled"), share(2, "all pairs pooled"))),
    M(r"The {N} samples whose odd shape is fully hidden",
      SHARE_TABLE + r".* {N} of the [\d,]+ samples have no visible odd ink"),
    M(r"Head 1's background queries read triangle ink above its area share, "
      r"as odd shape \({N}\) and as base shapes \({N}\)", reads(1, "triangle")),
    R(r"circle and square ink below it \({N} to {N}\)", reads(1, "circle"), reads(1, "square")),
    M(r"\({N} and {N} for an odd triangle, {N} and {N} among triangles\)",
      *[share(1, p) for p in PAIRS if "triangle" in p]),
    M(r"Head 2's read circle ink most \({N}, {N}\), then triangle ink \({N}, {N}\), "
      r"and square ink least \({N}, {N}",
      reads(2, "circle"), reads(2, "triangle"), reads(2, "square")),
    Q(r"In head 1 every class of query reads triangle ink most \({N} to {N}\)",
      triangle_most_in_every_class),
    R(r"Head 2's odd token reads its own shape at {N} to {N} times its area share",
      *[odd_table(2, p, "odd token") for p in PAIRS]),
    M(r"more than the base control does in {N} and {N} of samples with an odd square",
      odd_table(2, "circles + square", "ahead"), odd_table(2, "triangles + square", "ahead")),
    M(r"with an odd circle the control reads it more \(the odd token ahead in {N} and {N}\)",
      odd_table(2, "squares + circle", "ahead"), odd_table(2, "triangles + circle", "ahead")),
    R(r"\(x: r = {N} to {N}\)", *[odd_table(2, p, "odd row x") for p in PAIRS]),
    R(r"more than the mean centre of all ink does \({N} to {N}\)",
      *[odd_table(2, p, "ink x") for p in PAIRS]),
    R(r"its background row follows it closely \({N} to {N}\)",
      *[odd_table(2, p, "background row")
        for p in ("squares + circle", "squares + triangle", "triangles + circle")]),
    Q(r"only where head 2 prefers the odd type to the base type \([^)]*\)",
      odd_type_preferred_only),
    M(r"fitted on {N} samples of a seed of its own", PROBES + r" of {N} samples of seed"),
    M(r"the mean of the tokens comes within {N} px of attention \({N} and {N} px by seed\)",
      compared(MEAN, "+"), per_seed(MEAN)),
    M(r"the plain mean of the tokens comes within {N} px of it over two training seeds",
      compared(MEAN, "+")),
    M(r"What content-based weights add over a mean is worth {N} px", compared(MEAN, "+")),
    M(r"before the block the tokens on base ink tell the scene's base type \({N}\)",
      probe("base", "base type", "before")),
    R(r"\(background {N} to {N};", probe("background next to ink", "base type", "before"),
      probe("background farther", "base type", "before")),
    M(r"odd tokens {N}\)", probe("odd", "base type", "before")),
    M(r"the odd and base tokens still tell their own type \({N}, {N}\)",
      probe("odd", "own type", "after"), probe("base", "own type", "after")),
    # --- section 11 -----------------------------------------------------------------------------
    M(r"the {N} of samples with at most a quarter of it visible hold {N} of it",
      EXCESS + r" >> ^0-25% [\d,]+ {N} .* {N}$"),
    M(r"the {N} where it is hidden {N} \(there even the bound is {N} px off\)",
      EXCESS + r" >> ^hidden [\d,]+ {N} ", excess("hidden"),
      EXCESS + r" >> ^hidden [\d,]+ \S+ \S+ {N} "),
    M(r"Samples where it overlaps a base shape hold {N}", excess("overlap")),
    M(r"By base count the shares of the excess are {N}, {N}, {N} and {N} for 3 to 6",
      *[excess(str(n)) for n in (3, 4, 5, 6)]),
    M(r"Scenes of triangles hold little of it \({N}, {N}\)",
      excess(r"triangles \+ circle"), excess(r"triangles \+ square")),
    M(r"In {N} of samples the odd shape is at least partly visible and the answer lands more than "
      r"4 px from its centre: they hold {N} of the excess", WRONG_SHARE + r", holding {N} of"),
    M(r"Of the network's excess over it, {N} lies on the {N} of samples where the odd shape",
      WRONG_EXCESS, WRONG_SHARE),
    M(r"the bound, which knows the base shapes, is a median {N} px from the truth",
      WRONG + r".* median {N} px$"),
    M(r"{N} of these answers land on a silhouette of merged base shapes, {N} on the background",
      MERGED + r"{N} ", r"^the background [\d,]+ {N} "),
    M(r"{N} of them on a silhouette of merged base shapes", MERGED + r"{N} "),
    M(r"the maps are less sure than the rest \(median peak probability {N}, against {N}\); "
      r"on a single base shape they are as sure \({N}\)",
      same(MERGED + r".* {N}$", r"^the background [\d,]+ .* {N}$"),
      r"^\(all other samples, for comparison\) [\d,]+ {N}$",
      r"^a single base shape [\d,]+ .* {N}$"),
    # --- section 12 -----------------------------------------------------------------------------
    M(r"The tent cross-entropy is worth {N} px",
      compared("pixel loss alone (no tent cross-entropy)", "+")),
    M(r"training both heads from scratch \({N} px\), no positional encoding \({N} px; "
      r"both seeds agree in both\) and one head instead of two \({N} px",
      compared("both heads from scratch (no growth)"), compared("no positional encoding"),
      compared("one attention head")),
    Q(r"both seeds agree in both",
      seeds_agree("both heads from scratch (no growth)", "no positional encoding")),
    M(r"one attention head, above: {N} and {N} px by seed", per_seed("one attention head")),
    M(r"gains {N} px, both seeds agreeing, and {N} px on fully trained weights",
      compared("temperature chosen on its own samples", "-"),
      compared("temperature, full 30 + 90 (earlier weights)", "-")),
    Q(r"both seeds agreeing", seeds_agree("temperature chosen on its own samples")),
    M(r"Posterior targets \([^)]*\) gain {N} px",
      compared("posterior targets for the classifier", "-")),
    M(r"hardest quarter in the next loses {N} px",
      compared("hard-example replay (a quarter of each batch)", "+")),
    M(r"the single schedule's {N} px at a quarter of the budget became {N} px at the full budget",
      compared("one schedule over both stages"), compared("one schedule, full 30 + 90 epochs")),
    # --- README, Results (its other numbers are claimed by the entries above) --------------------
    M(r"\| this solution, 25,000 fresh `…` samples \(the homework's measure\) \| "
      r"{N} \(95% bootstrap interval {N} - {N}\) \|", FINAL, INTERVAL_25K),
    M(r"\| this solution, 200,000 fresh samples of the batched generator \(the precise measure\) "
      r"\| {N} \({N} - {N}\) \|", PRECISE),
    M(r"\| lower bound for any model on the same 200,000 samples \(section 9\) \| {N} \|",
      r"^200,000 samples: the network \S+ px, the lower bound {N} px"),
    M(r"head 2's background queries do runs from {N} \(circles with an odd square\) "
      r"to {N} \(squares with an odd circle\)",
      lowest(*[share(2, p) for p in PAIRS], at=share(2, "circles + square")),
      highest(*[share(2, p) for p in PAIRS], at=share(2, "squares + circle"))),
]
# fmt: on
