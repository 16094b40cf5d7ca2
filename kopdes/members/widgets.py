"""Dashboard card: members by status, savings totals and wajib arrears."""

from __future__ import annotations

from django.db.models import Count, Sum

from .access import can_read_savings
from .models import Member


def members_widget(request):
    k = request.koperasi
    counts = dict(Member.objects.filter(koperasi=k).values_list("status").annotate(n=Count("id")).order_by())
    ctx = {"aktif": counts.get("aktif", 0), "calon": counts.get("calon", 0),
           "keluar": sum(counts.get(s, 0) for s in Member.EXIT_STATUSES), "slug": k.slug}
    if can_read_savings(request.access):
        from kopdes.savings.models import SavingsTransaction

        sums = dict(SavingsTransaction.objects.filter(koperasi=k).values_list("kind").annotate(s=Sum("amount"))
                    .order_by())
        ctx["savings"] = [("Pokok", sums.get("pokok") or 0), ("Wajib", sums.get("wajib") or 0),
                          ("Sukarela", sums.get("sukarela") or 0)]
        ctx["savings_total"] = sum(v for _l, v in ctx["savings"])
        from kopdes.savings.services import arrears

        behind = arrears(k)  # the one wajib-arrears figure: also the health score's and the Dinas warning's
        ctx["arrears"] = sum(behind.values())
        ctx["arrears_members"] = len(behind)
    return {"title": "Anggota & simpanan", "template": "members/_widget.html", "context": ctx, "order": 10}
