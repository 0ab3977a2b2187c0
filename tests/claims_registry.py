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

from claims_checker import G, M, Q, R, above, approx, same, value

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
FULL_SEED_0 = r"^1x 30 \+ 90 [\d,]+ seed 0: {N} "
FULL_SEED_1 = r"^1x 30 \+ 90 [\d,]+ seed 0: \S+ seed 1: {N}$"
THIS_RUN = r"^this notebook's run \(1x\): {N} px"


POOLED = "all pairs pooled"
INTERVENTIONS = r"^[\d,]+ test samples, plain pass\. RMSE px with nothing changed"
ON_ODD = r"^answers on the odd shape, share of samples$"
LANDING = r"^all pairs pooled: where the answers land"
INTERVENTION_COLUMNS = ["own mean", "same-base mean", "odd-base mean", "head 1 out", "head 2 out"]


def cost(row, column, sign=""):
    """What intervention `column` costs in section 10.5's table, in row `row` (a pair or pooled);
    `sign` "+" where the prose says the sign in words ("costs 1.93 px")."""
    skip = r"\S+ \(\S+\) " * INTERVENTION_COLUMNS.index(column)
    return (
        INTERVENTIONS
        + " >> ^"
        + re.escape(row)
        + r" [\d,]+ \S+ "
        + skip
        + re.escape(sign)
        + r"{N} \("
    )


def on_odd(row, column):
    """The share of answers on the odd shape under intervention `column` ("none" too)."""
    skip = r"\S+ " * (["none"] + INTERVENTION_COLUMNS).index(column)
    return ON_ODD + " >> ^" + re.escape(row) + " " + skip + r"{N}(?= |$)"


def landing(intervention, column):
    """Where the pooled answers land, or the classifier's probability goes, under `intervention`."""
    columns = [
        "odd shape",
        "base ink",
        "elsewhere",
        "probability on odd ink",
        "probability on base ink",
        "probability on background",
    ]
    skip = r"\S+ " * columns.index(column)
    return LANDING + " >> ^" + re.escape(intervention) + " " + skip + r"{N}(?= |$)"


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


