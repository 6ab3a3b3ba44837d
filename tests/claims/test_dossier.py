"""Claims, sources, grades and dossiers on a real case built from files written for the test.

Every footnote of a dossier must resolve to an archived span whose text is the quote; the printed PDF must
carry the citations; and no claim may appear as a bare assertion in the dossier's own voice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from organwatch.case import Case
from organwatch.claims.service import ClaimsError, build_dossier, grade, weigh_case
from organwatch.report.dossier import attributed_sentence, render_html, render_markdown
from tests.conftest import run_cli


def test_claims_are_weighed_across_reprints_and_scripts(claims_case: Case) -> None:
    weighed = weigh_case(claims_case)
    estimate = [g for g in weighed.groups if g.value == 60000.0]
    assert len(estimate) == 1
    group = estimate[0]
    assert len(group.members) == 3  # two English reprints and the Chinese text
    assert group.corroboration == 1  # one origin: Kilgour and Matas
    official = [g for g in weighed.groups if g.value == 20000.0]
    assert official and official[0].contradicts and group.contradicts


def test_grades_are_logged_and_replayed(claims_case: Case) -> None:
    before = weigh_case(claims_case)
    assert all(row == "F6" for row in ["F6" for _ in before.reported])
    graded = grade(claims_case, "David Matas and David Kilgour", "b", 2, "peer-reviewed report, methods published")
    assert graded.code == "B2"
    entries = [e for e in claims_case.log_entries() if e["type"] == "grade"]
    assert entries[-1]["reliability"] == "B" and entries[-1]["reason"].startswith("peer-reviewed")
    assert claims_case.verify().ok
    with pytest.raises(ClaimsError, match="A–F"):
        grade(claims_case, "Harbour Ledger", "G", 2, "x")
    with pytest.raises(ClaimsError, match="reason"):
        grade(claims_case, "Harbour Ledger", "B", 2, " ")


def test_dossier_footnotes_resolve_to_archived_spans(claims_case: Case) -> None:
    dossier = build_dossier(claims_case, "Wang Lijun")
    assert dossier.claims
    for item in dossier.claims:
        cite = item.citation
        document = claims_case.document(str(cite.document_id))
        assert document.text is not None and document.text[cite.start : cite.end] == cite.quote
        assert claims_case.capture(cite.capture_sha256).first_seq == cite.log_index
        assert claims_case.blob_path(cite.capture_sha256).exists()
    markdown = render_markdown(dossier)
    assert f"log entry {dossier.claims[0].citation.log_index}" in markdown
    assert dossier.key_id in markdown and str(dossier.tree_head["root_hash"]) in markdown


def test_no_claim_is_stated_in_the_dossiers_own_voice(claims_case: Case) -> None:
    dossier = build_dossier(claims_case, "乔高")
    html = render_html(dossier)
    for item in dossier.claims:
        sentence = attributed_sentence(item)
        assert sentence.startswith(item.claim.speaker or item.citation.outlet or "An archived source")
        assert re.search(r" (said|denied|estimated|called for)\b", sentence)
        # the statement appears only inside its attribution, quoted
        bare = re.escape(item.claim.text)
        assert not re.search(rf"<li[^>]*>{bare}", html)


def test_unknown_actor_and_actor_without_claims_get_clear_messages(claims_case: Case) -> None:
    with pytest.raises(ClaimsError, match="nearest names in the case: .*Wang Lijun"):
        build_dossier(claims_case, "Wang Lijan")
    with pytest.raises(ClaimsError, match="no actor named"):
        build_dossier(claims_case, "Nobody Atall")


@pytest.mark.skipif(shutil.which("pdftotext") is None or not Path("/usr/bin/chromium").exists(),
                    reason="needs Debian's chromium and poppler-utils (`make test` installs both)")
def test_pdf_dossier_carries_its_citations(claims_case: Case, tmp_path: Path) -> None:
    out = tmp_path / "wang.pdf"
    result = run_cli("dossier", "--case", str(claims_case.root), "Wang Lijun", "--out", str(out), check=True)
    assert "claim(s)" in result.stdout
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    dossier = build_dossier(claims_case, "Wang Lijun")
    squashed = " ".join(text.split())
    assert dossier.claims[0].citation.capture_sha256[:40] in squashed.replace(" ", "")
    assert "Verifying this dossier" in squashed


def test_cli_claims_sources_grade(claims_case: Case) -> None:
    root = str(claims_case.root)
    listed = run_cli("claims", "--case", root, "--min-sources", "1", "--format", "json", check=True)
    assert '"corroboration"' in listed.stdout
    contested = run_cli("claims", "--case", root, "--contested", check=True)
    assert "contested" in contested.stdout
    graded = run_cli("grade", "--case", root, "Harbour Ledger", "-r", "C", "-i", "3", "--reason", "one reporter",
                     check=True)
    assert "C3" in graded.stdout
    sources = run_cli("sources", "--case", root, check=True)
    assert "Harbour Ledger" in sources.stdout and "C3" in sources.stdout
    bad = run_cli("dossier", "--case", root, "Wang Lijun", "--out", str(claims_case.root / "x.docx"))
    assert bad.returncode == 1 and bad.stderr.startswith("error:")


def _document_of(case: Case, outlet: str) -> int:
    return next(d.id for d in case.documents() if d.outlet == outlet)


def test_sources_gone_since_are_named_never_cited(claims_case: Case) -> None:
    courier = _document_of(claims_case, "Midland Courier")
    capture = next(d.capture_id for d in claims_case.documents() if d.id == courier)
    blob = claims_case.blob_path(capture)
    blob.parent.chmod(0o755)
    blob.chmod(0o644)
    blob.unlink()  # the original bytes vanish from the archive
    built = build_dossier(claims_case, "Wang Lijun", generated_at="2024-01-01T00:00:00Z")
    assert built.claims and all(c.citation.document_id != courier for c in built.claims)
    assert len(built.unavailable) == 1 and "missing from the archive" in built.unavailable[0]
    assert "Sources no longer available" in render_markdown(built)
    assert capture[:12] in render_html(built)

    ledger = _document_of(claims_case, "Harbour Ledger")
    with claims_case.store.writer() as writer:  # the document itself deleted since the claims stage ran
        writer.search.remove(ledger)
        writer.documents.delete(ledger)
    left = build_dossier(claims_case, "Wang Lijun")  # only the Chinese text's role for him is left to cite
    assert not left.claims and left.roles and len(left.unavailable) == 2
    chinese = next(d.id for d in claims_case.documents() if d.language and d.language.startswith("zh"))
    with claims_case.store.writer() as writer:
        writer.search.remove(chinese)
        writer.documents.delete(chinese)
    with pytest.raises(ClaimsError, match="every source of what the case says about 'Wang Lijun' is gone") as caught:
        build_dossier(claims_case, "Wang Lijun")
    assert "deleted from the case" in str(caught.value) and "missing from the archive" in str(caught.value)


def test_dossier_on_an_entity_has_cited_roles_names_and_a_relations_figure(claims_case: Case) -> None:
    built = build_dossier(claims_case, "Wang Lijun", generated_at="2024-01-01T00:00:00Z")
    assert "王立军" in [n for names in built.names.values() for n in names]  # names by script from the aliases
    assert built.roles
    texts = {d.id: d.text or "" for d in claims_case.documents()}
    for sentence, cite in built.roles:
        assert " describes Wang Lijun as " in sentence  # what a source says, never the dossier's own voice
        assert texts[cite.document_id][cite.start : cite.end] == cite.quote
    svg = built.relations_svg
    assert svg is not None and svg.startswith("<svg") and "<path" in svg
    assert not re.search(r"(?:href|src)=\"(?:https?:|file:|/)", svg)  # self-contained
    page = render_html(built)
    assert "Roles and positions" in page and "<svg" in page
    assert "Roles and positions" in render_markdown(built)


def test_claims_about_follow_entity_mention_links() -> None:
    from organwatch.claims.service import claims_about_reported
    from organwatch.claims.weigh import Reported
    from organwatch.model.claims import Claim

    text = "The former police chief had studied thousands of cases."
    claim = Claim(text, 0, len(text), "asserts", "a newspaper", None, None, None, "transplants")
    reported = [Reported("1:0-55", claim, 1)]
    assert claims_about_reported(reported, "Wang Lijun") == []
    assert claims_about_reported(reported, "Wang Lijun", {1: [(4, 23)]}) == reported  # "former police chief"
    assert claims_about_reported(reported, "Wang Lijun", {2: [(4, 23)]}) == []  # a link in another document


def test_a_short_name_matches_whole_words_only() -> None:
    from organwatch.claims.service import claims_about_reported
    from organwatch.claims.weigh import Reported
    from organwatch.model.claims import Claim

    def said(text: str) -> Reported:
        return Reported(f"1:0-{len(text)}", Claim(text, 0, len(text), "asserts", "a reporter", None, None, None,
                                                  "statement"), 1)

    police, named, chinese = said("The police chief resigned."), said("Li met the delegation."), said("李伟表示反对")
    assert claims_about_reported([police, named], "Li") == [named]
    assert claims_about_reported([police, chinese], "李伟") == [chinese]
