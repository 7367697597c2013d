"""Granting permissions to the role groups, for use in data migrations.

Each app's migrations call :func:`grant` with the permissions its models give each role, frozen in the
migration itself, so the groups an installation has are the ones its migrations say.
"""

from django.contrib.auth.management import create_permissions


def grant(apps, mapping: dict[str, list[str]]) -> None:
    """Give each role group the listed "app_label.codename" permissions, creating groups as needed."""
    # Permissions are normally created after all migrations have run; create them now so a fresh
    # database can be granted them in the same migrate run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in mapping.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, mapping: dict[str, list[str]]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in mapping.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
