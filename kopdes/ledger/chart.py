"""Creating and maintaining each cooperative's chart of accounts from the template in ``coa.py``."""

from __future__ import annotations

from .coa import COA_TEMPLATE


def template_rows() -> list[dict]:
    rows = []
    for code, name, type_, normal, tags in COA_TEMPLATE:
        segment = "member" if "member" in tags else ("nonmember" if "nonmember" in tags else "")
        rows.append({
            "code": code, "name": name, "type": type_, "normal": normal,
            "is_header": "header" in tags, "is_cash": "cash" in tags, "is_contra": "contra" in tags,
            "segment": segment, "tags": " ".join(tags), "from_template": True,
        })
    return rows


def ensure_chart(koperasi, account_model=None) -> int:
    """Create the template accounts this cooperative is missing. Never changes or removes existing ones.

    Data-safe: can run any number of times, and on cooperatives that already post (a migration runs it
    for every existing cooperative with the historical model). Returns how many accounts were created.
    """
    if account_model is None:
        from .models import Account as account_model
    kid = koperasi if isinstance(koperasi, int) else koperasi.pk
    existing = set(account_model.objects.filter(koperasi_id=kid).values_list("code", flat=True))
    new = [account_model(koperasi_id=kid, **row) for row in template_rows() if row["code"] not in existing]
    if new:
        account_model.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
