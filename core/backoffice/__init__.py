"""Certifier back office: the staff's dossier lists and exports."""
