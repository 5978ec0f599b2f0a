"""An id in an API path is digits only (the schema calls it an integer)."""

import pytest

from fulian.households.tests.helpers import household

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["%20{pk}", "{pk}.0", "+{pk}", "{pk}%0A"])
def test_an_id_with_anything_but_digits_is_not_found(world, path):
    h = household(world, "huilong", "周一")
    client = world.api_for("city_admin")
    assert client.get(f"/api/v1/households/{h.pk}/").status_code == 200
    assert client.get(f"/api/v1/households/{path.format(pk=h.pk)}/").status_code == 404
    assert client.post(f"/api/v1/households/{path.format(pk=h.pk)}/reveal/", {"field": "mobile"}).status_code == 404
