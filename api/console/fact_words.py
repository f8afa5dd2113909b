"""The words for what a service learned (its facts), why it stopped (its note) and what a timeline event
adds, each in Bahasa Indonesia and English.

The workflow writes each note as a code (domain Note) with parameters beside its English text; the
console says it from these entries (api/console/notes.py), and so does the JSON API's `message`.
Notes stored before they had codes are mapped to one from the structured state (api/console/describe.py).
"""

from __future__ import annotations

FACT_WORDS: dict[str, tuple[str, str]] = {
    # fact labels, one per key a workflow writes into ServiceState.facts
    "fact_jenis": ("Jenis", "Type"),
    "fact_orang_tua": ("Orang tua pada akta", "Parents on the akta"),
    "fact_nama": ("Nama tercetak", "Name as printed"),
    "fact_berlaku_sampai": ("Berlaku sampai", "Valid until"),
    "fact_tanggal_terbit": ("Tanggal terbit", "Issued on"),
    "fact_tanda_tangan": ("Tanda tangan elektronik", "Electronic signature"),
    "fact_segmen": ("Segmen", "Segment"),
    "fact_kelas": ("Kelas", "Class"),
    "fact_status": ("Status kepesertaan", "Membership status"),
    "fact_virtual_account": ("Virtual account", "Virtual account"),
    "fact_tagihan": ("Tagihan", "Amount due"),
    "fact_tunggakan_sejak": ("Menunggak sejak", "In arrears since"),
    "fact_berakhir": ("Berakhir karena", "Ended because"),
    # fact values that are codes: the words for them (dates and money are formatted instead)
    "fv_jenis_LU": ("umum (LU)", "on time (LU)"),
    "fv_jenis_LT": ("terlambat (LT)", "late (LT)"),
    "fv_jenis_0-5": ("KIA anak 0-5 tahun", "KIA for ages 0-5"),
    "fv_jenis_5-17": ("KIA anak 5-17 tahun", "KIA for ages 5-17"),
    "fv_orang_tua_kedua_orang_tua": ("kedua orang tua", "both parents"),
    "fv_orang_tua_perkawinan_belum_tercatat": ("perkawinan belum tercatat (SPTJM)",
                                               "unrecorded marriage (SPTJM)"),
    "fv_orang_tua_anak_seorang_ibu": ("anak seorang ibu", "the mother only"),
    "fv_status_DIDAFTARKAN": ("didaftarkan", "enrolled"),
    "fv_status_MENUNGGU_PEMBAYARAN": ("menunggu pembayaran", "awaiting payment"),
    "fv_status_AKTIF": ("aktif", "active"),
    "fv_status_NONAKTIF": ("nonaktif", "inactive"),
    "fv_berakhir_MENINGGAL": ("anak meninggal", "the child died"),
    "fv_segmen_PBI": ("PBI (Penerima Bantuan Iuran)", "PBI (contribution assistance)"),
    "fv_segmen_PPU": ("PPU (pekerja penerima upah)", "PPU (wage worker)"),
    "fv_segmen_PBPU": ("PBPU (pekerja bukan penerima upah)", "PBPU (non-wage worker)"),
    # a service's last note and what a timeline event adds to its title: one per domain Note, with its
    # parameters (api/console/notes.py); the JSON API's `message` is the English side
    "note_children_reported": ("{n} anak dilaporkan", "{n} child(ren) reported"),
    "note_refused": ("Ditolak oleh {system} ({code}).", "Refused by {system} ({code})."),
    "note_no_office": ("Tidak ada kantor Dukcapil terhubung untuk kab/kota {kab}.",
                       "No connected Dukcapil office for kab/kota {kab}."),
    "note_held_duplicate": ("Ditahan sebelum apa pun diterbitkan: mungkin kelahiran yang sudah dilaporkan; "
                            "supervisor yang memutuskan.",
                            "Held before anything is issued: it may be a birth already reported; "
                            "a supervisor decides."),
    "note_waiting_name": ("Menunggu nama bayi.", "Waiting for the baby's name."),
    "note_awaiting_payment": ("Menunggu pembayaran pertama keluarga ke virtual account.",
                              "Waiting for the family's first payment into the virtual account."),
    "note_bpjs_ended": ("Kepesertaan berakhir: anak meninggal.", "Membership ended: the child died."),
    "note_rerouting": ("Nomor KK dikoreksi: kantor ditentukan lagi.", "KK number corrected: routed again."),
    "note_legal_deadline": ("tenggat hukum {date}", "legal deadline {date}"),
    "note_by_actor": ("oleh {actor}", "by {actor}"),
    "note_by_actor_because": ("oleh {actor}: {reason}", "by {actor}: {reason}"),
    "note_parents_changed": ("oleh {actor} ({fields}): {reason}", "by {actor} ({fields}): {reason}"),
    "note_handed_over": ("ke {office} (rujukan {reference}) oleh {actor}: {reason}",
                         "to {office} (reference {reference}) by {actor}: {reason}"),
    "note_death_follow_up": ("tindak lanjut kematian", "death follow-up"),
    "note_reminder": ("{reminder}", "{reminder}"),
    "sys_dukcapil": ("Dukcapil", "Dukcapil"),
    "sys_bpjs": ("BPJS Kesehatan", "BPJS Kesehatan"),
    "chg_mother": ("ibu", "mother"),
    "chg_father": ("ayah", "father"),
    "chg_kk_number": ("nomor KK", "KK number"),
    "rem_name_missing": ("nama bayi belum ada", "the baby's name is missing"),
    "rem_payment_due": ("pembayaran BPJS pertama", "the first BPJS payment"),
    "rem_deadline_approaching": ("tenggat hukum mendekat", "the legal deadline is near"),
    "ev_handed_over": ("Bundel diteruskan ke kantor lain", "Bundle handed over to another office"),
    # reminders that could not go out (the timeline shows the code and these words)
    "r_NOMOR_PELAPOR_TIDAK_ADA": ("Rumah sakit tidak mengirim nomor telepon pelapor.",
                                  "The hospital sent no reporter's phone number."),
    "r_SMS_GATEWAY_TIDAK_TERSEDIA": ("Gerbang SMS tidak dapat dihubungi.",
                                     "The SMS gateway was unreachable."),
    # follow-up steps after issue
    "fstep_akta_kematian": ("akta kematian", "death certificate"),
    "fstep_akta": ("akta kelahiran (terbit ulang)", "birth certificate (reissued)"),
    "fstep_kia": ("KIA", "KIA"),
    "fstep_kk": ("Kartu Keluarga", "Family card (KK)"),
    "fstep_bpjs": ("BPJS Kesehatan", "BPJS Kesehatan"),
    "fstep_done": ("selesai", "done"),
    "fstep_kk_tanggal_terbit": ("Kartu Keluarga terbit", "Family card (KK) issued on"),
    "fstep_kia_berlaku_sampai": ("KIA berlaku sampai", "KIA valid until"),
    "fstep_akta_lama": ("akta kelahiran lama (diganti)", "previous birth certificate (superseded)"),
    "fstep_bpjs_status": ("Status BPJS Kesehatan", "BPJS Kesehatan status"),
}
