"""Every number of the prose is a claim tied to the printed line it comes from. The entries are in
claims_registry.py; `check()` is the one function that the test and the mutation test call.

The prose is every markdown cell of the notebook (cell 0 included) and the README sections that the
registry names (README_SECTIONS). Fenced and inline code, LaTeX math ($...$, $$...$$), link targets,
URLs and HTML comments are masked out; markdown tables are prose (a table of numbers is a set of
claims). The prose is read in a flat view: emphasis marks (`*`) removed, every run of whitespace
(line breaks included) one space, so a pattern never has to care where a line wraps. The printed
output is every text output of the code cells, line by line, each run of whitespace one space.

A number token of the prose (an integer, 25,000, a decimal, a signed number, a percentage; a range
is two tokens) must be claimed by exactly one registry entry:

  M(prose, *out)    measured. Every match of the prose pattern captures numbers; each `out` spec
                    finds one printed line and captures numbers from it; the two lists are equal
                    as strings, in order: the same figure, sign, precision, commas and %.
  R(prose, *out)    measured range: the prose captures "lo" and "hi", the printed strings of the
                    smallest and the largest of all the values the out specs capture.
  G(prose, reason)  given, not measured: the homework, the design, a cross-reference. Claims the
                    numbers of its capture groups, or with no group every number in its match.
  Q(prose, check)   a reading of printed tables that no FORM covers: check(captures, printed,
                    tables, match) returns None, or what is wrong. Claims the numbers of its
                    groups. approx(*out) ("about N") and above(*out) ("above N") are ready-made.

In patterns `{N}` is a captured number. An out spec is a regex that must match exactly one printed
line, or "ANCHOR >> LINE": the first line matching LINE after the one line matching ANCHOR (for
tables printed once per head). lowest(), highest() and same() combine specs. An entry that matches
no prose is stale, and fails.

FORMS are qualitative readings, checked wherever they appear, with no entry:

  "head N prefers Xs" / "... prefers Xs over Ys" / "... prefers Xs, then Ys, then Zs" /
  "... prefers Xs, and Ys slightly over Zs", the subject "head N", "head N's" or "head N's
  background queries": against the medians of the printed row `background` of head N's table
  of attention share / area share by ink type;
  "head N['s share is] [only] above|below 50% for|in PAIR[, PAIR][ and PAIR]": against head N's
  column of the printed share table ("only": the other pairs lie on the other side).

Every "prefer(s|red|ring)" of the prose must lie in a form or in a Q entry.
"""

import json
import re
import sys
from dataclasses import dataclass, field

# -------------------------------------------------------------------------------------------------
# Numbers

# The digits of a number token; a sign just before it belongs to it unless a word character
# precedes the sign ("sections 1-7", "AVX-512": no sign; "(-0.026 .. -0.002)", "r = +0.35").
DIGITS = re.compile(r"(?<!\w)(?<!\d\.)(?<!\d,)(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?", re.ASCII)
SIGNS = "+-−"
NUMBER = r"[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?"
MACROS = {"{N}": f"({NUMBER})"}
TYPES = ("circle", "square", "triangle")


def expand(pattern):
    for macro, regex in MACROS.items():
        pattern = pattern.replace(macro, regex)
    return pattern


def value(text):
    """The float a number stands for: '25,000' -> 25000, '-0.038' -> -0.038, '43.4%' -> 43.4."""
    return float(text.replace(",", "").replace("−", "-").rstrip("%"))


def tokens(view):
    """(start, end) of every number token in a prose view."""
    found = []
    for match in DIGITS.finditer(view):
        start = match.start()
        if start and view[start - 1] in SIGNS and (start == 1 or not view[start - 2].isalnum()):
            start -= 1
        found.append((start, match.end()))
    return found


# -------------------------------------------------------------------------------------------------
# The prose

