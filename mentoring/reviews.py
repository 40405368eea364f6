"""The mentor's work on a shared self-assessment (docs/roles.md, "Mentoring"): a review of each key factor's
rating (agreed, or another level suggested with a reason), the team's answer, and a thread per key factor
between the mentors and the city's team, whose addressees are told by e-mail.

The actions (`do_*`) run in one transaction with the mentorship row locked, record the history and queue
the mail after the commit. The panel (`reviews_panel`) is what the mentor's key factor page
(mentoring.views.reading) and the team's own key factor page (pages.views.factor) show; the forms of the
team's page are handled here (`team_post`) and, refused, come back as a Redisplay of the panel.
`validated_factors` and `factor_reviews` give the diagnostic report the reviews beside the ratings.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import User
from assessments import access as assessment_access
from assessments.forms import member_label
from assessments.models import Assessment, FactorAssessment
from benchmarks.models import RatingLevel
from cities.models import EDITORS, PARTICIPANTS, Membership
from lib.panels import Redisplay
from lib.text import sentence
from mentoring.actions import MentoringError, coordinators_of, locked_mentorship, record
from mentoring.forms_reviews import AnswerForm, ReviewForm, ThreadCommentForm
from mentoring.models import MentorComment, Mentorship, MentorshipEvent, RatingReview
from mentoring.notify import notify

# Mentorships whose reviews and thread the team reads: under way, or ended (what the mentors wrote stays).
SHOWN = (Mentorship.Status.ACTIVE, Mentorship.Status.ENDED)
EXCERPT_CHARS = 300


# ---- links and mail


def team_factor_url(factor: FactorAssessment) -> str:
    return reverse("pages:factor", args=[factor.assessment.public_id, factor.key_factor.slug])


def mentor_factor_url(mentorship: Mentorship, factor: FactorAssessment) -> str:
    return reverse(
        "mentoring:shared_factor", args=[mentorship.public_id, factor.assessment.public_id, factor.key_factor.slug]
    )


def _mail(to: User, template: str, link: str, *, site_url: str, **context: object) -> None:
    notify([to], template, {"link": link, **context}, site_url=site_url)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def _factor(factor: FactorAssessment) -> FactorAssessment:
    """The key factor as stored now (its rating may have changed since the page was read), with what mail says."""
    return FactorAssessment.objects.select_related(
        "key_factor", "assessment__workspace__city", "assessment__benchmark_version"
    ).get(pk=factor.pk)


def _is_shared(mentorship: Mentorship, factor: FactorAssessment) -> bool:
    return mentorship.shared_assessments.alive().filter(pk=factor.assessment_id).exists()


# ---- actions


def do_review(
    mentorship: Mentorship,
    factor: FactorAssessment,
    *,
    by: User,
    verdict: str,
    suggested_rating: int | None,
    reason: str,
    site_url: str,
) -> RatingReview:
    """A named mentor reviews the city's rating of a key factor of a shared assessment: agreed, or another level
    of the version's scale suggested with a reason. One review per mentor and key factor: saving again updates
    it, and the history records what changed. The implementing city's coordinators are told."""
    reason = reason.strip()
    if verdict not in RatingReview.Verdict.values:
        raise MentoringError(_("Say whether you agree with the rating or suggest another level."))
    with transaction.atomic():
        locked = locked_mentorship(mentorship)
        if not locked.is_active or not locked.mentors.filter(pk=by.pk).exists():
            raise MentoringError(_("Only a named mentor of an active mentorship reviews the city's ratings."))
        if not _is_shared(locked, factor):
            raise MentoringError(_("The city does not share this self-assessment with its mentors."))
        current = _factor(factor)
        if current.rating is None:
            raise MentoringError(_("The city has not rated this key factor yet: there is no rating to review."))
        levels = {level.value: level for level in current.assessment.benchmark_version.rating_levels()}
        if verdict == RatingReview.Verdict.SUGGEST:
            if suggested_rating is None or suggested_rating not in levels:
                raise MentoringError(_("Choose a level of this benchmark's rating scale."))
            if suggested_rating == current.rating:
                raise MentoringError(
                    _("This is the city's own rating: agree with it, or suggest a level other than %(level)s.")
                    % {"level": levels[current.rating].number_and_words}
                )
            if not reason:
                raise MentoringError(_("Give the reason for the level you suggest."))
        else:
            suggested_rating = None
        review = RatingReview.objects.select_for_update().filter(mentorship=locked, factor=current, by=by).first()
        before = _review_fields(review) if review else None
        review = review or RatingReview(mentorship=locked, factor=current, by=by)
        review.verdict, review.suggested_rating, review.reason = verdict, suggested_rating, reason
        review.reviewed_rating = current.rating
        after = _review_fields(review)
        if before == after:
            return review
        review.save()
        changes: dict[str, object] = {"key_factor": current.key_factor.slug, "review": str(review.public_id)}
        if before is None:
            changes |= after
        else:
            changes |= {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
        record(locked, MentorshipEvent.Action.REVIEWED, by, **changes)
        link = site_url.rstrip("/") + team_factor_url(current)
        suggested = levels[suggested_rating].number_and_words if suggested_rating is not None else ""
        for person in coordinators_of(locked.mentee):
            _mail(
                person,
                "reviewed",
                link,
                site_url=site_url,
                mentorship=locked,
                mentor=str(by),
                key_factor=current.key_factor.title,
                rating=levels[current.rating].number_and_words,
                agrees=verdict == RatingReview.Verdict.AGREE,
                suggested=suggested,
                reason=_excerpt(reason),
            )
    return review


def _review_fields(review: RatingReview) -> dict[str, object]:
    return {
        "verdict": review.verdict,
        "suggested_rating": review.suggested_rating,
        "reason": review.reason,
        "reviewed_rating": review.reviewed_rating,
    }


def do_answer_review(review: RatingReview, *, by: User, answer: str, site_url: str) -> RatingReview:
    """The team answers a review (its coordinators and contributors, who may change the rating on the key
    factor's own form). The reviewing mentor is told."""
    answer = answer.strip()
    if not answer:
        raise MentoringError(_("Write the team's answer."))
    with transaction.atomic():
        locked = locked_mentorship(review.mentorship)
        if not locked.is_active:
            raise MentoringError(_("This mentorship has ended: its reviews stay as they are."))
        role = Membership.objects.filter(workspace_id=locked.mentee_id, user=by).values_list("role", flat=True).first()
        if role not in EDITORS:
            raise MentoringError(_("The city's coordinators and contributors answer the mentors' reviews."))
        stored = RatingReview.objects.select_for_update(of=("self",)).select_related("by").get(pk=review.pk)
        before = stored.answer
        stored.answer, stored.answered_by, stored.answered_at = answer, by, timezone.now()
        stored.save(update_fields=["answer", "answered_by", "answered_at", "updated_at"])
        factor = _factor(stored.factor)
        record(
            locked,
            MentorshipEvent.Action.ANSWERED,
            by,
            key_factor=factor.key_factor.slug,
            review=str(stored.public_id),
            answer={"from": before, "to": answer} if before else answer,
        )
        if stored.by is not None and stored.by.pk != by.pk:
            _mail(
                stored.by,
                "answered",
                site_url.rstrip("/") + mentor_factor_url(locked, factor),
                site_url=site_url,
                mentorship=locked,
                author=str(by),
                key_factor=factor.key_factor.title,
                excerpt=_excerpt(answer),
            )
    return stored


def _mentor_ids(mentorship: Mentorship) -> set[int]:
    return set(mentorship.mentors.values_list("pk", flat=True))


def do_comment(
    mentorship: Mentorship,
    factor: FactorAssessment,
    *,
    by: User,
    body: str,
    addressees: Iterable[User],
    site_url: str,
) -> MentorComment:
    """A post in the key factor's thread, by a named mentor or a member of the city's team (not a viewer),
    addressed to mentors or members of the city if they like; each addressee is told by e-mail."""
    body = body.strip()
    chosen = list(addressees)
    if not body:
        raise MentoringError(_("Write your comment."))
    with transaction.atomic():
        locked = locked_mentorship(mentorship)
        if not locked.is_active:
            raise MentoringError(_("This mentorship has ended: its threads are closed."))
        mentors = _mentor_ids(locked)
        roles = dict(Membership.objects.filter(workspace_id=locked.mentee_id).values_list("user_id", "role"))
        if by.pk not in mentors and roles.get(by.pk) not in PARTICIPANTS:
            raise MentoringError(_("The mentors and the city's team write in this thread; viewers read it."))
        if not _is_shared(locked, factor):
            raise MentoringError(_("The city does not share this self-assessment with its mentors."))
        if any(person.pk not in mentors and person.pk not in roles for person in chosen):
            raise MentoringError(_("A comment can only be addressed to the mentors and the city's members."))
        current = _factor(factor)
        comment = MentorComment.objects.create(mentorship=locked, factor=current, author=by, body=body)
        comment.addressees.set(chosen)
        for person in chosen:
            if person.pk == by.pk:
                continue
            path = mentor_factor_url(locked, current) if person.pk in mentors else team_factor_url(current)
            _mail(
                person,
                "comment",
                site_url.rstrip("/") + path,
                site_url=site_url,
                mentorship=locked,
                author=str(by),
                key_factor=current.key_factor.title,
                city=current.assessment.workspace.city.name,
                excerpt=_excerpt(body),
            )
    return comment


# ---- what the pages show


@dataclass
class ReviewView:
    review: RatingReview
    mentor: SafeString
    reviewed_level: RatingLevel | None
    suggested_level: RatingLevel | None
    validated: bool  # agreed with the rating the city still gives
    answered_by: SafeString | None = None
    answer_form: AnswerForm | None = None


@dataclass
class ThreadComment:
    comment: MentorComment
    author: SafeString
    addressees: list[SafeString]
    to_you: bool


@dataclass
class MentorshipPanel:
    mentorship: Mentorship
    reviews: list[ReviewView]
    comments: list[ThreadComment]
    review_form: ReviewForm | None = None
    comment_form: ThreadCommentForm | None = None
    error: str | None = None

    @property
    def anchor(self) -> str:
        return f"mentoring-{self.mentorship.public_id}"


@dataclass
class Posted:
    """A refused form of the panel, shown again with what was typed, in the mentorship it was for."""

    mentorship_id: int
    review_form: ReviewForm | None = None
    comment_form: ThreadCommentForm | None = None
    answer_form: AnswerForm | None = None
    answer_to: int | None = None  # the review the answer form is for
    error: str | None = None


def _mentor_label(user: User, city: str, *, with_email: bool = False) -> SafeString:
    name = user.get_full_name()
    if name and with_email:
        return sentence(_("%(name)s (%(email)s) – mentor, %(city)s"), name=name, email=user.email, city=city)
    return sentence(_("%(name)s – mentor, %(city)s"), name=name or user.email, city=city)


def _people(
    mentorships: list[Mentorship], members: list[Membership]
) -> tuple[dict[int, dict[int, Membership]], dict[int, Membership]]:
    """Each mentorship's mentors (their memberships of the mentor city, by user id), in two queries."""
    through = Mentorship.mentors.through.objects.filter(mentorship_id__in=[m.pk for m in mentorships])
    pairs = list(through.values_list("mentorship_id", "user_id"))
    of_mentor_cities = {
        (m.workspace_id, m.user_id): m
        for m in Membership.objects.filter(
            workspace_id__in={m.mentor_id for m in mentorships}, user_id__in={u for _m, u in pairs}
        ).select_related("user")
    }
    mentor_city = {m.pk: m.mentor_id for m in mentorships}
    mentors: dict[int, dict[int, Membership]] = {m.pk: {} for m in mentorships}
    for mentorship_id, user_id in pairs:
        membership = of_mentor_cities.get((mentor_city[mentorship_id], user_id))
        if membership is not None:
            mentors[mentorship_id][user_id] = membership
    return mentors, {m.user_id: m for m in members}


def _label(user: User | None, mentors: dict[int, Membership], team: dict[int, Membership], city: str) -> SafeString:
    if user is None:
        return sentence(_("someone no longer registered"))
    if user.pk in mentors:
        return _mentor_label(user, city)
    if user.pk in team:
        return member_label(team[user.pk])
    return sentence(_("%(name)s (no longer taking part)"), name=user)


def reviews_panel(
    request: HttpRequest,
    assessment: Assessment,
    factor: FactorAssessment,
    user: User,
    *,
    role: str | None = None,
    mentorship: Mentorship | None = None,
    levels: list[RatingLevel] | None = None,
    posted: Posted | None = None,
) -> dict[str, Any]:
    """The reviews of this key factor and its threads, with the forms the user may fill in.

    On the mentor's page (`mentorship` given, its mentor checked by mentoring.access) the one mentorship;
    on the team's page (`role`: the user's role in the city's workspace) every mentorship, active or ended,
    that shares the assessment or wrote about this key factor. Queries do not grow with the reviews or posts."""
    as_mentor = mentorship is not None
    if mentorship is not None:
        mentorships = [mentorship]
    elif assessment_access.is_team(user, role):
        mentorships = list(
            Mentorship.objects.filter(mentee_id=assessment.workspace_id, status__in=SHOWN)
            .filter(Q(shared_assessments=assessment) | Q(reviews__factor=factor) | Q(comments__factor=factor))
            .select_related("mentor__city")
            .distinct()
        )
    else:
        return {}
    if not mentorships:
        return {"mentoring_reviews": []}
    if levels is None:
        levels = assessment.benchmark_version.rating_levels()
    by_value = {level.value: level for level in levels}
    ids = [m.pk for m in mentorships]
    reviews = list(
        RatingReview.objects.filter(mentorship_id__in=ids, factor=factor)
        .select_related("by", "answered_by")
        .order_by("created_at", "pk")
    )
    comments = list(
        MentorComment.objects.filter(mentorship_id__in=ids, factor=factor, deleted_at__isnull=True)
        .select_related("author")
        .prefetch_related("addressees")
    )
    members = list(
        Membership.objects.filter(workspace_id=assessment.workspace_id).select_related("user").order_by("created_at")
    )
    mentors_of, team = _people(mentorships, members)

    panels = []
    for m in mentorships:
        mentors = mentors_of[m.pk]
        city = m.mentor.city.name
        mine = posted if posted is not None and posted.mentorship_id == m.pk else None
        can_answer = not as_mentor and m.is_active and role in EDITORS
        views = []
        for review in (r for r in reviews if r.mentorship_id == m.pk):
            answer_form = None
            if can_answer:
                bound = mine is not None and mine.answer_to == review.pk
                answer_form = mine.answer_form if bound and mine else None
                answer_form = answer_form or AnswerForm(review=review, initial={"answer": review.answer})
            views.append(
                ReviewView(
                    review=review,
                    mentor=_label(review.by, mentors, team, city),
                    reviewed_level=by_value.get(review.reviewed_rating) if review.reviewed_rating is not None else None,
                    suggested_level=by_value.get(review.suggested_rating)
                    if review.suggested_rating is not None
                    else None,
                    validated=review.verdict == RatingReview.Verdict.AGREE
                    and factor.rating is not None
                    and review.reviewed_rating == factor.rating,
                    answered_by=_label(review.answered_by, mentors, team, city) if review.answered_by else None,
                    answer_form=answer_form,
                )
            )
        thread = [
            ThreadComment(
                comment=c,
                author=_label(c.author, mentors, team, city),
                addressees=[_label(u, mentors, team, city) for u in c.addressees.all()],
                to_you=any(u.pk == user.pk for u in c.addressees.all()),
            )
            for c in comments
            if c.mentorship_id == m.pk
        ]
        review_form = None
        if as_mentor and m.is_active and factor.rating is not None:
            own = next((v.review for v in views if v.review.by_id == user.pk), None)
            initial = (
                {"verdict": own.verdict, "suggested_rating": own.suggested_rating, "reason": own.reason} if own else {}
            )
            review_form = (mine.review_form if mine else None) or ReviewForm(initial=initial, levels=levels)
        comment_form = None
        if m.is_active and (as_mentor or role in PARTICIPANTS):
            people = addressable(m, mentors, members, besides=user)
            comment_form = (mine.comment_form if mine else None) or ThreadCommentForm(
                people=people, prefix=f"thread-{m.public_id}"
            )
        panels.append(MentorshipPanel(m, views, thread, review_form, comment_form, mine.error if mine else None))
    return {"mentoring_reviews": panels, "mentoring_as_mentor": as_mentor}


def addressable(
    mentorship: Mentorship, mentors: dict[int, Membership], members: list[Membership], *, besides: User
) -> dict[str, tuple[User, SafeString]]:
    """Whom a post may address: the mentorship's mentors, then the city's members, by membership id."""
    city = mentorship.mentor.city.name
    people = {
        str(m.public_id): (m.user, _mentor_label(m.user, city, with_email=True))
        for m in mentors.values()
        if m.user_id != besides.pk
    }
    people |= {
        str(m.public_id): (m.user, member_label(m, with_email=True))
        for m in members
        if m.user_id != besides.pk and m.user_id not in mentors
    }
    return people


def _people_for(mentorship: Mentorship, assessment: Assessment) -> tuple[dict[int, Membership], list[Membership]]:
    members = list(
        Membership.objects.filter(workspace_id=assessment.workspace_id).select_related("user").order_by("created_at")
    )
    mentors_of, _team = _people([mentorship], members)
    return mentors_of[mentorship.pk], members


# ---- the diagnostic report


@dataclass
class ReportReview:
    review: RatingReview
    mentor: str
    city: str
    suggested_level: RatingLevel | None
    validated: bool


def factor_reviews(
    assessment: Assessment, levels: list[RatingLevel], *, team: bool = True
) -> dict[int, list[ReportReview]]:
    """Every review of the assessment's key factors by the mentors of an active or ended mentorship, by key
    factor id, in one query. Readers outside the team (`team` false) get them only from a published assessment,
    and only from the mentorships whose city chose to publish the reviews too."""
    by_value = {level.value: level for level in levels}
    found: dict[int, list[ReportReview]] = {}
    if not team and assessment.visibility != Assessment.Visibility.PUBLISHED:
        return found
    reviews = RatingReview.objects.filter(factor__assessment=assessment, mentorship__status__in=SHOWN)
    if not team:
        reviews = reviews.filter(mentorship__publishes_reviews=True)
    reviews = reviews.select_related("by", "mentorship__mentor__city", "factor").order_by("created_at", "pk")
    for review in reviews:
        rating = review.factor.rating
        found.setdefault(review.factor_id, []).append(
            ReportReview(
                review=review,
                mentor=str(review.by) if review.by else _("someone no longer registered"),
                city=review.mentorship.mentor.city.name,
                suggested_level=by_value.get(review.suggested_rating) if review.suggested_rating is not None else None,
                validated=review.verdict == RatingReview.Verdict.AGREE
                and rating is not None
                and review.reviewed_rating == rating,
            )
        )
    return found


def validated_factors(assessment: Assessment) -> dict[int, list[RatingReview]]:
    """The key factors whose current rating a mentor agreed with, with those reviews, in one query."""
    found: dict[int, list[RatingReview]] = {}
    for review in (
        RatingReview.objects.filter(
            factor__assessment=assessment,
            mentorship__status__in=SHOWN,
            verdict=RatingReview.Verdict.AGREE,
            factor__rating__isnull=False,
            reviewed_rating=F("factor__rating"),
        )
        .select_related("by", "mentorship__mentor__city")
        .order_by("created_at", "pk")
    ):
        found.setdefault(review.factor_id, []).append(review)
    return found


# ---- the forms: the mentor's page (mentoring.views.reviews) and the team's page (pages.views.factor)


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def post_review(
    request: HttpRequest, user: User, mentorship: Mentorship, assessment: Assessment, factor: FactorAssessment
) -> HttpResponse | Redisplay:
    """A mentor's review, from the mentor's page (mentorship and mentor already checked)."""
    levels = assessment.benchmark_version.rating_levels()
    form = ReviewForm(request.POST, levels=levels)

    def again(error: str | None = None) -> Redisplay:
        posted = Posted(mentorship.pk, review_form=form, error=error)
        return Redisplay(
            reviews_panel(request, assessment, factor, user, mentorship=mentorship, levels=levels, posted=posted), 400
        )

    if not form.is_valid():
        return again()
    try:
        do_review(
            mentorship,
            factor,
            by=user,
            verdict=form.cleaned_data["verdict"],
            suggested_rating=form.cleaned_data["suggested_rating"],
            reason=form.cleaned_data["reason"],
            site_url=_site(request),
        )
    except MentoringError as error:
        return again(error.message)
    messages.success(request, _("Your review of “%(factor)s” is saved.") % {"factor": factor.key_factor.title})
    return redirect(mentor_factor_url(mentorship, factor) + f"#mentoring-{mentorship.public_id}")


def post_comment(
    request: HttpRequest,
    user: User,
    mentorship: Mentorship,
    assessment: Assessment,
    factor: FactorAssessment,
    *,
    as_mentor: bool,
    role: str | None = None,
) -> HttpResponse | Redisplay:
    mentors, members = _people_for(mentorship, assessment)
    form = ThreadCommentForm(
        request.POST,
        people=addressable(mentorship, mentors, members, besides=user),
        prefix=f"thread-{mentorship.public_id}",
    )

    def again(error: str | None = None) -> Redisplay:
        posted = Posted(mentorship.pk, comment_form=form, error=error)
        shown = mentorship if as_mentor else None
        return Redisplay(
            reviews_panel(request, assessment, factor, user, role=role, mentorship=shown, posted=posted), 400
        )

    if not form.is_valid():
        return again()
    try:
        do_comment(
            mentorship,
            factor,
            by=user,
            body=form.cleaned_data["body"],
            addressees=form.addressees(),
            site_url=_site(request),
        )
    except MentoringError as error:
        return again(error.message)
    messages.success(request, _("Your comment is added."))
    page = mentor_factor_url(mentorship, factor) if as_mentor else team_factor_url(factor)
    return redirect(page + f"#mentoring-{mentorship.public_id}")


TEAM_FORM = "mentoring_form"  # the hidden field that sends a POST of the team's key factor page here


def is_team_post(request: HttpRequest) -> bool:
    return TEAM_FORM in request.POST


def _uuid(value: str | None) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise Http404 from None


def team_post(request: HttpRequest, user: User, assessment_id: UUID, slug: str) -> HttpResponse | Redisplay:
    """A form of the panel on the team's key factor page: a post in a mentorship's thread (the team but its
    viewers), or the answer to a review (coordinators and contributors), while the mentorship is active."""
    assessment, role = assessment_access.get_assessment_for_user(user, assessment_id)
    if role is None:
        raise Http404
    factor = assessment_access.factor_of(assessment, slug)
    kind = request.POST.get(TEAM_FORM)
    if kind == "comment":
        mentorship = (
            Mentorship.objects.active()
            .filter(public_id=_uuid(request.POST.get("mentorship")), mentee_id=assessment.workspace_id)
            .filter(shared_assessments=assessment)
            .select_related("mentor__city", "mentee__city")
            .first()
        )
        if mentorship is None or role not in PARTICIPANTS:
            raise Http404
        return post_comment(request, user, mentorship, assessment, factor, as_mentor=False, role=role)
    if kind == "answer":
        review = (
            RatingReview.objects.filter(
                public_id=_uuid(request.POST.get("review")),
                factor=factor,
                mentorship__status=Mentorship.Status.ACTIVE,
            )
            .select_related("mentorship__mentor__city", "mentorship__mentee__city")
            .first()
        )
        if review is None or role not in EDITORS:
            raise Http404
        form = AnswerForm(request.POST, review=review)
        error = None
        if form.is_valid():
            try:
                do_answer_review(review, by=user, answer=form.cleaned_data["answer"], site_url=_site(request))
            except MentoringError as refused:
                error = refused.message
            else:
                messages.success(request, _("Your answer to the review is saved."))
                return redirect(team_factor_url(factor) + f"#mentoring-{review.mentorship.public_id}")
        posted = Posted(review.mentorship_id, answer_form=form, answer_to=review.pk, error=error)
        return Redisplay(reviews_panel(request, assessment, factor, user, role=role, posted=posted), 400)
    raise Http404
