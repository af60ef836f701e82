#!/usr/bin/env python3
"""A deterministic, seeded corpus of daftar notes for the benchmarks (Python standard library only).

    gen_corpus.py --notes N [--seed S] --out DIR

writes N Markdown notes under DIR in nested program/project/kind folders, each with realistic front
matter (title, kind, portfolio, program, project, experts, tags, date — a quarter of them Jalali —,
status, key, review_by, summary) and a body of 300–1,500 words with headings, lists, tables,
wiki-links and plain links. About 30% of the notes are Persian, written as people really type:
half-spaces (ZWNJ) in place, typed as a space, or left out, and Arabic-keyboard ي/ك in some notes.
Words are drawn from a Zipf-like vocabulary (a PMO core plus a long synthetic tail), so the term
dictionary grows with N as a real one does.

Beside the notes it writes DIR/.bench/answers.json: planted words and phrases, each placed in exactly
one known note, with the query that must find it (some queries use another spelling of the planted
Persian word, as a reader would type it). DIR/.bench/corpus.json records the parameters, the note
count and the bytes written; run.sh reuses a corpus whose parameters match.

The same (N, seed) always gives byte-identical files. `make_note` is importable: the benchmark
writes new and changed notes for the freshness and bulk-change measurements with it.
"""

import argparse
import bisect
import itertools
import json
import os
import random
import shutil
import sys

ZWNJ = "\u200c"
GENERATOR_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Vocabulary. Order matters: the rank of a word decides its frequency (Zipf), so function words and
# the everyday PMO words come first.

EN_FUNCTION = """the of and to a in for is on that with was as by it be are this we at from not or
have has had were an which but their they our all its can will would there been more when than
after before if so also into only no each other over who any these about between because during
both while should must may could same under per""".split()

EN_CORE = """project programme program vendor contract schedule budget risk team plan delivery data
change stakeholder cost scope quality milestone review decision issue lesson steering committee
procurement supplier integration testing migration cutover rollout training users business
requirements design approval sponsor governance resources staff weeks months days report status
system process management owner board meeting action register mitigation impact probability
escalation baseline forecast variance benefits dependency dependencies environment environments
security access network infrastructure platform service services operations support capacity
estimate estimates contingency tolerance phase gate release deployment acceptance criteria
signoff sign documentation template templates workshop workshops lessons learned recommendation
recommendations evidence analysis root cause delay delays overrun savings invoice payment claims
claim variation order orders tender bidder bidders evaluation award negotiation legal clause
penalty warranty handover commissioning site sites field equipment transformer substation feeder
outage maintenance shutdown safety incident incidents permit permits crew contractor contractors
consultant consultants engineering drawings specification specifications inspection defects snag
punch list completion progress earned value critical path float slippage recovery rebaseline
portfolio prioritisation prioritization funding approval business case options appraisal benefit
realisation realization adoption readiness communications engagement resistance champions
super-users helpdesk tickets backlog sprint velocity retrospective kanban agile waterfall hybrid
vendor-managed outsourcing licence license licences subscription cloud hosting colocation
datacentre servers storage backup restore disaster recovery failover latency throughput
performance load volumes reconciliation master records duplicates cleansing quality rules
ownership stewardship catalogue lineage reporting dashboards kpi metrics targets thresholds
audit compliance regulator regulatory policy policies standards guideline guidelines procedure
procedures checklist checklists runbook runbooks rehearsal rehearsals rollback fallback go-live
hypercare stabilisation warranty-period transition knowledge transfer documentation wiki
repository version versions configuration firmware upgrade upgrades patch patches compatibility
interface interfaces api middleware legacy mainframe decommissioning archive archiving retention
records-management finance accounts payable receivable ledger payroll hr recruitment onboarding
offboarding vetting clearance badges desk laptops licences allocation utilisation forecasting
""".split()

