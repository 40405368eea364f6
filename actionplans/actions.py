"""State changes of action plans. Each runs in one transaction with the plan row locked
(`select_for_update`, so writes to one plan are serialised) and the rows it checks locked too, and
leaves an ActionPlanEvent (who, when, what changed)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from actionplans.access import PLANNABLE
from actionplans.models import Action, ActionPlan, ActionPlanEvent, Indicator, ProgressUpdate
from assessments.models import Assessment, ContextNote, QuestionAnswer
from assessments.results import FactorResult, build_results
from benchmarks.models import KeyFactor
from lib.actions import Conflict, Refused
from lib.models import merge_autosave


class PlanError(Refused):
    """A refused change to an action plan."""


@dataclass
class ActionFields:
    """What an editor sets on an action (never the plan, position or who: those come from the server)."""

    title: str
    description: str = ""
    owner: str = ""
    partners: str = ""
    start: date | None = None
    end: date | None = None
    resources: str = ""
    budget: Decimal | None = None
    funding_source: str = ""
    competence: str = ""
    status: str = Action.Status.PLANNED
    key_factors: list[int] = field(default_factory=list)  # KeyFactor ids


@dataclass
class IndicatorFields:
    name: str
    baseline: Decimal | None = None
    target: Decimal | None = None
    current: Decimal | None = None
    unit: str = ""
    due: date | None = None


TEXTS = ("title", "description", "owner", "partners", "resources", "funding_source")


def _shown(value: Any) -> Any:
    """A value as the history stores it (JSON): dates in ISO form, decimals as text without trailing zeros."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value.normalize())
    return value


def _lock_plan(plan: ActionPlan) -> ActionPlan:
    return ActionPlan.objects.select_for_update().get(pk=plan.pk)


def _event(plan: ActionPlan, by: User, action: str, changes: dict[str, Any]) -> ActionPlanEvent:
    return ActionPlanEvent.objects.create(plan=plan, by=by, action=action, changes=changes)


def _touch(plan: ActionPlan) -> None:
    plan.lock_version += 1
    plan.save(update_fields=["lock_version", "updated_at"])


# ---- the plan


def prompts_text(result: FactorResult) -> str:
    """The description of a drafted action: the guide questions answered "no" or "partly", verbatim,
    marked as the benchmark's prompts (the team replaces them with what it will do)."""
    prompts = result.prompts()
    if not prompts:
        return ""
    lines = [
        _("Prompts from the benchmark (guide questions of this key factor answered “no” or “partly”):"),
    ]
    for answer in prompts:
        label = QuestionAnswer.Answer(answer.answer).label
        lines.append(f"- {answer.question.number}. {answer.question.text} ({_('answered')}: {label})")
    return "\n".join(lines)


