from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    MODUS_OPERANDI = "modus_operandi", _("Modus operandi alert")
    LOOKOUT = "lookout", _("Lookout (vehicle, document or person)")
    SITUATION = "situation", _("Situation update")
    OTHER = "other", _("Other")