EN_COMMON = """time work first new good long late early high low key main major minor small large
early clear open closed ready final initial second third next last several many few most less
less-than expected planned actual agreed approved rejected deferred pending delayed slipped
missed met exceeded reduced increased improved worse better faster slower cheaper costly manual
automated weekly monthly quarterly annual daily joint separate shared common single multiple
internal external local regional national central senior junior accountable responsible
consulted informed named nominated dedicated part-time full-time available unavailable limited
unclear unknown known documented undocumented tested untested validated signed unsigned
took needed found made used gave moved ran set put kept asked agreed showed helped started
finished stopped raised lowered closed opened reviewed approved escalated reported tracked
measured estimated planned replanned reworked reopened handed trained hired lost won paid
because although however therefore instead meanwhile afterwards finally initially later
""".split()

FA_FUNCTION = """و در به از که این را با برای است یک آن تا بر هم می‌شود شد بود نیز اما یا هر
پس پیش بین روی زیر درباره بدون باید نمی‌توان می‌توان شده‌است کرد کردند دارد داشت""".split()

FA_CORE = """پروژه برنامه طرح پیمانکار قرارداد زمان‌بندی بودجه ریسک تیم تحویل داده تغییر
ذی‌نفعان هزینه محدوده کیفیت نقطه‌عطف بازنگری تصمیم مسئله درس‌آموخته کمیته راهبری تدارکات تأمین‌کننده
یکپارچه‌سازی آزمون مهاجرت استقرار آموزش کاربران کسب‌وکار الزامات طراحی تصویب حامی حاکمیت منابع
کارکنان هفته ماه روز گزارش وضعیت سامانه فرایند مدیریت مالک هیئت جلسه اقدام ثبت کاهش اثر احتمال
ارجاع مبنا پیش‌بینی انحراف منافع وابستگی محیط امنیت دسترسی شبکه زیرساخت بستر خدمات عملیات پشتیبانی
ظرفیت برآورد ذخیره تلورانس فاز دروازه انتشار پذیرش معیار مستندات الگو کارگاه توصیه شواهد تحلیل
علت ریشه تأخیر افزایش‌هزینه صرفه‌جویی صورت‌وضعیت پرداخت ادعا دستورکار مناقصه مناقصه‌گر ارزیابی
مذاکره حقوقی بند جریمه ضمانت تحویل‌موقت راه‌اندازی کارگاه تجهیزات ترانسفورماتور پست فیدر
خاموشی نگهداری ایمنی حادثه مجوز اکیپ مشاور مهندسی نقشه مشخصات بازرسی نقص تکمیل پیشرفت ارزش‌کسب‌شده
مسیر‌بحرانی شناوری جبران بازبرنامه‌ریزی سبد اولویت‌بندی تأمین‌مالی توجیه گزینه‌ها تحقق پذیرش آمادگی
ارتباطات مشارکت مقاومت ابرکاربران میز‌پشتیبانی درخواست‌ها انباشت اسپرینت چابک آبشاری برون‌سپاری
مجوز اشتراک ابر میزبانی مرکز‌داده سرور ذخیره‌سازی پشتیبان بازیابی بحران عملکرد بار حجم تطبیق
سوابق تکراری پاک‌سازی قواعد مالکیت فهرست گزارش‌گیری داشبورد شاخص اهداف آستانه ممیزی انطباق
نهاد‌ناظر سیاست استاندارد دستورالعمل رویه چک‌لیست بازگشت راه‌اندازی‌نهایی انتقال‌دانش نسخه پیکربندی
ارتقا وصله سازگاری واسط میان‌افزار قدیمی بایگانی حسابداری حقوق‌ودستمزد استخدام جذب صلاحیت""".split()

FA_COMMON = """اول جدید خوب طولانی دیر زود بالا پایین اصلی کوچک بزرگ روشن باز بسته آماده نهایی
اولیه دوم سوم بعدی آخرین چند بسیار کمتر بیشتر مورد‌انتظار برنامه‌ریزی‌شده واقعی توافق‌شده تأییدشده
ردشده معوق در‌انتظار عقب‌افتاده بهتر بدتر سریع‌تر کندتر دستی خودکار هفتگی ماهانه فصلی سالانه
مشترک جداگانه داخلی خارجی محلی منطقه‌ای ملی مرکزی ارشد پاسخ‌گو مسئول مشخص نامشخص مستند آزموده
گرفت داد برد رفت گذاشت خواست نشان کمک آغاز پایان توقف بررسی گزارش پیگیری اندازه‌گیری برآورد
زیرا اگرچه بنابراین در‌عوض سرانجام در‌ابتدا بعدها همچنین هنوز دیگر همین چنین چگونه چرا""".split()

