"""The GET filters of list and report pages (issue 14 item 11).

A page declares its filters once and reads them from the form, never from ``request.GET``::

    f = filters.read(request, dari=filters.date(), sampai=filters.date(), tahun=filters.year())
    start = f.value("dari", today.replace(day=1))

The form is bound to the query string and cleaned at once. A value that does not parse (``0000-00-00``, ``abc``,
a year 0, a number beyond the field's range, a NUL character) is that field's error: the page shows it above its
content (``base.html`` renders them) and the filter falls back to its default, so the page still
answers 200 with the rest of the filters applied. No raw string from the query reaches a query or ``int()``.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from .errors import bilingual

# Dates a cooperative's books can hold; beyond them a filter is a typing error (and date arithmetic would overflow).
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)
MAX_ID = 2**63 - 1


class FilterForm(forms.Form):
    """Bound to ``request.GET``; ``value(name, default)`` is the cleaned value, or the default when the field is
    empty or wrong."""

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.full_clean()

    def value(self, name: str, default=None):
        if name in self.errors:
            return default
        v = self.cleaned_data.get(name)
        return default if v in (None, "") else v

    def messages(self) -> list[str]:
        """``label: error`` lines for the page's notice."""
        out = []
        for name, errors in self.errors.items():
            label = self.fields[name].label or name
            out.extend(f"{label} ({name}={self.data.get(name, '')[:40]!r}): {e}" for e in errors)
        return out


def read(source, **fields: forms.Field) -> FilterForm:
    """A filter form with these fields, bound to the request's query string (or to ``source`` itself when it is a
    mapping such as ``request.POST``) and cleaned."""
    form_class = type("Filters", (FilterForm,), dict(fields))
    form = form_class(getattr(source, "GET", source))
    if hasattr(source, "GET"):
        source.__dict__.setdefault("_kopdes_filters", []).append(form)
    return form


def errors_of(request) -> list[str]:
    """Every filter error of this request (the context processor gives them to ``base.html``)."""
    notes = list(getattr(request, "_kopdes_filter_notes", ()))
    return notes + [line for form in getattr(request, "_kopdes_filters", ()) for line in form.messages()]


def period(request, default_start: dt.date, default_end: dt.date, *, start: str = "dari", end: str = "sampai",
           swap: bool = False) -> tuple[dt.date, dt.date]:
    """A report's date range from ``?dari=&sampai=`` (or other names); a wrong date is its default and the page's
    notice. ``swap`` puts a reversed range the right way round."""
    from django.utils.translation import gettext as _

    f = read(request, **{start: date(_("Dari")), end: date(_("Sampai"))})
    a, b = f.value(start, default_start), f.value(end, default_end)
    if swap and a > b:
        a, b = b, a
    return a, b


class _Date(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"])
        super().__init__(**kwargs)
        self.validators += [
            MinValueValidator(MIN_DATE, bilingual("Tanggal paling awal 01-01-1900.",
                                                  "The earliest date is 1900-01-01.")),
            MaxValueValidator(MAX_DATE, bilingual("Tanggal paling akhir 31-12-2999.",
                                                  "The latest date is 2999-12-31.")),
        ]


def date(label: str = "", **kwargs) -> forms.DateField:
    return _Date(label=label or None, **kwargs)


def number(label: str = "", *, min_value: int = 1, max_value: int = MAX_ID, **kwargs) -> forms.IntegerField:
    """A whole number within the range (ids, days, line numbers)."""
    kwargs.setdefault("required", False)
    return forms.IntegerField(label=label or None, min_value=min_value, max_value=max_value, **kwargs)


def year(label: str = "", **kwargs) -> forms.IntegerField:
    return number(label, min_value=MIN_DATE.year, max_value=MAX_DATE.year, **kwargs)


class _Month(forms.CharField):
    """``YYYY-MM`` → the first day of that month."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            y, m = (int(x) for x in value.split("-"))
            first = dt.date(y, m, 1)
        except ValueError:
            raise ValidationError(bilingual("Bulan harus bertulis TTTT-BB, mis. 2026-03.",
                                            "A month is written YYYY-MM, e.g. 2026-03."), code="month") from None
        if not MIN_DATE <= first <= MAX_DATE:
            raise ValidationError(bilingual("Bulan di luar rentang 1900–2999.", "Month outside 1900–2999."),
                                  code="month")
        return first


def month(label: str = "", **kwargs) -> forms.CharField:
    kwargs.setdefault("required", False)
    return _Month(label=label or None, max_length=7, **kwargs)


def text(label: str = "", *, max_length: int = 100, **kwargs) -> forms.CharField:
    """A search box or a code: stripped, NUL refused (Django's CharField does), at most ``max_length``."""
    kwargs.setdefault("required", False)
    return forms.CharField(label=label or None, max_length=max_length, **kwargs)


class QueryTextMiddleware:
    """No control character of a query string reaches a view (PostgreSQL refuses NUL in any text parameter: a
    search box with ``%00`` was a 500 on every list page there). A page gets the query without that parameter and
    shows it as a filter error; the API answers a 400 problem naming the parameter (the schema cannot say it:
    a business refusal, documented for every operation)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .validators import control_character, control_message

        bad = {}
        for key, values in request.GET.lists():
            char = control_character(key) or next((c for c in map(control_character, values) if c), None)
            if char:
                bad[key] = char
        if bad:
            if request.path.startswith("/api/"):
                from kopdes.api.errors import ApiProblem, problem_response

                key, char = next(iter(bad.items()))
                return problem_response(ApiProblem(400, *control_message(char), field=key,
                                                   code="control_character"))
            query = request.GET.copy()
            for key in bad:
                query.pop(key, None)
            query._mutable = False
            request.GET = query
            request.__dict__.setdefault("_kopdes_filter_notes", []).extend(
                f"{key[:40]!r}: {bilingual(*control_message(char))}" for key, char in bad.items())
        return self.get_response(request)
