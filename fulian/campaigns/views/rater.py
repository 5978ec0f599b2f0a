"""Scoring on site, on a phone (issue 12, point 3): a rater's list of households to score and
the score sheet, one tap per item, with photos, a comment, the time and the position.

The sheet page works as a plain form (one field per item, ``item_<id>``; photos as
``photo_<id>`` and ``photo_sheet``) and, with its script, keeps a draft on the phone and sends
it with ``fetch`` (``values`` as JSON), answered in JSON. Both go to ``sheet_submit``; the
sheet's ``client_key`` makes a retry after a dropped connection arrive once.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from PIL import Image, UnidentifiedImageError

from fulian.accounts.http import AuthedRequest
from fulian.campaigns.choices import ItemKind, SheetStatus
from fulian.campaigns.models import RaterAssignment, RubricItem, ScoreSheet
from fulian.campaigns.rubrics import score_sheet
from fulian.campaigns.selectors import my_assignments, reminders_for
from fulian.campaigns.services import scoring
from fulian.campaigns.services.common import today
from fulian.core.paging import page_of
from fulian.core.photos import MAX_UPLOAD_BYTES
from fulian.core.scoping import AnyUser
from fulian.people.models import Person

MINE_PER_PAGE = 50
HALF = Decimal("0.5")
# Points items up to this maximum get a button per half point; above it, a button per point
# and a "+½" switch (fewer buttons to read, one tap for the usual whole points).
HALF_STEP_MAX = 5


@require_GET
def my_sheets(request: AuthedRequest) -> HttpResponse:
    """A rater's households to score, on her phone."""
    page = page_of(my_assignments(request.user), request.GET, MINE_PER_PAGE)
    on = today()
    for row in page.items:
        row.overdue = not row.done and row.stage.deadline < on
    left = sum(1 for row in page.items if not row.done)
    # The federation's reminders of her overdue households (staff press "remind" on progress).
    reminded = [a for person in Person.objects.filter(account=request.user) for a in reminders_for(person, on)]
    context = {"page": page, "left": left, "reminded": reminded}
    return render(request, "campaigns/rater/my_sheets.html", context)


def _assignment_for(user: AnyUser, pk: int) -> RaterAssignment:
    """Her own assignment, or one the user may review (staff entering a paper sheet); else 404."""
    own = RaterAssignment.objects.visible_to(user, "campaigns.score").filter(person__account_id=user.pk)
    reviewed = RaterAssignment.objects.visible_to(user, "campaigns.review")
    found = (own | reviewed).filter(pk=pk).select_related("stage__campaign__rubric", "entry__household__org", "person")
    assignment = found.first()
    if assignment is None:
        raise Http404(_("Not found."))
    return assignment


@dataclass
class ItemRow:
    """One rubric item as the sheet shows it, with the value entered and its errors."""

    item: RubricItem
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    half: bool = False
    half_switch: bool = False
    errors: list[str] = field(default_factory=list)


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _choices(item: RubricItem) -> list[tuple[str, str]]:
    maximum = Decimal(item.max_points)
    step = HALF if maximum <= HALF_STEP_MAX else Decimal(1)
    found = []
    value = Decimal(0)
    while value <= maximum:
        found.append((_number(value), _number(value)))
        value += step
    return found


def _uses_half_switch(item: RubricItem) -> bool:
    return item.kind == ItemKind.POINTS and Decimal(item.max_points) > HALF_STEP_MAX


def values_from_fields(items: list[RubricItem], data: Mapping[str, Any]) -> dict[str, Any]:
    """The service's values from a plain form: ``item_<id>`` holds the points (with
    ``item_<id>_half`` adding half a point), the number of faults, ``yes``/``no`` for a veto,
    or ``na``. What cannot be read is passed on as it is, for the service to name."""
    values: dict[str, Any] = {}
    for item in items:
        raw = str(data.get(f"item_{item.pk}", "")).strip()
        key = str(item.pk)
        if raw == "na" or data.get(f"item_{item.pk}_na"):
            values[key] = {"na": True}
        elif item.kind == ItemKind.VETO:
            values[key] = {"hit": raw == "yes"} if raw in ("yes", "no", "") else {"hit": raw}
        elif item.kind == ItemKind.DEDUCTION:
            try:
                values[key] = {"faults": int(raw or 0)}
            except ValueError:
                values[key] = {"faults": raw}
        elif raw:
            try:
                points = Decimal(raw) + (HALF if data.get(f"item_{item.pk}_half") else 0)
                values[key] = {"v": _number(points)}
            except ArithmeticError:
                values[key] = {"v": raw}
        else:
            values[key] = {}
    return values


