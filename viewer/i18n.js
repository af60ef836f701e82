// The interface language: every label in Persian and English, and Persian-aware numbers and dates
// (Persian digits, the Solar Hijri calendar). Text written by people (titles, snippets, names)
// is never translated; it keeps its own direction through dir="auto" and <bdi>.

const ZWNJ = '\u200c';

const STRINGS = {
  en: {
    skip: 'Skip to content',
    home: 'daftar, home',
    search_label: 'Search the knowledge base',
    search_placeholder: 'Search lessons, decisions, risks…',
    slash_hint: 'Press / to search',
    nav: 'Main',
    nav_search: 'Search',
    nav_browse: 'Browse',
    lang_switch: 'فارسی',
    lang_switch_label: 'نمایش به فارسی (Switch to Persian)',
    footer: 'daftar — the knowledge of your programs, in Persian and English.',
    api: 'API',
    font_licence: 'Vazirmatn font licence',
    sign_in: 'Sign in',
    sign_out: 'Sign out',
    signed_in_as: 'Signed in as',
    sign_in_title: 'Sign in to daftar',
    sign_in_help: 'Enter the access token you were given. This browser keeps it for 30 days, or until you sign out.',
    token_label: 'Access token',
    cancel: 'Cancel',
    checking: 'Checking…',
    token_empty: 'Enter your access token.',
    token_rejected: 'This token was rejected. Check it and try again.',
    sign_in_network: 'The daftar server cannot be reached. Check the connection and try again.',
    sign_in_failed: 'The token could not be checked: {message}',
    session_expired: 'Your token is no longer accepted: it may have been revoked. You now see only public notes; sign in again to see more.',

    filters: 'Filters',
    filters_n: 'Filters ({n})',
    facet_program: 'Programs',
    facet_project: 'Projects',
    facet_expert: 'Experts',
    facet_kind: 'Kind',
    facet_tag: 'Tags',
    facet_status: 'Status',
    facet_date: 'Date',
    facet_key: 'Key documents',
    key_only: 'Key documents only',
    date_from: 'From',
    date_to: 'To',
    date_hint: 'YYYY-MM-DD, Gregorian or Jalali',
    date_placeholder: '2025-01-31',
    apply: 'Apply',
    show_more: 'Show all {n}',
    show_less: 'Show fewer',
    no_portfolio: 'No portfolio',
    other_programs: 'Other programs',
    projects_of: 'Projects of {name}',
    sort_label: 'Sort',
    sort_relevance: 'Best match',
    sort_date: 'Newest first',
    results: { one: '{n} note', other: '{n} notes' },
    results_all: { one: '{n} note', other: 'All {n} notes' },
    results_time: 'in {ms} ms',
    results_heading: 'Results',
    partial_divider: 'These notes match only some of your words',
    matched_of: '{m} of {w} words',
    match_all_link: 'Only notes with every word',
    every_word: 'Every word',
    active_filters: 'Active filters',
    remove_filter: 'Remove filter: {label}',
    clear_all: 'Clear all',
    empty_title: 'No notes match “{q}”',
    empty_title_filters: 'No notes match these filters',
    empty_tip_spelling: 'Check the spelling, or try fewer and more general words.',
    empty_tip_filters: 'Remove a filter:',
    empty_tip_language: 'Search in Persian or in English: both are indexed.',
    empty_tip_syntax: 'Use "exact phrase", -word to exclude, or field:value such as kind:lesson.',
    error_title: 'The search could not run',
    error_network: 'The daftar server cannot be reached. Check the connection and try again.',
    error_generic: 'Something went wrong: {message}',
    retry: 'Try again',
    typing_hint: 'Keep typing: {message}',
    pages: 'Pages',
    prev: 'Previous',
    next: 'Next',
    page_n: 'Page {n}',
    key: 'Key',
    key_document: 'Key document',
    overdue: 'Review overdue',
    loading: 'Loading…',
    snippet_none: '',
    in_program: 'in',

    breadcrumb: 'Breadcrumb',
    on_this_page: 'On this page',
    details: 'Details',
    m_kind: 'Kind',
    m_status: 'Status',
    m_portfolio: 'Portfolio',
    m_program: 'Program',
    m_project: 'Project',
    m_experts: 'Experts',
    m_tags: 'Tags',
    m_date: 'Date',
    m_review: 'Review by',
    m_modified: 'File changed',
    m_size: 'Size',
    m_file: 'File',
    m_audience: 'Audience',
    m_visibility: 'Visibility',
    raw: 'Open the source file',
    backlinks: 'Linked from',
    no_backlinks: 'No note links here yet.',
    related: 'Related notes',
    reason_similar: 'similar text',
    reason_tags: 'shared tags',
    reason_links: 'links here',
    problems_title: { one: 'This note has {n} problem', other: 'This note has {n} problems' },
    line_n: 'line {n}',
    not_found: 'This note was not found',
    not_found_body: 'It may have been moved, renamed or deleted. Try searching for it.',
    not_found_sign_in: 'Some notes are shown only to signed-in readers. If you have an access token, signing in may show more.',
    note_error: 'This note could not be opened',
    pdf_preview: 'Preview {name}',
    attachment: 'Attachment',
    back_to_results: 'Back to results',
    bytes: '{n} bytes',
    kb: '{n} KB',

    browse_title: 'Browse the knowledge base',
    tab_programs: 'Programs',
    tab_key: 'Key documents',
    tab_experts: 'Experts',
    tab_problems: 'Problems',
    notes_n: { one: '{n} note', other: '{n} notes' },
    programs_intro: 'Portfolios, their programs and projects, with the number of notes in each.',
    no_project: 'Program-level notes',
    program_all: 'All programs',
    program_select: 'Program',
    key_intro: 'The documents decision-makers should know, newest first, with their review state.',
    key_none: 'No key documents here yet. A note becomes one with key: true in its front matter.',
    overdue_title: 'Overdue for review',
    overdue_none: 'Nothing here is overdue for review.',
    due_on: 'review was due {date}',
    review_due: 'review by {date}',
    experts_intro: 'Who wrote what: each expert’s notes, programs and most frequent tags.',
    experts_none: 'No experts are named in any note yet.',
    top_tags: 'Top tags',
    problems_intro: 'Notes whose front matter is invalid or whose links lead nowhere. They are still indexed.',
    problems_none: 'No problems: every note’s front matter and links are valid.',
    problems_total: 'Problems: {n} in {m} notes',
    see_all: 'Search all {n}',
    tab_report: 'Report',
    report_title: 'Knowledge report',
    report_intro: 'Where the knowledge of a program stands: what has been written, how it grows, what needs review, and who contributes.',
    report_scope_all: 'All programs',
    report_generated: 'Generated {date}',
    report_export: 'Export CSV',
    report_print: 'Print',
    report_actions: 'Report actions',
    fig_notes: 'Notes',
    fig_key: 'Key documents',
    fig_overdue: 'Overdue for review',
    fig_due: 'Due within 30 days',
    headline: 'Headline figures',
    chart_kind: 'Notes by kind',
    chart_status: 'Notes by status',
    chart_growth: 'Growth by month',
    chart_review: 'Review health',
    growth_added: 'Added',
    growth_changed: 'Changed',
    growth_none: 'No history yet.',
    review_overdue: 'Overdue',
    review_due: 'Due within 30 days',
    review_ok: 'Up to date',
    review_unscheduled: 'No review date',
    review_overdue_list: 'Overdue notes',
    review_due_list: 'Due within 30 days',
    review_none_overdue: 'Nothing is overdue for review.',
    status_none: 'No status',
    coverage: 'Coverage',
    coverage_program: 'Program',
    coverage_projects: 'Projects',
    coverage_missing: 'Kinds with no note',
    coverage_no_lessons: 'Projects without lessons',
    coverage_complete: 'Every kind is represented.',
    coverage_all_lessons: 'Every project has lessons.',
    project_col: 'Project',
    notes_col: 'Notes',
    key_col: 'Key',
    program_level: 'Program-level',
    contributions: 'Contributions',
    person_col: 'Person',
    expert_col: 'Notes as expert',
    commits_col: 'Commits',
    contributions_none: 'No contributors recorded yet.',
    links: 'Link health',
    links_orphans: 'Notes no other note links to',
    links_broken: 'Broken links',
    links_broken_notes: 'Notes with broken links',
    links_see_problems: 'See the problems',
    no_program: 'No program',
    report_empty: 'No notes in this scope yet.',
  },
  fa: {
    skip: 'پرش به محتوا',
    home: 'دفتر، صفحه اصلی',
    search_label: 'جستجو در پایگاه دانش',
    search_placeholder: `جستجو در درس${ZWNJ}آموخته${ZWNJ}ها، تصمیم${ZWNJ}ها…`,
    slash_hint: 'برای جستجو کلید / را بزنید',
    nav: 'اصلی',
    nav_search: 'جستجو',
    nav_browse: 'مرور',
    lang_switch: 'English',
    lang_switch_label: 'Switch to English (نمایش به انگلیسی)',
    footer: `دفتر — دانش طرح${ZWNJ}ها و پروژه${ZWNJ}ها، به فارسی و انگلیسی.`,
    api: 'API',
    font_licence: 'مجوز قلم وزیرمتن',
    sign_in: 'ورود',
    sign_out: 'خروج',
    signed_in_as: 'وارد شده با نام',
    sign_in_title: 'ورود به دفتر',
    sign_in_help: `توکن دسترسی${ZWNJ}ای را که به شما داده${ZWNJ}اند وارد کنید. این مرورگر آن را ۳۰ روز، یا تا وقتی خارج شوید، نگه می${ZWNJ}دارد.`,
    token_label: 'توکن دسترسی',
    cancel: 'انصراف',
    checking: 'در حال بررسی…',
    token_empty: 'توکن دسترسی خود را وارد کنید.',
    token_rejected: 'این توکن پذیرفته نشد. آن را بررسی کنید و دوباره امتحان کنید.',
    sign_in_network: 'سرور دفتر در دسترس نیست. اتصال را بررسی کنید و دوباره امتحان کنید.',
    sign_in_failed: 'توکن بررسی نشد: {message}',
    session_expired: `توکن شما دیگر پذیرفته نمی${ZWNJ}شود؛ شاید باطل شده باشد. اکنون فقط یادداشت${ZWNJ}های عمومی را می${ZWNJ}بینید؛ برای دیدن بیشتر دوباره وارد شوید.`,

    filters: 'فیلترها',
    filters_n: 'فیلترها ({n})',
    facet_program: `طرح${ZWNJ}ها`,
    facet_project: `پروژه${ZWNJ}ها`,
    facet_expert: 'خبرگان',
    facet_kind: 'نوع سند',
    facet_tag: `برچسب${ZWNJ}ها`,
    facet_status: 'وضعیت',
    facet_date: 'تاریخ',
    facet_key: 'اسناد کلیدی',
    key_only: 'فقط اسناد کلیدی',
    date_from: 'از',
    date_to: 'تا',
    date_hint: 'شمسی یا میلادی، مانند ۱۴۰۳/۰۱/۱۵',
    date_placeholder: '۱۴۰۳/۰۱/۱۵',
    apply: 'اعمال',
    show_more: 'نمایش همه ({n})',
    show_less: 'نمایش کمتر',
    no_portfolio: 'بدون پورتفولیو',
    other_programs: `سایر طرح${ZWNJ}ها`,
    projects_of: `پروژه${ZWNJ}های {name}`,
    sort_label: `مرتب${ZWNJ}سازی`,
    sort_relevance: `مرتبط${ZWNJ}ترین`,
    sort_date: `جدیدترین`,
    results: '{n} یادداشت',
    results_all: `همه {n} یادداشت`,
    results_time: `در {ms} میلی${ZWNJ}ثانیه`,
    results_heading: 'نتایج',
    partial_divider: `این یادداشت${ZWNJ}ها فقط بخشی از واژه${ZWNJ}های جستجو را دارند`,
    matched_of: '{m} از {w} واژه',
    match_all_link: `فقط یادداشت${ZWNJ}هایی که همه واژه${ZWNJ}ها را دارند`,
    every_word: `همه واژه${ZWNJ}ها`,
    active_filters: 'فیلترهای فعال',
    remove_filter: 'حذف فیلتر: {label}',
    clear_all: 'پاک کردن همه',
    empty_title: 'یادداشتی برای «{q}» پیدا نشد',
    empty_title_filters: 'یادداشتی با این فیلترها پیدا نشد',
    empty_tip_spelling: `املای واژه${ZWNJ}ها را بررسی کنید، یا واژه${ZWNJ}های کمتر و کلی${ZWNJ}تری بنویسید.`,
    empty_tip_filters: 'یکی از فیلترها را بردارید:',
    empty_tip_language: `به فارسی یا انگلیسی جستجو کنید؛ هر دو نمایه شده${ZWNJ}اند.`,
    empty_tip_syntax: `برای عبارت دقیق از "گیومه"، برای حذف یک واژه از -واژه و برای فیلتر از field:value (مثل kind:lesson) استفاده کنید.`,
    error_title: 'جستجو انجام نشد',
    error_network: 'به سرور دفتر دسترسی نیست. اتصال را بررسی کنید و دوباره تلاش کنید.',
    error_generic: 'خطایی رخ داد: {message}',
    retry: 'تلاش دوباره',
    typing_hint: 'ادامه دهید: {message}',
    pages: `صفحه${ZWNJ}ها`,
    prev: 'قبلی',
    next: 'بعدی',
    page_n: 'صفحه {n}',
    key: 'کلیدی',
    key_document: 'سند کلیدی',
    overdue: 'موعد بازبینی گذشته',
    loading: `در حال بارگذاری…`,
    snippet_none: '',
    in_program: 'در',

    breadcrumb: 'مسیر',
    on_this_page: 'در این صفحه',
    details: 'مشخصات',
    m_kind: 'نوع سند',
    m_status: 'وضعیت',
    m_portfolio: 'پورتفولیو',
    m_program: 'طرح',
    m_project: 'پروژه',
    m_experts: 'خبرگان',
    m_tags: `برچسب${ZWNJ}ها`,
    m_date: 'تاریخ',
    m_review: 'موعد بازبینی',
    m_modified: 'آخرین تغییر فایل',
    m_size: 'اندازه',
    m_file: 'فایل',
    m_audience: 'مخاطبان',
    m_visibility: 'دسترسی',
    raw: 'باز کردن فایل اصلی',
    backlinks: `یادداشت${ZWNJ}هایی که به اینجا پیوند داده${ZWNJ}اند`,
    no_backlinks: 'هنوز یادداشتی به اینجا پیوند نداده است.',
    related: `یادداشت${ZWNJ}های مرتبط`,
    reason_similar: 'متن مشابه',
    reason_tags: 'برچسب مشترک',
    reason_links: 'به اینجا پیوند داده',
    problems_title: 'این یادداشت {n} اشکال دارد',
    line_n: 'سطر {n}',
    not_found: 'این یادداشت پیدا نشد',
    not_found_body: `شاید جابه${ZWNJ}جا، تغییر نام یا حذف شده باشد. آن را جستجو کنید.`,
    not_found_sign_in: `برخی یادداشت${ZWNJ}ها فقط به کاربرانِ وارد${ZWNJ}شده نشان داده می${ZWNJ}شوند. اگر توکن دسترسی دارید، با ورود شاید موارد بیشتری ببینید.`,
    note_error: 'این یادداشت باز نشد',
    pdf_preview: `پیش${ZWNJ}نمایش {name}`,
    attachment: 'پیوست',
    back_to_results: 'بازگشت به نتایج',
    bytes: '{n} بایت',
    kb: '{n} کیلوبایت',

    browse_title: 'مرور پایگاه دانش',
    tab_programs: `طرح${ZWNJ}ها`,
    tab_key: 'اسناد کلیدی',
    tab_experts: 'خبرگان',
    tab_problems: `اشکال${ZWNJ}ها`,
    notes_n: '{n} یادداشت',
    programs_intro: `پورتفولیوها، طرح${ZWNJ}ها و پروژه${ZWNJ}های آن${ZWNJ}ها، با شمار یادداشت${ZWNJ}های هر کدام.`,
    no_project: `یادداشت${ZWNJ}های سطح طرح`,
    program_all: `همه طرح${ZWNJ}ها`,
    program_select: 'طرح',
    key_intro: `اسنادی که تصمیم${ZWNJ}گیران باید بشناسند، از جدید به قدیم، با وضعیت بازبینی.`,
    key_none: `هنوز سند کلیدی اینجا نیست. یادداشتی با key: true در سرآغاز، سند کلیدی می${ZWNJ}شود.`,
    overdue_title: 'موعد بازبینی گذشته',
    overdue_none: 'هیچ یادداشتی در اینجا از موعد بازبینی نگذشته است.',
    due_on: 'موعد بازبینی: {date}',
    review_due: 'بازبینی تا {date}',
    experts_intro: `چه کسی چه نوشته است: یادداشت${ZWNJ}ها، طرح${ZWNJ}ها و برچسب${ZWNJ}های پرتکرار هر خبره.`,
    experts_none: `هنوز نام هیچ خبره${ZWNJ}ای در یادداشت${ZWNJ}ها نیامده است.`,
    top_tags: `برچسب${ZWNJ}های پرتکرار`,
    problems_intro: `یادداشت${ZWNJ}هایی که سرآغازشان نادرست است یا پیوندشان به جایی نمی${ZWNJ}رسد. این${ZWNJ}ها همچنان نمایه می${ZWNJ}شوند.`,
    problems_none: `اشکالی نیست: سرآغاز و پیوندهای همه یادداشت${ZWNJ}ها درست است.`,
    problems_total: `{n} اشکال در {m} یادداشت`,
    see_all: 'جستجوی هر {n} یادداشت',
    tab_report: 'گزارش',
    report_title: 'گزارش دانش',
    report_intro: `وضعیت دانش یک طرح: چه نوشته شده، چگونه رشد می${ZWNJ}کند، چه چیزی نیاز به بازبینی دارد و چه کسانی مشارکت دارند.`,
    report_scope_all: `همه طرح${ZWNJ}ها`,
    report_generated: `تهیه${ZWNJ}شده در {date}`,
    report_export: 'خروجی CSV',
    report_print: 'چاپ',
    report_actions: 'کارهای گزارش',
    fig_notes: `یادداشت${ZWNJ}ها`,
    fig_key: 'اسناد کلیدی',
    fig_overdue: 'موعد بازبینی گذشته',
    fig_due: 'بازبینی تا ۳۰ روز آینده',
    headline: 'ارقام اصلی',
    chart_kind: `یادداشت${ZWNJ}ها بر پایه نوع سند`,
    chart_status: `یادداشت${ZWNJ}ها بر پایه وضعیت`,
    chart_growth: 'رشد ماهانه',
    chart_review: 'وضعیت بازبینی',
    growth_added: 'افزوده',
    growth_changed: `ویرایش${ZWNJ}شده`,
    growth_none: `هنوز تاریخچه${ZWNJ}ای نیست.`,
    review_overdue: 'موعد گذشته',
    review_due: 'تا ۳۰ روز آینده',
    review_ok: `به${ZWNJ}روز`,
    review_unscheduled: 'بدون موعد بازبینی',
    review_overdue_list: `یادداشت${ZWNJ}های با موعد گذشته`,
    review_due_list: 'موعد بازبینی تا ۳۰ روز آینده',
    review_none_overdue: `هیچ یادداشتی از موعد بازبینی نگذشته است.`,
    status_none: 'بدون وضعیت',
    coverage: 'پوشش',
    coverage_program: 'طرح',
    coverage_projects: `پروژه${ZWNJ}ها`,
    coverage_missing: `انواع سند بی${ZWNJ}یادداشت`,
    coverage_no_lessons: `پروژه${ZWNJ}های بدون درس${ZWNJ}آموخته`,
    coverage_complete: 'از همه انواع سند یادداشت هست.',
    coverage_all_lessons: `همه پروژه${ZWNJ}ها درس${ZWNJ}آموخته دارند.`,
    project_col: 'پروژه',
    notes_col: `یادداشت${ZWNJ}ها`,
    key_col: 'کلیدی',
    program_level: 'سطح طرح',
    contributions: 'مشارکت',
    person_col: 'نام',
    expert_col: 'یادداشت به عنوان خبره',
    commits_col: 'کامیت',
    contributions_none: 'هنوز مشارکتی ثبت نشده است.',
    links: `سلامت پیوندها`,
    links_orphans: `یادداشت${ZWNJ}هایی که هیچ یادداشتی به آن${ZWNJ}ها پیوند نداده`,
    links_broken: 'پیوندهای شکسته',
    links_broken_notes: `یادداشت${ZWNJ}های دارای پیوند شکسته`,
    links_see_problems: `دیدن اشکال${ZWNJ}ها`,
    no_program: 'بدون طرح',
    report_empty: 'هنوز یادداشتی در این محدوده نیست.',
  },
};

