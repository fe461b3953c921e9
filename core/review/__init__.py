"""Admissibility review (recevabilité): the certifier's staff read a submitted version,
compare versions, keep private notes and decide (admissible, inadmissible, corrections)."""
