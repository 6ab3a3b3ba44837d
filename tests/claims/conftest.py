"""The sample case of the claims tests: a story, its reprint under another outlet, and a Chinese text,
written for these tests from public facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from organwatch.case import Case

LEDGER = """<!doctype html><html><head><meta charset="utf-8"><title>Tribunal hears transplant estimates</title>
<meta name="author" content="Ann Reed"><meta property="og:site_name" content="Harbour Ledger"></head><body>
<article><h1>Tribunal hears transplant estimates</h1>
<p>David Kilgour and David Matas estimate that some 60,000 transplants were performed in China between 2000 and
2005, and that for about 41,500 of them no source could be explained.</p>
<p>Wang Lijun, the former police chief of Jinzhou, said in 2006 that his centre had studied several thousand
on-site transplant cases.</p>
<p>The health ministry said that 20,000 transplants were done in China between 2000 and 2005.</p>
</article></body></html>"""

REPRINT = LEDGER.replace("Harbour Ledger", "Midland Courier").replace("Ann Reed", "Bo Lind")

ZH = """<!doctype html><html><head><meta charset="utf-8"><title>移植数字</title></head><body><article>
<p>乔高和麦塔斯估计，2000年至2005年间中国共进行了约六万例移植手术。</p>
<p>外交部发言人秦刚表示，这些报道纯属捏造，毫无事实根据。王立军当时担任锦州市公安局局长。</p>
</article></body></html>"""


@pytest.fixture
def claims_case(case: Case, tmp_path: Path) -> Case:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "ledger.html").write_text(LEDGER, encoding="utf-8")
    (folder / "courier.html").write_text(REPRINT, encoding="utf-8")
    (folder / "numbers-zh.html").write_text(ZH, encoding="utf-8")
    case.add([folder], text=True, extract=True)
    return case
