"""The cooperative dashboard card: health class, score and early warnings (from the snapshot; no recompute)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import CoopSnapshot


def health_widget(request):
    access = getattr(request, "access", None)
    if access is None or not access.is_staff_reader:
        return None
    snap = CoopSnapshot.objects.filter(koperasi=request.koperasi).first()
    return {"title": _("Kesehatan koperasi"), "template": "supervision/_widget.html", "order": 85,
            "context": {"snap": snap, "slug": request.koperasi.slug}}