# (regex, what replaces it in the view); the leftmost match wins, so code hides the $ and ] in it
MASKS = [
    (r"```.*?```|~~~.*?~~~", " ```…``` "),
    (r"<!--.*?-->", " "),
    (r"`[^`]+`", "`…`"),
    (r"\$\$.*?\$\$", " $$…$$ "),
    (r"(?<![\\$])\$[^$]+?(?<!\\)\$", "$…$"),
    (r"\]\([^)]*\)", "](…)"),
    (r"<https?://[^>]*>|https?://\S+", "<…>"),
]
MASK = re.compile("|".join(f"({regex})" for regex, _ in MASKS), re.DOTALL)


@dataclass
class Prose:
    """One markdown text (a cell, a README section) in the flat view that patterns match."""

    name: str  # "cell 54", "README.md section Results"
    source: str
    first_line: int = 1  # of the source in its file
    view: str = ""
    origin: list = field(default_factory=list)  # view index -> source index

    def __post_init__(self):
        pieces, origin, last = [], [], 0

        def plain(start, end):
            for index in range(start, end):
                if self.source[index] != "*":
                    pieces.append(self.source[index])
                    origin.append(index)

        for match in MASK.finditer(self.source):
            plain(last, match.start())
            replacement = next(
                rep for (_, rep), group in zip(MASKS, match.groups()) if group is not None
            )
            pieces.extend(replacement)
            origin.extend([match.start()] * len(replacement))
            last = match.end()
        plain(last, len(self.source))
        view, self.origin = [], []
        for char, index in zip(pieces, origin):  # every run of whitespace becomes one space
            if not char.isspace():
                view.append(char)
                self.origin.append(index)
            elif view and view[-1] != " ":
                view.append(" ")
                self.origin.append(index)
        if view and view[-1] == " ":
            view.pop()
            self.origin.pop()
        self.view = "".join(view)

    def line(self, view_index):
        return self.first_line + self.source.count("\n", 0, self.origin[view_index])

    def where(self, view_index):
        if self.name.startswith("cell"):
            return self.name
        return f"{self.name}, line {self.line(view_index)}"

    def sentence(self, start, end):
        """The sentence (or table row) around view[start:end], for messages."""
        boundaries = re.finditer(r"[.!?:] (?=\S)|\| (?=\|)", self.view)
        left = max([0] + [m.end() for m in boundaries if m.end() <= start])
        right = re.compile(r"[.!?](?= |$)| \|(?= \|)").search(self.view, end)
        right = right.end() if right else len(self.view)
        left, right = max(left, start - 220), min(right, end + 220)
        return (
            ("…" if left > 0 else "")
            + self.view[left:right]
            + ("…" if right < len(self.view) else "")
        )


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def notebook_prose(cells):
    """Every markdown cell of the notebook (its JSON cells), cell 0 included."""
    return [
        Prose(f"cell {index}", _text(cell["source"]))
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "markdown"
    ]


