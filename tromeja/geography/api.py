"""The geography API: places, border sections and locating a point."""

from ninja import Router

router = Router(tags=["geography"])