def do_start_plan(assessment: Assessment, *, by: User) -> ActionPlan:
    """The plan drafted from the priority gaps: one action per gap (furthest from the standard first),
    titled after its key factor, addressing it, with the guide questions answered "no" or "partly" as
    prompts in its description. Only for a submitted or finalised assessment, once."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.deleted_at is not None:
            raise PlanError(_("This assessment is deleted."))
        if locked.status not in PLANNABLE:
            raise PlanError(_("Submit the assessment first: the plan starts from its results."))
        if ActionPlan.objects.filter(assessment=locked).exists():
            raise PlanError(_("This assessment has an action plan already."))
        try:
            with transaction.atomic():
                plan = ActionPlan.objects.create(assessment=locked, created_by=by)
        except IntegrityError:
            raise PlanError(_("This assessment has an action plan already.")) from None
        locked.benchmark_version = assessment.benchmark_version
        gaps = build_results(locked).priority_gaps()
        actions = Action.objects.bulk_create(
            Action(
                plan=plan,
                position=n,
                title=result.factor.key_factor.title[:300],
                description=prompts_text(result),
                updated_by=by,
            )
            for n, result in enumerate(gaps, start=1)
        )
        Action.key_factors.through.objects.bulk_create(
            Action.key_factors.through(action_id=action.pk, keyfactor_id=result.factor.key_factor_id)
            for action, result in zip(actions, gaps, strict=True)
        )
        _event(plan, by, ActionPlanEvent.Action.STARTED, {"gaps": [r.factor.key_factor.slug for r in gaps]})
        return plan


# ---- actions


def _action_state(action: Action, key_factor_slugs: list[str]) -> dict[str, Any]:
    state = {name: _shown(getattr(action, name)) for name in (*TEXTS, "start", "end", "budget")}
    state |= {"competence": action.competence, "status": action.status, "key_factors": sorted(key_factor_slugs)}
    return state


def _check_fields(plan: ActionPlan, fields: ActionFields) -> dict[int, KeyFactor]:
    if not fields.title.strip():
        raise PlanError(_("Give the action a title."))
    if fields.start and fields.end and fields.end < fields.start:
        raise PlanError(_("The end cannot be before the start."))
    if fields.budget is not None and fields.budget < 0:
        raise PlanError(_("The budget cannot be negative."))
    if fields.status not in Action.Status.values:
        raise PlanError(_("Choose one of the listed statuses."))
    if fields.competence and fields.competence not in ContextNote.Competence.values:
        raise PlanError(_("Choose one of the listed levels of government."))
    version_id = plan.assessment.benchmark_version_id
    factors = {kf.pk: kf for kf in KeyFactor.objects.filter(version_id=version_id, pk__in=fields.key_factors)}
    if len(factors) != len(set(fields.key_factors)):
        raise PlanError(_("Choose key factors of this benchmark."))
    return factors


def do_add_action(plan: ActionPlan, *, by: User, title: str) -> Action:
    """A new action at the end of the plan; the team fills it in on its page."""
    title = title.strip()
    if not title:
        raise PlanError(_("Give the action a title."))
    with transaction.atomic():
        locked = _lock_plan(plan)
        last = Action.objects.alive().filter(plan=locked).aggregate(last=Max("position"))["last"] or 0
        action = Action.objects.create(plan=locked, position=last + 1, title=title[:300], updated_by=by)
        _touch(locked)
        _event(locked, by, ActionPlanEvent.Action.ACTION_ADDED, {"action": str(action.public_id), "title": title})
        return action


def do_save_action(
    action: Action, fields: ActionFields, *, by: User, expected_version: int, save_id: UUID | None = None
) -> Action:
    """Saves an action's fields and the key factors it addresses.

    Raises Conflict when the action changed since `expected_version` was read (optimistic locking), with
    the stored and the submitted state. `save_id` marks an autosave (static/js/autosave.js): a replay of
    the last applied save_id changes nothing; autosaves of one person within AUTOSAVE_MERGE, when nobody
    else saved meanwhile, are merged into one history event (as assessments.actions.do_save_factor does).
    """
    for name in TEXTS:
        setattr(fields, name, getattr(fields, name).strip())
    with transaction.atomic():
        plan = _lock_plan(action.plan)
        plan.assessment = action.plan.assessment
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if locked.deleted_at is not None:
            raise PlanError(_("This action was removed; restore it first."))
        if save_id is not None and locked.last_save_id == save_id:
            return locked
        slugs = list(locked.key_factors.order_by("slug").values_list("slug", flat=True))
        before = _action_state(locked, slugs)
        factors = _check_fields(plan, fields)
        new_slugs = [kf.slug for kf in factors.values()]
        for name in (*TEXTS, "start", "end", "budget", "competence", "status"):
            setattr(locked, name, getattr(fields, name))
        submitted = _action_state(locked, new_slugs)
        if locked.lock_version != expected_version:
            stored = Action.objects.get(pk=locked.pk)
            raise Conflict(stored=_action_state(stored, slugs), submitted=submitted, stored_version=stored.lock_version)
        previous_editor = locked.updated_by_id
        locked.lock_version += 1
        locked.updated_by = by
        locked.last_save_id = save_id
        locked.save()
        if sorted(new_slugs) != slugs:
            locked.key_factors.set(list(factors.values()))
        _touch(plan)
        changes = {k: {"from": before[k], "to": submitted[k]} for k in submitted if before[k] != submitted[k]}
        ref = {"action": str(locked.public_id), "title": locked.title}
        if (
            save_id is not None
            and previous_editor == by.pk
            and merge_autosave(
                ActionPlanEvent.objects.filter(plan=plan),
                by=by,
                action=ActionPlanEvent.Action.ACTION_SAVED,
                subject=ref,
                changes=changes,
            )
        ):
            return locked
        marker = {"autosave": True} if save_id is not None else {}
        _event(plan, by, ActionPlanEvent.Action.ACTION_SAVED, {**ref, **marker, **changes})
        return locked


def do_move_action(action: Action, direction: str, *, by: User) -> Action:
    """Moves an action one place up or down among the plan's (not removed) actions."""
    if direction not in ("up", "down"):
        raise PlanError(_("Move an action up or down."))
    with transaction.atomic():
        plan = _lock_plan(action.plan)
        rows = list(Action.objects.alive().select_for_update().filter(plan=plan).order_by("position", "pk"))
        index = next((n for n, row in enumerate(rows) if row.pk == action.pk), None)
        if index is None:
            raise PlanError(_("This action was removed; restore it first."))
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(rows):
            raise PlanError(
                _("This action is first already.") if direction == "up" else _("This action is last already.")
            )
        rows[index], rows[other] = rows[other], rows[index]
        for n, row in enumerate(rows, start=1):
            row.position = n
        Action.objects.bulk_update(rows, ["position"])
        _touch(plan)
        moved = rows[other]
        _event(
            plan,
            by,
            ActionPlanEvent.Action.ACTION_MOVED,
            {"action": str(moved.public_id), "title": moved.title, "position": {"from": index + 1, "to": other + 1}},
        )
        return moved


