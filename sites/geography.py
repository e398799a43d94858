"""France's regions and departments (INSEE codes), from fixtures/geography.json."""

import json

from django.conf import settings


def load_geography(region_model, department_model) -> None:
    """Create or update every region and department; takes the models so migrations can pass theirs."""
    data = json.loads((settings.BASE_DIR / "fixtures" / "geography.json").read_text(encoding="utf-8"))
    regions = {}
    for row in data["regions"]:
        regions[row["code"]], _ = region_model.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"]}
        )
    for row in data["departments"]:
        department_model.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "region": regions[row["region"]]}
        )


def ensure_geography() -> None:
    from .models import Department, Region

    if not Department.objects.exists():
        load_geography(Region, Department)