def triangle_most_in_every_class(head):
    """'In head N every class of query reads triangle ink most (lo to hi)'."""

    def check(numbers, printed, tables, match):
        table = tables.type_table(head)
        wrong = [q for q, row in table.items() if max(row, key=row.get) != "triangle"]
        column = [row["triangle"] for row in table.values()]
        if wrong:
            return f"in head {head}'s rows {wrong} triangle ink is not the highest: {table}"
        if [value(n) for n in numbers] != [min(column), max(column)]:
            low, high = min(column), max(column)
            return f"head {head}'s triangle column runs from {low} to {high}, not {numbers}"
        return None

    return check


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
    # --- given: cross-references, names, and the homework's or the design's numbers -------------
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
    G(r"teacher's (?:solution: |reference solution \| |)(2\.65)\b|the (2\.65) px that the homework",
      "teacher"),
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
    G(r"warm-up over (10%) of its steps|gradient clipping at norm (1)\b", "design"),
    G(r"at least (2) tokens away", "definition"),
    G(r"answer lands more than (4) px from|landing more than (4) px from", "definition"),
    G(r"a quarter as long, (8) \+ (22) epochs", "config"),
    G(r"AVX-(512)|x86-(64)|; (1), (2), (4) threads", "name"),
    G(r"pixels (0) and (1) on a white background", "design"),
    G(r"\(rows? (\d)(?:, (\d))?(?:, (\d))?(?:, (\d))?(?: and (\d))?\)|\b(?:in )?row (\d)\b",
      "figure"),
    G(r"from the first (500):|\(at most (4) base shapes\)", "rule"),
    G(r"in rows (\d) and (\d),", "figure"),
    G(r"reaches (8) pixels beyond", "geometry"),
    G(r"multiplied by (144)\b", "design"),
    G(r"resampled with replacement (2,000) times|resampled \((2,000) times\)", "config"),
    G(r"by its mean over (2,000) samples of", "config"),
    G(r"\b(1)/([248])\b", "config"),
    G(r"\b(?:and|to) (1)(?= times|, and measured)", "config"),
    G(r"training seed (0), squares: seed (1)\)", "name"),
    G(r"drawn on to (16) times", "design"),
    G(r"AVX-512 kernels, (1) thread, or", "name"),
    # --- cell 0 and sections 3 to 6 -------------------------------------------------------------
    M(r"{N}-core CPU", r"^machine: .*, {N} cores,"),
    M(r"below {N} px from epoch {N} and below {N} px from epoch {N}, and stage 1 ends at {N} px",
      r"^first epoch below {N} px: {N}; below {N} px: {N}; end of stage 1 \(epoch 30\): {N} px$"),
    M(r"the RMSE rises while the rate is high \({N} px in its epoch {N}\), "
      r"then falls to {N} px in the last epoch",
      r"^stage 2: highest {N} px in its epoch {N};.* last epoch {N} px"),
    M(r"{N} px is well under the homework's 5\.0 px", FINAL),
    M(r"the classifier for {N} epochs, then both heads for {N}\b", STAGE_1, STAGE_2),
    M(r"at most 5\.0 px \| {N} px; the teacher's", FINAL),
    M(r"without it the network does as well: at a quarter of the training budget it gains {N} px",
      compared("no positional encoding", "-")),
    Q(r"both training seeds agreeing \(section 12\)", seeds_agree("no positional encoding")),
    M(r"one head trains as well: {N} px at a quarter of the training budget",
      compared("one attention head")),
    M(r"{N} px worse at a quarter of the training budget \(one seed",
      compared("pixel loss alone (no tent cross-entropy)", "+")),
    M(r"train together from scratch, and slightly better: {N} px at a quarter",
      compared("both heads from scratch (no growth)")),
    M(r"The same samples without mirror averaging score {N} px, and the answers lie {N} px "
      r"from the true centres",
      r"^the same samples, the plain pass alone \(no mirror averaging\): {N} px",
      r"^the same answers, root mean squared distance to the true centre: {N} px"),
    # --- section 7 ------------------------------------------------------------------------------
    Q(r"head 2's odd-token row follows the odd shape more than the mean centre of all ink does, "
      r"in every pair|in every pair the centroid of head 2's odd-token row follows the odd shape",
      odd_row_beats_ink),
    Q(r"(?:[Ww]ithout attention (?:it|the network)|without it the network) stays above {N} px",
      above(NO_ATTENTION)),
    R(r"(?:tells|reads) the scene's base type from {N} to {N} of (?:the tokens of )?every class"
      r"|after it every class does \({N} to {N}\)",
      *[probe(t, "base type", "after")
        for t in ("odd", "base", "background next to ink", "background farther")]),
    M(r"alone scores {N} px; the offsets bring it to {N} px and the mirror average to {N} px",
      r"^soft-argmax alone {N}$", r"^\+ offsets \(the plain pass\) {N} ",
      r"^\+ mirror averaging \(the answer\) {N} "),
    M(r"the answers leave the odd shape: {N} of them stay on it, against {N} with the average of "
      r"another scene", on_odd(POOLED, "odd-base mean"), on_odd(POOLED, "same-base mean")),
    M(r"its own scene's average, and the error grows by {N} px", cost(POOLED, "own mean", "+")),
    # --- section 9 ------------------------------------------------------------------------------
    M(r"The network is {N} px above the bound on the 200,000 samples",
      r"^200,000 samples: the network .*\({N} px above it\)"),
    # --- section 10 -----------------------------------------------------------------------------
    Q(r"The pooled row, about {N} for both heads|pooled over the pairs both heads land near {N}",
      approx(share(1, "all pairs pooled"), share(2, "all pairs pooled"))),
    M(r"The {N} samples whose odd shape is fully hidden",
      SHARE_TABLE + r".* {N} of the [\d,]+ samples have no visible odd ink"),
    R(r"Head 2's odd token reads its own shape at {N} to {N} times its area share",
      *[odd_table(2, p, "odd token") for p in PAIRS]),
    R(r"\(x: r = {N} to {N}\)", *[odd_table(2, p, "odd row x") for p in PAIRS]),
    R(r"more than the mean centre of all ink does \({N} to {N}\)",
      *[odd_table(2, p, "ink x") for p in PAIRS]),
    Q(r"only where head 2 prefers the odd type to the base type \([^)]*\)",
      odd_type_preferred_only),
    M(r"fitted on {N} samples of a seed of its own", PROBES + r" of {N} samples of seed"),
    M(r"the mean of the tokens comes within {N} px of attention \({N} and {N} px by seed\)",
      compared(MEAN, "+"), per_seed(MEAN)),
    M(r"What content-based weights add over a mean is worth {N} px", compared(MEAN, "+")),
    M(r"before the block the tokens on base ink tell the scene's base type \({N}\)",
      probe("base", "base type", "before")),
    R(r"\(background {N} to {N};", probe("background next to ink", "base type", "before"),
      probe("background farther", "base type", "before")),
    M(r"odd tokens {N}, below chance", probe("odd", "base type", "before")),
    M(r"the odd and base tokens still tell their own type \({N}, {N}\)",
      probe("odd", "own type", "after"), probe("base", "own type", "after")),
    M(r"\(head 1: {N} for triangles with an odd circle, {N} for circles with an odd square\)",
      share(1, "triangles + circle"), share(1, "circles + square")),
    M(r"head 1's triangles with an odd square \({N}\) and head 2's circles with an odd square "
      r"\({N}\) and squares with an odd circle \({N}\)",
      share(1, "triangles + square"), share(2, "circles + square"), share(2, "squares + circle")),
    M(r"Head 1's background queries read circle ink most, as odd shape \({N}\) and as base shapes "
      r"\({N}\), then triangle ink \({N}, {N}\), and square ink hardly at all \({N}, {N}\)",
      reads(1, "circle"), reads(1, "triangle"), reads(1, "square")),
    M(r"Head 2's read triangle ink most \({N}, {N}\), circle ink near its area share \({N}, {N}\) "
      r"and square ink at it \({N}, {N}\)",
      reads(2, "triangle"), reads(2, "circle"), reads(2, "square")),
    Q(r"each head's share in the table above is above {N} exactly in the pairs whose odd type "
      r"comes before the base type", follows_where_preferred),
    Q(r"in head 2 every class of query reads triangle ink most \({N} to {N}\)",
      triangle_most_in_every_class(2)),
    M(r"\(circle-ink queries read circle ink at {N}, square-ink queries read square ink at {N}\)",
      TYPE_TABLE.replace("{h}", "1") + r" >> ^circle ink {N} \[",
      TYPE_TABLE.replace("{h}", "1") + r" >> ^square ink \S+ \[[^]]*\] {N} \["),
    R(r"more than the base control does in {N} to {N} of samples, in every pair",
      *[odd_table(2, p, "ahead") for p in PAIRS]),
    M(r"head 1's odd token does so in {N} of samples pooled", odd_table(1, POOLED, "ahead")),
    R(r"its background row follows it \({N} to {N}\)",
      *[odd_table(2, p, "background row")
        for p in ("circles + triangle", "squares + circle", "squares + triangle")]),
    Q(r"\(about {N} per type pair\)", approx(*[pair_count(p) for p in PAIRS])),
    M(r"every pair loses its odd shape: {N} of the answers stay on it, and {N} of the classifier's "
      r"probability goes to base-shape ink; given the average of another scene of the same base "
      r"type, {N} stay", on_odd(POOLED, "odd-base mean"),
      landing("odd-base mean", "probability on base ink"), on_odd(POOLED, "same-base mean")),
    M(r"The answers that land elsewhere \({N}\)", landing("odd-base mean", "elsewhere")),
    M(r"each scene's own average costs {N} px overall, from {N} px for circles with an odd "
      r"triangle to {N} px for squares with an odd circle", cost(POOLED, "own mean", "+"),
      cost("circles + triangle", "own mean"), cost("squares + circle", "own mean")),
    M(r"Knocked out, head 2 costs {N} px and leaves {N} of the answers on the odd shape, above all "
      r"where triangles are the base shapes \({N} and {N} px\); head 1 costs {N} px, most of it "
      r"where squares are the base shapes \({N} and {N} px\)",
      cost(POOLED, "head 2 out", "+"), on_odd(POOLED, "head 2 out"),
      cost("triangles + circle", "head 2 out"), cost("triangles + square", "head 2 out"),
      cost(POOLED, "head 1 out", "+"), cost("squares + circle", "head 1 out"),
      cost("squares + triangle", "head 1 out")),
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
    M(r"the maps are less sure than the rest \(median peak probability {N}, against {N}\); "
      r"on a single base shape they are about as sure \({N}\)",
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
    M(r"hardest quarter in the next loses {N} px",
      compared("hard-example replay (a quarter of each batch)", "+")),
    M(r"two training seeds of this design differ there \({N} and {N} px on this CPU, section 13\), "
      r"and its {N} px became {N} px at the full budget",
      r"^0\.25x 8 \+ 22 [\d,]+ seed 0: {N} ", r"^0\.25x 8 \+ 22 [\d,]+ seed 0: \S+ seed 1: {N}$",
      compared("one schedule over both stages"), compared("one schedule, full 30 + 90 epochs")),
    M(r"Posterior targets \([^)]*\) gain {N} px over two seeds \({N} and {N} px\)",
      compared("posterior targets for the classifier", "-"),
      per_seed("posterior targets for the classifier")),
    M(r"A classifier four times wider gains {N} px at a quarter of the budget, more than a seed "
      r"moves the network, but only {N} px at the full budget",
      compared("classifier's hidden layer 256 wide (not 64)", "-"),
      compared("classifier 256 wide, full 30 + 90 epochs", "-")),
    M(r"within how far runs of one configuration land there \({N} and {N} px for two training "
      r"seeds, {N} px for this notebook's run", FULL_SEED_0, FULL_SEED_1, THIS_RUN),
    # --- section 13 -----------------------------------------------------------------------------
    M(r"this notebook's {N}, is fitted", r"^fit: RMSE = a \+ b \(n / {N}\)"),
    M(r"on the {N} validation samples of section 12",
      r"^validation: {N} samples of seed \d+; the lower bound there"),
    M(r"the fit predicts {N} px at {N} times this notebook's budget and {N} px at {N} times, "
      r"towards an asymptote of {N} px \(95% interval over the seeds {N} - {N}\); the "
      r"predictions lie above the lower bound of {N} px",
      r"^predicted at 4x the budget .*: {N} px", r"^predicted at {N}x the budget \(12M",
      r"^predicted at 16x the budget .*: {N} px", r"^predicted at {N}x the budget \(48M",
      r"^fit: RMSE = .* with a = {N},", r"^asymptote a: 95% interval over the seeds {N} - {N}$",
      r"^validation: \S+ samples of seed \d+; the lower bound there: {N} px"),
    M(r"at the full budget the two seeds land close together \({N} and {N} px;", FULL_SEED_0,
      FULL_SEED_1),
    G(r"; seed (0) is the previous version's weights|own run, seed (0) trained again"
      r"|\(star: seed (0) trained again|at (1) the square nearly covers", "name"),
    M(r"this notebook's own run, seed 0 trained again by this version of the code, scores {N} px",
      THIS_RUN),
    # --- section 14 -----------------------------------------------------------------------------
    M(r"the configuration fixes {N} threads", r"^CPU settings: .*; {N} threads$"),
    # --- README, Results (its other numbers are claimed by the entries above) -------------------
    M(r"\| this solution, 25,000 fresh `…` samples \(the homework's measure\) \| "
      r"{N} \(95% interval {N} - {N}\) \|",
      r"^Final RMSE on 25,000 fresh OddXYDataset samples: {N} px \(95% bootstrap interval "
      r"{N} - {N} px;"),
    M(r"\| this solution, 200,000 fresh samples of the batched generator \| {N} \({N} - {N}\) \|",
      PRECISE),
    M(r"\| lower bound for any model on the same 200,000 samples \| {N} \|",
      r"^200,000 samples: the network \S+ px, the lower bound {N} px"),
    M(r"most of them on a silhouette of merged base shapes \({N}\)", MERGED + r"{N} "),
    M(r"only {N} of the answers stay on the odd shape, against {N} with a scene of the same base "
      r"type", on_odd(POOLED, "odd-base mean"), on_odd(POOLED, "same-base mean")),
    M(r"a fitted power law predicts {N} px at {N} times the training, on validation samples where "
      r"the lower bound is {N} px",
      r"^predicted at 16x the budget .*: {N} px", r"^predicted at {N}x the budget \(48M",
      r"^validation: \S+ samples of seed \d+; the lower bound there: {N} px"),
]
# fmt: on
