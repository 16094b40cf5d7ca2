from django.apps import AppConfig


def _mark_dirty_on_activity(sender, instance, raw=False, **kwargs):
    """Any write of a cooperative's business row (journal entry, member, loan…) flags its snapshot as stale.

    One cheap UPDATE that matches nothing once the flag is set; ``kopdes supervision-refresh --dirty`` (scheduled)
    recomputes flagged snapshots."""
    if raw:
        return
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label in ("supervision", "core") or not sender.__module__.startswith("kopdes."):
        return
    kid = getattr(instance, "koperasi_id", None)
    if not kid:
        return
    from django.db import connection, transaction

    from .snapshots import mark_dirty

    if not connection.in_atomic_block:
        mark_dirty(kid)
        return
    # Once per transaction and cooperative (a POS sale saves ~10 rows): skip if a flag for this cooperative is
    # already queued. A rolled-back transaction empties run_on_commit, so nothing stale is left behind.
    if any(getattr(cb, "kopdes_dirty_kid", None) == kid for _sids, cb, *_rest in connection.run_on_commit):
        return

    def flag():
        mark_dirty(kid)

    flag.kopdes_dirty_kid = kid
    transaction.on_commit(flag)


class SupervisionConfig(AppConfig):
    name = "kopdes.supervision"
    label = "supervision"
    verbose_name = "Pengawasan"

    def ready(self):
        from django.db.models.signals import post_save
        from django.utils.translation import gettext_lazy as _

        from kopdes.core.dashboard import register_widget
        from kopdes.core.navigation import MenuItem, register

        from .widgets import health_widget

        post_save.connect(_mark_dirty_on_activity, dispatch_uid="supervision_mark_dirty")
        register_widget(health_widget)
        register(MenuItem("Laporan", _("Pembinaan & kesehatan"), "supervision:koperasi", "clipboard2-pulse", order=80))
