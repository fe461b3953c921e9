"""Webhooks: signed HTTP notifications of platform events to the certifier's own systems."""