def _field_value(item: RubricItem, value: Any) -> tuple[str, bool]:
    """What the form shows for a stored value: the field's value and the "+½" switch."""
    if not isinstance(value, Mapping):
        return "", False
    if value.get("na"):
        return "na", False
    if item.kind == ItemKind.VETO:
        return ("yes" if value.get("hit") is True else "no"), False
    if item.kind == ItemKind.DEDUCTION:
        return str(value.get("faults", 0)), False
    raw = value.get("v")
    if raw in (None, ""):
        return "", False
    try:
        points = Decimal(str(raw))
    except ArithmeticError:
        return "", False
    if _uses_half_switch(item) and points % 1:
        return _number(points - HALF), True
    return _number(points), False


def item_errors(items: list[RubricItem], values: Mapping[str, Any]) -> dict[int, list[str]]:
    """Each item's problems, scored one at a time (the service says the same for the sheet, but
    as one list; here each message lands beside its item)."""
    found: dict[int, list[str]] = {}
    for item in items:
        try:
            score_sheet([item], {str(item.pk): values.get(str(item.pk)) or {}})
        except ValidationError as error:
            found[item.pk] = list(error.messages)
    return found


def _photos(
    request: AuthedRequest, items: list[RubricItem]
) -> tuple[list[tuple[int | None, UploadedFile]], dict[str, list[str]]]:
    """The photos sent (``photo_<item id>`` or ``photo_sheet``), and the plainly wrong ones by
    item (a file too large, not an image), found before anything is stored or re-encoded."""
    ids = {str(item.pk): item.pk for item in items}
    photos: list[tuple[int | None, UploadedFile]] = []
    errors: dict[str, list[str]] = {}
    for name in request.FILES:
        key = name.removeprefix("photo_")
        if not name.startswith("photo_") or (key != "sheet" and key not in ids):
            continue
        for upload in request.FILES.getlist(name):
            problem = _photo_problem(upload)
            if problem:
                errors.setdefault(key, []).append(f"{upload.name}: {problem}")
            photos.append((ids.get(key), upload))
    return photos, errors


def _photo_problem(upload: UploadedFile) -> str:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        return _("The photo is %(size)s MB; photos of up to %(limit)d MB can be uploaded.") % {
            "size": f"{upload.size / 1024 / 1024:.1f}",
            "limit": MAX_UPLOAD_BYTES // 1024 // 1024,
        }
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return _("This file is not a photo (JPEG, PNG, HEIC saved as JPEG, WebP).")
    finally:
        upload.seek(0)
    return ""


def _scored_at(raw: str) -> datetime.datetime | None:
    """The time the rater gave (her phone's local time, in the site's time zone), or None."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"scored_at": _("The time of scoring is not readable.")}) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _wants_json(request: AuthedRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _error_lists(error: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    if hasattr(error, "error_dict"):
        fields = {name: [m for e in errs for m in e.messages] for name, errs in error.error_dict.items()}
        return fields, fields.pop("__all__", [])
    return {}, list(error.messages)


def _submit(request: AuthedRequest, assignment: RaterAssignment, items: list[RubricItem]) -> dict[str, Any]:
    """Read the sheet sent, check it item by item, and submit it. Returns ``{"sheet": …}`` or
    the errors: ``items`` (by item id), ``fields`` (comment, time, position, photos) and ``form``."""
    data = request.POST
    if "values" in data:
        try:
            values = json.loads(data["values"])
        except ValueError:
            values = None
        if not isinstance(values, dict):
            return {"values": {}, "form": [_("The scores sent are not readable; send the sheet again.")]}
    else:
        values = values_from_fields(items, data)
    photos, photo_errors = _photos(request, items)
    errors: dict[str, Any] = {"values": values, "items": {}, "fields": {}, "form": []}
    by_item = item_errors(items, values)
    for key, messages in photo_errors.items():
        if key == "sheet":
            errors["fields"]["photos"] = messages
        else:
            by_item.setdefault(int(key), []).extend(messages)
    errors["items"] = {str(k): v for k, v in by_item.items()}
    if by_item or photo_errors:
        return errors
    try:
        sheet, _created = scoring.sheet_submit(
            actor=request.user,
            assignment=assignment,
            values=values,
            comment=data.get("comment", ""),
            scored_at=_scored_at(data.get("scored_at", "")),
            latitude=data.get("latitude") or None,
            longitude=data.get("longitude") or None,
            client_key=data.get("client_key") or None,
            photos=photos,
        )
    except ValidationError as error:
        errors["fields"], errors["form"] = _error_lists(error)
        return errors
    except PermissionDenied as denied:
        errors["form"] = [str(denied)]
        return errors
    return {"sheet": sheet}


def _rows(items: list[RubricItem], values: Mapping[str, Any], errors: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """The rubric's sections with their item rows, in order."""
    sections: list[dict[str, Any]] = []
    for item in items:
        if not sections or sections[-1]["section"].pk != item.section_id:
            sections.append({"section": item.section, "rows": []})
        value, half = _field_value(item, values.get(str(item.pk)) if values else None)
        if not value and item.kind == ItemKind.DEDUCTION:
            value = "0"
        if not value and item.kind == ItemKind.VETO:
            value = "no"
        row = ItemRow(
            item=item,
            choices=_choices(item) if item.kind == ItemKind.POINTS else [],
            value=value,
            half=half,
            half_switch=_uses_half_switch(item),
            errors=list(errors.get(str(item.pk), [])),
        )
        sections[-1]["rows"].append(row)
    return sections


