"""Hook registry: other units report what a member still owes, so a leaving member's savings settle the debt.

A unit (loans, retail credit, …) registers once, in its ``AppConfig.ready()``::

    from kopdes.members.debts import Debt, register_debt_provider

    def outstanding(member) -> list[Debt]:
        return [Debt(source=f"loans.Loan:{loan.pk}", label=f"Pinjaman {loan.number}", amount=loan.balance,
                     account="1131", unit="simpan_pinjam") for loan in open_loans(member)]

    def on_offset(member, debt, amount, entry) -> None:
        # the settlement entry already credited ``debt.account`` with ``amount`` (member line);
        # record the repayment in your own tables here — do NOT post another journal entry.
        ...

    register_debt_provider("loans", outstanding, on_offset)

At exit, :func:`kopdes.members.services.exit_member` asks every provider, offsets the debts against the member's
savings (in provider order, each debt in the order given) in one journal entry, then calls ``on_offset`` for each
debt it reduced (inside the same transaction: raise to abort the whole exit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Debt:
    source: str  # stable reference, e.g. "loans.Loan:12"
    label: str  # shown on the settlement statement, Indonesian
    amount: Decimal  # outstanding, > 0
    account: str  # ledger account credited when the debt is offset (e.g. "1131", "1141", "1134")
    unit: str  # business unit of that line (kopdes.core.units.Unit value)


@dataclass(frozen=True)
class DebtProvider:
    key: str
    outstanding: Callable  # (member) -> list[Debt]
    on_offset: Callable | None = None  # (member, debt, amount, entry) -> None


_PROVIDERS: dict[str, DebtProvider] = {}


def register_debt_provider(key: str, outstanding: Callable, on_offset: Callable | None = None) -> None:
    """Register (or replace) the provider ``key``. Idempotent: safe to call from ``ready()``."""
    _PROVIDERS[key] = DebtProvider(key, outstanding, on_offset)


def unregister_debt_provider(key: str) -> None:
    _PROVIDERS.pop(key, None)


def providers() -> list[DebtProvider]:
    return list(_PROVIDERS.values())


def outstanding_debts(member) -> list[tuple[DebtProvider, Debt]]:
    """Every positive debt of the member, with its provider."""
    out = []
    for p in providers():
        for d in p.outstanding(member) or []:
            if d.amount and d.amount > 0:
                out.append((p, d))
    return out


def total_outstanding(member) -> Decimal:
    return sum((d.amount for _p, d in outstanding_debts(member)), Decimal("0.00"))
