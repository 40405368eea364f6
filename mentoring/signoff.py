"""The joint sign-off of an action plan by the implementing city's coordinator and a named mentor.

What was signed is kept (`PlanSignOff.snapshot`, from `plan_snapshot`): the first signature takes the plan as it
is; the other side's signature completes that sign-off only while the plan is unchanged since, else a new
sign-off starts from the plan as it is now (and says so). Later changes show against the last complete sign-off
(`changes_since`), field by field, with the words inserted and deleted."""

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from actionplans.models import Action, ActionPlan
from actionplans.report import alive_actions
from assessments.models import ContextNote
from mentoring import access
from mentoring.actions import MentoringError, coordinators_of, locked_mentorship, record
from mentoring.models import Mentorship, MentorshipEvent, PlanSignOff
from mentoring.notify import notify

COORDINATOR = "coordinator"
MENTOR = "mentor"

# What a snapshot keeps of each action, in the order the sign-off page shows it.
FIELDS: dict[str, Promise] = {
    "title": gettext_lazy("Title"),
    "description": gettext_lazy("Description"),
    "key_factors": gettext_lazy("Key factors addressed"),
    "owner": gettext_lazy("Owner"),
    "partners": gettext_lazy("Partners"),
    "start": gettext_lazy("Start"),
    "end": gettext_lazy("End"),
    "resources": gettext_lazy("Resources"),
    "budget": gettext_lazy("Budget (EUR)"),
    "funding_source": gettext_lazy("Funding source"),
    "competence": gettext_lazy("Competence level"),
    "status": gettext_lazy("Status"),
    "indicators": gettext_lazy("Indicators"),
    "adapts_practice": gettext_lazy("Practice it adapts"),
    "adaptation_kept": gettext_lazy("What is kept"),
    "adaptation_changed": gettext_lazy("What is changed"),
    "adaptation_why": gettext_lazy("Why it is changed"),
}
TEXTS = ("title", "description", "owner", "partners", "resources", "funding_source")
ADAPTATION = ("adaptation_kept", "adaptation_changed", "adaptation_why")


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _action_snapshot(action: Action) -> dict[str, str]:
    indicators = [
        " ".join(
            part
            for part in (
                indicator.name + ":",
                _number(indicator.baseline),
                "→",
                _number(indicator.target),
                indicator.unit,
                indicator.due.isoformat() if indicator.due else "",
            )
            if part
        )
        for indicator in action.indicators.all()
    ]
    practice = action.adapts_practice
    values = {name: getattr(action, name) for name in (*TEXTS, *ADAPTATION)}
    values |= {
        "key_factors": "; ".join(f"{kf.number}. {kf.title}" for kf in action.key_factors.all()),
        "start": action.start.isoformat() if action.start else "",
        "end": action.end.isoformat() if action.end else "",
        "budget": _number(action.budget),
        # Codes, shown by their labels in the reader's language.
        "competence": action.competence,
        "status": action.status,
        "indicators": "\n".join(indicators),
        "adapts_practice": f"{practice.title} ({practice.city.name})" if practice else "",
    }
    return {name: values[name] for name in FIELDS}


def plan_snapshot(plan: ActionPlan) -> dict[str, Any]:
    """The plan's actions (not removed) with their fields, in the plan's order: what a sign-off keeps."""
    return {
        "actions": [
            {"id": str(action.public_id), "number": n, **_action_snapshot(action)}
            for n, action in enumerate(alive_actions(plan), start=1)
        ]
    }


# ---- signing


def side_of(user: User, mentorship: Mentorship) -> str | None:
    """Which side `user` signs for: the implementing city's coordinator, or a named mentor while it is active."""
    if access.coordinates(user, mentorship.mentee):
        return COORDINATOR
    if access.is_mentor(user, mentorship):
        return MENTOR
    return None


def _shared_plan(mentorship: Mentorship, plan: ActionPlan) -> bool:
    return mentorship.shared_plans.filter(
        pk=plan.pk, deleted_at__isnull=True, assessment__deleted_at__isnull=True
    ).exists()


def latest_sign_off(mentorship: Mentorship, plan: ActionPlan) -> PlanSignOff | None:
    return (
        PlanSignOff.objects.filter(mentorship=mentorship, plan=plan)
        .select_related("coordinator", "mentor")
        .order_by("-created_at", "-pk")
        .first()
    )


def signed_by(sign_off: PlanSignOff, side: str) -> bool:
    return (sign_off.coordinator_at if side == COORDINATOR else sign_off.mentor_at) is not None


@dataclass
class Signed:
    sign_off: PlanSignOff
    restarted: bool  # the other side had signed an earlier version of the plan: a new sign-off started

    @property
    def complete(self) -> bool:
        return self.sign_off.is_complete


def _sign(sign_off: PlanSignOff, side: str, by: User) -> None:
    now = timezone.now()
    if side == COORDINATOR:
        sign_off.coordinator, sign_off.coordinator_at = by, now
    else:
        sign_off.mentor, sign_off.mentor_at = by, now


