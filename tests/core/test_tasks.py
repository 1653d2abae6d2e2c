"""Background jobs go through the real database queue and its worker."""

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from needlepoint.accounts.tasks import lockout_alert_send

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_queue(settings):
    """Tests default to the immediate backend; this one uses the production queue."""
    settings.TASKS = DATABASE_QUEUE  # django-tasks resets its backends on setting_changed
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"


# The worker closes database connections between tasks, as it should in production; a
# transactional test lets it, where a test wrapped in one transaction would lose its data.
@pytest.mark.django_db(transaction=True)
def test_lockout_alert_is_queued_and_the_worker_mails_the_owner(cast, database_queue):
    result = lockout_alert_send.enqueue(username="prac", ip_address="203.0.113.9")
    assert DBTaskResult.objects.filter(id=result.id, status="READY").exists()
    assert mail.outbox == []

    call_command("db_worker", max_tasks=1, no_startup_delay=True, verbosity=0, interval=0.01)

    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    (message,) = mail.outbox
    assert message.to == [cast.owner.email]
    assert "prac" in message.body and "203.0.113.9" in message.body


def test_unknown_usernames_alert_nobody(db):
    assert lockout_alert_send.call(username="nobody", ip_address="203.0.113.9") == 0
    assert mail.outbox == []
