"""Exports of the duties figures and their drill-downs (to be written)."""
