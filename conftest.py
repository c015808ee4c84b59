import pytest

from tromeja import testing


def pytest_configure(config):
    """Tests make and sign in personas thousands of times; Argon2's deliberate
    cost (about 290 ms a hash) is for real accounts. The node's own setting
    stays in tromeja.settings, and a test checks that it hashes with Argon2."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reference_data(transactional_db):
    """For transactional tests, which start from empty tables: reload what the
    data migration put there."""
    from tromeja.core import reference
    from tromeja.core.models import Agency, Country, Unit

    reference.load(Country, Agency, Unit)


@pytest.fixture
def persona(db):
    """persona("sl_duty") -> the user, created once per test."""
    made = {}

    def get(name: str):
        if name not in made:
            made[name] = testing.make_persona(name)
        return made[name]

    return get


@pytest.fixture
def sl_duty(persona):
    return persona("sl_duty")


@pytest.fixture
def it_duty(persona):
    return persona("it_duty")


@pytest.fixture
def hr_analyst(persona):
    return persona("hr_analyst")


@pytest.fixture
def outsider(persona):
    return persona("outsider")


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> a test client signed in as user, second factor passed."""

    def sign(user, **kwargs):
        return testing.sign_in(client, user, **kwargs)

    return sign


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path_factory):
    """Each test's audit trail starts empty: its checkpoints must not meet
    those of another test, nor of a node run from the same data directory."""
    from tromeja.core import checkpoints

    settings.AUDIT_CHECKPOINT_DIR = tmp_path_factory.mktemp("audit", numbered=True)
    yield
    # A quiet-spell timer armed by this test must not fire into the next one,
    # or after the test database is gone.
    checkpoints.disarm()


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request leaves its user's language and time zone active in the
    thread; every test starts from the node's defaults."""
    from django.utils import timezone, translation

    yield
    translation.deactivate()
    timezone.deactivate()
