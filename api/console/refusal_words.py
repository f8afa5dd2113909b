"""The words for the other refusal codes Dukcapil, BPJS and the SMS gateway can send (and the codes our
adapters give an answer without one), each with what it means (`r_`) and what the operator does
(`fix_`), in Bahasa Indonesia and English. Merged into words.WORDS; without an entry the console could
only say "Ditolak oleh layanan (CODE)." (tests/api/console/test_refusal_words.py collects every code
the simulators and adapters can raise and fails on one without words here or in another catalogue).
"""

from __future__ import annotations

REFUSAL_WORDS: dict[str, tuple[str, str]] = {
    # Dukcapil, the birth's services (NIK, akta, KIA, KK, surat lahir mati)
    "r_BUKAN_WILAYAH_KANTOR": ("KK keluarga berdomisili di kab/kota lain: kantor ini tidak boleh "
                               "menerbitkan (Perpres 96/2018).",
                               "The family's KK is domiciled in another kab/kota: this office may not "
                               "issue (Perpres 96/2018)."),
    "fix_BUKAN_WILAYAH_KANTOR": ("Periksa nomor KK dengan rumah sakit atau keluarga; bila salah, koreksi "
                                 "data orang tua (nomor KK) dan kantor ditentukan lagi. Bila keluarga "
                                 "memang pindah, supervisor menutup bundel dengan alasan.",
                                 "Check the KK number with the hospital or the family; if it is wrong, "
                                 "correct the parents' data (KK number) and the office is chosen again. "
                                 "If the family really moved, a supervisor closes the bundle with a "
                                 "reason."),
    "r_KANTOR_TIDAK_TERHUBUNG": ("Kantor Dukcapil yang dituju (atau yang menerbitkan KK) tidak terhubung "
                                 "dengan layanan ini.",
                                 "The Dukcapil office addressed (or the one that issued the KK) is not "
                                 "connected to this service."),
    "fix_KANTOR_TIDAK_TERHUBUNG": ("Minta admin memeriksa sambungan kantor itu, lalu \"Coba lagi\". Bila "
                                   "kantor itu memang tidak terhubung, supervisor menutup bundel dengan "
                                   "alasan.",
                                   "Ask an admin to check that office's connection, then \"Retry\". If "
                                   "the office is not connected at all, a supervisor closes the bundle "
                                   "with a reason."),
    "r_ANAK_BUKAN_KELUARGA_INI": ("Dukcapil tidak mendaftarkan anak ini pada KK yang dikirim.",
                                  "Dukcapil did not register this child on the KK sent."),
    "fix_ANAK_BUKAN_KELUARGA_INI": ("Setelah NIK terbit nomor KK tidak dapat diubah: minta Disdukcapil "
                                    "memeriksa KK anak, lalu \"Coba lagi\"; bila tidak dapat "
                                    "diselesaikan, supervisor menutup bundel dengan alasan.",
                                    "Once the NIK is issued the KK number cannot change: ask Disdukcapil "
                                    "to check the child's KK, then \"Retry\"; if it cannot be resolved, "
                                    "a supervisor closes the bundle with a reason."),
    "r_IBU_TIDAK_SESUAI": ("NIK ibu berbeda dengan ibu pada kelahiran yang sudah tercatat di Dukcapil "
                           "untuk anak ini.",
                           "The mother's NIK differs from the mother of the birth Dukcapil recorded for "
                           "this child."),
    "fix_IBU_TIDAK_SESUAI": ("Periksa NIK ibu dengan rumah sakit atau keluarga; bila salah, koreksi data "
                             "orang tua (NIK ibu), lalu \"Coba lagi\".",
                             "Check the mother's NIK with the hospital or the family; if it is wrong, "
                             "correct the parents' data (mother's NIK), then \"Retry\"."),
    "r_AKTA_SUDAH_TERBIT": ("Akta kelahiran anak ini sudah terbit; Dukcapil tidak menerbitkan yang kedua.",
                            "This child's akta kelahiran was already issued; Dukcapil issues no second "
                            "one."),
    "fix_AKTA_SUDAH_TERBIT": ("Cari bundel sebelumnya untuk anak ini (laporan ganda); \"Coba lagi\" "
                              "tidak mengubah jawaban. Bila ini duplikat, supervisor menutup bundel "
                              "dengan alasan.",
                              "Find the earlier bundle of this child (a double report); \"Retry\" gets "
                              "the same answer. If this is a duplicate, a supervisor closes the bundle "
                              "with a reason."),
    "r_KIA_SUDAH_TERBIT": ("KIA anak ini sudah terbit; Dukcapil tidak menerbitkan yang kedua.",
                           "This child's KIA was already issued; Dukcapil issues no second one."),
    "fix_KIA_SUDAH_TERBIT": ("Cari bundel sebelumnya untuk anak ini (laporan ganda); \"Coba lagi\" tidak "
                             "mengubah jawaban. Bila ini duplikat, supervisor menutup bundel dengan "
                             "alasan.",
                             "Find the earlier bundle of this child (a double report); \"Retry\" gets "
                             "the same answer. If this is a duplicate, a supervisor closes the bundle "
                             "with a reason."),
    "r_BUKAN_ANAK": ("KIA hanya untuk anak di bawah 17 tahun; menurut tanggal lahirnya anak ini tidak.",
                     "A KIA is only for children under 17; by its birth date this child is not."),
    "fix_BUKAN_ANAK": ("Periksa tanggal lahir dengan rumah sakit. Data ini tidak dapat dikoreksi di "
                       "konsol: supervisor menutup bundel dengan alasan.",
                       "Check the birth date with the hospital. This cannot be corrected in the console: "
                       "a supervisor closes the bundle with a reason."),
    "r_TANGGAL_LAHIR_TIDAK_VALID": ("Dukcapil atau BPJS menolak tanggal lahir: setelah tanggal hari ini.",
                                    "Dukcapil or BPJS refused the birth date: it is after today."),
    "fix_TANGGAL_LAHIR_TIDAK_VALID": ("Periksa tanggal lahir dengan rumah sakit. Sekitar tengah malam, "
                                      "\"Coba lagi\" keesokan harinya; selain itu data ini tidak dapat "
                                      "dikoreksi di konsol: supervisor menutup bundel dengan alasan.",
                                      "Check the birth date with the hospital. Around midnight, "
                                      "\"Retry\" the next day; otherwise this cannot be corrected in the "
                                      "console: a supervisor closes the bundle with a reason."),
    "r_USIA_KANDUNGAN_KURANG": ("Surat keterangan lahir mati dicatat hanya untuk usia kandungan 28 "
                                "minggu atau lebih.",
                                "A stillbirth certificate is recorded only at 28 weeks' gestation or "
                                "more."),
    "fix_USIA_KANDUNGAN_KURANG": ("Periksa usia kandungan dengan rumah sakit. Data ini tidak dapat "
                                  "dikoreksi di konsol: supervisor menutup bundel dengan alasan.",
                                  "Check the gestational age with the hospital. This cannot be corrected "
                                  "in the console: a supervisor closes the bundle with a reason."),
    "r_SAKSI_TIDAK_SAH": ("Akta memerlukan dua saksi yang berbeda (bukan anak itu); saksi dari rumah "
                          "sakit tidak memenuhi.",
                          "An akta needs two different witnesses (not the child); the hospital's do not "
                          "qualify."),
    "fix_SAKSI_TIDAK_SAH": ("Minta rumah sakit memeriksa saksinya. Data ini tidak dapat dikoreksi di "
                            "konsol: supervisor menutup bundel dengan alasan.",
                            "Ask the hospital to check its witnesses. This cannot be corrected in the "
                            "console: a supervisor closes the bundle with a reason."),
    "r_SAKSI_TIDAK_DITEMUKAN": ("NIK salah satu saksi tidak terdaftar di Dukcapil.",
                                "One witness's NIK is not registered at Dukcapil."),
    "fix_SAKSI_TIDAK_DITEMUKAN": ("Minta rumah sakit memeriksa NIK saksi. Data ini tidak dapat dikoreksi "
                                  "di konsol: supervisor menutup bundel dengan alasan.",
                                  "Ask the hospital to check the witnesses' NIKs. This cannot be "
                                  "corrected in the console: a supervisor closes the bundle with a "
                                  "reason."),
    "r_NOMOR_URUT_HABIS": ("Nomor urut NIK Dukcapil untuk wilayah dan tanggal lahir ini sudah habis.",
                           "Dukcapil has run out of NIK serial numbers for this region and birth date."),
    "fix_NOMOR_URUT_HABIS": ("Laporkan ke Disdukcapil; setelah ditangani, \"Coba lagi\".",
                             "Report it to Disdukcapil; once they have dealt with it, \"Retry\"."),
    "r_IDEMPOTENCY_KEY_REUSED": ("Dukcapil menolak permintaan ulang: kuncinya sudah dipakai untuk isi "
                                 "lain (kesalahan sistem, bukan data keluarga).",
                                 "Dukcapil refused a repeated request: its key was used for another "
                                 "content (a system fault, not the family's data)."),
    "fix_IDEMPOTENCY_KEY_REUSED": ("\"Coba lagi\" mengirim permintaan baru dengan kunci baru; bila "
                                   "ditolak lagi, laporkan ke admin dengan ID bundel.",
                                   "\"Retry\" sends a new request with a new key; if it is refused "
                                   "again, report it to an admin with the bundle id."),
    "r_DATA_ORANG_TUA_TIDAK_SESUAI": ("Dukcapil menolak: data orang tua tidak sesuai dengan data "
                                      "kependudukan.",
                                      "Dukcapil refused: the parents' data do not match the population "
                                      "register."),
    "fix_DATA_ORANG_TUA_TIDAK_SESUAI": ("Periksa nama dan NIK ayah dan ibu dengan rumah sakit atau "
                                        "keluarga; bila salah, koreksi data orang tua, lalu \"Coba lagi\".",
                                        "Check the father's and mother's names and NIKs with the hospital "
                                        "or the family; if they are wrong, correct the parents' data, "
                                        "then \"Retry\"."),
    "r_BERKAS_TIDAK_LENGKAP": ("Dukcapil menolak: berkas permohonan tidak lengkap.",
                               "Dukcapil refused: the application's documents are incomplete."),
    "fix_BERKAS_TIDAK_LENGKAP": ("Tanyakan kepada Disdukcapil berkas mana yang kurang dan minta rumah "
                                 "sakit melengkapinya, lalu \"Coba lagi\".",
                                 "Ask Disdukcapil which documents are missing and have the hospital "
                                 "complete them, then \"Retry\"."),
    # BPJS Kesehatan
    "r_PESERTA_TIDAK_DITEMUKAN": ("BPJS tidak menemukan kepesertaan keluarga (nomor kartu atau NIK tidak "
                                  "terdaftar).",
                                  "BPJS finds no membership for the family (card number or NIK not "
                                  "registered)."),
    "fix_PESERTA_TIDAK_DITEMUKAN": ("Tanyakan kepada keluarga apakah mereka peserta BPJS; setelah "
                                    "keluarga terdaftar di BPJS, \"Coba lagi\". Bila tidak akan "
                                    "mendaftar, supervisor menutup bundel dengan alasan.",
                                    "Ask the family whether they are BPJS members; once the family is "
                                    "registered at BPJS, \"Retry\". If they will not register, a "
                                    "supervisor closes the bundle with a reason."),
    "r_NIK_BAYI_TIDAK_VALID": ("BPJS menolak NIK bayi sebagai NIK yang tidak sah.",
                               "BPJS refused the baby's NIK as not a valid NIK."),
    "fix_NIK_BAYI_TIDAK_VALID": ("Bandingkan NIK pada langkah NIK dengan kartu keluarga; laporkan ke "
                                 "BPJS atau Disdukcapil, lalu \"Coba lagi\".",
                                 "Compare the NIK on the NIK step with the family card; report it to "
                                 "BPJS or Disdukcapil, then \"Retry\"."),
    "r_NIK_BAYI_TIDAK_SESUAI": ("BPJS menolak: NIK bayi tidak cocok dengan tanggal lahir atau jenis "
                                "kelamin yang dikirim.",
                                "BPJS refused: the baby's NIK does not match the birth date or sex sent."),
    "fix_NIK_BAYI_TIDAK_SESUAI": ("Periksa tanggal lahir dan jenis kelamin dengan rumah sakit. Data ini "
                                  "tidak dapat dikoreksi di konsol: laporkan ke Disdukcapil, lalu \"Coba "
                                  "lagi\", atau supervisor menutup bundel dengan alasan.",
                                  "Check the birth date and sex with the hospital. This cannot be "
                                  "corrected in the console: report it to Disdukcapil, then \"Retry\", "
                                  "or a supervisor closes the bundle with a reason."),
    "r_DITOLAK_BPJS": ("BPJS menolak tanpa kode alasan.",
                       "BPJS refused without a reason code."),
    "fix_DITOLAK_BPJS": ("Baca kesalahan terakhir pada langkah BPJS; hubungi BPJS bila perlu, lalu "
                         "\"Coba lagi\".",
                         "Read the BPJS step's last error; ask BPJS if needed, then \"Retry\"."),
    "r_VERIFIKASI_DITUNDA": ("BPJS menunda verifikasi pendaftaran bayi.",
                             "BPJS postponed verifying the baby's enrolment."),
    "fix_VERIFIKASI_DITUNDA": ("Tanyakan kepada kantor cabang BPJS kapan verifikasi selesai, lalu "
                               "\"Coba lagi\".",
                               "Ask the BPJS branch office when the verification is done, then "
                               "\"Retry\"."),
    # either system, or our adapter for an answer without a code
    "r_PERMINTAAN_TIDAK_VALID": ("Layanan tujuan tidak dapat membaca permintaan yang dikirim (kesalahan "
                                 "sistem, bukan data keluarga).",
                                 "The service could not read the request sent (a system fault, not the "
                                 "family's data)."),
    "fix_PERMINTAAN_TIDAK_VALID": ("Laporkan ke admin dengan ID bundel (kesalahan terakhir pada langkah "
                                   "menyebut kolomnya); setelah diperbaiki, \"Coba lagi\".",
                                   "Report it to an admin with the bundle id (the step's last error "
                                   "names the field); once fixed, \"Retry\"."),
    "r_PERMINTAAN_DITOLAK": ("Dukcapil menolak tanpa kode alasan.",
                             "Dukcapil refused without a reason code."),
    "fix_PERMINTAAN_DITOLAK": ("Baca kesalahan terakhir pada langkahnya; hubungi Disdukcapil bila perlu, "
                               "lalu \"Coba lagi\".",
                               "Read the step's last error; ask Disdukcapil if needed, then \"Retry\"."),
    "r_GANGGUAN_SIMULASI": ("Gangguan buatan simulator (uji coba), bukan penolakan sungguhan.",
                            "A fault made by the simulator (a test), not a real refusal."),
    "fix_GANGGUAN_SIMULASI": ("\"Coba lagi\" setelah aturan gangguan simulator dihapus.",
                              "\"Retry\" once the simulator's fault rule is removed."),
    # SMS reminders to the family (each sent once: a failed one is not sent again)
    "fix_NOMOR_PELAPOR_TIDAK_ADA": ("Hubungi keluarga lewat rumah sakit bila pengingat ini penting.",
                                    "Reach the family through the hospital if this reminder matters."),
    "fix_SMS_GATEWAY_TIDAK_TERSEDIA": ("Pengingat tidak dikirim ulang: hubungi keluarga bila perlu; "
                                       "admin memeriksa gerbang SMS.",
                                       "The reminder is not sent again: call the family if needed; an "
                                       "admin checks the SMS gateway."),
    "r_SMS_DITOLAK": ("Gerbang SMS menolak pesan tanpa kode alasan.",
                      "The SMS gateway refused the message without a reason code."),
    "fix_SMS_DITOLAK": ("Pengingat tidak dikirim ulang: hubungi keluarga bila perlu; admin memeriksa "
                        "gerbang SMS.",
                        "The reminder is not sent again: call the family if needed; an admin checks the "
                        "SMS gateway."),
    "r_KUNCI_API_TIDAK_SAH": ("Gerbang SMS menolak kunci API layanan ini.",
                              "The SMS gateway refused this service's API key."),
    "fix_KUNCI_API_TIDAK_SAH": ("Admin memperbaiki kunci API gerbang SMS pada konfigurasi; hubungi "
                                "keluarga bila pengingat ini penting.",
                                "An admin fixes the SMS gateway's API key in the configuration; call the "
                                "family if this reminder matters."),
    "r_PESAN_TERLALU_PANJANG": ("Gerbang SMS menolak pengingat: pesannya terlalu panjang.",
                                "The SMS gateway refused the reminder: the message is too long."),
    "fix_PESAN_TERLALU_PANJANG": ("Laporkan ke admin (panjang pesan gerbang SMS); hubungi keluarga bila "
                                  "pengingat ini penting.",
                                  "Report it to an admin (the SMS gateway's message length); call the "
                                  "family if this reminder matters."),
    "r_REFERENSI_SUDAH_DIPAKAI": ("Gerbang SMS menolak pengingat: referensinya sudah dipakai untuk pesan "
                                  "lain.",
                                  "The SMS gateway refused the reminder: its reference was used for "
                                  "another message."),
    "fix_REFERENSI_SUDAH_DIPAKAI": ("Laporkan ke admin dengan ID bundel (kesalahan sistem); hubungi "
                                    "keluarga bila pengingat ini penting.",
                                    "Report it to an admin with the bundle id (a system fault); call the "
                                    "family if this reminder matters."),
}
