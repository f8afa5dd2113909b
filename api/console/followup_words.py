"""The console's words for follow-ups after issue (the worklist's follow-up rows, their page, the
retry), in both languages like the other catalogues (merged into i18n.CATALOGUE)."""

from __future__ import annotations

FOLLOW_UP_WORDS: dict[str, tuple[str, str]] = {
    "svc_fu_correction": ("Tindak lanjut koreksi", "Correction follow-up"),
    "svc_fu_death": ("Tindak lanjut kematian", "Death follow-up"),
    "fu_title": ("Tindak lanjut bundel {id}", "Follow-ups of bundle {id}"),
    "fu_intro": ("Tindak lanjut setelah terbit berjalan sendiri; status bundel tetap selesai. Yang ditolak "
                 "Dukcapil atau BPJS menunggu di sini: selesaikan penyebabnya, lalu coba lagi.",
                 "Follow-ups after issue run on their own; the bundle stays completed. One refused by "
                 "Dukcapil or BPJS waits here: resolve the cause, then retry."),
    "fu_none": ("Bundel ini belum punya tindak lanjut.", "This bundle has no follow-up yet."),
    "fu_open": ("Tindak lanjut", "Follow-ups"),
    "fu_step": ("Langkah", "Step"),
    "fu_retry": ("Coba lagi langkah ini", "Retry this step"),
    "fu_documents": ("Akta yang terbit", "Akta issued"),
    "fu_in_force": ("berlaku", "in force"),
    "fu_superseded": ("diganti oleh {number}", "superseded by {number}"),
    "fu_back": ("Kembali ke bundel", "Back to the bundle"),
    "ok_fu_retry": ("Langkah tindak lanjut dicoba lagi.", "The follow-up's step is being retried."),
    "ref_fu_not_waiting": ("tindak lanjut ini tidak sedang menunggu untuk dicoba lagi.",
                           "this follow-up is not waiting for a retry."),
    "ref_fu_running": ("tindak lanjut lain untuk anak ini masih berjalan; kirim lagi setelah selesai.",
                       "another follow-up of this child is still running; send it again once it has "
                       "finished."),
    "ref_fu_same_name": ("nama itu sudah tercantum pada akta yang berlaku.",
                         "that name is already on the akta in force."),
    "ref_fu_future_death": ("tanggal meninggal di masa depan (WIB).",
                            "the date of death is in the future (WIB)."),
    # the follow-ups' own reason codes (docs/operators.md, "Follow-ups after issue")
    "r_KOREKSI_TANPA_PERUBAHAN": ("Dukcapil menolak koreksi yang tidak mengubah apa pun.",
                                  "Dukcapil refused a correction that changes nothing."),
    "fix_KOREKSI_TANPA_PERUBAHAN": ("Tidak ada yang perlu diterbitkan ulang; bila memang ada yang salah, "
                                    "ajukan koreksi baru dengan data yang benar.",
                                    "Nothing needs reissuing; if something is wrong, send a new correction "
                                    "with the right data."),
    "r_AKTA_TIDAK_SESUAI": ("Nomor akta yang dikirim bukan akta yang berlaku untuk anak ini.",
                            "The akta number sent is not the one in force for this child."),
    "fix_AKTA_TIDAK_SESUAI": ("Periksa akta yang berlaku di halaman tindak lanjut, lalu coba lagi.",
                              "Check the akta in force on the follow-ups page, then retry."),
    "r_AKTA_KEMATIAN_SUDAH_TERBIT": ("Akta kematian anak ini sudah terbit.",
                                     "This child's akta kematian was already issued."),
    "r_BELUM_ADA_AKTA_KEMATIAN": ("KK hanya diubah setelah akta kematian terbit.",
                                  "The KK changes only once the akta kematian is issued."),
    "r_BUKAN_ANGGOTA_KK": ("Anak tidak tercantum pada KK ini.", "The child is not on this KK."),
    "r_TANGGAL_MENINGGAL_TIDAK_VALID": ("Tanggal meninggal ditolak (sebelum lahir atau setelah hari ini).",
                                        "The date of death was refused (before the birth or after today)."),
    "r_KIA_BELUM_TERBIT": ("KIA anak ini belum pernah terbit.", "This child's KIA was never issued."),
    "r_AKTA_BELUM_TERBIT": ("Anak belum memiliki akta kelahiran.", "The child has no akta kelahiran yet."),
}
