from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "needlepoint.messaging"
    label = "messaging"
    verbose_name = "Messages"
