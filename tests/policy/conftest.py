"""Fixtures of the policy tests: the world of :mod:`tests.policy.world`, built once per database."""
from __future__ import annotations

import time

import pytest

import core.sealing.testing

# the development PKI and local TSA of the test session: the world's documents are sealed
signing_env = core.sealing.testing.signing_env


@pytest.fixture(scope="module")
def world(database_kind, signing_env, tmp_path_factory):
    from tests.policy.world import build, make_app

    started = time.perf_counter()
    base = tmp_path_factory.mktemp(f"policy-{database_kind}")
    built = make_app(database_kind, str(base), signing_env)
    try:
        build(built)
        built.snapshot()
        built.build_seconds = time.perf_counter() - started
        yield built
    finally:
        built.drop()
