"""Addresses given to accounts by national staff (admin, imports) or by an invitation count as verified.

Before this, the platform never recorded verification. The login address of an account is trusted when its
holder could not have typed it in: it has no allauth row, or only the unverified, non-primary row allauth adds
by itself (visiting the address page, a password reset). A login address its holder made primary without
verifying it (a primary, unverified row) stays unverified: it designates that account nowhere.
"""

from django.db import migrations


def verify_assigned_addresses(apps, schema_editor):
    User = apps.get_model("collectives", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    for user in User.objects.only("pk", "email").iterator():
        email = user.email.lower()
        if not email or email.endswith("@anonyme.invalid"):
            continue
        row = EmailAddress.objects.filter(user_id=user.pk, email__iexact=email).first()
        if row is not None and (row.verified or row.primary):
            continue  # already verified, or made primary by its holder without verification
        if EmailAddress.objects.filter(email__iexact=email, verified=True).exists():
            continue  # another account verified it
        primary = not EmailAddress.objects.filter(user_id=user.pk, primary=True).exists()
        if row is None:
            EmailAddress.objects.create(user_id=user.pk, email=email, verified=True, primary=primary)
        else:
            row.verified, row.primary = True, primary
            row.save(update_fields=["verified", "primary"])


class Migration(migrations.Migration):
    dependencies = [
        ("collectives", "0005_session_schedules"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(verify_assigned_addresses, migrations.RunPython.noop)]
