"""Livret certification plugin: RS6776 « Création de contenus rédactionnels et
visuels par l'usage responsable de l'intelligence artificielle générative »
(Inkréa Certifications).

Registered through the entry point group ``livret.plugins`` (name
``rs6776``); the hook implementations are in :mod:`livret_rs6776.plugin`.
"""
