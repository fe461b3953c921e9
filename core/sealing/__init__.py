"""Sealing: the platform's use of :mod:`signing` (organisation seal, personal
signatures, issued documents and their hashes, long-term renewal)."""
