from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.core.api import ArchivableRowsMixin, ReasonSerializer, ScopedViewSetMixin
from fulian.core.api_fields import RevealedSerializer, RevealSerializer
from fulian.core.drf import LookaheadPagination
from fulian.core.scoping import get_visible_or_404
from fulian.people import selectors, services
from fulian.people.api.serializers import (
    ChangeoverSerializer,
    PersonSerializer,
    PersonWriteSerializer,
    PostCreateSerializer,
    PostEndSerializer,
    PostSerializer,
    TermOpenSerializer,
    TermSerializer,
)
from fulian.people.choices import PersonKind, PostKind
from fulian.people.forms import PersonFilterForm
from fulian.people.models import Person, Post, Term

FILTERS = [
    OpenApiParameter("q", str, description="Name (from its start), pinyin (zth), mobile or ID number (exact)"),
    OpenApiParameter("org", str, description="Division code: only people at or below this organisation"),
    OpenApiParameter("kind", str, enum=PersonKind.values),
    OpenApiParameter("post", str, enum=PostKind.values, description="People holding a current post of this kind"),
    OpenApiParameter("term", int, description="People who held a post in this term (第N届) of their federation"),
    OpenApiParameter("archived", str, enum=["1"], description="The archived records instead of the current ones"),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class PersonViewSet(
    ArchivableRowsMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """People (执委, 骨干, volunteers) in the caller's subtree; ID and mobile masked. The list
    holds current records (``archived=1``: the archived ones); a record is found by its id
    either way."""

    scoped_model = Person
    filter_form = PersonFilterForm
    serializer_class = PersonSerializer
    pagination_class = LookaheadPagination

    def refine_queryset(self, queryset: QuerySet[Person]) -> QuerySet[Person]:
        if self.action == "list":
            return selectors.filter_people(queryset, self.list_filters(), user=self.request.user)  # type: ignore[arg-type]
        return selectors.filter_people(queryset, {}, user=self.request.user).select_related("archived_by")  # type: ignore[arg-type]

    @extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer})
    def create(self, request: Request) -> Response:
        data = dict(self.validated(PersonWriteSerializer))
        person = services.person_create(actor=request.user, org=data.pop("org"), values=data)
        return Response(PersonSerializer(self._reload(person)).data, status=201)

    @extend_schema(request=PersonWriteSerializer, responses={200: PersonSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        person = get_visible_or_404(Person.objects.with_archived(), request.user, pk=pk, action="people.change")
        payload = PersonWriteSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        services.person_update(actor=request.user, person=person, org=data.pop("org", None), values=data)
        return Response(PersonSerializer(self._reload(person)).data)

    @extend_schema(request=RevealSerializer, responses={200: RevealedSerializer})
    @action(detail=True, methods=["post"], url_path="reveal")
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The full ID or mobile number; recorded in the audit log."""
        person = get_visible_or_404(Person.objects.with_archived(), request.user, pk=pk, action="people.reveal")
        field = self.validated(RevealSerializer)["field"]
        return Response(
            {"field": field, "value": services.person_reveal(actor=request.user, person=person, field=field)}
        )

    @extend_schema(request=ReasonSerializer, responses={200: PersonSerializer})
    @action(detail=True, methods=["post"], url_path="archive")
    def archive(self, request: Request, pk: str | None = None) -> Response:
        """Archive a person (gone from lists, kept in history); her current posts end today."""
        person = get_visible_or_404(Person.objects.with_archived(), request.user, pk=pk, action="people.change")
        reason = self.validated(ReasonSerializer)["reason"]
        services.person_archive(actor=request.user, person=person, reason=reason)
        return Response(PersonSerializer(self._reload(person)).data)

    @extend_schema(request=ReasonSerializer, responses={200: PersonSerializer})
    @action(detail=True, methods=["post"], url_path="restore")
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Bring an archived person back onto the lists; ended posts stay ended."""
        person = get_visible_or_404(Person.objects.with_archived(), request.user, pk=pk, action="people.change")
        reason = self.validated(ReasonSerializer)["reason"]
        services.person_restore(actor=request.user, person=person, reason=reason)
        return Response(PersonSerializer(self._reload(person)).data)

    @extend_schema(request=ReasonSerializer, responses={200: PersonSerializer})
    @action(detail=True, methods=["post"], url_path="erase")
    def erase(self, request: Request, pk: str | None = None) -> Response:
        """Erase a person for good (a personal-information deletion request): administrators
        only; irreversible; her posts stay as anonymous history."""
        person = get_visible_or_404(Person.objects.with_archived(), request.user, pk=pk, action="people.erase")
        reason = self.validated(ReasonSerializer)["reason"]
        services.person_erase(actor=request.user, person=person, reason=reason)
        return Response(PersonSerializer(self._reload(person)).data)

    def _reload(self, person: Person) -> Person:
        return (
            selectors.filter_people(Person.objects.filter(pk=person.pk), {}, user=self.request.user)  # type: ignore[arg-type]
            .select_related("archived_by")
            .get()
        )


class PostViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Posts (主席, 副主席, 兼职副主席, 执委) in the caller's subtree; ``current=1`` for the
    posts held now, ``org`` for one federation's committee."""

    scoped_model = Post
    serializer_class = PostSerializer
    pagination_class = LookaheadPagination  # posts accumulate with every term: no count

    def refine_queryset(self, queryset: QuerySet[Post]) -> QuerySet[Post]:
        params = self.request.query_params
        if self.action == "list":
            if params.get("org"):
                queryset = queryset.filter(org__code=params["org"])
            current = params.get("current", "")
            if current not in ("", "1"):
                raise ValidationError({"current": [_("Use 1 for the posts held now, or leave it out.")]})
            if current:
                queryset = queryset.filter(end_date__isnull=True)
            person = self.visible_param("person", Person, label=_("person"))
            if person is not None:
                queryset = queryset.filter(person=person)
        return queryset.select_related("person", "org", "term").order_by("id")

    @extend_schema(
        parameters=[
            OpenApiParameter("org", str, description="Division code of the federation"),
            OpenApiParameter("current", str, enum=["1"], description="Only posts held now"),
            OpenApiParameter("person", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PostCreateSerializer, responses={201: PostSerializer})
    def create(self, request: Request) -> Response:
        values = self.validated(PostCreateSerializer)
        person = self.visible_field("person", values["person"], Person, label=_("person"))
        post = services.post_assign(
            actor=request.user,
            person=person,
            org=values["org"],
            kind=values["kind"],
            start_date=values["start_date"],
            is_representative=values["is_representative"],
        )
        return Response(PostSerializer(post).data, status=201)

    @extend_schema(request=PostEndSerializer, responses={200: PostSerializer})
    @action(detail=True, methods=["post"], url_path="end")
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End a post; it stays in the person's history."""
        post = get_visible_or_404(Post.objects, request.user, pk=pk, action="people.change")
        data = self.validated(PostEndSerializer)
        return Response(PostSerializer(services.post_end(actor=request.user, post=post, on=data["end_date"])).data)


class TermViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Terms (届) of the federations in the caller's subtree."""

    scoped_model = Term
    serializer_class = TermSerializer

    def refine_queryset(self, queryset: QuerySet[Term]) -> QuerySet[Term]:
        if self.action == "list" and self.request.query_params.get("org"):
            queryset = queryset.filter(org__code=self.request.query_params["org"])
        return queryset.select_related("org").order_by("org__path", "-number")

    @extend_schema(parameters=[OpenApiParameter("org", str, description="Division code of the federation")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TermOpenSerializer, responses={201: TermSerializer})
    def create(self, request: Request) -> Response:
        """Open the first term of a federation."""
        term = services.term_open(actor=request.user, **self.validated(TermOpenSerializer))
        return Response(TermSerializer(term).data, status=201)

    @extend_schema(request=ChangeoverSerializer, responses={201: TermSerializer})
    @action(detail=False, methods=["post"], url_path="changeover")
    def changeover(self, request: Request) -> Response:
        """换届: end the open term and its posts, open the next, carry over the posts listed."""
        values = self.validated(ChangeoverSerializer)
        carry = Post.objects.visible_to(request.user).filter(pk__in=values["carry_over"]).select_related("person")
        term = services.term_changeover(
            actor=request.user, org=values["org"], on=values["on"], end_date=values.get("end_date"), carry_over=carry
        )
        return Response(TermSerializer(term).data, status=201)
