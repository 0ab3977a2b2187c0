"""Name the repository in README.md and the notebook, in place of the OWNER/REPO placeholder.

The badges and the notebook's REPOSITORY_URL get the repository's own name, as template repositories
clean themselves up.

The workflow .github/workflows/name-repository.yml runs it on the first push of a fork or copy and
commits the result once; by hand (the README's fallback):

    python3 .github/name_repository.py your-github-user/your-repository

Only the placeholder changes: the notebook's outputs stay as they are, and its check for the
placeholder, spelled in two pieces, survives. With no placeholder left it changes nothing and says
so.

"""

import argparse
import json
import re
import sys
from pathlib import Path

PLACEHOLDER = "OWNER/REPO"
FILES = ("README.md", "odd_shapes_solution.ipynb")
# GitHub's rules: an owner of 1-39 letters, digits or inner hyphens; a repository of letters,
# digits, '.', '-', '_'.
NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?/[A-Za-z0-9._-]{1,100}")


def name_repository(repository, root):
    """Replace the placeholder with `repository` in FILES under `root`; return the files that
    changed."""
    if (
        not NAME.fullmatch(repository)
        or repository.upper() == PLACEHOLDER
        or repository.endswith(("/.", "/.."))
    ):
        raise ValueError(
            f"the repository must be named like OWNER/NAME (GitHub's owner/repository, e.g. "
            f"octocat/odd-shapes), got {repository!r}"
        )
    changed = []
    for name in FILES:
        path = Path(root) / name
        text = path.read_text(encoding="utf-8")
        if PLACEHOLDER not in text:
            continue
        named = text.replace(PLACEHOLDER, repository)
        if name.endswith(".ipynb"):
            # the repository's characters need no escaping in JSON; check it anyway
            json.loads(named)
        path.write_text(named, encoding="utf-8")
        changed.append(name)
    return changed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repository", help="OWNER/NAME, e.g. the workflow's $GITHUB_REPOSITORY")
    parser.add_argument(
        "--root",
        default=str(Path(__file__).resolve().parents[1]),
        help="the repository's top folder",
    )
    args = parser.parse_args()
    try:
        changed = name_repository(args.repository, args.root)
    except (ValueError, OSError) as error:
        sys.exit(f"name_repository: {error}")
    print(
        f"named {args.repository} in {', '.join(changed)}"
        if changed
        else f"no {PLACEHOLDER} placeholder left: nothing to do"
    )


if __name__ == "__main__":
    main()
