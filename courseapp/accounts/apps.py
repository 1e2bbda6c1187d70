from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "courseapp.accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from courseapp.accounts.middleware import session_clocks_start

        user_logged_in.connect(session_clocks_start, dispatch_uid="session_clocks_start")
