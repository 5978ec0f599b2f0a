"""Exports of the annual assessment results (to be written)."""
