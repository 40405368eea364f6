"""Partner ratings and comments (docs/roles.md, "Partner ratings and comments").

Partner organisations rate each key factor beside the city; the team sees both side by side, with the
ratings that diverge highlighted (`PartnerRating.diverges_from`), and discusses each key factor in
comments addressed to members. The key factor page (pages.views.factor) and the overview merge the contexts
built here; a refused rating or comment comes back to the key factor page as a Redisplay of this panel.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.http import signed_in_user
from accounts.models import User
from assessments import access, actions
from assessments.forms import CommentForm, PartnerRatingForm, member_label
from assessments.models import Assessment, FactorAssessment, FactorComment, PartnerRating
from benchmarks.models import RatingLevel
from cities.models import Membership, Role
from lib.actions import FieldConflict
from lib.merge import conflict_form_data, conflict_rows, fingerprints
from lib.panels import Redisplay
from lib.text import bdi, sentence

# ---- what the pages show


@dataclass
class PartnerView:
    """One organisation's view of one key factor, as the team sees it beside the city's rating."""

    organisation: str
    rating: PartnerRating | None
    level: RatingLevel | None
    levels_apart: int | None
    divergent: bool


@dataclass
class CommentView:
    comment: FactorComment
    author: str
    addressees: list[str]
    to_you: bool
    can_delete: bool


@dataclass
class Posted:
    """A refused partner rating or comment, shown again in the panel with what was typed."""

    rating_form: PartnerRatingForm | None = None
    conflict: actions.PartnerConflict | None = None
    field_conflicts: list[dict[str, Any]] | None = None
    stored_level: RatingLevel | None = None
    rating_error: str | None = None
    comment_form: CommentForm | None = None
    comment_error: str | None = None


def organisations(assessment: Assessment, members: list[Membership], ratings: list[PartnerRating]) -> list[str]:
    """Current partner organisations (rated or not) and any organisation that rated (even if it left)."""
    names = {m.organisation.strip() for m in members if m.role == Role.PARTNER and m.organisation.strip()}
    return sorted(names | {r.organisation for r in ratings}, key=str.casefold)


def partner_views(
    city_rating: int | None, names: list[str], ratings: list[PartnerRating], by_value: dict[int, RatingLevel]
) -> list[PartnerView]:
    scale = sorted(by_value)
    by_org = {r.organisation: r for r in ratings}
    views = []
    for name in names:
        rating = by_org.get(name)
        level = by_value.get(rating.rating) if rating and rating.rating is not None else None
        apart = rating.levels_apart(city_rating, scale) if rating else None
        divergent = bool(rating and rating.diverges_from(city_rating, scale))
        views.append(PartnerView(name, rating, level, apart, divergent))
    return views


def partner_context(
    request: HttpRequest,
    assessment: Assessment,
    factor: FactorAssessment,
    role: str | None,
    levels: list[RatingLevel],
    posted: Posted | None = None,
) -> dict[str, Any]:
    """The partner views and the discussion of a key factor, with the forms the user may fill in."""
    if not access.is_team(request.user, role):
        return {}
    posted = posted or Posted()
    user = signed_in_user(request)
    members = list(
        Membership.objects.filter(workspace_id=assessment.workspace_id).select_related("user").order_by("created_at")
    )
    by_user = {m.user_id: m for m in members}
    mine = by_user.get(user.pk)
    ratings = list(PartnerRating.objects.filter(factor=factor))
    by_value = {level.value: level for level in levels}
    views = partner_views(factor.rating, organisations(assessment, members, ratings), ratings, by_value)

    rating_form = None
    own = None
    if access.can_rate_as_partner(role) and assessment.is_editable and mine is not None:
        own = next((r for r in ratings if r.organisation == mine.organisation.strip()), None)
        rating_form = posted.rating_form or PartnerRatingForm(
            initial={
                "lock_version": own.lock_version if own else 0,
                "rating": own.rating if own else None,
                "comment": own.comment if own else "",
                "loaded": fingerprints({"rating": own.rating if own else None, "comment": own.comment if own else ""}),
            },
            levels=levels,
        )

    comments = []
    for comment in factor.discussion.select_related("author").prefetch_related("addressed_to"):
        author = by_user.get(comment.author_id) if comment.author_id else None
        comments.append(
            CommentView(
                comment=comment,
                author=_author(comment, author),
                addressees=[
                    member_label(by_user[u.pk]) if u.pk in by_user else bdi(u) for u in comment.addressed_to.all()
                ],
                to_you=any(u.pk == user.pk for u in comment.addressed_to.all()),
                can_delete=comment.deleted_at is None
                and assessment.status in actions.COMMENTABLE
                and access.can_delete_comment(user, role, comment),
            )
        )
    comment_form = None
    if access.can_comment(role) and assessment.status in actions.COMMENTABLE:
        others = [m for m in members if m.user_id != user.pk]
        comment_form = posted.comment_form or CommentForm(members=others)

    return {
        "partner_views": views,
        "divergence_threshold": PartnerRating.divergence_threshold(sorted(by_value)),
        "partner_form": rating_form,
        "partner_organisation": mine.organisation if mine and rating_form else "",
        "partner_conflict": posted.conflict,
        "partner_field_conflicts": posted.field_conflicts,
        "partner_stored_level": posted.stored_level,
        "partner_error": posted.rating_error,
        "comments": comments,
        "comment_form": comment_form,
        "comment_error": posted.comment_error,
        "comments_closed": assessment.status not in actions.COMMENTABLE,
    }


def _author(comment: FactorComment, member: Membership | None) -> str:
    if comment.author is None:
        return _("someone no longer registered")
    if member is None:
        return sentence(_("%(name)s (former member)"), name=comment.author)
    return member_label(member)


@dataclass
class DivergenceRow:
    factor: FactorAssessment
    level: RatingLevel | None
    views: list[PartnerView]

    @property
    def divergent(self) -> bool:
        return any(view.divergent for view in self.views)


def divergence_context(
    request: HttpRequest,
    assessment: Assessment,
    role: str | None,
    factors: Sequence[FactorAssessment],
    levels: dict[int, RatingLevel],
) -> dict[str, Any]:
    """The overview's table of every key factor: the city's rating and each organisation's, side by side."""
    if not access.is_team(request.user, role):
        return {}
    ratings = list(PartnerRating.objects.filter(factor__assessment=assessment))
    partners = list(
        Membership.objects.filter(workspace_id=assessment.workspace_id, role=Role.PARTNER).only("role", "organisation")
    )
    names = organisations(assessment, partners, ratings)
    by_factor: dict[int, list[PartnerRating]] = {}
    for rating in ratings:
        by_factor.setdefault(rating.factor_id, []).append(rating)
    rows = [
        DivergenceRow(
            factor,
            levels.get(factor.rating) if factor.rating is not None else None,
            partner_views(factor.rating, names, by_factor.get(factor.pk, []), levels),
        )
        for factor in factors
    ]
    rated = dict.fromkeys(names, 0)
    for rating in ratings:
        if rating.rating is not None:
            rated[rating.organisation] += 1
    return {
        "partner_organisations": names,
        "divergence_rows": rows,
        "divergent_factors": sum(row.divergent for row in rows),
        "divergence_threshold": PartnerRating.divergence_threshold(sorted(levels)),
        "partner_progress": [(name, rated[name]) for name in names],
    }