# Section headings per language.
EN_SECTIONS = ["Context", "Background", "What happened", "What we learned", "Recommendations", "Decision",
               "Options considered", "Consequences", "Risks", "Actions", "Status", "Next steps", "Evidence",
               "Root cause", "Summary", "Scope", "Attendees", "Agreed actions", "Open questions"]
FA_SECTIONS = ["زمینه", "پیشینه", "چه اتفاقی افتاد", "چه آموختیم", "توصیه‌ها", "تصمیم", "گزینه‌های بررسی‌شده",
               "پیامدها", "ریسک‌ها", "اقدام‌ها", "وضعیت", "گام‌های بعدی", "شواهد", "علت ریشه‌ای", "خلاصه",
               "محدوده", "حاضران", "اقدامات مصوب", "پرسش‌های باز"]

KINDS = [("lesson", 30), ("decision", 14), ("risk", 14), ("issue", 10), ("report", 10), ("meeting", 10),
         ("guideline", 5), ("reference", 4), ("charter", 3)]
STATUSES = [("approved", 55), ("draft", 30), ("superseded", 10), ("archived", 5)]
PORTFOLIOS = ["Operations", "Infrastructure", "Energy", "Customer", "Corporate"]

EN_PROGRAM_NAMES = [
    "Digital Transformation", "Infrastructure Modernisation", "Grid Reinforcement", "Customer Experience",
    "Finance Renewal", "Workforce Planning", "Cyber Resilience", "Data and Analytics", "Asset Management",
    "Regulatory Compliance", "Smart Metering", "Fleet Electrification", "Facilities Consolidation",
    "Procurement Excellence"]
FA_PROGRAM_NAMES = ["طرح توسعه شبکه برق", "برنامه تحول دیجیتال", "طرح نوسازی پست‌ها", "برنامه بهبود خدمات مشترکان",
                    "طرح کاهش تلفات", "برنامه هوشمندسازی"]
EN_PROJECT_STEMS = ["ERP Rollout", "Data Platform", "E-Services Portal", "Network Upgrade", "Data Centre Migration",
                    "CRM Replacement", "Billing Overhaul", "Identity Management", "Mobile Workforce", "Document Management",
                    "Substation Automation", "Feeder Upgrade", "Meter Deployment", "Payroll Replacement",
                    "Cloud Landing Zone", "Service Desk", "Warehouse Optimisation", "Contract Management",
                    "Analytics Hub", "Training Academy"]
FA_PROJECT_STEMS = ["استقرار ERP", "اتوماسیون توزیع", "پست ۶۳ کیلوولت", "سامانه مشترکان", "قرائت هوشمند",
                    "نوسازی فیدرها", "مرکز کنترل", "انبار مرکزی", "سامانه اسناد", "آموزش اپراتورها",
                    "خط انتقال شمال", "درگاه خدمات", "کاهش تلفات شهری", "بهینه‌سازی شبکه"]
EN_FIRST = ["Sara", "Reza", "Helen", "Tom", "Maryam", "Ali", "John", "Neda", "Peter", "Laleh", "David", "Amir",
            "Emma", "Hossein", "Olivia", "Mehdi", "James", "Zahra", "Lucas", "Farhad"]
EN_LAST = ["Ahmadi", "Karimi", "Carter", "Lindqvist", "Hosseini", "Rezaei", "Smith", "Moradi", "Brown", "Jafari",
           "Novak", "Tehrani", "Evans", "Sadeghi", "Okafor", "Rahimi", "Müller", "Kazemi", "Silva", "Nouri"]
