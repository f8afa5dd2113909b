"""The words for what a service learned (its facts), why it stopped (its detail) and what a timeline event
adds, each in Bahasa Indonesia and English.

The workflow keeps English notes in `detail` and `message` for the JSON API and the logs; the console
never shows them: api/console/describe.py derives these keys and their parameters from the structured
state (status, reason, service, deadline, the forwarding record) instead.
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
    # a service's last note, derived from its status and reason
    "det_refused": ("Ditolak oleh {system} ({code}).", "Refused by {system} ({code})."),
    "det_no_office": ("Tidak ada kantor Dukcapil terhubung untuk kab/kota {kab}.",
                      "No connected Dukcapil office for kab/kota {kab}."),
    "det_awaiting_payment": ("Menunggu pembayaran pertama keluarga ke virtual account.",
                             "Waiting for the family's first payment into the virtual account."),
    "det_waiting_name": ("Menunggu nama bayi.", "Waiting for the baby's name."),
    "det_bpjs_ended": ("Kepesertaan berakhir: anak meninggal.", "Membership ended: the child died."),
    "det_rerouting": ("Nomor KK dikoreksi: kantor ditentukan lagi.", "KK number corrected: routed again."),
    "sys_dukcapil": ("Dukcapil", "Dukcapil"),
    "sys_bpjs": ("BPJS Kesehatan", "BPJS Kesehatan"),
    # what a timeline event adds to its title
    "evn_children": ("{n} anak dilaporkan", "{n} child(ren) reported"),
    "evn_deadline": ("tenggat hukum {date}", "legal deadline {date}"),
    "evn_by": ("oleh {actor}", "by {actor}"),
    "evn_by_because": ("oleh {actor}: {reason}", "by {actor}: {reason}"),
    "evn_changed": ("oleh {actor} ({fields}): {reason}", "by {actor} ({fields}): {reason}"),
    "evn_handed_over": ("ke {office} (rujukan {reference}) oleh {actor}",
                        "to {office} (reference {reference}) by {actor}"),
    "evn_follow_up_death": ("tindak lanjut kematian", "death follow-up"),
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
