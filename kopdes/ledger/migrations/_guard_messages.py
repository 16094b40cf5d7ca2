"""Messages of the ledger guards (migration 0002 and ``ledger/citus_guards.py``); a module name Django skips."""

MSG_INSERT_POSTED = "jurnal harus dibuat sebagai draf / a journal entry must be inserted as draft"
MSG_LINE_POSTED = "jurnal yang sudah diposting tidak dapat diubah / a posted journal entry cannot be changed"
MSG_UNBALANCED = "jurnal tidak seimbang atau nol / journal entry unbalanced or zero"
MSG_FOREIGN = "baris jurnal tidak sesuai koperasi/tanggal jurnal / line does not match entry cooperative or date"
