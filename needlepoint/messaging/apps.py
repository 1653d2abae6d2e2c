from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "needlepoint.messaging"
    label = "messaging"
    verbose_name = "Messages"

    def ready(self) -> None:
        # Scheduling's seam (scheduling/hooks.py): patients hear about their visits once
        # the booking, move or cancellation has committed.
        from needlepoint.messaging.services import (
            appointment_messages_cancelled,
            appointment_messages_rescheduled,
            appointment_messages_schedule,
            claim_link_send,
        )
        from needlepoint.scheduling.hooks import AppointmentEvent, notification_register

        notification_register(AppointmentEvent.BOOKED, appointment_messages_schedule)
        notification_register(AppointmentEvent.MOVED, appointment_messages_rescheduled)
        notification_register(AppointmentEvent.CANCELLED, appointment_messages_cancelled)
        notification_register(AppointmentEvent.LOOK_ALIKE_FLAGGED, claim_link_send)