def readme_prose(readme_text, sections):
    """The README's `## <name>` sections named in `sections`, each up to the next `## ` heading."""
    found, problems = [], []
    lines = readme_text.splitlines(keepends=True)
    for name in sections:
        starts = [i for i, line in enumerate(lines) if line.rstrip() == f"## {name}"]
        if len(starts) != 1:
            problems.append(
                Problem("setup", "README.md", f"README.md has no single '## {name}' section")
            )
            continue
        end = next(
            (i for i in range(starts[0] + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        text = "".join(lines[starts[0] : end])
        found.append(Prose(f"README.md section {name}", text, first_line=starts[0] + 1))
    return found, problems


# -------------------------------------------------------------------------------------------------
# The printed output


class SpecError(Exception):
    pass


class Printed:
    """The code cells' text outputs, line by line, each run of whitespace one space."""

    def __init__(self, cells):
        texts = (  # as notebook_loader.outputs_text reads them
            _text(output.get("text", ""))
            for cell in cells
            if cell["cell_type"] == "code"
            for output in cell.get("outputs", [])
        )
        # a stream split into several outputs reads as one: each output ends its last line
        text = "".join(piece if piece.endswith("\n") else piece + "\n" for piece in texts if piece)
        self.lines = [" ".join(line.split()) for line in text.splitlines()]
        self._found = {}

    def _matching(self, regex, start=0):
        return [(i, m) for i in range(start, len(self.lines)) if (m := regex.search(self.lines[i]))]

    def find(self, spec):
        """(line, match) of an out spec: its one line, or the first match after its ANCHOR line."""
        if spec not in self._found:
            try:
                self._found[spec] = self._find(spec)
            except SpecError as error:
                self._found[spec] = error
        if isinstance(self._found[spec], SpecError):
            raise self._found[spec]
        return self._found[spec]

    def _find(self, spec):
        anchor, _, pattern = spec.rpartition(" >> ")
        try:
            regex = re.compile(expand(pattern))
            start = 0
            if anchor:
                anchors = self._matching(re.compile(expand(anchor)))
                if len(anchors) != 1:
                    raise SpecError(
                        f"its anchor {anchor!r} matches {len(anchors)} printed lines, not 1"
                    )
                start = anchors[0][0] + 1
        except re.error as error:
            raise SpecError(f"is not a valid regex: {error}") from None
        found = self._matching(regex, start)
        if not found:
            raise SpecError("matches no printed line" + (" after its anchor" if anchor else ""))
        if len(found) > 1 and not anchor:
            lines = "; ".join(repr(self.lines[i]) for i, _ in found[:3])
            raise SpecError(f"matches {len(found)} printed lines, not 1 ({lines}): add context")
        return found[0]

    def captured(self, spec):
        line, match = self.find(spec)
        if not match.groups():
            raise SpecError("captures no number: put {N} where the printed value is")
        for got in match.groups():
            if got is None or not re.fullmatch(NUMBER, got):
                raise SpecError(f"captures {got!r}, not a number: write other groups as (?:...)")
        return list(match.groups()), self.lines[line]

    def number(self, spec):
        """The one number that an out spec captures, as printed."""
        return self.captured(spec)[0][0]

    def containing(self, text):
        """Printed lines that contain `text` as a whole number, for hints."""
        regex = re.compile(_whole(text))
        return [line for line in self.lines if regex.search(line)]


# -------------------------------------------------------------------------------------------------
# Registry entries


def _defined_at():
    frame = sys._getframe(2)
    return f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_lineno}"


@dataclass
class Entry:
    kind: str  # "measured", "range", "given", "reading"
    prose: str
    out: tuple = ()
    reason: str = ""
    check: object = None
    at: str = ""

    def label(self):
        return f"{self.kind} entry {self.prose!r} ({self.at})"


def M(prose, *out):
    """A measured claim: the prose's captured numbers are the out specs' ones, in order."""
    return Entry("measured", prose, out, at=_defined_at())


def R(prose, *out):
    """A measured range "lo to hi": the lowest and highest of the out specs' values, as printed."""
    return Entry("range", prose, (lowest(*out), highest(*out)), at=_defined_at())


def G(prose, reason):
    """A given number (homework, design, cross-reference), with a one-word reason."""
    return Entry("given", prose, reason=reason, at=_defined_at())


def Q(prose, check):
    """A reading of printed tables: check(captures, printed, tables, match) -> None or why not."""
    return Entry("reading", prose, check=check, at=_defined_at())


# Out items other than a spec: callables printed -> (values, lines); SpecError when they can't.


def _extreme(name, pick, specs, at):
    def get(printed):
        found = [(v, line) for spec in specs for v, line in _values(printed, spec)]
        best = pick(found, key=lambda vl: value(vl[0]))
        if at is not None:
            (mark, line), *_ = _values(printed, at)
            if value(mark) != value(best[0]):
                raise SpecError(
                    f"the {name} of the printed values is {best[0]} ({best[1]!r}), "
                    f"not the value at {at!r} ({mark}, {line!r})"
                )
        return [best[0]], [best[1]]

    return get


def lowest(*specs, at=None):
    """The smallest value the specs capture, as printed; with `at`, also the value at that spec."""
    return _extreme("lowest", min, specs, at)


def highest(*specs, at=None):
    """The largest value the specs capture, as printed; with `at`, also the value at that spec."""
    return _extreme("highest", max, specs, at)


def same(*specs):
    """One value that every spec prints identically (the prose gives one number for several)."""

    def get(printed):
        found = [(v, line) for spec in specs for v, line in _values(printed, spec)]
        if len({v for v, _ in found}) != 1:
            raise SpecError(f"the printed values differ, so no one number stands for them: {found}")
        return [found[0][0]], [found[0][1]]

    return get


def _values(printed, spec):
    if callable(spec):
        values, lines = spec(printed)
        return list(zip(values, lines * len(values) if len(lines) == 1 else lines))
    try:
        values, line = printed.captured(spec)
    except SpecError as error:
        raise SpecError(f"out spec {spec!r} {error}") from None
    return [(v, line) for v in values]


# Checks for Q entries


def approx(*specs, rel=0.1):
    """Q check for "about N": every value the specs capture is within `rel` of N."""

    def check(said, printed, tables, match):
        found = [(v, line) for spec in specs for v, line in _values(printed, spec)]
        far = [v for v, _ in found if abs(value(v) - value(said[0])) > rel * abs(value(said[0]))]
        if far:
            return f"about {said[0]}, but the printed {far} are more than {rel:.0%} from it"
        return None

    return check


def above(*specs):
    """Q check for "above N": every value the specs capture is above N."""

    def check(said, printed, tables, match):
        found = [v for spec in specs for v, _ in _values(printed, spec)]
        low = [v for v in found if not value(v) > value(said[0])]
        return f"not above {said[0]}: printed {low}" if low else None

    return check


# -------------------------------------------------------------------------------------------------
# Readings of the printed tables that the FORMS use


class Tables:
    """The printed tables that qualitative readings read; the anchors are the registry's TABLES."""

    def __init__(self, printed, anchors):
        self.printed, self.anchors = printed, anchors

    def share(self, head, pair):
        """Head `head`'s printed share of samples whose background queries read odd ink more."""
        line, _ = self.printed.find(f"{self.anchors['share']} >> ^{re.escape(pair)} ")
        shares = re.findall(r"(\d+(?:\.\d+)?%) \(", self.printed.lines[line])
        if len(shares) < head:
            raise SpecError(f"the share table's row {pair!r} has no share for head {head}")
        return shares[head - 1]

    def type_table(self, head):
        """{query row: {type: median}}: head `head`'s attention share / area share by ink type."""
        anchor = self.anchors["types"].replace("{h}", str(head))
        line, _ = self.printed.find(
            f"{anchor} >> " + r"^(?=.*circle ink)(?=.*square ink)(?=.*triangle ink)"
        )
        header = self.printed.lines[line]
        order = sorted(TYPES, key=lambda t: header.index(f"{t} ink"))
        table = {}
        for text in self.printed.lines[line + 1 :]:
            row = re.fullmatch(r"(.+?) (\S+) \[[^]]*\] (\S+) \[[^]]*\] (\S+) \[[^]]*\]", text)
            if not row:
                break
            table[row[1]] = {t: value(m) for t, m in zip(order, row.groups()[1:])}
        if "background" not in table:
            raise SpecError(f"head {head}'s type table (after {anchor!r}) has no row 'background'")
        return table

    def background_medians(self, head):
        """{type: median}: head `head`'s background queries' attention share / area share by ink."""
        return self.type_table(head)["background"]


def _pairs(text):
    pairs = []
    for base, odd in re.findall(
        r"(circles|squares|triangles)(?: \+ | with an odd )(circle|square|triangle)", text
    ):
        pairs.append(f"{base} + {odd}")
    return pairs


TYPE = r"(circles|squares|triangles)"
PREFERS = re.compile(
    r"\b[Hh]ead (?P<h>\d)(?:'s)?(?: background queries)? prefers? (?P<a>T)"
    r"(?: (?:slightly )?over (?P<b>T)|, then (?P<c>T)(?:,? (?:and )?then (?P<d>T))?"
    r"|, and (?P<e>T) slightly over (?P<f>T))?".replace("T", TYPE[1:-1])
)
PAIR = r"(?:circles|squares|triangles)(?: \+ | with an odd )(?:circle|square|triangle)"
PAIRS_LIST = rf"{PAIR}(?:(?:,| and|, and) {PAIR})*"
SHARE_50 = re.compile(
    r"\b[Hh]ead (?P<h>\d)(?:'s)?(?: background queries)?(?: share)?(?: is| are| lies| lie)?"
    r" (?P<only>only )?(?P<dir>above|below) (?P<fifty>50%)(?: only)? (?:for|in) (?:the )?"
    rf"(?:pairs? )?(?P<pairs>{PAIRS_LIST})"
)
TRIGGERS = re.compile(r"\bprefer(?:s|red|ring)?\b", re.IGNORECASE)


def _singular(plural):
    return plural[:-1]


def check_prefers(match, tables):
    head = int(match["h"])
    medians = tables.background_medians(head)
    shown = ", ".join(f"{t}s {m:g}" for t, m in sorted(medians.items(), key=lambda kv: -kv[1]))
    a = _singular(match["a"])
    claims = []
    if match["b"]:
        claims.append((a, _singular(match["b"])))
    elif match["e"]:
        claims += [(a, t) for t in TYPES if t != a] + [
            (_singular(match["e"]), _singular(match["f"]))
        ]
    else:
        chain = [a] + [_singular(match[g]) for g in ("c", "d") if match[g]]
        claims += [(a, t) for t in TYPES if t != a]
        claims += list(zip(chain[1:], chain[2:]))
        if len(chain) == 2:
            claims += [(chain[1], t) for t in TYPES if t not in chain]
    wrong = [f"{x}s over {y}s" for x, y in claims if not medians[x] > medians[y]]
    if wrong:
        return (
            f"head {head}'s background queries do not prefer {', '.join(wrong)}: "
            "the printed medians "
            f"(attention share / area share, row 'background') are {shown}"
        )
    return None


def check_share_50(match, tables):
    head, above = int(match["h"]), match["dir"] == "above"
    listed = _pairs(match["pairs"])
    wrong = []
    for pair in listed:
        share = tables.share(head, pair)
        if (value(share) > 50) != above:
            wrong.append(f"{pair} is {share}")
    if match["only"] or " only" in match.group(0)[match.start("fifty") - match.start() :]:
        for pair in {p for p in _all_pairs() if p not in listed}:
            share = tables.share(head, pair)
            if (value(share) > 50) == above:
                wrong.append(f"{pair} ({share}) is {match['dir']} 50% too but not listed")
    if wrong:
        return f"head {head}'s printed shares: {'; '.join(wrong)}"
    return None


def _all_pairs():
    return [f"{b}s + {o}" for b in TYPES for o in TYPES if b != o]


FORMS = [  # (name, regex, check, the named groups whose numbers the form claims)
    ("prefers", PREFERS, check_prefers, ()),
    ("share above/below 50%", SHARE_50, check_share_50, ("fifty",)),
]


# -------------------------------------------------------------------------------------------------
# The check


@dataclass
class Problem:
    kind: str  # setup, entry, stale, uncovered, twice, differs, form, reading
    where: str
    message: str

    def __str__(self):
        return f"[{self.kind}] {self.where}: {self.message}"


def _literal(text):
    """`text` as a regex that matches it, numbers left as they are; spaces stay readable."""
    return re.sub(r"[\\.^$*+?{}\[\]|()]", lambda m: "\\" + m.group(0), text)


def suggestion(doc, span, printed):
    """What to add for an unclaimed number: an M entry built from its words and its printed line."""
    start, end = span
    left = max(doc.view.rfind(" ", 0, max(start - 50, 0)) + 1, 0)
    right = doc.view.find(" ", min(end + 25, len(doc.view)))
    right = len(doc.view) if right < 0 else right
    for stop in (". ", "; ", ": ", "| "):  # keep to the clause
        cut = doc.view.rfind(stop, left, start)
        left = cut + len(stop) if cut >= 0 else left
        cut = doc.view.find(stop.strip(), end, right)
        right = cut if cut >= 0 else right
    pieces, last = [], left
    for a, b in sorted(t for t in tokens(doc.view) if left <= t[0] and t[1] <= right):
        pieces += [_literal(doc.view[last:a]), "{N}" if (a, b) == span else _literal(doc.view[a:b])]
        last = b
    prose = "".join(pieces + [_literal(doc.view[last:right])]).strip()
    number = doc.view[start:end]
    lines = printed.containing(number)
    if len(lines) == 1:
        at = re.search(_whole(number), lines[0]).start()
        label = re.split(NUMBER, lines[0][:at])  # the numbers before it become \S+
        out = "^" + r"\S+".join(_literal(piece) for piece in label) + "{N}"
    else:
        out = "<the printed line's label> {N}"
    return f'M(r"{prose}", r"{out}")'


def _whole(number):
    """A regex for `number` as a whole printed number (1.9 is not in 1.918, nor in 1.9%)."""
    unsigned = re.escape(number.lstrip("+"))
    return rf"(?<![\w.]){unsigned}(?![\w%]|\.\d)"


def _compile(entry):
    try:
        return re.compile(expand(entry.prose))
    except re.error as error:
        raise SpecError(f"prose pattern is not a valid regex: {error}") from None


def check(notebook_text, readme_text, registry=None):
    """Every problem with the claims of the notebook's prose and README's results; [] if none."""
    if registry is None:
        import claims_registry as registry
    cells = json.loads(notebook_text)["cells"]
    docs = notebook_prose(cells)
    readme_docs, problems = readme_prose(readme_text, registry.README_SECTIONS)
    docs += readme_docs
    printed = Printed(cells)
    tables = Tables(printed, registry.TABLES)
    claimed = {}  # (doc index, start, end) -> label of the entry or form that claims it
    doc_tokens = [set(tokens(doc.view)) for doc in docs]
    explained = [[] for _ in docs]  # spans of forms and readings, for the triggers

    def claim(d, span, label, where):
        if span not in doc_tokens[d]:
            doc = docs[d]
            problems.append(
                Problem(
                    "entry",
                    where,
                    f"{label} captures {doc.view[span[0] : span[1]]!r}, "
                    "which is not a whole number "
                    f"of the prose (a number token is {NUMBER})",
                )
            )
            return
        key = (d, *span)
        if key in claimed:
            problems.append(
                Problem(
                    "twice",
                    docs[d].where(span[0]),
                    f"{docs[d].view[span[0] : span[1]]!r} is claimed by {claimed[key]} "
                    f"and by {label}: "
                    "narrow one of them",
                )
            )
        else:
            claimed[key] = label

    def spans_in(d, start, end):
        return [s for s in doc_tokens[d] if start <= s[0] and s[1] <= end]

    for entry in registry.ENTRIES:
        label = entry.label()
        try:
            regex = _compile(entry)
        except SpecError as error:
            problems.append(Problem("entry", entry.at, f"{label}: {error}"))
            continue
        matches = [(d, m) for d, doc in enumerate(docs) for m in regex.finditer(doc.view)]
        if not matches:
            problems.append(
                Problem(
                    "stale", entry.at, f"{label} matches no prose: remove it, or fix its pattern"
                )
            )
            continue
        if entry.kind == "given":
            for d, m in matches:
                groups = [m.span(g) for g in range(1, len(m.groups()) + 1) if m.start(g) >= 0]
                for start, end in groups or [m.span()]:
                    for span in spans_in(d, start, end):
                        claim(d, span, label, docs[d].where(span[0]))
            continue
        # measured, range, reading: every group is one number
        for d, m in matches:
            doc, where = docs[d], docs[d].where(m.start())
            for g in range(1, len(m.groups()) + 1):
                if m.start(g) >= 0:
                    claim(d, m.span(g), label, where)
            if entry.kind == "reading":
                explained[d].append(m.span())
            said = [s for s in m.groups() if s is not None]
            sentence = doc.sentence(*m.span())
            try:
                if entry.kind == "reading":
                    wrong = entry.check(said, printed, tables, m)
                    if wrong:
                        problems.append(
                            Problem("reading", where, f"{label}: {wrong}; in: {sentence!r}")
                        )
                    continue
                values, lines = [], []
                for spec in entry.out:
                    found = _values(printed, spec)
                    values += [v for v, _ in found]
                    lines += [
                        line
                        for line in dict.fromkeys(line for _, line in found)
                        if line not in lines
                    ]
            except SpecError as error:
                problems.append(Problem("entry", where, f"{label}: {error}"))
                continue
            except Exception as error:  # a check's own bug: say where, and go on
                problems.append(
                    Problem("entry", where, f"{label}: {type(error).__name__}: {error}")
                )
                continue
            if said != values:
                problems.append(
                    Problem(
                        "differs",
                        where,
                        f"the prose says {said} where the printed line(s) say {values}"
                        + (" (lowest, highest)" if entry.kind == "range" else "")
                        + f": {sentence!r} against {lines} ({label})",
                    )
                )

    for d, doc in enumerate(docs):
        for name, regex, form_check, groups in FORMS:
            for m in regex.finditer(doc.view):
                explained[d].append(m.span())
                label = f"form {name!r}"
                for g in groups:
                    claim(d, m.span(g), label, doc.where(m.start()))
                try:
                    wrong = form_check(m, tables)
                except SpecError as error:
                    wrong = f"the table it reads: {error} (fix TABLES in claims_registry.py)"
                except Exception as error:
                    wrong = f"{type(error).__name__}: {error}"
                if wrong:
                    problems.append(
                        Problem("form", doc.where(m.start()), f"{m.group(0)!r}: {wrong}")
                    )
        for m in TRIGGERS.finditer(doc.view):
            if not any(start <= m.start() < end for start, end in explained[d]):
                problems.append(
                    Problem(
                        "reading",
                        doc.where(m.start()),
                        f"{m.group(0)!r} in {doc.sentence(*m.span())!r} is a reading of a table "
                        "in none "
                        "of the forms of claims_checker.FORMS: rephrase it as one, or register "
                        "Q(r'<its words>', check) in tests/claims_registry.py",
                    )
                )
        for span in sorted(doc_tokens[d]):
            if (d, *span) not in claimed:
                number = doc.view[span[0] : span[1]]
                lines = printed.containing(number)
                printed_on = (
                    f"printed on {lines[:3]!r}" if lines else "no printed line shows it as written"
                )
                problems.append(
                    Problem(
                        "uncovered",
                        doc.where(span[0]),
                        f"{number!r} in {doc.sentence(*span)!r} is claimed by no entry "
                        f"({printed_on}). "
                        f"Add to tests/claims_registry.py a measured claim, e.g. "
                        f"{suggestion(doc, span, printed)}, with enough words to name the "
                        "quantity; or, if the homework or the design gives the number, "
                        'G(r"<its words>", "<reason>")',
                    )
                )
    return problems


def check_files(notebook_path, readme_path, registry=None):
    with open(notebook_path, encoding="utf-8") as nb, open(readme_path, encoding="utf-8") as rd:
        return check(nb.read(), rd.read(), registry)


__all__ = [
    "M",
    "R",
    "G",
    "Q",
    "lowest",
    "highest",
    "same",
    "approx",
    "above",
    "check",
    "check_files",
    "value",
]