const KINDS = {
  lesson: ['Lesson', `درس${ZWNJ}آموخته`],
  decision: ['Decision', 'تصمیم'],
  risk: ['Risk', 'ریسک'],
  issue: ['Issue', 'مسئله'],
  report: ['Report', 'گزارش'],
  guideline: ['Guideline', 'دستورالعمل'],
  meeting: ['Meeting', 'صورتجلسه'],
  reference: ['Reference', 'مرجع'],
  charter: ['Charter', 'منشور'],
  note: ['Note', 'یادداشت'],
  attachment: ['Attachment', 'پیوست'],
};

const STATUSES = {
  draft: ['Draft', `پیش${ZWNJ}نویس`],
  approved: ['Approved', `تأیید${ZWNJ}شده`],
  superseded: ['Superseded', `جایگزین${ZWNJ}شده`],
  archived: ['Archived', `بایگانی${ZWNJ}شده`],
};

let current = document.documentElement.lang === 'fa' ? 'fa' : 'en';

/** The interface language, `fa` or `en`. */
export function lang() {
  return current;
}

/** Switches the interface language: remembered in a cookie the server reads to render the shell. */
export function setLang(next) {
  current = next === 'fa' ? 'fa' : 'en';
  document.documentElement.lang = current;
  document.documentElement.dir = current === 'fa' ? 'rtl' : 'ltr';
  document.cookie = `daftar-lang=${current}; path=/; max-age=31536000; SameSite=Lax`;
}

