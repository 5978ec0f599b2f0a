"""What the duties area tells the areas built on it (points), sent once the change is committed."""

from django.dispatch import Signal

# A record was confirmed (``record``), and the record it corrects, if any, stopped counting
# (``superseded``, or None). Sent on commit; a receiver's failure is logged, not the reviewer's.
record_confirmed = Signal()
