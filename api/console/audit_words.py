"""The audit view's words for what was done (`aua_` + the action with dots as underscores) and how it
ended (`auo_` + the outcome), in Bahasa Indonesia and English. The page shows these words with the
action's code beside them (the filter takes the code); the CSV export keeps the codes as data.
tests/api/console/test_refusal_words.py collects the actions the sources record and fails on one
without words here.
"""

from __future__ import annotations

AUDIT_WORDS: dict[str, tuple[str, str]] = {
    # outcomes (store/auth_models.py AuditEvent.outcome)
    "auo_ok": ("berhasil", "done"),
    "auo_refused": ("ditolak", "refused"),
    "auo_failed": ("gagal", "failed"),
    # actions: people and sessions
    "aua_auth_login": ("Masuk", "Logged in"),
    "aua_auth_logout": ("Keluar", "Logged out"),
    "aua_auth_login_throttled": ("Masuk ditolak: terlalu banyak percobaan dari alamat ini",
                                 "Login refused: too many attempts from this address"),
    "aua_auth_lock": ("Akun dikunci setelah gagal masuk berulang", "Account locked after failed logins"),
    # actions on a bundle
    "aua_bundle_view": ("Bundel dilihat", "Bundle viewed"),
    "aua_submitted_reveal": ("Data keluarga ditampilkan (satu kolom)", "Family data revealed (one field)"),
    "aua_bundle_parents": ("Data orang tua dikoreksi", "Parents' data corrected"),
    "aua_bundle_retry": ("Coba lagi diminta", "Retry requested"),
    "aua_bundle_close": ("Bundel ditutup", "Bundle closed"),
    "aua_bundle_forward": ("Bundel diteruskan", "Bundle forwarded"),
    "aua_bundle_decision": ("Keputusan Kepala Dinas dicatat", "Kepala Dinas's decision recorded"),
    "aua_bundle_sptjm": ("SPTJM diputuskan", "SPTJM decided"),
    "aua_bundle_duplicate": ("Dugaan duplikat diputuskan", "Suspected duplicate decided"),
    "aua_child_name": ("Nama bayi diisi", "Baby's name provided"),
    "aua_child_death": ("Kematian anak dilaporkan", "Child's death reported"),
    "aua_child_correction": ("Koreksi data anak diajukan", "Correction of a child's data sent"),
    "aua_follow_up_retry": ("Tindak lanjut dicoba lagi", "Follow-up retried"),
    # the same from the command line (kelahiran admin ...)
    "aua_cli_retry_service": ("CLI: layanan dicoba lagi", "CLI: service retried"),
    "aua_cli_close_bundle": ("CLI: bundel ditutup", "CLI: bundle closed"),
    "aua_cli_record_kadis_decision": ("CLI: keputusan Kepala Dinas dicatat",
                                      "CLI: Kepala Dinas's decision recorded"),
    # the audit log itself, the Temporal codec
    "aua_audit_search": ("Log audit dibuka", "Audit log opened"),
    "aua_audit_export": ("Log audit diekspor", "Audit log exported"),
    "aua_codec_decode": ("Data alur kerja didekode (codec Temporal)",
                         "Workflow data decoded (Temporal codec)"),
    "aua_codec_encode": ("Data alur kerja dienkode (codec Temporal)",
                         "Workflow data encoded (Temporal codec)"),
    # hospitals' own settings
    "aua_hospital_webhook_set": ("Rumah sakit: webhook diatur", "Hospital: webhook set"),
    "aua_hospital_webhook_rotate": ("Rumah sakit: rahasia webhook diganti",
                                    "Hospital: webhook secret rotated"),
    "aua_hospital_webhook_delete": ("Rumah sakit: webhook dihapus", "Hospital: webhook removed"),
    # administration
    "aua_admin_hospital_create": ("Admin: rumah sakit didaftarkan", "Admin: hospital registered"),
    "aua_admin_hospital_disable": ("Admin: rumah sakit dinonaktifkan", "Admin: hospital disabled"),
    "aua_admin_hospital_enable": ("Admin: rumah sakit diaktifkan lagi", "Admin: hospital enabled again"),
    "aua_admin_key_issue": ("Admin: kunci API diterbitkan", "Admin: API key issued"),
    "aua_admin_key_rotate": ("Admin: kunci API diganti", "Admin: API key rotated"),
    "aua_admin_key_revoke": ("Admin: kunci API dicabut", "Admin: API key revoked"),
    "aua_admin_operator_create": ("Admin: akun petugas dibuat", "Admin: operator account created"),
    "aua_admin_operator_update": ("Admin: akun petugas diubah", "Admin: operator account changed"),
    "aua_admin_operator_unlock": ("Admin: kunci akun petugas dibuka", "Admin: operator account unlocked"),
}