/** A label, with `{name}` placeholders filled (numbers formatted for the language). */
export function t(key, vars = {}) {
  let s = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  if (typeof s === 'object') {
    const rule = new Intl.PluralRules(current).select(Number(vars.n ?? 0));
    s = s[rule] ?? s.other;
  }
  return s.replace(/\{(\w+)\}/g, (_, name) => {
    const v = vars[name];
    if (v === undefined) return '';
    return typeof v === 'number' ? num(v) : String(v);
  });
}

const numberFormats = {};

/** A number in the interface's digits (Persian digits in Persian). */
export function num(n, digits = 0) {
  const k = `${current}:${digits}`;
  numberFormats[k] ??= new Intl.NumberFormat(current === 'fa' ? 'fa-IR' : 'en-GB', {
    maximumFractionDigits: digits,
  });
  return numberFormats[k].format(n);
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses the API's date (`YYYY-MM-DD` or RFC 3339) into a Date, a day being midnight UTC. */
export function parseDate(s) {
  if (!s) return null;
  const m = DAY.exec(s);
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

const dateFormats = {};

/** A date for people: Solar Hijri with Persian digits in Persian, `14 Mar 2026` in English. */
export function date(s, style = 'medium') {
  const d = parseDate(s);
  if (!d) return s || '';
  const dayOnly = DAY.test(s);
  const k = `${current}:${style}:${dayOnly}`;
  dateFormats[k] ??= new Intl.DateTimeFormat(current === 'fa' ? 'fa-IR-u-ca-persian' : 'en-GB', {
    year: 'numeric',
    month: style === 'long' ? 'long' : 'short',
    day: 'numeric',
    ...(dayOnly ? { timeZone: 'UTC' } : {}),
  });
  return dateFormats[k].format(d);
}

const monthFormats = {};

/**
 * A month bucket (`YYYY-MM`, Gregorian) for people: `Mar 2026` in English; in Persian the Solar
 * Hijri month covering most of it (its 15th day), with Persian digits, e.g. `اسفند ۱۴۰۴`.
 */
export function month(ym) {
  const m = /^(\d{4})-(\d{2})$/.exec(ym || '');
  if (!m) return ym || '';
  monthFormats[current] ??= new Intl.DateTimeFormat(current === 'fa' ? 'fa-IR-u-ca-persian' : 'en-GB', {
    year: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  return monthFormats[current].format(new Date(Date.UTC(+m[1], +m[2] - 1, 15)));
}

/** Today as `YYYY-MM-DD` in the reader's time zone, to compare with `review_by`. */
export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Whether a `review_by` date has passed. */
export function overdue(reviewBy) {
  return Boolean(reviewBy) && reviewBy.slice(0, 10) < today();
}

function vocabulary(table, value) {
  const pair = table[String(value).toLowerCase()];
  if (!pair) return value;
  return current === 'fa' ? pair[1] : pair[0];
}

/** The name of a kind of note (open vocabulary: unknown kinds are shown as written). */
export function kindName(kind) {
  return vocabulary(KINDS, kind);
}

/** The name of a status. */
export function statusName(status) {
  return vocabulary(STATUSES, status);
}

/** Applies the static labels of the shell (`data-i18n`, `data-i18n-label`, `data-i18n-title`). */
export function translateShell(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}
