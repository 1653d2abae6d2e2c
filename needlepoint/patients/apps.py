from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "needlepoint.patients"
    label = "patients"
    verbose_name = "Patients"

    def ready(self) -> None:
        from needlepoint.accounts.context_processors import nav_count_register
        from needlepoint.patients.selectors import duplicate_open_count

        nav_count_register(
            "patients:duplicate-list",
            lambda organization: duplicate_open_count(organization=organization),
        )
