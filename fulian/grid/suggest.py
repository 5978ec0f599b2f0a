"""Filling the gaps of a village (issue 11, point 4): a suggested set of assignments that
covers every household of the village not covered today, by the village's current 执委, each
within her own group or the groups next to it, evening out the load; and its confirmation,
all rows in one transaction through ``services.assignment_create``.

The algorithm (docs: /work/dec-load.md), deterministic:

1. The 执委 are the people holding a current post in the village federation; her load is what
   she answers for already (``load.household_loads``). Her home group is her own organisation
   when it is a group of the village; groups are neighbours when next to each other in code
   order. She may take her home group and its neighbours; one with no home group, any group.
   A group none of them may take goes to those whose home is nearest (so that every household
   gets somebody); households in no group, to anybody.
2. The level the loads would even out at is worked out (water filling over all of them).
3. Each group with no household covered is offered whole (largest first) to those who may
   take it and stay within a tolerance of that level: the one living in it first, else one
   with no home group, else a neighbour, the least loaded of them; if it fits nobody, the
   group is split into households.
4. The other uncovered households are dealt one at a time to the least loaded 执委 who may
   still take one (ties: the order of the people), from the group with the most households
   left per 执委 who may take it (then her home group first); then each one's share of a group is made a run of
   neighbouring households (registry order), not a scatter.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from fulian.core.scoping import AnyUser, require
from fulian.grid import coverage, services
from fulian.grid.choices import Mode
from fulian.grid.load import household_loads
from fulian.grid.models import Assignment, CoverageCount, active_q
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Post

Target = Organisation | Household
NEIGHBOURS = 1  # how far (in code order) from her home group a 执委 may take a group


@dataclass
class Row:
    """One proposed (or confirmed) assignment: a 执委 (through her post), her targets, a mode."""

    post: Post | None  # None only for a row sent back empty
    targets: list[Target]
    mode: str
    households: int = 0
    partner: str = ""  # 合力联动: the grid worker she shares it with

    @property
    def whole_group(self) -> bool:
        return len(self.targets) == 1 and isinstance(self.targets[0], Organisation)


@dataclass
class Suggestion:
    """The proposal for ``village`` on ``on``: ``rows`` cover every uncovered household; empty
    with a ``reason`` when there is nothing to do or nobody to do it."""

    village: Organisation
    on: datetime.date
    rows: list[Row] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    groups: list[Organisation] = field(default_factory=list)
    households: int = 0
    uncovered: int = 0
    before: dict[int, int] = field(default_factory=dict)  # person → households she answers for
    after: dict[int, int] = field(default_factory=dict)
    home: dict[int, int | None] = field(default_factory=dict)  # person → home group id
    reason: str = ""

    @property
    def spread(self) -> int:
        """The gap between the most and the least loaded 执委 after the suggestion."""
        return max(self.after.values()) - min(self.after.values()) if self.after else 0


def village_posts(village: Organisation) -> list[Post]:
    """The current posts of the village federation, one per person (the first given)."""
    posts: dict[int, Post] = {}
    for post in (
        Post.objects.filter(org=village, end_date__isnull=True).select_related("person__org", "org").order_by("id")
    ):
        posts.setdefault(post.person_id, post)
    return sorted(posts.values(), key=lambda p: (p.person.name, p.person_id))


def _level(loads: list[int], extra: int) -> float:
    """The water level: the load all would reach if ``extra`` households were poured onto the
    least loaded first."""
    ordered = sorted(loads)
    total = extra
    for count, value in enumerate(ordered, start=1):
        total += value
        following = ordered[count] if count < len(ordered) else math.inf
        level = total / count
        if level <= following:
            return level
    return total / max(len(ordered), 1)


class _Dealer:
    """Who may take what, and who is least loaded: the state of steps 3 and 4."""

    def __init__(self, posts: list[Post], groups: list[Organisation], load: dict[int, int]) -> None:
        self.posts = posts
        self.load = load
        self.order = {post.person_id: index for index, post in enumerate(posts)}
        self.index = {group.pk: index for index, group in enumerate(groups)}
        self.home = {post.person_id: self.index.get(post.person.org_id) for post in posts}

    def distance(self, person_id: int, place: int) -> int:
        home = self.home[person_id]
        return 0 if home is None else abs(home - place)

    def candidates(self, group_id: int | None) -> list[Post]:
        if group_id is None:
            return self.posts
        place = self.index[group_id]
        distance = {p.person_id: self.distance(p.person_id, place) for p in self.posts}
        near = [p for p in self.posts if distance[p.person_id] <= NEIGHBOURS]
        if near:
            return near
        nearest = min(distance.values())
        return [p for p in self.posts if distance[p.person_id] == nearest]

    def taker(self, posts: list[Post], group_id: int, size: int, limit: float) -> Post | None:
        """Who takes a whole group: among those it keeps within ``limit``, the one living in
        it, else one with no home group (free to go anywhere), else a neighbour; then the least
        loaded. None if it would push everybody past the limit."""
        place = self.index[group_id]

        def rank(p: Post) -> int:
            home = self.home[p.person_id]
            return 0 if home == place else 1 if home is None else 2

        fitting = [p for p in posts if self.load[p.person_id] + size <= limit]
        if not fitting:
            return None
        return min(fitting, key=lambda p: (rank(p), self.load[p.person_id], self.order[p.person_id]))


def suggest(village: Organisation, *, on: datetime.date | None = None) -> Suggestion:
    """Suggest assignments covering every household of ``village`` (fetched through
    ``visible_to``) that no 执委 answers for on ``on`` (today by default). See the module's
    docstring for the rules; a handful of queries whatever the size of the village."""
    on = on or coverage.today()
    suggestion = Suggestion(village=village, on=on)
    suggestion.posts = posts = village_posts(village)
    suggestion.groups = groups = list(Organisation.objects.filter(parent=village, level=Level.GROUP).order_by("code"))
    current = Household.objects.filter(village_id=village.pk, archived_at__isnull=True)
    sizes = dict(current.order_by().values_list("group_id").annotate(n=Count("pk")))
    suggestion.households = sum(sizes.values())
    uncovered = list(current.exclude(coverage.covered_q(on, [village.pk])).order_by("pk"))
    suggestion.uncovered = len(uncovered)
    people = [post.person_id for post in posts]
    mine = Assignment.objects.filter(active_q(on), person_id__in=people)
    found = household_loads(mine, CoverageCount.objects.filter(village_id__in=mine.values("village_id")))
    suggestion.before = {pk: found[pk].households if pk in found else 0 for pk in people}
    dealer = _Dealer(posts, groups, dict(suggestion.before))
    suggestion.home = {pk: groups[i].pk if i is not None else None for pk, i in dealer.home.items()}
    if not posts:
        suggestion.reason = _("%(village)s has no executive member in a current post: nobody to suggest.") % {
            "village": village.display_name
        }
        return suggestion
    if not uncovered:
        suggestion.reason = _("Every household of %(village)s has a responsible executive member.") % {
            "village": village.display_name
        }
        suggestion.after = dict(suggestion.before)
        return suggestion

    by_group: dict[int | None, list[Household]] = {}
    for household in uncovered:
        by_group.setdefault(household.group_id, []).append(household)
    level = _level(list(dealer.load.values()), len(uncovered))
    tolerance = max(2, math.ceil(level * 0.2))
    wholes: dict[int, list[Organisation]] = {}
    spread: list[int | None] = []
    code_of = {group.pk: group.code for group in groups}
    # Step 3: the wholly uncovered groups, largest first.
    for group_id in sorted(by_group, key=lambda g: (-len(by_group[g]), code_of.get(g or 0, ""))):
        members = by_group[group_id]
        if group_id is None or len(members) != sizes.get(group_id):
            spread.append(group_id)
            continue
        post = dealer.taker(dealer.candidates(group_id), group_id, len(members), level + tolerance)
        if post is not None:
            dealer.load[post.person_id] += len(members)
            wholes.setdefault(post.person_id, []).append(next(g for g in groups if g.pk == group_id))
        else:
            spread.append(group_id)
    # Step 4: one household at a time to the least loaded 执委 who may still take one, from the
    # group with the most left per 执委 who may take it (so that one with a choice leaves a
    # scarce group to those who have none), then each one's share of a group is made a run of
    # neighbouring households.
    left: dict[int | None, list[Household]] = {g: list(by_group[g]) for g in spread}
    allowed: dict[int, list[int | None]] = {post.person_id: [] for post in posts}
    for group_id in sorted(spread, key=lambda g: (g is None, code_of.get(g or 0, ""))):
        for post in dealer.candidates(group_id):
            allowed[post.person_id].append(group_id)
    takers = {g: sum(g in allowed[p.person_id] for p in posts) for g in spread}
    shares: dict[int | None, dict[int, int]] = {g: {} for g in spread}
    remaining = sum(len(v) for v in left.values())
    while remaining:
        able = [p for p in posts if any(left[g] for g in allowed[p.person_id])]
        post = min(able, key=lambda p: (dealer.load[p.person_id], dealer.order[p.person_id]))
        home = dealer.home[post.person_id]
        group_id = min(
            (g for g in allowed[post.person_id] if left[g]),
            key=lambda g: (-len(left[g]) / takers[g], g is None or dealer.index[g] != home, code_of.get(g or 0, "")),
        )
        left[group_id].pop()
        remaining -= 1
        dealer.load[post.person_id] += 1
        shares[group_id][post.person_id] = shares[group_id].get(post.person_id, 0) + 1
    dealt: dict[int, list[Household]] = {}
    for group_id in sorted(spread, key=lambda g: (g is None, code_of.get(g or 0, ""))):
        members, start = by_group[group_id], 0
        for post in posts:  # contiguous runs, in the order of the people
            n = shares[group_id].get(post.person_id, 0)
            if n:
                dealt.setdefault(post.person_id, []).extend(members[start : start + n])
                start += n

    for post in posts:
        for group in wholes.get(post.person_id, []):
            suggestion.rows.append(Row(post, [group], Mode.NEARBY, sizes.get(group.pk, 0)))
        households = dealt.get(post.person_id)
        if households:
            mode = Mode.CIRCUIT if len(households) > 1 else Mode.NEARBY
            suggestion.rows.append(Row(post, list(households), mode, len(households)))
    suggestion.after = dict(dealer.load)
    return suggestion


class RowsRefused(ValidationError):
    """The confirmation was refused, nothing written: ``rows`` maps a row's index to its messages
    (``general`` holds those about the whole)."""

    def __init__(self, rows: dict[int, list[str]], general: Sequence[str] = ()) -> None:
        self.rows = rows
        self.general = list(general)
        messages = [*self.general, *(m for ms in rows.values() for m in ms)]
        super().__init__(messages or [_("Nothing was saved.")])


def _stale(village: Organisation, targets: Sequence[Target], on: datetime.date) -> list[str]:
    """Targets that somebody has taken since the suggestion was made (a household of them now
    has a responsible 执委): the suggestion is out of date for them."""
    groups = [t.pk for t in targets if isinstance(t, Organisation)]
    households = [t.pk for t in targets if isinstance(t, Household)]
    taken = (
        Household.objects.filter(village_id=village.pk, archived_at__isnull=True)
        .filter(Q(pk__in=households) | Q(group_id__in=groups))
        .filter(coverage.covered_q(on, [village.pk]))
        .select_related("group")
    )
    messages = []
    for household in taken.order_by("pk")[:5]:
        if household.group_id in groups:
            place = household.group.display_name if household.group else ""
            messages.append(
                _(
                    "%(group)s: since this suggestion was made, %(target)s has been given a responsible "
                    "executive member. Untick it, or make a fresh suggestion."
                )
                % {"group": place, "target": services.target_label(household)}
            )
        else:
            messages.append(
                _(
                    "Since this suggestion was made, %(target)s has been given a responsible executive member. "
                    "Untick it, or make a fresh suggestion."
                )
                % {"target": services.target_label(household)}
            )
    return messages


def suggestion_confirm(
    *, actor: AnyUser, village: Organisation, rows: Sequence[Row], start_date: datetime.date
) -> list[Assignment]:
    """Make the assignments of ``rows`` (a suggestion, as the staff member edited it) from
    ``start_date``, all or nothing: every row goes through ``services.assignment_create``; if
    any row is refused (the rules, an overlap, a target taken since the suggestion was made),
    nothing is written and :class:`RowsRefused` names each refused row."""
    require(actor, "grid.assign", village)
    if not any(row.targets for row in rows):
        raise RowsRefused({}, [_("Nothing to confirm: every row is empty.")])
    errors: dict[int, list[str]] = {}
    made: list[Assignment] = []
    with transaction.atomic():
        for index, row in enumerate(rows):
            if not row.targets or row.post is None:
                continue  # a row the staff member emptied: dropped
            stale = _stale(village, row.targets, start_date)
            if stale:
                errors[index] = stale
                continue
            try:
                with transaction.atomic():
                    made.extend(
                        services.assignment_create(
                            actor=actor,
                            post=row.post,
                            targets=row.targets,
                            mode=row.mode,
                            start_date=start_date,
                            partner=row.partner,
                        )
                    )
            except ValidationError as error:
                errors[index] = error.messages
        if errors:
            raise RowsRefused(errors)  # leaves the transaction: every row made above is undone
    return made