FA_FIRST = ["سارا", "رضا", "مریم", "علی", "ندا", "امیر", "لاله", "حسین", "مهدی", "زهرا", "فرهاد", "نرگس"]
FA_LAST = ["احمدی", "کریمی", "حسینی", "رضایی", "مرادی", "جعفری", "تهرانی", "صادقی", "رحیمی", "کاظمی", "نوری", "یزدانی"]
EN_TAGS = ["procurement", "vendors", "onboarding", "contracts", "risk-register", "migration", "cutover", "training",
           "governance", "benefits", "data-quality", "security", "testing", "scheduling", "budget", "change",
           "stakeholders", "RAID", "lessons-learned", "commissioning", "safety", "outage", "integration", "cloud",
           "licensing", "audit", "reporting", "resourcing", "handover", "design-authority", "agile", "estimation",
           "quality", "compliance", "communications", "super-users", "master-data", "network", "firmware"]
FA_TAGS = ["تدارکات", "پیمانکاران", "قرارداد", "آموزش", "مدیریت تغییر", "درس‌آموخته", "ریسک", "زمان‌بندی",
           "بودجه", "ایمنی", "خاموشی", "راه‌اندازی", "کیفیت", "حاکمیت", "گزارش‌دهی", "ذی‌نفعان", "تحویل", "مهاجرت داده"]

# Synthetic long tail: pseudo-words built from syllables, Zipf-weighted after the real words.
EN_SYL = ["ka", "lo", "ri", "man", "tel", "vor", "sin", "dra", "pel", "qu", "ston", "bri", "gan", "fel", "mor",
          "tis", "ven", "cal", "dor", "nex", "pra", "sul", "tor", "wil", "zen", "bar", "cor", "del", "fin", "gor"]
FA_SYL = ["کار", "بان", "مند", "گاه", "ستان", "نا", "پر", "سا", "دی", "رو", "شه", "گر", "ور", "زا", "تو", "لی",
          "مه", "فر", "ده", "سو", "نی", "دار", "یار", "کده", "وند", "خو", "چه", "ره", "پی", "گو"]

# Persian words that contain a half-space and the spellings people type instead.
ARABIC_KEYBOARD = str.maketrans({"ی": "ي", "ک": "ك"})


def zipf_cum_weights(n, s=1.05, q=2.7):
    """Cumulative Zipf–Mandelbrot weights for ranks 1..n."""
    acc, out = 0.0, []
    for r in range(1, n + 1):
        acc += 1.0 / (r + q) ** s
        out.append(acc)
    return out


def synthetic_words(rng, syllables, count, seen, min_syl=2, max_syl=4, joiner=""):
    out = []
    while len(out) < count:
        w = joiner.join(rng.choice(syllables) for _ in range(rng.randint(min_syl, max_syl)))
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


# Share of words drawn from the synthetic tail, and the rate of one-off codes (INC-48213) per word.
TAIL_SHARE = 0.12
CODE_RATE = 0.004
CODE_PREFIXES = ["INC", "CR", "RFC", "PO", "WO", "DC", "TKT", "REQ"]


class Vocabulary:
    """The ranked English and Persian vocabularies and their Zipf cumulative weights."""

    def __init__(self, seed, tail_en=40000, tail_fa=25000):
        rng = random.Random(f"vocab-{seed}")
        seen = set()
        en = []
        for w in EN_FUNCTION + EN_CORE + EN_COMMON:
            if w not in seen:
                seen.add(w)
                en.append(w)
        self.en_real = len(en)
        en += synthetic_words(rng, EN_SYL, tail_en, seen)
        fa = []
        for w in FA_FUNCTION + FA_CORE + FA_COMMON:
            w = w.replace("‌", ZWNJ)
            if w not in seen:
                seen.add(w)
                fa.append(w)
        self.fa_real = len(fa)
        fa += synthetic_words(rng, FA_SYL, tail_fa, seen)
        self.en, self.fa = en, fa
        self.en_head, self.fa_head = en[:self.en_real], fa[:self.fa_real]
        # One Zipf curve per language over real words then tail; the head weights stop at the real words.
        self.en_cum = zipf_cum_weights(len(en))
        self.fa_cum = zipf_cum_weights(len(fa))
        self.en_cum_head = self.en_cum[:self.en_real]
        self.fa_cum_head = self.fa_cum[:self.fa_real]

    def words(self, rng, persian, k):
        """k words: mostly the real vocabulary (Zipf within it), a share from the synthetic tail
        (Zipf within it), and now and then a one-off code or number, as real notes have."""
        if persian:
            out = rng.choices(self.fa_head, cum_weights=self.fa_cum_head, k=k)
            tail, tail_cum = self.fa, self.fa_cum
            base = self.fa_real
        else:
            out = rng.choices(self.en_head, cum_weights=self.en_cum_head, k=k)
            tail, tail_cum = self.en, self.en_cum
            base = self.en_real
        m = int(k * TAIL_SHARE + rng.random())
        if m:
            lo = tail_cum[base - 1]
            span = tail_cum[-1] - lo
            for pos in rng.sample(range(k), min(m, k)):
                out[pos] = tail[bisect.bisect_left(tail_cum, lo + rng.random() * span, base)]
        if rng.random() < CODE_RATE * k:
            out[rng.randrange(k)] = f"{rng.choice(CODE_PREFIXES)}-{rng.randrange(10000, 99999)}"
        return out


