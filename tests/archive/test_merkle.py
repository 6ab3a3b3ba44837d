"""RFC 9162 hashing and proofs against hand-computed values and the CT reference vectors."""

from __future__ import annotations

import hashlib

import pytest

from organwatch.archive.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    StreamingRoot,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

# The eight leaves of the Certificate Transparency test suite (RFC 6962 reference implementation).
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]
ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_hash_prefixes_by_hand() -> None:
    assert leaf_hash(b"abc") == sha(b"\x00abc")
    assert node_hash(b"L" * 32, b"R" * 32) == sha(b"\x01" + b"L" * 32 + b"R" * 32)
    assert sha(b"") == EMPTY_ROOT
    assert root_from_leaf_hashes([]) == sha(b"")


def test_three_leaf_root_by_hand() -> None:
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    # RFC 9162: k = 2, so MTH = node(node(a, b), c): the unbalanced right side is not padded.
    expected = sha(b"\x01" + sha(b"\x01" + a + b) + c)
    assert root_from_leaf_hashes([a, b, c]) == expected
    assert MerkleTree([a, b, c]).root() == expected


def test_five_leaf_proofs_by_hand() -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(5)]
    h01, h23 = node_hash(leaves[0], leaves[1]), node_hash(leaves[2], leaves[3])
    h0123 = node_hash(h01, h23)
    tree = MerkleTree(leaves)
    assert tree.root() == node_hash(h0123, leaves[4])
    assert tree.inclusion_proof(2) == [leaves[3], h01, leaves[4]]
    assert tree.inclusion_proof(4) == [h0123]
    assert tree.consistency_proof(4) == [leaves[4]]  # old root h0123 is implied (power of two)
    assert tree.consistency_proof(3) == [leaves[2], leaves[3], h01, leaves[4]]


@pytest.mark.parametrize("size", range(1, 9))
def test_reference_roots(size: int) -> None:
    hashes = [leaf_hash(x) for x in LEAVES[:size]]
    assert MerkleTree(hashes).root().hex() == ROOTS[size]
    assert root_from_leaf_hashes(hashes).hex() == ROOTS[size]


REFERENCE_INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]

REFERENCE_CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


@pytest.mark.parametrize(("index", "size", "path"), REFERENCE_INCLUSION)
def test_reference_inclusion(index: int, size: int, path: list[str]) -> None:
    tree = MerkleTree([leaf_hash(x) for x in LEAVES])
    proof = tree.inclusion_proof(index, size)
    assert [p.hex() for p in proof] == path
    root = bytes.fromhex(ROOTS[size])
    assert verify_inclusion(index, size, leaf_hash(LEAVES[index]), proof, root)
    assert not verify_inclusion(index, size, leaf_hash(b"forged"), proof, root)
    assert not verify_inclusion(index + 1 if index + 1 < size else 0, size, leaf_hash(LEAVES[index]), proof, root)
    assert not verify_inclusion(index, size, leaf_hash(LEAVES[index]), proof[:-1], root)


@pytest.mark.parametrize(("first", "second", "path"), REFERENCE_CONSISTENCY)
def test_reference_consistency(first: int, second: int, path: list[str]) -> None:
    tree = MerkleTree([leaf_hash(x) for x in LEAVES])
    proof = tree.consistency_proof(first, second)
    assert [p.hex() for p in proof] == path
    r1, r2 = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    assert verify_consistency(first, second, r1, r2, proof)
    assert not verify_consistency(first, second, r2, r1, proof)
    assert not verify_consistency(first, second, r1, r2, proof[1:])


def test_every_proof_in_small_trees_verifies() -> None:
    hashes = [leaf_hash(bytes([i]) * i) for i in range(33)]
    tree = MerkleTree(hashes)
    for size in range(1, 34):
        root = tree.root(size)
        for index in range(size):
            assert verify_inclusion(index, size, hashes[index], tree.inclusion_proof(index, size), root)
        for first in range(1, size + 1):
            assert verify_consistency(first, size, tree.root(first), root, tree.consistency_proof(first, size))


def test_streaming_root_resumes_from_frontier() -> None:
    hashes = [leaf_hash(str(i).encode()) for i in range(100)]
    stream = StreamingRoot()
    for h in hashes[:37]:
        stream.append(h)
    resumed = StreamingRoot.resume(stream.frontier())
    assert resumed.size == 37
    for h in hashes[37:]:
        resumed.append(h)
    assert resumed.root() == MerkleTree(hashes).root()
