from assessments.tests.conftest import a_version, assessment  # noqa: F401 - fixtures
from cities.tests.conftest import Cast, cast, fast_password_hashing, login_url  # noqa: F401 - fixtures
