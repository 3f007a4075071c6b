"""Keep generated blocks of Markdown files (README counts, the model diagram) in step with the graph."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import InputError

__all__ = ["read_block", "replace_block"]


def replace_block(path: Path, name: str, content: str) -> None:
    """Replace what lies between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in a Markdown file."""
    text = path.read_text(encoding="utf-8")
    block = f"<!-- {name}:start -->\n{content}<!-- {name}:end -->"
    pattern = rf"<!-- {name}:start -->.*?<!-- {name}:end -->"
    updated, count = re.subn(pattern, lambda _: block, text, flags=re.DOTALL)
    if count != 1:
        raise InputError(path, None, f"needs exactly one '{name}' block", f"add <!-- {name}:start --> ... end")
    path.write_text(updated, encoding="utf-8")


def read_block(path: Path, name: str) -> str:
    """What lies between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``, or an input error."""
    found = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", path.read_text(encoding="utf-8"), re.DOTALL)
    if not found:
        raise InputError(path, None, f"no '{name}' block", f"add <!-- {name}:start --> ... <!-- {name}:end -->")
    return found.group(1)