def slug(text):
    out = []
    for ch in text.lower():
        if ch.isalnum():
            out.append(ch)
        elif ch in " -_/" + ZWNJ:
            out.append("-")
    s = "".join(out)
    while "--" in s:
        s = s.replace("--", "-")
    return s.strip("-") or "x"


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


# ---------------------------------------------------------------------------------------------
# The plan: programs, projects, experts, and every note's place, decided before any body is written
# so that links can point at notes anywhere in the corpus.

class Plan:
    def __init__(self, notes, seed):
        self.n, self.seed = notes, seed
        rng = random.Random(f"plan-{seed}")
        self.vocab = Vocabulary(seed)
        self.programs = []
        names = [(n, False) for n in EN_PROGRAM_NAMES] + [(n, True) for n in FA_PROGRAM_NAMES]
        for i, (name, fa) in enumerate(names):
            stems = FA_PROJECT_STEMS if fa else EN_PROJECT_STEMS
            projects = []
            for j, stem in enumerate(rng.sample(stems, 10)):
                projects.append({"name": stem, "slug": slug(stem)})
            self.programs.append({"name": name, "slug": slug(name), "persian": fa,
                                  "portfolio": PORTFOLIOS[i % len(PORTFOLIOS)], "projects": projects})
        self.experts = []
        for _ in range(160):
            self.experts.append(f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}")
        for _ in range(80):
            self.experts.append(f"{rng.choice(FA_FIRST)} {rng.choice(FA_LAST)}")
        self.experts = sorted(set(self.experts))

    def place(self, i):
        """Program, project (or None), kind, language and path of note i; a pure function of (seed, i)."""
        rng = random.Random(f"place-{self.seed}-{i}")
        # Programs are unevenly sized, as real ones are.
        p = min(int(rng.paretovariate(1.2)) - 1, len(self.programs) - 1) if rng.random() < 0.5 \
            else rng.randrange(len(self.programs))
        program = self.programs[p]
        persian = rng.random() < (0.75 if program["persian"] else 0.2)
        project = None if rng.random() < 0.05 else rng.choice(program["projects"])
        kind = weighted(rng, KINDS)
        folder = [program["slug"]] + ([project["slug"], kind + "s"] if project else [])
        stem = f"{kind}-{i:06d}"
        if persian and rng.random() < 0.3:
            stem = f"{'درس‌آموخته' if kind == 'lesson' else 'یادداشت'}-{i:06d}"
        return {"i": i, "program": program, "project": project, "kind": kind, "persian": persian,
                "rel": "/".join(folder + [stem + ".md"]), "stem": stem}


