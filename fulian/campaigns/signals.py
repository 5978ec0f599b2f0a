"""What the campaigns area tells the areas built on it (points), sent once the change is committed."""

from django.dispatch import Signal

# Awards were given (``awards``: a list) or one was revoked (``award``). Sent on commit; a
# receiver's failure is logged, not the caller's.
awards_given = Signal()
award_revoked = Signal()
