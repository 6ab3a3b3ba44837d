"""The claims stage stores claims through the store; re-running it gives the same claims; reviewers' merges
and splits are logged and survive re-derivation."""

from __future__ import annotations

import json

import pytest

from organwatch.case import Case
from organwatch.claims.service import ClaimsError, merge_groups, split_group, weigh_case
from tests.conftest import run_cli
from tests.dbmode import execute_in_index


def _stored(case: Case) -> tuple[list[str], list[tuple[str, list[str], list[str]]]]:
    with case.store.view() as view:
        return ([r.key for r in view.claims.instances()],
                [(g.id, [m.key for m in g.members], g.origins) for g in view.claims.groups()])


def test_claims_are_stored_and_rederived_identically(claims_case: Case) -> None:
    before = _stored(claims_case)
    assert before[0] and before[1]  # the add with extraction ran the claims stage
    weighed = weigh_case(claims_case)
    assert sorted(r.key for r in weighed.reported) == sorted(before[0])
    claims_case.derive_claims()
    assert _stored(claims_case) == before
    result = run_cli("reprocess", "--case", str(claims_case.root), "--stage", "claims")
    assert result.returncode == 0, result.stderr
    assert "claim(s) in" in result.stdout and _stored(claims_case) == before


def test_split_and_merge_are_logged_and_survive_rederivation(claims_case: Case) -> None:
    weighed = weigh_case(claims_case)
    (estimate,) = [g for g in weighed.groups if g.value == 60000.0]
    chinese = [m.key for m in estimate.members if "六万" in m.claim.text]
    assert len(chinese) == 1 and len(estimate.members) == 3
    split = split_group(claims_case, chinese, "reviewer reads the Chinese figure as a different count")
    assert any(e.get("type") == "claim_group" and e.get("action") == "split" for e in claims_case.log_entries())
    claims_case.derive_claims()  # re-derivation from scratch keeps the decision
    after = weigh_case(claims_case)
    alone = after.group_of(chinese[0])
    assert [m.key for m in alone.members] == chinese and alone.id != estimate.id
    assert len(after.group_of(estimate.members[0].key).members) == 2
    merged = merge_groups(claims_case, alone.id, estimate.members[0].key, "same estimate after all")
    assert merged.seq is not None and merged.seq > split.seq
    claims_case.derive_claims()
    assert len(weigh_case(claims_case).group_of(chinese[0]).members) == 3
    with pytest.raises(ClaimsError, match="already in one group"):
        merge_groups(claims_case, chinese[0], estimate.members[0].key, "again")
    with pytest.raises(ClaimsError, match="no claim group"):
        merge_groups(claims_case, "g0000000000", chinese[0], "unknown")
    with pytest.raises(ClaimsError, match="reason"):
        split_group(claims_case, chinese, " ")


def test_cli_claims_group(claims_case: Case) -> None:
    rows = json.loads(run_cli("claims", "--case", str(claims_case.root), "--format", "json").stdout)
    estimate = [r for r in rows if r["value"] == 60000.0]
    key = estimate[0]["key"]
    result = run_cli("claims-group", "--case", str(claims_case.root), "split", key, "--reason", "test split")
    assert result.returncode == 0, result.stderr
    assert "Recorded split" in result.stdout
    rows = json.loads(run_cli("claims", "--case", str(claims_case.root), "--format", "json").stdout)
    assert len({r["group"] for r in rows if r["value"] == 60000.0}) == 2
    bad = run_cli("claims-group", "--case", str(claims_case.root), "fuse", key, "--reason", "x")
    assert bad.returncode == 1 and bad.stderr.startswith("error: unknown action")


def test_a_full_run_forgets_claims_of_deleted_documents(claims_case: Case) -> None:
    doomed = next(d.id for d in claims_case.documents() if d.outlet == "Midland Courier")
    with claims_case.store.writer() as writer:
        writer.search.remove(doomed)
        writer.documents.delete(doomed)
    assert doomed in weigh_case(claims_case).gone
    claims_case.derive_claims()
    weighed = weigh_case(claims_case)
    assert not weighed.gone and all(r.document_id != doomed for r in weighed.reported)


def test_decisions_come_back_from_the_log_when_the_store_lost_them(claims_case: Case) -> None:
    weighed = weigh_case(claims_case)
    (estimate,) = [g for g in weighed.groups if g.value == 60000.0]
    key = estimate.members[-1].key
    split_group(claims_case, [key], "a different count")
    claims_case.store.close()
    execute_in_index(claims_case.root, "DELETE FROM claim_decisions")  # as an index rebuilt from the log would be
    claims_case.derive_claims()
    assert [m.key for m in weigh_case(claims_case).group_of(key).members] == [key]
