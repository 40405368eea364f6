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
from actionplans.models import Action, ActionPlan, ActionPlanEvent, Indicator, ProgressUpdate, key_factor_field
from assessments.models import Assessment, ContextNote, QuestionAnswer
from assessments.results import FactorResult, build_results
from benchmarks.models import KeyFactor
from cities.access import role_in
from cities.models import Role
from editing.actions import PageSave, is_new_save
from lib.actions import Conflict, Refused
from lib.merge import fingerprints, merge, merged
from lib.models import merge_autosave
from practices.models import Practice


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
    adapts_practice: str = ""  # the slug of the library's practice it adapts, "" for none
    adaptation_kept: str = ""
    adaptation_changed: str = ""
    adaptation_why: str = ""


@dataclass
class IndicatorFields:
    name: str
    baseline: Decimal | None = None
    target: Decimal | None = None
    current: Decimal | None = None
    unit: str = ""
    due: date | None = None


ADAPTATION_TEXTS = ("adaptation_kept", "adaptation_changed", "adaptation_why")
TEXTS = ("title", "description", "owner", "partners", "resources", "funding_source", *ADAPTATION_TEXTS)
# The practice an action adapts: a slug in ActionFields, the form and the history; a foreign key on the row.
PRACTICE = "adapts_practice"
# An action's fields besides its key factors, each its own form field and unit of a merge (lib.merge).
EDITED = (*TEXTS, "start", "end", "budget", "competence", "status", PRACTICE)
# The fields stored as they are on the row (the practice is stored by its key).
STORED = tuple(name for name in EDITED if name != PRACTICE)
INDICATOR_FIELDS = ("name", "baseline", "target", "current", "unit", "due")


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


def do_set_plan_visibility(plan: ActionPlan, visibility: str, *, by: User) -> ActionPlan:
    """Makes the plan public or private again: the workspace's coordinators only, and public only while its
    assessment is published (the public page checks that again on every request, so an assessment made
    private or deleted later hides its plan without a write here)."""
    if visibility not in ActionPlan.Visibility.values:
        raise PlanError(_("Choose to make the plan public or private."))
    with transaction.atomic():
        locked = _lock_plan(plan)
        assessment = Assessment.objects.select_for_update().select_related("workspace").get(pk=locked.assessment_id)
        if role_in(by, assessment.workspace) != Role.COORDINATOR:
            raise PlanError(_("Only the workspace's coordinators make its action plan public or private."))
        if locked.deleted_at is not None or assessment.deleted_at is not None:
            raise PlanError(_("This assessment is deleted."))
        if visibility == ActionPlan.Visibility.PUBLIC and assessment.visibility != Assessment.Visibility.PUBLISHED:
            raise PlanError(
                _("Publish the self-assessment first: only the plan of a published self-assessment can be public.")
            )
        if locked.visibility == visibility:
            return locked
        before = locked.visibility
        locked.visibility = visibility
        locked.lock_version += 1
        locked.save(update_fields=["visibility", "lock_version", "updated_at"])
        _event(
            locked, by, ActionPlanEvent.Action.VISIBILITY_CHANGED, {"visibility": {"from": before, "to": visibility}}
        )
        return locked


# ---- actions


def _practice_slug(action: Action) -> str:
    return action.adapts_practice.slug if action.adapts_practice_id and action.adapts_practice else ""


def _action_state(action: Action, key_factor_slugs: list[str]) -> dict[str, Any]:
    state = {name: _shown(getattr(action, name)) for name in (*TEXTS, "start", "end", "budget")}
    state |= {"competence": action.competence, "status": action.status, "key_factors": sorted(key_factor_slugs)}
    state[PRACTICE] = _practice_slug(action)
    return state


def _check_practice(fields: ActionFields) -> Practice | None:
    if not fields.adapts_practice:
        return None
    practice = Practice.objects.filter(slug=fields.adapts_practice).first()
    if practice is None:
        raise PlanError(_("Choose one of the listed practices."))
    return practice


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


