#!/usr/bin/env python3
"""Draws the synthetic identity documents, photo and letter the media tests read, with ImageMagick,
and embeds them in a JSON export (base64, data: URI) and a pg_dump (bytea hex).

Usage: make-fixtures.py OUTDIR [--samples]. With --samples, only the two documents of Samples/
(a learner's card and passport, made-up people with computed check digits). Everything is made up: the MRZ lines are ICAO 9303's and France's
published specimens, the NIR a published test value (see ../shared/reference/test-vectors.json).
"""
import base64, json, os, sqlite3, struct, subprocess, sys

out = sys.argv[1]
samples_only = "--samples" in sys.argv[2:]
os.makedirs(out, exist_ok=True)
SANS, MONO = "DejaVu-Sans", "DejaVu-Sans-Mono"


def draw(name, size, lines, extra=()):
    """lines: (font, pointsize, x, y, text)."""
    args = ["convert", "-size", size, "xc:white", "-fill", "black"]
    for font, points, x, y, text in lines:
        args += ["-font", font, "-pointsize", str(points), "-annotate", f"+{x}+{y}", text]
    args += list(extra) + [os.path.join(out, name)]
    subprocess.run(args, check=True)


def card(name, mrz, title=("RÉPUBLIQUE FRANÇAISE", "CARTE NATIONALE D'IDENTITÉ")):
    lines = [(SANS, 40, 60, 80, title[0]), (SANS, 40, 60, 140, title[1]),
             (SANS, 32, 60, 230, "Nom / Surname: MARTIN"), (SANS, 32, 60, 290, "Prénom(s): MAELYS GAELLE MARIE"),
             (SANS, 32, 60, 350, "Date de naiss.: 13 07 1990")]
    top = 880 - 60 * len(mrz)
    lines += [(MONO, 36, 60, top + 60 * i, line) for i, line in enumerate(mrz)]
    draw(name, "1400x880", lines)


def check(field):
    """ICAO 9303 check digit: weights 7, 3, 1; `<` is 0, letters 10 to 35."""
    value = lambda c: 0 if c == "<" else int(c) if c.isdigit() else ord(c) - 55
    return str(sum(value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(field)) % 10)