def do_delete_action(action: Action, *, by: User) -> Action:
    """Soft delete: the action leaves the plan, timeline and downloads, and can be restored for RESTORE_DAYS."""
    with transaction.atomic():
        plan = _lock_plan(action.plan)
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if locked.deleted_at is not None:
            raise PlanError(_("This action is removed already."))
        locked.deleted_at = timezone.now()
        locked.lock_version += 1
        locked.save(update_fields=["deleted_at", "lock_version", "updated_at"])
        _touch(plan)
        _event(
            plan, by, ActionPlanEvent.Action.ACTION_DELETED, {"action": str(locked.public_id), "title": locked.title}
        )
        return locked


def do_restore_action(action: Action, *, by: User) -> Action:
    """Back in the plan, at the end (its old place may be taken by then), with its indicators and updates."""
    with transaction.atomic():
        plan = _lock_plan(action.plan)
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if locked.deleted_at is None:
            raise PlanError(_("This action is not removed."))
        if timezone.now() - locked.deleted_at > timedelta(days=Action.RESTORE_DAYS):
            raise PlanError(
                _("Removed actions can be restored for %(days)s days only.") % {"days": Action.RESTORE_DAYS}
            )
        last = Action.objects.alive().filter(plan=plan).aggregate(last=Max("position"))["last"] or 0
        locked.deleted_at = None
        locked.position = last + 1
        locked.lock_version += 1
        locked.save(update_fields=["deleted_at", "position", "lock_version", "updated_at"])
        _touch(plan)
        _event(
            plan, by, ActionPlanEvent.Action.ACTION_RESTORED, {"action": str(locked.public_id), "title": locked.title}
        )
        return locked


# ---- indicators and progress


def _indicator_state(indicator: Indicator) -> dict[str, Any]:
    return {name: _shown(getattr(indicator, name)) for name in ("name", "baseline", "target", "current", "unit", "due")}


def _check_indicator(fields: IndicatorFields) -> None:
    fields.name = fields.name.strip()
    fields.unit = fields.unit.strip()
    if not fields.name:
        raise PlanError(_("Name the indicator."))


def _alive_action(action: Action) -> Action:
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.deleted_at is not None:
        raise PlanError(_("This action was removed; restore it first."))
    return locked


def do_add_indicator(action: Action, fields: IndicatorFields, *, by: User) -> Indicator:
    _check_indicator(fields)
    with transaction.atomic():
        plan = _lock_plan(action.plan)
        locked = _alive_action(action)
        indicator = Indicator.objects.create(action=locked, **vars(fields))
        _touch(plan)
        _event(
            plan,
            by,
            ActionPlanEvent.Action.INDICATOR_ADDED,
            {"action": str(locked.public_id), "title": locked.title, "indicator": _indicator_state(indicator)},
        )
        return indicator


def do_save_indicator(indicator: Indicator, fields: IndicatorFields, *, by: User, expected_version: int) -> Indicator:
    _check_indicator(fields)
    with transaction.atomic():
        plan = _lock_plan(indicator.action.plan)
        action = _alive_action(indicator.action)
        locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
        before = _indicator_state(locked)
        for name, value in vars(fields).items():
            setattr(locked, name, value)
        submitted = _indicator_state(locked)
        if locked.lock_version != expected_version:
            raise Conflict(stored=before, submitted=submitted, stored_version=locked.lock_version)
        locked.lock_version += 1
        locked.save()
        _touch(plan)
        changes = {k: {"from": before[k], "to": submitted[k]} for k in submitted if before[k] != submitted[k]}
        _event(
            plan,
            by,
            ActionPlanEvent.Action.INDICATOR_SAVED,
            {"action": str(action.public_id), "title": action.title, "indicator_name": locked.name, **changes},
        )
        return locked


def do_delete_indicator(indicator: Indicator, *, by: User) -> None:
    """Removes the indicator; its last values stay in the history."""
    with transaction.atomic():
        plan = _lock_plan(indicator.action.plan)
        action = _alive_action(indicator.action)
        locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
        state = _indicator_state(locked)
        locked.delete()
        _touch(plan)
        _event(
            plan,
            by,
            ActionPlanEvent.Action.INDICATOR_DELETED,
            {"action": str(action.public_id), "title": action.title, "indicator": state},
        )


def do_add_progress(action: Action, *, by: User, on: date, text: str) -> ProgressUpdate:
    """A dated note of what happened; updates are not edited afterwards (they are the plan's log)."""
    text = text.strip()
    if not text:
        raise PlanError(_("Write what happened."))
    with transaction.atomic():
        plan = _lock_plan(action.plan)
        locked = _alive_action(action)
        update = ProgressUpdate.objects.create(action=locked, on=on, text=text, by=by)
        _touch(plan)
        _event(
            plan,
            by,
            ActionPlanEvent.Action.PROGRESS_ADDED,
            {"action": str(locked.public_id), "title": locked.title, "on": on.isoformat(), "text": text},
        )
        return update
