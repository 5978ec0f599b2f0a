from django.core.files.uploadedfile import SimpleUploadedFile

from fulian.imports import services
from fulian.imports.models import ImportBatch
from fulian.imports.tests.files import xlsx
from fulian.testing.scope import ScopeCase


def _batch(world):  # an upload for 炎陵县 霞阳镇
    data = xlsx([["村", "户主姓名"], ["蔬菜村", "钟建华"]])
    return services.batch_upload(
        actor=world.user("yanling_admin"),
        kind="households",
        org=world.org("xiayang"),
        upload=SimpleUploadedFile("x.xlsx", data),
    )


CASES = [
    ScopeCase(
        model=ImportBatch,
        make=_batch,
        outsider="xinshi_staff",
        insider="yanling_admin",
        detail=[
            ("imports:detail", "get"),
            ("imports:commit", "post", 302),
            ("imports:cancel", "post", 302),
            ("imports:problems", "get"),
            ("api:import-detail", "get"),
            ("api:import-commit", "post", 400),
            ("api:import-cancel", "post", 200),
            ("imports:undo", "get"),
            ("imports:undo", "post", 400),
            ("api:import-undo", "post", 400),
        ],
        lists=[("imports:list", lambda b: {}), ("api:import-list", lambda b: {})],
    ),
]