def _write_action(plan: ActionPlan, locked: Action, fields: ActionFields, *, by: User, save_id: UUID | None) -> None:
    """Stores an action's new fields and key factors, and records what changed in the plan's history.

    Autosaves of one person within AUTOSAVE_MERGE, when nobody else saved meanwhile, are merged into one
    history event (as assessments.actions does for a key factor); an explicit save has an event of its own."""
    slugs = list(locked.key_factors.order_by("slug").values_list("slug", flat=True))
    before = _action_state(locked, slugs)
    factors = _check_fields(plan, fields)
    practice = _check_practice(fields)
    new_slugs = [kf.slug for kf in factors.values()]
    for name in STORED:
        setattr(locked, name, getattr(fields, name))
    locked.adapts_practice = practice
    after = _action_state(locked, new_slugs)
    previous_editor = locked.updated_by_id
    locked.lock_version += 1
    locked.updated_by = by
    locked.last_save_id = save_id
    locked.save()
    if sorted(new_slugs) != slugs:
        locked.key_factors.set(list(factors.values()))
    _touch(plan)
    changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
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
        return
    marker = {"autosave": True} if save_id is not None else {}
    _event(plan, by, ActionPlanEvent.Action.ACTION_SAVED, {**ref, **marker, **changes})


def _locked_action(action: Action) -> tuple[ActionPlan, Action]:
    plan = _lock_plan(action.plan)
    plan.assessment = action.plan.assessment
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.deleted_at is not None:
        raise PlanError(_("This action was removed; restore it first."))
    return plan, locked


def do_save_action(
    action: Action, fields: ActionFields, *, by: User, expected_version: int, save_id: UUID | None = None
) -> Action:
    """Saves an action's fields and the key factors it addresses, whole.

    The whole-action check, for a save that cannot say what it was loaded with (a page loaded before
    saves merged by field): raises Conflict when the action changed since `expected_version` was read,
    with the stored and the submitted state. Pages save through do_merge_action. `save_id` marks an
    autosave (static/js/autosave.js): a replay of the last applied save_id changes nothing.
    """
    for name in TEXTS:
        setattr(fields, name, getattr(fields, name).strip())
    with transaction.atomic():
        plan, locked = _locked_action(action)
        if save_id is not None and locked.last_save_id == save_id:
            return locked
        if locked.lock_version != expected_version:
            slugs = list(locked.key_factors.order_by("slug").values_list("slug", flat=True))
            factors = _check_fields(plan, fields)
            submitted = Action(
                **{name: getattr(fields, name) for name in STORED}, adapts_practice=_check_practice(fields)
            )
            raise Conflict(
                stored=_action_state(locked, slugs),
                submitted=_action_state(submitted, [kf.slug for kf in factors.values()]),
                stored_version=locked.lock_version,
            )
        _write_action(plan, locked, fields, by=by, save_id=save_id)
        return locked


def action_subject(action: Action) -> str:
    """What an action's open pages are about (editing.EditingPage.subject)."""
    return f"action:{action.pk}"


def benchmark_key_factors(assessment: Assessment) -> list[KeyFactor]:
    """The key factors an action may address: its form's checkboxes, in the benchmark's order."""
    return list(KeyFactor.objects.filter(version_id=assessment.benchmark_version_id).order_by("kind", "number"))


def stored_fields(action: Action, chosen: set[int] | None = None) -> ActionFields:
    """What is stored of an action, as an editor sets it; `chosen` its key factors' ids when known."""
    if chosen is None:
        chosen = set(action.key_factors.values_list("pk", flat=True))
    values = {name: getattr(action, name) for name in STORED}
    return ActionFields(**values, key_factors=sorted(chosen), adapts_practice=_practice_slug(action))


def action_values(fields: ActionFields, key_factors: list[KeyFactor]) -> dict[str, Any]:
    """An action by the names of its form's fields (ActionForm), each value as the history stores it (dates
    in ISO form, decimals as text): the unit that saves merge by, so that a value typed and a value stored
    have one fingerprint. A key factor is one checkbox: addressed or not."""
    values = {name: _shown(getattr(fields, name)) for name in EDITED}
    chosen = set(fields.key_factors)
    values |= {key_factor_field(kf): kf.pk in chosen for kf in key_factors}
    return values


