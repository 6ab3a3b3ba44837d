"""The evidence archive: write-once blobs, the signed Merkle log, verification and bundles."""
