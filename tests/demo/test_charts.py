"""The demo's day on a day both locations are open, on a database of its own."""

from datetime import date

from needlepoint.demo.loader import demo_load
from needlepoint.resources.models import Location
from tests.support.demo_support import assert_today

WEDNESDAY = date(2026, 11, 25)


def test_on_a_day_both_locations_open_each_gets_its_three(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_load(today=WEDNESDAY)
    for location in Location.objects.all():
        assert_today(location, WEDNESDAY, prp=True)
    again = demo_load(today=WEDNESDAY)
    assert not any(again.new.values())