def _action_from_values(values: dict[str, Any], key_factors: list[KeyFactor]) -> ActionFields:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return ActionFields(
        **{name: values[name] for name in (*TEXTS, "competence", "status")},
        adapts_practice=values[PRACTICE] or "",
        start=day(values["start"]),
        end=day(values["end"]),
        budget=Decimal(values["budget"]) if values["budget"] not in (None, "") else None,
        key_factors=[kf.pk for kf in key_factors if values[key_factor_field(kf)]],
    )


@dataclass
class Saved:
    """A save merged by field: the row, the fingerprints of what is stored now (what the page is based
    on from here), and the fields someone else changed that this save left alone (the page takes them in)."""

    row: Action | Indicator
    fingerprints: dict[str, str]
    theirs: dict[str, Any]


def _stripped(values: dict[str, Any], texts: tuple[str, ...]) -> dict[str, Any]:
    return {
        name: value.strip() if name in texts and isinstance(value, str) else value for name, value in values.items()
    }


def do_merge_action(
    action: Action,
    *,
    by: User,
    values: dict[str, Any],
    loaded: dict[str, str],
    save_id: UUID | None = None,
    page: PageSave | None = None,
) -> Saved:
    """Saves what this person changed on an action since their page was loaded, merged by field with what
    others saved meanwhile (lib.merge): `values` by form field name as action_values gives them, `loaded`
    the fingerprints of the values the page was loaded with.

    Raises FieldConflict when a field this person changed was also changed by someone else, to another
    value; nothing is applied then. An autosave (`save_id`, `page`) that is a replay, or older than one
    applied from the same page, is acknowledged and changes nothing."""
    values = _stripped(values, TEXTS)
    with transaction.atomic():
        plan, locked = _locked_action(action)
        key_factors = benchmark_key_factors(plan.assessment)
        stored = action_values(stored_fields(locked), key_factors)
        values = {name: value for name, value in values.items() if name in stored}
        if not is_new_save(
            save_id=save_id, last_save_id=locked.last_save_id, page=page, subject=action_subject(locked), user=by
        ):
            return Saved(locked, fingerprints(stored), merge(stored, loaded, values).theirs)
        result = merged(
            stored,
            loaded,
            values,
            version=locked.lock_version,
            saved_by=lambda names: _action_saved_by(plan, locked, key_factors, names),
        )
        if result.apply:
            stored |= result.apply
            _write_action(plan, locked, _action_from_values(stored, key_factors), by=by, save_id=save_id)
        return Saved(locked, fingerprints(stored), result.theirs)


def _action_saved_by(
    plan: ActionPlan, action: Action, key_factors: list[KeyFactor], names: list[str]
) -> dict[str, tuple[Any, Any]]:
    """Who last changed each of the fields `names` of an action, and when, read from the plan's history;
    the action's last editor where the history does not say (a field unchanged since it was added)."""
    where: dict[str, tuple[str, str | None]] = {name: (name, None) for name in EDITED}
    where |= {key_factor_field(kf): ("key_factors", kf.slug) for kf in key_factors}
    found: dict[str, tuple[Any, Any]] = {}
    events = (
        ActionPlanEvent.objects.filter(
            plan=plan, action=ActionPlanEvent.Action.ACTION_SAVED, changes__action=str(action.public_id)
        )
        .select_related("by")
        .order_by("-at", "-pk")[:200]
    )
    for event in events:
        for name in names:
            key, slug = where[name]
            change = event.changes.get(key)
            if name in found or change is None:
                continue
            if slug is None or (slug in (change["from"] or [])) != (slug in (change["to"] or [])):
                found[name] = (event.by, event.at)
        if len(found) == len(names):
            break
    return {name: found.get(name, (action.updated_by, action.updated_at)) for name in names}


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


def _indicator_state(indicator: Indicator | IndicatorFields) -> dict[str, Any]:
    """An indicator as the history records it; by the names of its form's fields, the unit that its saves
    merge by (lib.merge)."""
    return {name: _shown(getattr(indicator, name)) for name in INDICATOR_FIELDS}