# ---- the forms of the panel: each redirects to the key factor page, or re-shows the panel with what went wrong


def _render(
    request: HttpRequest, assessment: Assessment, factor: FactorAssessment, role: str | None, **kw: Any
) -> Redisplay:
    status = kw.pop("status")
    return Redisplay(partner_context(request, assessment, factor, role, levels_of(assessment), Posted(**kw)), status)


def levels_of(assessment: Assessment) -> list[RatingLevel]:
    return assessment.benchmark_version.rating_levels()


def factor_url(assessment: Assessment, factor: FactorAssessment, anchor: str) -> str:
    return reverse("pages:factor", args=[assessment.public_id, factor.key_factor.slug]) + anchor


def rate_as_partner(request: HttpRequest, user: User, assessment_id: UUID, slug: str) -> HttpResponse | Redisplay:
    """A partner saves its organisation's rating and comment of a key factor (draft or reopened only)."""
    assessment, role = access.get_assessment_for_user(user, assessment_id)
    if not access.can_rate_as_partner(role):
        raise Http404
    factor = access.factor_of(assessment, slug)
    levels = levels_of(assessment)
    form = PartnerRatingForm(request.POST, levels=levels)
    if not form.is_valid():
        return _render(request, assessment, factor, role, rating_form=form, status=400)
    try:
        actions.do_rate_as_partner(
            factor,
            by=user,
            expected_version=form.cleaned_data["lock_version"],
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            loaded=form.cleaned_data["loaded"],
            keep=request.POST.getlist("keep"),
        )
    except FieldConflict as conflict:
        kept_form = PartnerRatingForm(
            conflict_form_data(request.POST, conflict, form.cleaned_data["loaded"], prefix="partner"), levels=levels
        )
        kept_form.is_valid()
        words = {level.value: level.number_and_words for level in levels}
        rows = conflict_rows(
            conflict,
            kept_form,
            lambda name, value: words.get(value, _("Not rated yet")) if name == "rating" else value,
        )
        return _render(request, assessment, factor, role, rating_form=kept_form, field_conflicts=rows, status=409)
    except actions.PartnerConflict as conflict:
        # Keep what was typed; the next save, made knowingly, replaces the stored view.
        data = request.POST.copy()
        data["partner-lock_version"] = str(conflict.stored_version)
        kept = PartnerRatingForm(data, levels=levels)
        kept.is_valid()
        stored = conflict.stored["rating"]
        stored_level = next((lvl for lvl in levels if lvl.value == stored), None) if stored is not None else None
        return _render(
            request,
            assessment,
            factor,
            role,
            rating_form=kept,
            conflict=conflict,
            stored_level=stored_level,
            status=409,
        )
    except actions.AssessmentError as error:
        # Refreshed: refused because the assessment was submitted meanwhile, the page shows it read-only.
        assessment, role = access.get_assessment_for_user(user, assessment_id)
        return _render(request, assessment, factor, role, rating_form=form, rating_error=error.message, status=400)
    messages.success(
        request, _("Your organisation's view of “%(factor)s” is saved.") % {"factor": factor.key_factor.title}
    )
    return redirect(factor_url(assessment, factor, "#partner-views"))


def add_comment(request: HttpRequest, user: User, assessment_id: UUID, slug: str) -> HttpResponse | Redisplay:
    """A member (not a viewer) comments on a key factor, addressed to members of the workspace if they like."""
    assessment, role = access.get_assessment_for_user(user, assessment_id)
    if not access.can_comment(role):
        raise Http404
    factor = access.factor_of(assessment, slug)
    others = list(
        Membership.objects.filter(workspace_id=assessment.workspace_id)
        .exclude(user=user)
        .select_related("user")
        .order_by("created_at")
    )
    form = CommentForm(request.POST, members=others)
    if not form.is_valid():
        return _render(request, assessment, factor, role, comment_form=form, status=400)
    try:
        actions.do_add_comment(
            factor,
            by=user,
            body=form.cleaned_data["body"],
            addressees=form.addressees(),
            site_url=request.build_absolute_uri("/"),
        )
    except actions.AssessmentError as error:
        assessment, role = access.get_assessment_for_user(user, assessment_id)
        return _render(request, assessment, factor, role, comment_form=form, comment_error=error.message, status=400)
    messages.success(request, _("Your comment is added."))
    return redirect(factor_url(assessment, factor, "#discussion"))
