"""Checks every HTML page must pass, shared by the header tests and the role matrix."""

from __future__ import annotations

import re


def assert_no_inline_script(body: str) -> None:
    """No inline `<script>` and no `on…=` handler: the Content-Security-Policy allows only
    scripts from our own files, so either would silently not run."""
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", body, flags=re.S | re.I)
    for attributes, content in scripts:
        assert "src=" in attributes and not content.strip(), attributes
    assert not re.search(r"\son[a-z]+\s*=", body, flags=re.I)