indicator_values = _indicator_state


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
            {
                "action": str(locked.public_id),
                "title": locked.title,
                "indicator_id": str(indicator.public_id),
                "indicator": _indicator_state(indicator),
            },
        )
        return indicator


def _write_indicator(plan: ActionPlan, action: Action, locked: Indicator, fields: IndicatorFields, *, by: User) -> None:
    before = _indicator_state(locked)
    for name, value in vars(fields).items():
        setattr(locked, name, value)
    after = _indicator_state(locked)
    locked.lock_version += 1
    locked.save()
    _touch(plan)
    changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    _event(
        plan,
        by,
        ActionPlanEvent.Action.INDICATOR_SAVED,
        {
            "action": str(action.public_id),
            "title": action.title,
            "indicator_id": str(locked.public_id),  # whose fields changed: who saved what, on a conflict
            "indicator_name": locked.name,
            **changes,
        },
    )


def _locked_indicator(indicator: Indicator) -> tuple[ActionPlan, Action, Indicator]:
    plan = _lock_plan(indicator.action.plan)
    action = _alive_action(indicator.action)
    return plan, action, Indicator.objects.select_for_update().get(pk=indicator.pk)


def do_save_indicator(indicator: Indicator, fields: IndicatorFields, *, by: User, expected_version: int) -> Indicator:
    """Saves an indicator whole: raises Conflict when it changed since `expected_version` was read (a page
    loaded before saves merged by field). Pages save through do_merge_indicator."""
    _check_indicator(fields)
    with transaction.atomic():
        plan, action, locked = _locked_indicator(indicator)
        if locked.lock_version != expected_version:
            raise Conflict(
                stored=_indicator_state(locked), submitted=_indicator_state(fields), stored_version=locked.lock_version
            )
        _write_indicator(plan, action, locked, fields, by=by)
        return locked


def do_merge_indicator(indicator: Indicator, *, by: User, values: dict[str, Any], loaded: dict[str, str]) -> Saved:
    """Saves what this person changed on an indicator since their page was loaded, merged by field with
    what others saved meanwhile (lib.merge): `values` by form field name as indicator_values gives them.
    Raises FieldConflict naming the fields both changed, to different values; nothing is applied then."""
    values = _stripped(values, ("name", "unit"))
    with transaction.atomic():
        plan, action, locked = _locked_indicator(indicator)
        stored = _indicator_state(locked)
        values = {name: value for name, value in values.items() if name in stored}
        result = merged(
            stored,
            loaded,
            values,
            version=locked.lock_version,
            saved_by=lambda names: _indicator_saved_by(plan, locked, names),
        )
        if result.apply:
            stored |= result.apply
            fields = IndicatorFields(
                name=stored["name"],
                unit=stored["unit"],
                due=date.fromisoformat(stored["due"]) if stored["due"] else None,
                **{
                    n: Decimal(stored[n]) if stored[n] not in (None, "") else None
                    for n in ("baseline", "target", "current")
                },
            )
            _check_indicator(fields)
            _write_indicator(plan, action, locked, fields, by=by)
        return Saved(locked, fingerprints(stored), result.theirs)


def _indicator_saved_by(plan: ActionPlan, indicator: Indicator, names: list[str]) -> dict[str, tuple[Any, Any]]:
    """Who last set each of the fields `names` of an indicator, and when: its latest save that changed
    the field, else its adding; unknown (None) for events recorded before they named the indicator."""
    found: dict[str, tuple[Any, Any]] = {}
    events = (
        ActionPlanEvent.objects.filter(
            plan=plan,
            action__in=[ActionPlanEvent.Action.INDICATOR_SAVED, ActionPlanEvent.Action.INDICATOR_ADDED],
            changes__indicator_id=str(indicator.public_id),
        )
        .select_related("by")
        .order_by("-at", "-pk")[:200]
    )
    for event in events:
        for name in names:
            if name not in found and (event.action == ActionPlanEvent.Action.INDICATOR_ADDED or name in event.changes):
                found[name] = (event.by, event.at)
        if len(found) == len(names):
            break
    return {name: found.get(name, (None, None)) for name in names}


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
