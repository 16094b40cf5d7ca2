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
        from django.utils import timezone

        from kopdes.savings.models import SavingsTransaction, WajibDue

        sums = dict(SavingsTransaction.objects.filter(koperasi=k).values_list("kind").annotate(s=Sum("amount"))
                    .order_by())
        ctx["savings"] = [("Pokok", sums.get("pokok") or 0), ("Wajib", sums.get("wajib") or 0),
                          ("Sukarela", sums.get("sukarela") or 0)]
        ctx["savings_total"] = sum(v for _l, v in ctx["savings"])
        open_dues = WajibDue.objects.filter(koperasi=k, status="open", period__lte=timezone.localdate())
        agg = open_dues.aggregate(a=Sum("amount"), p=Sum("paid"))
        ctx["arrears"] = (agg["a"] or 0) - (agg["p"] or 0)
        ctx["arrears_members"] = open_dues.values("member_id").distinct().count()
    return {"title": "Anggota & simpanan", "template": "members/_widget.html", "context": ctx, "order": 10}
