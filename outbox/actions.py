"""The one way the platform sends mail: `queue_mail` (or `queue_template_mail`) inside the action's transaction.

The mail is stored with the action's writes, so it exists exactly when the change it tells about was
saved; a task sends it after the commit (outbox/tasks.py). A mail server that is down or slow therefore
never fails or holds up the request that saved the change.
"""

from collections.abc import Mapping
from functools import partial

from django.db import transaction
from django.template.loader import render_to_string
from django_tasks_db import DatabaseBackend

from outbox.models import Mail
from outbox.tasks import deliver


def queue_mail(to: str, *, subject: str, body: str, kind: str) -> Mail:
    """Store one plain-text mail to one address and queue its sending for when the transaction commits."""
    # A subject is one header line: a template's stray line break would make the mail unsendable.
    subject = " ".join(subject.split())
    with transaction.atomic():
        mail = Mail.objects.create(to=to, subject=subject[:255], body=body, kind=kind)
        if isinstance(deliver.get_backend(), DatabaseBackend):
            # The queue is a table of the same database: its row commits, or rolls back, with the mail's,
            # so no crash between the commit and the queueing can leave a mail that nobody sends.
            mail.task_id = deliver.enqueue(mail.pk).id
            mail.save(update_fields=["task_id"])
        else:
            # A backend that runs the task in place (the tests) must wait for the commit, or it would
            # send word of a change that may still roll back.
            transaction.on_commit(partial(deliver.enqueue, mail.pk))
    return mail


def queue_template_mail(template: str, to: str, context: Mapping[str, object]) -> Mail:
    """The mail of `<template>_subject.txt` and `<template>.txt`, rendered now, in the request's language."""
    subject = render_to_string(f"{template}_subject.txt", dict(context))
    body = render_to_string(f"{template}.txt", dict(context))
    return queue_mail(to, subject=subject, body=body, kind=template)
