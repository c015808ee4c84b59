"""Which country's data protection officer reads an entry that no user made."""

from django.db import connection
from django.urls import reverse

from tromeja import testing
from tromeja.core import audit
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry


def creation_of(user):
    return AuditEntry.objects.filter(
        action=AuditAction.COLLECTION, object_type="accounts.user", object_id=str(user.pk)
    )


def test_an_entry_no_user_made_about_a_user_belongs_to_that_users_country(persona):
    # Personas, like the demo loader's users, are created with no acting user.
    sl_dpo, it_dpo, hr_analyst = persona("sl_dpo"), persona("it_dpo"), persona("hr_analyst")
    entry = creation_of(hr_analyst).get()
    assert entry.actor_username == "" and entry.subject_country == "HR"
    assert not creation_of(hr_analyst) & AuditEntry.objects.restrict(sl_dpo)
    assert not creation_of(hr_analyst) & AuditEntry.objects.restrict(it_dpo)
    assert creation_of(it_dpo) & AuditEntry.objects.restrict(it_dpo)
    assert not creation_of(it_dpo) & AuditEntry.objects.restrict(sl_dpo)


def test_the_dpo_page_and_api_leave_out_other_countries_users_created_at_the_console(persona):
    sl_duty = persona("sl_duty")
    dpo = testing.client_for(persona("it_dpo"))
    body = dpo.get("/audit/?action=collection").content.decode().split("<tbody>")[1]
    assert f"accounts.user {sl_duty.pk}" not in body
    items = dpo.get("/api/v1/audit?action=collection").json()["items"]
    assert str(sl_duty.pk) not in {e["object_id"] for e in items}


def test_a_failed_sign_in_is_an_anonymous_event_every_dpo_of_the_node_reads(client, persona):
    client.post(reverse("accounts:login"), {"username": "nobody-known", "password": "wrong"})
    failed = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert failed.count() == 1
    for name in ("sl_dpo", "it_dpo"):
        assert failed & AuditEntry.objects.restrict(persona(name))


def test_an_entry_with_no_country_at_all_belongs_to_the_nodes_own_country(persona, settings):
    settings.NODE_COUNTRY = "SI"
    audit.log(AuditAction.SECURITY, object_type="core.node", detail={"event": "maintenance"})
    entry = AuditEntry.objects.filter(object_type="core.node")
    assert entry & AuditEntry.objects.restrict(persona("sl_dpo"))
    assert not entry & AuditEntry.objects.restrict(persona("it_dpo"))


def test_nobody_else_reads_entries_about_users_of_their_country(persona, outsider):
    from django.contrib.auth.models import AnonymousUser

    assert not AuditEntry.objects.restrict(outsider).exists()
    assert not AuditEntry.objects.restrict(AnonymousUser()).exists()
    assert not AuditEntry.objects.restrict(persona("sl_admin")).exists()


def test_the_country_an_entry_is_about_is_covered_by_its_hash(persona):
    hr_analyst = persona("hr_analyst")
    assert audit.verify_chain().ok
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET subject_country = 'IT' WHERE id = %s",
            [creation_of(hr_analyst).get().pk],
        )
    result = audit.verify_chain()
    assert not result.ok and result.reason == "altered"


def test_the_dpo_reads_which_country_an_entry_no_user_made_is_about(persona):
    sl_duty = persona("sl_duty")
    dpo = testing.client_for(persona("sl_dpo"))
    items = dpo.get(f"/api/v1/audit?action=collection&record={sl_duty.pk}").json()["items"]
    assert [(e["actor_username"], e["subject_country"]) for e in items] == [("", "SI")]
    body = dpo.get(f"/audit/?action=collection&record={sl_duty.pk}").content.decode()
    assert 'title="country concerned">SI</span>' in body
