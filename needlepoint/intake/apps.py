from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "needlepoint.intake"
    label = "intake"
    verbose_name = "Intake and screening"

    def ready(self) -> None:
        # Scheduling's seams (scheduling/hooks.py): the screening gates every booking, and
        # a booked or moved visit gets its screening on file in the same transaction.
        from needlepoint.intake.services import (
            appointment_screen_again,
            appointment_screen_on_file,
            screening_refusal,
        )
        from needlepoint.scheduling.hooks import (
            AppointmentEvent,
            booking_check_register,
            write_step_register,
        )

        booking_check_register("screening", code="screening_blocked", check=screening_refusal)
        write_step_register(AppointmentEvent.BOOKED, appointment_screen_on_file)
        write_step_register(AppointmentEvent.MOVED, appointment_screen_again)