def td1(number, birth, sex, expiry, surname, given):
    """A French CNIe (TD1) MRZ with every check digit computed."""
    line1 = ("IDFRA" + number + check(number)).ljust(30, "<")
    line2 = birth + check(birth) + sex + expiry + check(expiry) + "FRA"
    line2 = line2.ljust(29, "<")
    line2 += check(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    return [line1, line2, (surname + "<<" + given.replace(" ", "<")).ljust(30, "<")[:30]]


def td3(number, nationality, birth, sex, expiry, surname, given):
    """A passport (TD3) MRZ with every check digit computed."""
    line1 = ("P<" + nationality + surname + "<<" + given.replace(" ", "<")).ljust(44, "<")[:44]
    personal = "<" * 14
    line2 = number + check(number) + nationality + birth + check(birth) + sex + expiry + check(expiry) + personal + check(personal)
    return [line1, line2 + check(line2[0:10] + line2[13:20] + line2[21:43])]


TD1 = ["IDFRAX4RTBPFW46<<<<<<<<<<<<<<<", "9007138F3002119FRA<<<<<<<<<<<6", "MARTIN<<MAELYS<GAELLE<MARIE<<<"]
TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
# Made-up people for Samples/ (not the published specimens, which detector descriptions quote).
assert td1("X4RTBPFW4", "900713", "F", "300211", "MARTIN", "MAELYS GAELLE MARIE") == TD1, "check digits"
assert td3("L898902C3", "UTO", "740812", "F", "120415", "ERIKSSON", "ANNA MARIA")[0] == TD3[0]
if samples_only:
    card("learner-card.png", td1("K7T2M9R4P", "010422", "F", "340611", "LEFEBVRE", "CAMILLE LOU"))
    draw("learner-passport.png", "1500x1000",
         [(SANS, 40, 60, 80, "PASSEPORT / PASSPORT"), (SANS, 30, 60, 160, "Nom / Surname: GARNIER"),
          (SANS, 30, 60, 220, "Date de naissance: 03 11 1999")]
         + [(MONO, 34, 40, 880 + 60 * i, l) for i, l in enumerate(td3("21FR58413", "FRA", "991103", "M", "310917", "GARNIER", "HUGO"))])
    sys.exit(0)

card("id-card.png", TD1)
# The birth date's check digit is wrong (3 for 8): the MRZ does not verify.
card("id-broken.png", [TD1[0], TD1[1][:6] + "3" + TD1[1][7:], TD1[2]])
draw("passport.png", "1500x1000",
     [(SANS, 40, 60, 80, "PASSEPORT / PASSPORT"), (SANS, 30, 60, 160, "Nom / Surname: ERIKSSON"),
      (SANS, 30, 60, 220, "Date of birth: 12 AUG 1974")] + [(MONO, 34, 40, 880 + 60 * i, l) for i, l in enumerate(TD3)])
subprocess.run(["convert", os.path.join(out, "passport.png"), "-quality", "90", os.path.join(out, "passport.jpg")], check=True)
os.remove(os.path.join(out, "passport.png"))
# A photo: colour noise, no text.
subprocess.run(["convert", "-size", "800x600", "-seed", "7", "plasma:fractal", "-blur", "0x2", os.path.join(out, "photo.jpg")], check=True)
# An avatar: too small and square, never read.
subprocess.run(["convert", "-size", "200x200", "xc:steelblue", os.path.join(out, "avatar.png")], check=True)
draw("letter.png", "1240x1754",
     [(SANS, 28, 100, 150, "Attestation de scolarité"), (SANS, 24, 100, 260, "L'étudiante est inscrite en formation."),
      (SANS, 24, 100, 320, "Numéro de sécurité sociale : 2 95 10 99 126 111 93"), (SANS, 24, 100, 380, "Fait à Paris.")])


def pdf(objects):
    body = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def page(resources, content):
    return [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources " + resources + b" /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]


# A PDF with a text layer, and a scanned card as a PDF without one.
text = b"BT /F1 12 Tf 72 700 Td (Attestation: numero de securite sociale 2 95 10 99 126 111 93) Tj ET"
open(os.path.join(out, "attestation.pdf"), "wb").write(pdf(page(b"<< /Font << /F1 5 0 R >> >>", text)
                                                          + [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]))
# A long procedure that names the documents it asks for: not an identity document.
lines = [b"Procedure d'inscription : pieces a fournir"] + [b"Etape %d : le candidat fournit son passeport ou sa carte d'identite, avec Nom et Date de naissance." % i for i in range(1, 41)]
stream = b"BT /F1 9 Tf 40 760 Td 11 TL " + b" ".join(b"(" + l + b") '" for l in lines) + b" ET"
open(os.path.join(out, "procedure.pdf"), "wb").write(pdf(page(b"<< /Font << /F1 5 0 R >> >>", stream)
                                                        + [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]))
jpeg_path = os.path.join(out, "card.jpg")
subprocess.run(["convert", os.path.join(out, "id-card.png"), "-type", "TrueColor", "-quality", "90", jpeg_path], check=True)
jpeg = open(jpeg_path, "rb").read()
os.remove(jpeg_path)
image = b"<< /Type /XObject /Subtype /Image /Width 1400 /Height 880 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" % len(jpeg) + jpeg + b"\nendstream"
open(os.path.join(out, "scan.pdf"), "wb").write(pdf(page(b"<< /XObject << /Im1 5 0 R >> >>", b"q 560 0 0 352 26 400 cm /Im1 Do Q") + [image]))

# The same images inside data: a JSON export and a pg_dump.
def read(name):
    return open(os.path.join(out, name), "rb").read()

def wav(seconds):
    """8 kHz mono 8-bit PCM silence."""
    data = b"\x80" * (8000 * seconds)
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    return b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data


students = [{"id": 1, "email_hash": "n/a", "piece_identite": base64.b64encode(read("id-card.png")).decode()},
            {"id": 2, "avatar": "data:image/jpeg;base64," + base64.b64encode(read("photo.jpg")).decode()},
            {"id": 3, "justificatif": base64.b64encode(read("letter.png")).decode()},
            {"id": 4, "soutenance_audio": base64.b64encode(wav(3)).decode()}]
with open(os.path.join(out, "export.json"), "w") as f:
    json.dump(students, f, indent=1)
with open(os.path.join(out, "documents.sql"), "w") as f:
    f.write("--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.documents (\n    id integer NOT NULL,\n    kind text,\n    scan bytea\n);\n\n")
    f.write("COPY public.documents (id, kind, scan) FROM stdin;\n")
    for i, (kind, name) in enumerate([("id", "id-card.png"), ("photo", "photo.jpg"), ("letter", "letter.png")], 1):
        f.write("%d\t%s\t\\\\x%s\n" % (i, kind, read(name).hex()))
    f.write("\\.\n")

# The card in the other places a file hides in data: a mysqldump (--hex-blob 0x literal, and a
# _binary string with MySQL's escapes), a SQLite BLOB, an XML element and a CSV cell.
card_bytes = read("id-card.png")
escaped = card_bytes.replace(b"\\", b"\\\\").replace(b"\x00", b"\\0").replace(b"'", b"\\'").replace(b"\n", b"\\n").replace(b"\r", b"\\r").replace(b"\x1a", b"\\Z")
with open(os.path.join(out, "documents-mysql.sql"), "wb") as f:
    f.write(b"CREATE TABLE `scans` (\n  `id` int NOT NULL,\n  `piece` longblob\n);\n")
    f.write(b"INSERT INTO `scans` VALUES (1,0x" + card_bytes.hex().upper().encode() + b"),(2,_binary '" + escaped + b"');\n")
database = sqlite3.connect(os.path.join(out, "documents.sqlite"))
database.execute("CREATE TABLE uploads (id INTEGER PRIMARY KEY, owner TEXT, file BLOB)")
database.execute("INSERT INTO uploads VALUES (7, 'learner', ?)", (card_bytes,))
database.commit()
database.close()
with open(os.path.join(out, "export.xml"), "w") as f:
    f.write('<?xml version="1.0"?>\n<learners>\n <learner id="1">\n  <scan>' + base64.b64encode(card_bytes).decode() + "</scan>\n </learner>\n</learners>\n")
with open(os.path.join(out, "export.csv"), "w") as f:
    f.write("id,document\n1," + base64.b64encode(card_bytes).decode() + "\n")