def do_sign(mentorship: Mentorship, plan: ActionPlan, *, by: User, site_url: str = "") -> Signed:
    """`by` signs the plan for their side: the implementing city's coordinator, or a named mentor of the active
    mentorship whose consent shares the plan. The first signature keeps the plan as it is; the other side's
    completes that sign-off only if the plan is unchanged since, else a new sign-off starts from the plan as it
    is now, signed by `by` alone. The other side is told by e-mail."""
    with transaction.atomic():
        locked = locked_mentorship(mentorship)
        side = side_of(by, locked)
        if side is None:
            raise MentoringError(_("Only the city's coordinator and the named mentors sign off the action plan."))
        if not locked.is_active:
            raise MentoringError(_("An action plan is signed off within an active mentorship."))
        # The plan's row is what every change to the plan locks first (actionplans.actions): no change slips in
        # between the snapshot and the signature.
        plan = ActionPlan.objects.select_for_update().select_related("assessment__workspace__city").get(pk=plan.pk)
        if plan.assessment.workspace_id != locked.mentee_id or not _shared_plan(locked, plan):
            raise MentoringError(_("This action plan is not shared with the mentors."))
        current = plan_snapshot(plan)
        latest = (
            PlanSignOff.objects.select_for_update()
            .filter(mentorship=locked, plan=plan)
            .order_by("-created_at", "-pk")
            .first()
        )
        restarted = False
        if latest is not None and latest.snapshot == current and signed_by(latest, side):
            raise MentoringError(
                _("The plan is signed off as it is now.")
                if latest.is_complete
                else _("You have signed the plan as it is now; the other side's signature completes the sign-off.")
            )
        if latest is not None and not latest.is_complete and not signed_by(latest, side) and latest.snapshot == current:
            sign_off = latest
        else:
            restarted = latest is not None and not latest.is_complete and not signed_by(latest, side)
            sign_off = PlanSignOff(mentorship=locked, plan=plan, snapshot=current)
        _sign(sign_off, side, by)
        sign_off.save()
        record(
            locked,
            MentorshipEvent.Action.SIGNED,
            by,
            plan=str(plan.assessment),
            side=side,
            complete=sign_off.is_complete,
            restarted=restarted,
        )
        others = list(locked.mentors.all()) if side == COORDINATOR else coordinators_of(locked.mentee)
        link = site_url.rstrip("/") + sign_off_url(locked, plan)
        context = {
            "mentorship": locked,
            "plan": plan,
            "signer": by,
            "complete": sign_off.is_complete,
            "restarted": restarted,
            "link": link,
        }
        notify([person for person in others if person.pk != by.pk], "signed", context, site_url=site_url)
        return Signed(sign_off, restarted)


def sign_off_url(mentorship: Mentorship, plan: ActionPlan) -> str:
    return reverse("mentoring:sign_off", args=[mentorship.public_id, plan.assessment.public_id])


# ---- what changed since


@dataclass
class FieldChange:
    name: str
    label: str
    before: str
    after: str
    # The words, each ("equal" | "insert" | "delete", text), from before to after.
    parts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ActionChange:
    kind: str  # "added", "removed" or "changed"
    title: str
    number: int  # its number in the plan now, or in the signed plan when removed
    fields: list[FieldChange]


def _shown(name: str, value: str) -> str:
    if name == "status" and value:
        return str(dict(Action.Status.choices).get(value, value))
    if name == "competence" and value:
        return str(dict(ContextNote.Competence.choices).get(value, value))
    return value


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The words of `after` against `before`, with what was inserted and deleted (spaces kept)."""
    old, new = re.findall(r"\s+|\S+", before), re.findall(r"\s+|\S+", after)
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("equal", "".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(("delete", "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(("insert", "".join(new[j1:j2])))
    return parts


def _field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    changes = []
    for name, label in FIELDS.items():
        old, new = _shown(name, str(before.get(name, ""))), _shown(name, str(after.get(name, "")))
        if old != new:
            changes.append(FieldChange(name, str(label), old, new, word_diff(old, new)))
    return changes


def compare(signed: dict[str, Any], current: dict[str, Any]) -> list[ActionChange]:
    """Per action: added, removed, or changed (each changed field with before and after); moves included."""
    old = {a["id"]: a for a in signed.get("actions", [])}
    new = {a["id"]: a for a in current.get("actions", [])}
    found = []
    for action in current.get("actions", []):
        was = old.get(action["id"])
        if was is None:
            found.append(ActionChange("added", action["title"], action["number"], _field_changes({}, action)))
            continue
        fields = _field_changes(was, action)
        if was["number"] != action["number"]:
            fields.insert(0, FieldChange("number", _("Place in the plan"), str(was["number"]), str(action["number"])))
        if fields:
            found.append(ActionChange("changed", action["title"], action["number"], fields))
    for action in signed.get("actions", []):
        if action["id"] not in new:
            found.append(ActionChange("removed", action["title"], action["number"], _field_changes(action, {})))
    return found


def changes_since(sign_off: PlanSignOff) -> list[ActionChange]:
    """What changed in the plan since `sign_off` kept it."""
    return compare(sign_off.snapshot, plan_snapshot(sign_off.plan))
