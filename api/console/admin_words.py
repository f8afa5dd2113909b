"""Texts of the auditors' audit view and the admins' pages, in Bahasa Indonesia and English."""

from __future__ import annotations

ADMIN_WORDS: dict[str, tuple[str, str]] = {
    "nav_audit": ("Log audit", "Audit log"),
    # the audit view
    "au_title": ("Log audit", "Audit log"),
    "au_intro": ("Siapa melakukan atau melihat apa, kapan dan mengapa. Terbaru di atas. NIK disamarkan; "
                 "membuka dan mengekspor log ini juga dicatat.",
                 "Who did or saw what, when and why. Newest first. NIKs are masked; opening and exporting "
                 "this log is recorded too."),
    "au_actor": ("Pelaku", "Actor"),
    "au_action": ("Tindakan", "Action"),
    "au_bundle": ("ID bundel", "Bundle id"),
    "au_from": ("Dari tanggal", "From"),
    "au_to": ("Sampai tanggal", "To"),
    "au_filter": ("Terapkan", "Apply"),
    "au_reset": ("Hapus filter", "Clear"),
    "au_export": ("Ekspor CSV", "Export CSV"),
    "au_at": ("Waktu", "Time"),
    "au_reason": ("Alasan", "Reason"),
    "au_outcome": ("Hasil", "Outcome"),
    "au_details": ("Rincian", "Details"),
    "au_none": ("Tidak ada kejadian untuk filter ini.", "No event matches these filters."),
    "au_older": ("Lebih lama", "Older"),
    "au_newest": ("Terbaru", "Newest"),
    "au_bad_filter": ("Filter {name} tidak valid dan diabaikan.",
                      "Filter {name} is not valid and was ignored."),
    # the admin pages
    "ad_no_bundles": ("Peran admin tidak punya akses ke data bundel (data pribadi anak). Setiap perubahan "
                      "di sini dicatat di log audit.",
                      "The admin role has no access to bundle data (children's personal data). Every change "
                      "here is recorded in the audit log."),
    "ad_new_hospital": ("Daftarkan rumah sakit", "Register a hospital"),
    "ad_hospital_id": ("ID rumah sakit", "Hospital id"),
    "ad_keys": ("Kunci API", "API keys"),
    "ad_key_label": ("Label kunci", "Key label"),
    "ad_issue_key": ("Terbitkan kunci", "Issue a key"),
    "ad_revoke": ("Cabut", "Revoke"),
    "ad_revoked": ("dicabut", "revoked"),
    "ad_expires": ("berakhir {at}", "expires {at}"),
    "ad_last_used": ("Terakhir dipakai", "Last used"),
    "ad_no_keys": ("Belum ada kunci.", "No key yet."),
    "ad_disable": ("Nonaktifkan", "Disable"),
    "ad_enable": ("Aktifkan", "Enable"),
    "ad_new_operator": ("Buat akun", "Create an account"),
    "ad_office_hint": ("kode kab/kota, kosong = semua kantor", "kab/kota code, empty = all offices"),
    "ad_password": ("Kata sandi awal (12+ karakter)", "Initial password (12+ characters)"),
    "ad_actions": ("Tindakan", "Actions"),
    "ad_key_once": ("Kunci API untuk {hospital} (ditampilkan sekali ini saja; simpan di sistem rumah sakit, "
                    "kirim sebagai X-API-Key):",
                    "API key for {hospital} (shown only this once; store it in the hospital's system, send "
                    "as X-API-Key):"),
    "ok_hospital_created": ("Rumah sakit {id} didaftarkan; terbitkan kuncinya.",
                            "Hospital {id} registered; issue its key."),
    "ok_hospital_disabled": ("Rumah sakit {id} dinonaktifkan: semua kuncinya berhenti berlaku.",
                             "Hospital {id} disabled: all its keys stop working."),
    "ok_hospital_enabled": ("Rumah sakit {id} diaktifkan lagi.", "Hospital {id} enabled again."),
    "ok_key_revoked": ("Kunci {id} dicabut.", "Key {id} revoked."),
    "ok_operator_created": ("Akun {id} dibuat.", "Account {id} created."),
    "ok_operator_disabled": ("Akun {id} dinonaktifkan; sesinya berakhir.", "Account {id} disabled; its "
                             "sessions end."),
    "ok_operator_enabled": ("Akun {id} diaktifkan lagi.", "Account {id} enabled again."),
    "adm_exists": ("Sudah ada: {id}.", "Already exists: {id}."),
    "adm_unknown": ("Tidak ditemukan: {id}.", "Not found: {id}."),
    "adm_weak_password": ("Kata sandi terlalu lemah: {message}", "The password is too weak: {message}"),
    "adm_self": ("Akun Anda sendiri tidak dapat dinonaktifkan di sini.",
                 "Your own account cannot be disabled here."),
    "fld_hospital_id": ("ID rumah sakit", "Hospital id"),
    "fld_full_name": ("Nama lengkap", "Full name"),
    "fld_username": ("Nama pengguna", "Username"),
    "fld_role": ("Peran", "Role"),
    "fld_office_code": ("Kode kantor", "Office code"),
    "fld_password": ("Kata sandi", "Password"),
    "fld_label": ("Label", "Label"),
}
