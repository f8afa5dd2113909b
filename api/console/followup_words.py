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
    # what to do about the follow-ups' reason codes, and a name the register refuses
    "fix_AKTA_BELUM_TERBIT": ("Periksa langkah akta pada bundel; coba lagi setelah akta terbit.",
                              "Check the bundle's akta step; retry once the akta is issued."),
    "fix_AKTA_KEMATIAN_SUDAH_TERBIT": ("Periksa akta kematian itu di Dukcapil; mencoba lagi tidak "
                                       "mengubah jawaban.",
                                       "Check that akta kematian at Dukcapil; retrying gets the same "
                                       "answer."),
    "fix_BELUM_ADA_AKTA_KEMATIAN": ("Coba lagi setelah akta kematian tercatat.",
                                    "Retry once the akta kematian is recorded."),
    "fix_BUKAN_ANGGOTA_KK": ("Periksa KK keluarga di Dukcapil, lalu coba lagi.",
                             "Check the family's KK at Dukcapil, then retry."),
    "fix_TANGGAL_MENINGGAL_TIDAK_VALID": ("Tanggal tidak dapat diubah pada tindak lanjut yang berjalan: "
                                          "minta Disdukcapil mencatatnya langsung.",
                                          "The date cannot change on a running follow-up: ask "
                                          "Disdukcapil to record it directly."),
    "fix_KIA_BELUM_TERBIT": ("Periksa langkah KIA pada bundel; coba lagi setelah KIA terbit.",
                             "Check the bundle's KIA step; retry once the KIA is issued."),
    "r_NAMA_BERBEDA_DENGAN_AKTA": ("Nama yang dikirim berbeda dengan nama pada akta kelahiran terbaru.",
                                   "The name sent differs from the name on the latest akta kelahiran."),
    "fix_NAMA_BERBEDA_DENGAN_AKTA": ("KK dan KIA mengikuti akta yang berlaku: coba lagi langkah ini; "
                                     "bila nama pada akta salah, ajukan koreksi nama anak.",
                                     "The KK and KIA follow the akta in force: retry this step; if the "
                                     "name on the akta is wrong, send a correction of the child's name."),
    # documents and people looked up during a follow-up (or a download) that Dukcapil does not know
    "r_AKTA_SUDAH_DIGANTI": ("Akta ini sudah diganti oleh akta hasil koreksi.",
                             "This akta was superseded by a corrected one."),
    "fix_AKTA_SUDAH_DIGANTI": ("Gunakan akta yang berlaku (lihat halaman tindak lanjut), lalu coba lagi.",
                               "Use the akta in force (see the follow-ups page), then retry."),
    "r_AKTA_TIDAK_DITEMUKAN": ("Nomor akta kelahiran tidak terdaftar di Dukcapil.",
                               "The akta kelahiran number is not registered at Dukcapil."),
    "fix_AKTA_TIDAK_DITEMUKAN": ("Periksa akta yang berlaku di halaman tindak lanjut; bila tetap "
                                 "ditolak, laporkan ke Disdukcapil, lalu coba lagi.",
                                 "Check the akta in force on the follow-ups page; if still refused, "
                                 "report it to Disdukcapil, then retry."),
    "r_AKTA_KEMATIAN_TIDAK_DITEMUKAN": ("Nomor akta kematian tidak terdaftar di Dukcapil.",
                                        "The akta kematian number is not registered at Dukcapil."),
    "fix_AKTA_KEMATIAN_TIDAK_DITEMUKAN": ("Periksa tindak lanjut kematian anak; laporkan ke Disdukcapil, "
                                          "lalu coba lagi.",
                                          "Check the child's death follow-up; report it to Disdukcapil, "
                                          "then retry."),
    "r_KIA_TIDAK_DITEMUKAN": ("KIA untuk NIK ini belum terbit di Dukcapil.",
                              "Dukcapil has issued no KIA for this NIK."),
    "fix_KIA_TIDAK_DITEMUKAN": ("Periksa langkah KIA pada bundel; coba lagi setelah KIA terbit.",
                                "Check the bundle's KIA step; retry once the KIA is issued."),
    "r_NIK_ANAK_TIDAK_DITEMUKAN": ("NIK anak tidak terdaftar di Dukcapil.",
                                   "The child's NIK is not registered at Dukcapil."),
    "fix_NIK_ANAK_TIDAK_DITEMUKAN": ("Periksa langkah NIK pada bundel; bila NIK sudah terbit, laporkan "
                                     "ke Disdukcapil, lalu coba lagi.",
                                     "Check the bundle's NIK step; if the NIK was issued, report it to "
                                     "Disdukcapil, then retry."),
    "r_NIK_TIDAK_DITEMUKAN": ("NIK tidak terdaftar di Dukcapil.",
                              "The NIK is not registered at Dukcapil."),
    "fix_NIK_TIDAK_DITEMUKAN": ("Periksa langkah NIK pada bundel; laporkan ke Disdukcapil, lalu coba "
                                "lagi.",
                                "Check the bundle's NIK step; report it to Disdukcapil, then retry."),
}
