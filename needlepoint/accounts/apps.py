from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "needlepoint.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from needlepoint.accounts import signals  # noqa: F401
