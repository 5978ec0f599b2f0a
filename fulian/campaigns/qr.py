"""QR codes made here (segno, pure Python): the share links of the public pages, scanned from
a poster or a notice board (扫一扫). No third-party service: federation intranets are offline."""

from __future__ import annotations

import io

import segno


def svg(url: str, *, scale: int = 4) -> str:
    """An SVG of the QR code of ``url`` (error correction M: a notice board's print survives a
    little wear), with a white quiet zone so that it scans on any background."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale, border=4, xmldecl=False, light="#fff", title=url, nl=False)
    return out.getvalue().decode()
