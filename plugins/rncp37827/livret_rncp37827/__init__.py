"""Livret certification plugin: RNCP37827 « Développeur en intelligence artificielle » (Simplon.co).

Registered through the entry point group ``livret.plugins`` (name
``rncp37827``); the hook implementations are in :mod:`livret_rncp37827.plugin`.
"""
