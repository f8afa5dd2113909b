"""The bundle page's words for the family as the hospital sent it, and for revealing a masked field."""

from __future__ import annotations

FAMILY_WORDS: dict[str, tuple[str, str]] = {
    "fam_title": ("Keluarga (seperti dikirim rumah sakit)", "Family (as the hospital sent it)"),
    "fam_hint": ("NIK dan nomor KK disamarkan. Tampilkan satu per satu bila perlu; alasannya dicatat di "
                 "log audit.",
                 "NIKs and the KK number are masked. Reveal one at a time when needed; the reason is "
                 "kept in the audit log."),
    "fam_not_kept": ("Data keluarga seperti dikirim tidak tersimpan untuk bundel ini (diterima sebelum "
                     "disimpan, atau sudah dihapus sesuai kebijakan retensi).",
                     "The family's data as sent is not kept for this bundle (received before it was "
                     "kept, or removed by the retention policy)."),
    "fam_mother": ("Ibu", "Mother"),
    "fam_father": ("Ayah", "Father"),
    "fam_no_father": ("Tidak dilaporkan", "Not reported"),
    "fam_nik": ("NIK {who}", "{who}'s NIK"),
    "fam_kk": ("Nomor KK", "KK number"),
    "fam_children": ("Nama anak", "Children's names"),
    "fam_no_name": ("Belum diberi nama", "Not named yet"),
    "fam_phone": ("Telepon pelapor", "Reporter's phone"),
    "fam_reveal": ("Tampilkan", "Reveal"),
    "fam_reveal_why": ("Alasan menampilkan", "Why you need it"),
    "fam_revealed": ("Ditampilkan; tercatat di log audit.", "Revealed; recorded in the audit log."),
    "fam_reason_needed": ("Isi alasan (3-500 karakter) untuk menampilkan data ini.",
                          "Give a reason (3-500 characters) to reveal this."),
    "fam_not_sent": ("Data ini tidak dikirim untuk bundel ini.", "This was not sent for this bundle."),
}
