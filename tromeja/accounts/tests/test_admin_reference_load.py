"""`tromeja load-reference` changes reference data through the service too:
what it adds or sets back is one alteration entry."""

from django.core.management import call_command

from tromeja.core import reference_services
from tromeja.core.audit import verify_chain
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry, Country, Unit


def reference_entries():
    return list(
        AuditEntry.objects.filter(action=AuditAction.ALTERATION, object_type="core.reference")
    )


def test_loading_the_reference_data_again_records_what_it_set_back(persona):
    admin = persona("sl_admin")
    reference_services.update_country(
        country=Country.objects.get(code="AT"), by=admin, partnership="associated"
    )
    Unit.objects.filter(code="si-pu-celje").update(city="Celje-Center")
    call_command("load_reference")
    (entry,) = reference_entries()
    assert entry.detail["countries"]["changed"] == {
        "AT": {"partnership": {"from": "associated", "to": "none"}}
    }
    assert entry.detail["units"]["changed"] == {
        "si-pu-celje": {"city": {"from": "Celje-Center", "to": "Celje"}}
    }
    assert verify_chain().ok


def test_loading_unchanged_reference_data_writes_nothing(db):
    call_command("load_reference")
    assert reference_entries() == []