def jalali_from_gregorian(gy, gm, gd):
    """Gregorian → Solar Hijri (the standard arithmetic algorithm)."""
    g_d_m = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
    gy2 = gy + 1 if gm > 2 else gy
    days = 355666 + (365 * gy) + ((gy2 + 3) // 4) - ((gy2 + 99) // 100) + ((gy2 + 399) // 400) + gd + g_d_m[gm - 1]
    jy = -1595 + (33 * (days // 12053))
    days %= 12053
    jy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        jy += (days - 1) // 365
        days = (days - 1) % 365
    if days < 186:
        jm, jd = 1 + days // 31, 1 + days % 31
    else:
        jm, jd = 7 + (days - 186) // 30, 1 + (days - 186) % 30
    return jy, jm, jd


FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def a_date(rng, persian, start_year=2022, years=5):
    import datetime
    d = datetime.date(start_year, 1, 1) + datetime.timedelta(days=rng.randrange(365 * years))
    if persian and rng.random() < 0.6:
        jy, jm, jd = jalali_from_gregorian(d.year, d.month, d.day)
        if rng.random() < 0.3:
            return f'"{jy}/{jm:02d}/{jd:02d}"'.translate(FA_DIGITS)
        return f"{jy}-{jm:02d}-{jd:02d}"
    return d.isoformat()


# ---------------------------------------------------------------------------------------------
# Text.

# Set phrases of the trade, so phrase and multi-word queries meet real adjacency.
EN_PHRASES = ["steering committee", "lessons learned", "root cause", "critical path", "change request",
              "go-live date", "data migration", "business case", "risk register", "vendor onboarding",
              "budget overrun", "acceptance testing", "master data", "earned value", "project board",
              "key decision", "design authority", "cutover weekend", "knowledge transfer", "scope creep"]
FA_PHRASES = ["کمیته راهبری", "درس‌آموخته‌های پروژه", "مدیریت ریسک", "علت ریشه‌ای", "مسیر بحرانی",
              "درخواست تغییر", "مهاجرت داده", "تأخیر پیمانکار", "صورت‌وضعیت پیمانکار", "برنامه‌ریزی پروژه",
              "افزایش هزینه", "آزمون پذیرش", "تحویل موقت", "دفتر مدیریت طرح", "انتقال دانش"]


def sentence(rng, vocab, persian, lo=7, hi=22):
    words = vocab.words(rng, persian, rng.randint(lo, hi))
    if rng.random() < 0.12:
        words[rng.randrange(len(words))] = rng.choice(FA_PHRASES if persian else EN_PHRASES)
    if not persian:
        words[0] = words[0].capitalize()
    return " ".join(words) + "."


def paragraph(rng, vocab, persian, budget):
    out, n = [], 0
    while n < budget:
        s = sentence(rng, vocab, persian)
        out.append(s)
        n += s.count(" ") + 1
    return " ".join(out), n


def typed_like_people(text, rng, style):
    """Persian as it is typed: half-spaces kept, typed as spaces, or dropped; Arabic ي/ك."""
    if style["zwnj"] == "space":
        text = text.replace(ZWNJ, " ")
    elif style["zwnj"] == "none":
        text = text.replace(ZWNJ, "")
    elif style["zwnj"] == "mixed":
        parts = text.split(ZWNJ)
        out = [parts[0]]
        for p in parts[1:]:
            r = rng.random()
            out.append((ZWNJ if r < 0.6 else " " if r < 0.8 else "") + p)
        text = "".join(out)
    if style["arabic"]:
        text = text.translate(ARABIC_KEYBOARD)
    return text


def make_note(plan, i, extra=None, words=None):
    """(relative path, text) of note i. `extra` is a sentence planted in its body; `words` fixes
    the body's length (else 300–1,500 words, skewed to the middle)."""
    place = plan.place(i)
    rng = random.Random(f"note-{plan.seed}-{i}")
    vocab, persian = plan.vocab, place["persian"]
    program, project = place["program"], place["project"]
    title_words = vocab.words(rng, persian, rng.randint(4, 9))
    if not persian:
        title_words[0] = title_words[0].capitalize()
    title = " ".join(title_words)
    experts = rng.sample(plan.experts, rng.randint(1, 3))
    tags = rng.sample(FA_TAGS if persian else EN_TAGS, rng.randint(1, 4))
    if persian and rng.random() < 0.3:
        tags += rng.sample(EN_TAGS, 1)
    status = weighted(rng, STATUSES)
    summary = sentence(rng, vocab, persian, 8, 18)
    fm = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", f"kind: {place['kind']}",
          f"portfolio: {program['portfolio']}", f"program: {program['name']}"]
    if project:
        fm.append(f"project: {project['name']}")
    fm.append("experts: [" + ", ".join(experts) + "]")
    fm.append("tags: [" + ", ".join(tags) + "]")
    fm.append(f"date: {a_date(rng, persian)}")
    fm.append(f"status: {status}")
    if rng.random() < 0.06:
        fm.append("key: true")
    if rng.random() < 0.6:
        fm.append(f"review_by: {a_date(rng, persian, 2024, 5)}")
    fm.append(f"summary: {json.dumps(summary, ensure_ascii=False)}")
    if rng.random() < 0.1:
        fm.append(f"budget_code: FIN-{rng.randint(100, 999)}")
    fm.append("---")

    target = words or int(min(1500, max(300, rng.lognormvariate(6.55, 0.45))))
    sections = FA_SECTIONS if persian else EN_SECTIONS
    body = [f"# {title}", ""]
    n = 0
    planted = False
    heads = rng.sample(sections, min(len(sections), rng.randint(3, 6)))
    for si, head in enumerate(heads):
        body += [f"## {head}", ""]
        share = (target - n) // max(1, len(heads) - si)
        for _ in range(rng.randint(1, 3)):
            text, k = paragraph(rng, vocab, persian, max(20, share // 2))
            if extra and not planted and rng.random() < 0.5:
                text += " " + extra
                planted = True
            body += [text, ""]
            n += k
        shape = rng.random()
        if shape < 0.35:
            for _ in range(rng.randint(3, 6)):
                item = sentence(rng, vocab, persian, 5, 14)
                body.append(f"- {item}")
                n += item.count(" ") + 1
            body.append("")
        elif shape < 0.55:
            for j in range(rng.randint(3, 5)):
                item = sentence(rng, vocab, persian, 6, 16)
                num = f"{j + 1}".translate(FA_DIGITS) if persian else str(j + 1)
                body.append(f"{num}. {item}")
                n += item.count(" ") + 1
            body.append("")
        elif shape < 0.7:
            cols = ["شناسه", "شرح", "مالک", "وضعیت"] if persian else ["ID", "Item", "Owner", "Status"]
            body.append("| " + " | ".join(cols) + " |")
            body.append("| " + " | ".join("---" for _ in cols) + " |")
            for r in range(rng.randint(3, 6)):
                cell = " ".join(vocab.words(rng, persian, rng.randint(3, 8)))
                body.append(f"| R-{r + 1:02d} | {cell} | {rng.choice(plan.experts)} | {rng.choice(['red', 'amber', 'green'])} |")
                n += 10
            body.append("")
        if rng.random() < 0.5:
            other = plan.place(rng.randrange(plan.n))
            if rng.random() < 0.7:
                link = f"[[{other['stem']}]]"
            else:
                link = f"[{' '.join(vocab.words(rng, persian, 3))}](/{other['rel']})"
            lead = "ببینید" if persian else "See"
            body += [f"{lead} {link}.", ""]
        if n >= target:
            break
    if extra and not planted:
        body += [extra, ""]
    if rng.random() < 0.15:
        body += ["Reference: https://pmo.example.org/archive/" + str(i), ""]
    text = "\n".join(fm + [""] + body)
    if persian:
        style = {"zwnj": weighted(rng, [("keep", 60), ("mixed", 20), ("space", 10), ("none", 10)]),
                 "arabic": rng.random() < 0.15}
        text = typed_like_people(text, rng, style)
    return place["rel"], text


# ---------------------------------------------------------------------------------------------
# Planted answers.

def planted(plan):
    """{note index: sentence} and the answer list, for notes spread over the corpus."""
    rng = random.Random(f"planted-{plan.seed}")
    seen = set(plan.vocab.en) | set(plan.vocab.fa)
    count = min(50, max(5, plan.n // 20))
    idx = rng.sample(range(plan.n), count)
    extras, answers = {}, []
    for k, i in enumerate(idx):
        place = plan.place(i)
        form = k % 5
        if place["persian"]:
            # A unique Persian compound with a half-space; the query types it another way.
            a, b = synthetic_words(rng, FA_SYL, 2, seen, 2, 3)
            word = a + ZWNJ + "کی" + b
            if form in (0, 1):
                query, how = word.replace(ZWNJ, ""), "fa-no-zwnj"
            elif form == 2:
                query, how = word.replace(ZWNJ, " "), "fa-space"
            elif form == 3:
                query, how = word.translate(ARABIC_KEYBOARD), "fa-arabic"
            else:
                query, how = word, "fa-exact"
            extras[i] = f"{word} {' '.join(plan.vocab.words(rng, True, 4))}."
            # the body of a Persian note is re-typed by typed_like_people: keep the word's half-space
            answers.append({"query": query, "expect": place["rel"], "how": how, "planted": word})
        elif form in (0, 1, 2):
            (word,) = synthetic_words(rng, EN_SYL, 1, seen, 4, 5)
            word = "q" + word
            extras[i] = f"The {word} approach was {rng.choice(['adopted', 'rejected', 'piloted'])}."
            answers.append({"query": word, "expect": place["rel"], "how": "en-word", "planted": word})
        else:
            a, b = synthetic_words(rng, EN_SYL, 2, seen, 3, 4)
            a, b = "x" + a, "x" + b
            extras[i] = f"We called it the {a} {b} method."
            answers.append({"query": f'"{a} {b}"', "expect": place["rel"], "how": "en-phrase", "planted": f"{a} {b}"})
    return extras, answers


def write_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp~"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


_worker = {}


def _init_worker(notes, seed, out):
    plan = Plan(notes, seed)
    extras, answers = planted(plan)
    _worker.update(plan=plan, extras=extras, planted_word={a["expect"]: a["planted"] for a in answers}, out=out)


def _write_range(bounds):
    """Writes notes [lo, hi); returns the bytes written."""
    plan, extras, out = _worker["plan"], _worker["extras"], _worker["out"]
    total = 0
    for i in range(*bounds):
        rel, text = make_note(plan, i, extra=extras.get(i))
        word = _worker["planted_word"].get(rel)
        if word and ZWNJ in word:
            # Keep the planted word as planted even where the note's typing style changed it.
            for variant in (word.replace(ZWNJ, " "), word.replace(ZWNJ, ""), word.translate(ARABIC_KEYBOARD),
                            word.replace(ZWNJ, " ").translate(ARABIC_KEYBOARD),
                            word.replace(ZWNJ, "").translate(ARABIC_KEYBOARD)):
                text = text.replace(variant, word)
        data = text.encode("utf-8")
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        total += len(data)
    return total


def generate(notes, seed, out, jobs=None, quiet=False):
    """Writes the corpus (in parallel: each note is a pure function of (seed, i)) and its metadata."""
    import multiprocessing
    jobs = jobs or os.cpu_count() or 1
    chunk = 1000
    ranges = [(lo, min(notes, lo + chunk)) for lo in range(0, notes, chunk)]
    total, done = 0, 0
    if jobs > 1 and len(ranges) > 1:
        with multiprocessing.Pool(jobs, initializer=_init_worker, initargs=(notes, seed, out)) as pool:
            for n in pool.imap(_write_range, ranges):
                total += n
                done += 1
                if not quiet and done % 10 == 0:
                    print(f"  generated {done * chunk}/{notes} notes", file=sys.stderr)
    else:
        _init_worker(notes, seed, out)
        total = sum(_write_range(r) for r in ranges)
    plan = Plan(notes, seed)
    _, answers = planted(plan)
    meta_dir = os.path.join(out, ".bench")
    os.makedirs(meta_dir, exist_ok=True)
    with open(os.path.join(meta_dir, "answers.json"), "w", encoding="utf-8") as f:
        json.dump(answers, f, ensure_ascii=False, indent=1)
    info = {"generator": GENERATOR_VERSION, "notes": notes, "seed": seed, "bytes": total,
            "programs": [{"name": p["name"], "slug": p["slug"]} for p in plan.programs]}
    with open(os.path.join(meta_dir, "corpus.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, ensure_ascii=False, indent=1)
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notes", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", type=int, default=None, help="processes (default: one per core)")
    args = ap.parse_args()
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    info = generate(args.notes, args.seed, args.out, args.jobs)
    print(f"{info['notes']} notes, {info['bytes'] / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
