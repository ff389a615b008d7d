#!/usr/bin/env python3
"""Write a policy list of N rows in the import template (docs/imports.md),
as CSV and, with --xlsx, as an XLSX workbook laid out the way Excel writes
one: text in shared strings, dates as serial numbers with a date style.
Deterministic for a given N and seed. Used by bench/import.sh.

usage: gen_policies.py N OUT.csv [--xlsx OUT.xlsx] [--program CODE] [--seed S]
"""
import argparse
import datetime
import random
import zipfile
from xml.sax.saxutils import escape

HEADER = ["policy_number", "program", "packages", "start_date", "end_date", "status",
          "sum_insured", "previous_policy", "last_name", "first_name", "middle_name",
          "birth_date", "sex", "phone", "email", "document", "address", "city", "language",
          "time_zone"]
LAST = ["Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов",
        "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов",
        "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров",
        "Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Clark",
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"]
FIRST = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина", "Иван", "Сергей", "Алексей",
         "Дмитрий", "Андрей", "Михаил", "Николай", "Павел", "Юлия", "Татьяна", "John", "Mary",
         "James", "Linda", "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋"]
MIDDLE = ["", "Сергеевич", "Ивановна", "Петрович", "Алексеевна", "Андреевич", "Михайловна"]
CITIES = [("Москва", "ru", "Europe/Moscow"), ("Санкт-Петербург", "ru", "Europe/Moscow"),
          ("Новосибирск", "ru", "Asia/Novosibirsk"), ("北京", "zh", "Asia/Shanghai"),
          ("上海", "zh", "Asia/Shanghai"), ("London", "en", "Europe/London")]
EPOCH = datetime.date(1899, 12, 30)


def rows(n, program, seed):
    rnd = random.Random(seed)
    for i in range(n):
        last, first = rnd.choice(LAST), rnd.choice(FIRST)
        city, lang, tz = rnd.choice(CITIES)
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rnd.randrange(0, 365 * 65))
        yield [f"BENCH-{i + 1:08d}", program, "", datetime.date(2026, 1, 1),
               datetime.date(2026, 12, 31), "active", "", "", last, first, rnd.choice(MIDDLE),
               birth, rnd.choice("FM"), f"+7916{i:07d}", f"client{i + 1}@example.com",
               f"{4500 + i % 100} {i:06d}", f"{city}, ул. Ленина, д. {1 + i % 200}, кв. {1 + i % 97}",
               city, lang, tz]


def csv_field(v):
    s = v.isoformat() if isinstance(v, datetime.date) else str(v)
    if any(c in s for c in ',"\n\r'):
        s = '"' + s.replace('"', '""') + '"'
    return s


def write_csv(path, n, program, seed):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(HEADER) + "\n")
        for r in rows(n, program, seed):
            f.write(",".join(csv_field(v) for v in r) + "\n")


def col_name(i):
    s = ""
    i += 1
    while i:
        i, m = divmod(i - 1, 26)
        s = chr(65 + m) + s
    return s


def write_xlsx(path, n, program, seed):
    strings, index = [], {}

    def sst(s):
        k = index.get(s)
        if k is None:
            k = index[s] = len(strings)
            strings.append(s)
        return k

    cols = [col_name(i) for i in range(len(HEADER))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as w:
            w.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b"<sheetData>")
            def row_xml(r, values):
                out = [f'<row r="{r}">']
                for c, v in zip(cols, values):
                    if v == "":
                        continue
                    if isinstance(v, datetime.date):
                        out.append(f'<c r="{c}{r}" s="1"><v>{(v - EPOCH).days}</v></c>')
                    else:
                        out.append(f'<c r="{c}{r}" t="s"><v>{sst(v)}</v></c>')
                out.append("</row>")
                return "".join(out).encode()
            w.write(row_xml(1, HEADER))
            buf = []
            for i, r in enumerate(rows(n, program, seed)):
                buf.append(row_xml(i + 2, r))
                if len(buf) == 2000:
                    w.write(b"".join(buf))
                    buf = []
            w.write(b"".join(buf) + b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as w:
            w.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                     '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" '
                     'uniqueCount="%d">' % (len(strings), len(strings))).encode())
            for k in range(0, len(strings), 5000):
                w.write("".join(f"<si><t>{escape(s)}</t></si>" for s in strings[k:k + 5000]).encode())
            w.write(b"</sst>")
        ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                   '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels",
                   f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}">'
                   '<sheets><sheet name="Policies" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                   f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {ns}>'
                   '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
                   '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
                   '<borders count="1"><border/></borders>'
                   '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                   '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                   '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
                   '</styleSheet>')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("csv")
    ap.add_argument("--xlsx")
    ap.add_argument("--program", default="NORD-DMS-STD")
    ap.add_argument("--seed", type=int, default=2026)
    a = ap.parse_args()
    write_csv(a.csv, a.n, a.program, a.seed)
    if a.xlsx:
        write_xlsx(a.xlsx, a.n, a.program, a.seed)


if __name__ == "__main__":
    main()