@require_http_methods(["GET", "POST"])
def score(request: AuthedRequest, pk: int) -> HttpResponse:
    """The score sheet of one assignment: GET shows it, POST submits it (a plain form, or the
    page's script asking for JSON)."""
    assignment = _assignment_for(request.user, pk)
    items = list(RubricItem.objects.filter(rubric_id=assignment.stage.campaign.rubric_id).select_related("section"))
    stored = assignment.sheets.filter(status=SheetStatus.SUBMITTED).first()
    if request.method == "GET" and stored is not None:
        return redirect("campaigns:score_done", pk=stored.pk)
    context: dict[str, Any] = {"assignment": assignment, "household": assignment.entry.household}
    status = 200
    values: Mapping[str, Any] = {}
    errors: dict[str, Any] = {"items": {}, "fields": {}, "form": []}
    if request.method == "POST":
        outcome = _submit(request, assignment, items)
        if "sheet" in outcome:
            done = reverse("campaigns:score_done", kwargs={"pk": outcome["sheet"].pk})
            if _wants_json(request):
                return JsonResponse({"ok": True, "redirect": done})
            return redirect(done)
        if _wants_json(request):
            return JsonResponse(
                {
                    "ok": False,
                    "items": outcome.get("items", {}),
                    "fields": outcome.get("fields", {}),
                    "form": outcome["form"],
                },
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        status = 400
        values = outcome.get("values") or {}
        errors = {"items": outcome.get("items", {}), "fields": outcome.get("fields", {}), "form": outcome["form"]}
    on = today()
    context |= {
        "sections": _rows(items, values, errors["items"]),
        "errors": errors,
        "comment": request.POST.get("comment", "") if request.method == "POST" else "",
        "scored_at": request.POST.get("scored_at")
        if request.method == "POST"
        else timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "client_key": request.POST.get("client_key") if request.method == "POST" else str(uuid.uuid4()),
        "overdue": assignment.stage.deadline < on,
        "is_own": assignment.person.account_id == request.user.pk,
        "rubric_data": {
            "assignment": assignment.pk,
            "items": [
                {
                    "id": item.pk,
                    "kind": item.kind,
                    "max": str(item.max_points),
                    "per_fault": str(item.per_fault or 0),
                    "na": item.allow_na,
                    "half": _uses_half_switch(item),
                }
                for item in items
            ],
        },
    }
    return render(request, "campaigns/rater/score.html", context, status=status)


@require_GET
def score_done(request: AuthedRequest, pk: int) -> HttpResponse:
    """The confirmation of a submitted sheet (her own, or one the user may review)."""
    own = ScoreSheet.objects.visible_to(request.user, "campaigns.score").filter(rater__account_id=request.user.pk)
    reviewed = ScoreSheet.objects.visible_to(request.user, "campaigns.review")
    sheet = (
        (own | reviewed)
        .filter(pk=pk)
        .select_related("entry__household__org", "stage__campaign")
        .annotate(photo_count=Count("photos"))
        .first()
    )
    if sheet is None:
        raise Http404(_("Not found."))
    return render(request, "campaigns/rater/score_done.html", {"sheet": sheet, "household": sheet.entry.household})


urlpatterns: list[URLPattern] = [
    path("mine/", my_sheets, name="my_sheets"),
    path("assignments/<int:pk>/score/", score, name="score"),
    path("sheets/<int:pk>/done/", score_done, name="score_done"),
]
