"""Writes to campaigns, one module per step of a round: setting it up, nominations, scoring,
ranking and promotion, 公示 and objections, awards. UI views, API viewsets and commands call
these; each checks its own permission and runs in one transaction."""
