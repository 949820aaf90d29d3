"""The wording layer: names as labels, articles, plurals, gases, units, numbers and dates,
in the language being written (`etsl.documents.i18n`).

    >>> label("ar_cdm_cap"), label("outside_tokyo"), label("banked")
    ('A/R CDM cap', 'outside Tokyo', 'banked units')
    >>> label("nap_credit_limit"), label("union_cap_2021_2023")
    ('NAP credit limit', 'union cap 2021–2023')
    >>> article("unit"), article("installation"), article("NZU"), article("KAU")
    ('a unit', 'an installation', 'an NZU', 'a KAU')
    >>> gas_words("HFCs"), unit_words("kL_oe/yr"), unit_words("short_tCO2")
    ('HFCs', 'kL oil-equivalent a year', 'short tons CO₂')
    >>> quantity_words(Decimal("1500"), "kL_oe/yr")
    '1,500 kL oil-equivalent a year'

Every sentence the documents write is built from these pieces, so an article, a unit or a
label is decided in one place for every page, comparison and report.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from etsl.compiler.enums import Vocabulary
from etsl.compiler.units import CURRENCIES
from etsl.documents.i18n import current, has_translation, ngettext, own_term, pgettext
from etsl.documents.i18n import gettext as _

# ---- names ------------------------------------------------------------------------------------

#: Abbreviations in identifiers, as readers write them.
ACRONYMS = {
    "aau": "AAU", "ar": "A/R", "arboc": "ARBOC", "ccm": "CCM", "ccr": "CCR", "cca": "CCA",
    "cdm": "CDM", "cer": "CER", "ch4": "CH₄", "co2": "CO₂", "co2e": "CO₂e", "cpi": "CPI",
    "deb": "DEB", "dhc": "DHC", "ecr": "ECR", "ets": "ETS", "eu": "EU", "eua": "EUA",
    "eru": "ERU", "ghg": "GHG", "gwp": "GWP", "hfc": "HFC", "ji": "JI", "jpa": "JPA",
    "jver": "J-VER", "kau": "KAU", "kcu": "KCU", "koc": "KOC", "lcer": "lCER", "lrf": "LRF",
    "msr": "MSR", "mrv": "MRV", "n2o": "N₂O", "nap": "NAP", "nz": "NZ", "nzu": "NZU", "pfc": "PFC",
    "qc": "QC", "qca": "QCA", "rga": "RGA", "rggi": "RGGI", "rmu": "RMU", "sf6": "SF₆", "nf3": "NF₃",
    "sme": "SME", "tcer": "tCER", "tnac": "TNAC", "tset": "TSET", "cat": "CAT", "uk": "UK", "uka": "UKA", "us": "US",
    "vap": "VAP", "intl": "international", "moe": "MOE", "meti": "METI", "jvets": "JVETS",
    "cbam": "CBAM", "apcr": "APCR", "hse": "HSE", "arb": "ARB", "gx": "GX", "jcm": "JCM",
}  # fmt: skip
#: Place names in identifiers.
PROPER = {
    "california": "California", "china": "China", "japan": "Japan", "korea": "Korea",
    "kyoto": "Kyoto", "quebec": "Québec", "saitama": "Saitama", "swiss": "Swiss",
    "tokyo": "Tokyo", "europe": "Europe", "keidanren": "Keidanren", "annex": "Annex",
}  # fmt: skip
#: Names whose words are not their parts.
_NAME_WORDS = {
    "banked": "banked units",
    "allocation_amount": "free allocation",
    "excess": "excess emissions",
    "owed_unpaid": "units still owed",
    "small_midsize": "small and mid-size facility credits",
    "saitama_small_midsize": "Saitama small and mid-size facility credits",
    "renewable_energy": "renewable-energy credits",
    "other_gas": "other-gas credits",
}
#: Words an identifier splits that readers join (`one_off_cut` → `one-off cut`).
_COMPOUNDS = {
    "one off": "one-off", "sector based": "sector-based", "pre allocation": "pre-allocation",
    "self set": "self-set", "two way": "two-way", "J Credit": "J-Credit", "GX ETS": "GX-ETS",
    "afforestation reforestation": "afforestation/reforestation",
}  # fmt: skip
_COMPOUND = re.compile(r"\b(" + "|".join(map(re.escape, _COMPOUNDS)) + r")\b")


def humanize(name: str) -> str:
    """An identifier as English words: `ar_cdm_cap` → `A/R CDM cap`."""
    if name in _NAME_WORDS:
        return _NAME_WORDS[name]
    words: list[str] = []
    for part in name.split("_"):
        lower = part.lower()
        word = ACRONYMS.get(lower) or PROPER.get(lower) or _numbered(part)
        if words and words[-1] == "non":
            words[-1] = f"non-{word}"
        elif word:
            words.append(word)
    phrase = _COMPOUND.sub(lambda m: _COMPOUNDS[m.group(1)], " ".join(words).strip())
    return re.sub(r"\b(\d{4}) (\d{4})\b", "\\1–\\2", phrase)


def _numbered(part: str) -> str:
    """`phase1` → `phase 1`, `cp1` → `CP1`, `y2022` → `2022`, `fy2008` → `FY2008`,
    `hfc23` → `HFC-23`, `300mw` → `300 MW`."""
    year = re.fullmatch(r"y(\d{4})", part)
    if year:
        return year.group(1)
    gas = re.fullmatch(r"(hfc|pfc)(\d+)", part)
    if gas:
        return f"{gas.group(1).upper()}-{gas.group(2)}"
    power = re.fullmatch(r"(\d+)(kw|mw|gw)", part)
    if power:
        return f"{power.group(1)} {power.group(2)[:-1].upper()}W"
    short = re.fullmatch(r"([a-z]{1,2})(\d+)", part)
    if short:
        return part.upper()
    long = re.fullmatch(r"([a-z]{3,})(\d+)", part)
    if long and not long.group(1).startswith(("co", "ch", "hfc", "pfc", "sf", "nf")):
        return f"{PROPER.get(long.group(1), long.group(1))} {long.group(2)}"
    return part


_SINGULAR_ENDINGS = ("ss", "us", "is", "ics", "news")


def is_plural(phrase: str) -> bool:
    """Whether an English noun phrase is plural (`its emissions`, `the eligible units`), so
    its verb is `are`; a phrase ending in a unit or number is a quantity, singular."""
    words = phrase.rstrip(")").split()
    if not words or current() != "en":
        return False
    last = words[-1]
    if "(" in phrase and phrase.endswith(")"):
        last = (
            phrase[: phrase.rindex("(")].split()[-1]
            if phrase[: phrase.rindex("(")].split()
            else last
        )
    return (
        last.islower()
        and last.endswith("s")
        and not last.endswith(_SINGULAR_ENDINGS)
        and len(last) > 3
    )


def label(name: str) -> str:
    """What readers call the value `name`: the term of the scheme being written
    (`etsl.documents.i18n.own_terms`), else the catalogue's term in the language being
    written when there is one, else the identifier's words."""
    if current() == "en":
        return humanize(name)
    own = own_term(name)
    if own:
        return own
    return pgettext("name", name) if has_translation("name", name) else humanize(name)


def scheme_title(title: str | None, name: str) -> str:
    """A scheme's title for readers: the catalogue's official name in the language being
    written when there is one (context `scheme`), else the title the scheme gives."""
    shown = title or label(name)
    if current() != "en" and has_translation("scheme", shown):
        return pgettext("scheme", shown)
    return shown


def jurisdiction_words(text: str) -> str:
    """A scheme's jurisdiction for readers: the catalogue's wording in the language being
    written when there is one (context `jurisdiction`), else the scheme's text."""
    if current() != "en" and has_translation("jurisdiction", text):
        return pgettext("jurisdiction", text)
    return text


def value_words(value: str) -> str:
    """An enumeration value (`afforestation_reforestation`) for readers."""
    return label(value)


def lowered(words: str) -> str:
    """Words that follow a colon or an article mid-sentence: `Into the next period` → `into
    the next period`, `Price ceiling` → `price ceiling`."""
    return words[:1].lower() + words[1:]


def capital(text: str) -> str:
    """The text with its first letter upper-case (English; other languages unchanged),
    unless it begins with a name spelt in mixed case (`tCER`, `lCER`, `kL`)."""
    if current() != "en" or text[1:2].isupper():
        return text
    return text[:1].upper() + text[1:]


def is_proper(noun: str) -> bool:
    """Whether `noun` names one thing (`Japan`), so it takes no article or `each`."""
    return noun[:1].isupper() and not noun.isupper()


# ---- articles, plurals, possessives -----------------------------------------------------------

_CONSONANT_SOUND = re.compile(r"^(uni|use|usu|uti|ura|eu|one|once|ufo)", re.I)
_SILENT_H = ("hour", "honest", "honour", "heir")
#: Letters whose English names start with a vowel sound (an NZU, an MSR, an LRF).
_VOWEL_LETTERS = set("AEFHILMNORSX")


def article(noun: str) -> str:
    """`a unit`, `an installation`, `an NZU`, `a KAU` (Japanese: the noun alone)."""
    if current() != "en" or not noun:
        return noun
    word = noun.split()[0]
    if len(word) > 1 and word.isupper():
        an = word[0] in _VOWEL_LETTERS
    else:
        lower = word.lower()
        an = (lower[0] in "aeiou" and not _CONSONANT_SOUND.match(lower)) or lower.startswith(
            _SILENT_H
        )
    return f"{'an' if an else 'a'} {noun}"


def plural(noun: str, count: int | None = None) -> str:
    """`periods`, `entities`, `classes` (unchanged for one, and in Japanese)."""
    if current() != "en" or count == 1 or not noun:
        return noun
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", noun):
        return noun + "es"
    return noun + "s"


def possessive(owner: str, thing: str) -> str:
    """`Japan's cap`, `the issuer's base emissions` (Japanese: `…の…`)."""
    return _("{owner}'s {thing}").format(owner=owner, thing=thing)


def series(parts: list[str]) -> str:
    """Items side by side: `auction, free allocation` (Japanese: `オークション、無償割当`)."""
    return _(", ").join(parts)


def comma() -> str:
    """What separates the items of a list in the language being written: `, ` or `、`."""
    return "、" if current() == "ja" else ", "


def full_stop() -> str:
    """What ends a sentence: `.` or `。`."""
    return "。" if current() == "ja" else "."


def colon() -> str:
    """What follows a heading word before its value: `: ` or `：`."""
    return "：" if current() == "ja" else ": "


def followed_by(text: str, more: str) -> str:
    """`text` followed by the sentence `more`: `A. B` in English, `A。B` in Japanese (the full
    stop the language uses, none added after one already there; no space in Japanese)."""
    if not text:
        return more
    end = "" if text.endswith((".", "。")) else full_stop()
    space = "" if current() == "ja" else " "
    return f"{text}{end}{space}{more}"


def listing(parts: list[str], conjunction: str = "and") -> str:
    """`a`, `a and b`, `a, b and c` (`or` when asked), in the language being written."""
    if len(parts) <= 1:
        return "".join(parts)
    word = _("or") if conjunction == "or" else _("and")
    if current() == "ja":
        return "、".join(parts[:-1]) + word + parts[-1]
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"


#: Japanese clause endings and their joining (連用) forms: `…以下である` → `…以下であり、かつ…`.
_JOINING_FORMS = (
    ("であること", "であり"),
    ("である", "であり"),
    ("ない", "なく"),
    ("超える", "超え"),
    ("成り立つ", "成り立ち"),
)


def conjunctive(clause: str) -> str:
    """A clause in the form that joins the next one with `and`: Japanese `…以下である` →
    `…以下であり` (`…以下であり、かつ…`); English unchanged."""
    if current() != "ja":
        return clause
    for ending, joining in _JOINING_FORMS:
        if clause.endswith(ending):
            return clause[: -len(ending)] + joining
    return clause


# ---- gases and units ---------------------------------------------------------------------------

_GASES = {
    "CO2e": "CO₂e", "CO2": "CO₂", "CH4": "CH₄", "N2O": "N₂O", "SF6": "SF₆", "NF3": "NF₃",
    "HFC": "HFCs", "HFCs": "HFCs", "PFC": "PFCs", "PFCs": "PFCs",
}  # fmt: skip
_MASS = re.compile(r"^(short_|k|M|G)?t(CO2e|CO2|CH4|N2O|SF6|NF3|HFCs?|PFCs?)?$")


def gas_words(gas: str) -> str:
    """A gas as written in reports: `CO2` → `CO₂`, `HFC` → `HFCs`."""
    return _GASES.get(gas, gas)


#: A gas's formula in prose (`CO2 emissions`, エネルギー起源CO2), not inside a unit symbol
#: (`tCO2e`), a name or an address.
_FORMULA = re.compile(r"(?<![A-Za-z0-9_/.\-])(CO2|CH4|N2O|SF6|NF3)(?![0-9A-Za-df-z_])")


def formulas(text: str) -> str:
    """Prose with its gases typeset: `CO2 and CH4 emissions` → `CO₂ and CH₄ emissions`,
    `CO2e`/`CO2eq` → `CO₂e`/`CO₂eq`."""
    return _FORMULA.sub(lambda m: _GASES[m[1]], text)


#: Metric prefixes as Japanese official statistics write them (百万t-CO₂ for Mt CO₂).
_JAPANESE_PREFIXES = {"k": "千", "M": "百万", "G": "十億"}
#: Currencies Japanese publications write in words: 4,300円/t-CO₂, not 4,300 JPY/t-CO₂.
_JAPANESE_CURRENCIES = {"JPY": "円"}


def unit_symbol(symbol: str, per: bool = False) -> str:
    """One unit symbol for readers: `tCO2e` → `t CO₂e`, `kL_oe` → `kL oil-equivalent`
    (`per`: in a denominator, `per short ton`). Japanese pages write tonnes of a gas as
    the Ministry of the Environment does: `t-CO₂e`, `百万t-CO₂e` for `MtCO2e`.

    >>> unit_symbol("MtCO2e")
    'Mt CO₂e'
    >>> from etsl.documents.i18n import language
    >>> with language("ja"):
    ...     unit_symbol("MtCO2e"), unit_symbol("tCO2"), unit_symbol("kt")
    ('百万t-CO₂e', 't-CO₂', '千t')
    """
    match = _MASS.match(symbol)
    if match:
        prefix, gas = match.group(1) or "", match.group(2)
        if prefix != "short_" and current() == "ja":
            mass = f"{_JAPANESE_PREFIXES.get(prefix, prefix)}t"
            return f"{mass}-{gas_words(gas)}" if gas else mass
        short = _("short ton") if per else _("short tons")
        mass = short if prefix == "short_" else f"{prefix}t"
        return f"{mass} {gas_words(gas)}" if gas else mass
    if symbol in _JAPANESE_CURRENCIES and current() == "ja":
        return _JAPANESE_CURRENCIES[symbol]
    if symbol == "kL_oe":
        return _("kL oil-equivalent")
    if symbol == "yr":
        return _("year")
    return symbol


def unit_words(unit: str | None) -> str:
    """A compound unit for readers: `kL_oe/yr` → `kL oil-equivalent a year`."""
    if not unit:
        return ""
    top, *bottom = unit.split("/")
    text = " ".join(unit_symbol(part) for part in top.split("·"))
    for part in bottom:
        if part == "yr":
            text = _("{unit} a year").format(unit=text)
        else:
            text = _("{unit} per {per}").format(unit=text, per=unit_symbol(part, per=True))
    return text


def whole_unit(unit: str) -> str:
    """What `floor` rounds to, for a result unit: whole tonnes, whole JPY, a whole number."""
    head = unit.split("/")[0]
    if _MASS.match(head) and head:
        return (
            _("whole tonnes")
            if "/" not in unit
            else _("whole {unit}").format(unit=unit_words(unit))
        )
    if unit in CURRENCIES:
        return _("whole {unit}").format(unit=unit_symbol(unit))
    return _("a whole number")


def is_short_tons(unit: str | None) -> bool:
    return bool(unit) and "short_t" in (unit or "")


# ---- numbers ----------------------------------------------------------------------------------


def number_words(value: Decimal) -> str:
    """A decimal with thousands separators and no exponent: 1500000 → `1,500,000`."""
    text = f"{value:f}"
    if value == value.to_integral_value():
        text = text.partition(".")[0]  # 1500.00 → 1500 (never through a 28-digit context)
    negative = text.startswith("-")
    whole, dot, fraction = text.lstrip("-").partition(".")
    return f"{'−' if negative else ''}{Decimal(whole):,}{dot}{fraction}"


def plain_number_words(value: Decimal) -> str:
    """A unitless number: years and small counts stay ungrouped (2021, not 2,021)."""
    if abs(value) < 10000 and value == value.to_integral_value():
        return f"{value.normalize():f}".replace("-", "−")
    return number_words(value)


def quantity_words(value: Decimal, unit: str | None) -> str:
    """A literal quantity: `1500 kL_oe/yr` → `1,500 kL oil-equivalent a year`."""
    if unit == "%":
        return f"{number_words(value)} %"
    if unit == "yr":
        return count_words("{count} year", "{count} years", value)
    if unit == "day":
        return count_words("{count} day", "{count} days", value)
    words = unit_words(unit)
    if not words:
        return plain_number_words(value)
    joined = "" if words.startswith(tuple(_JAPANESE_CURRENCIES.values())) else " "
    return f"{number_words(value)}{joined}{words}"


def count_words(singular: str, plural_form: str, count: Decimal | int) -> str:
    """A counted message (`{count} year`, `{count} years`) in the language being written;
    a fraction takes the plural."""
    amount = Decimal(count)
    whole = int(amount) if amount == amount.to_integral_value() else 2
    return ngettext(singular, plural_form, whole).format(count=plain_number_words(amount))


def literal_words(text: str) -> str:
    """A cell or constant as written in ETSL (`8 %`, `40 EUR/tCO2e`) for readers."""
    match = re.fullmatch(r"(-?\d[\d_]*(?:\.\d+)?)\s*(\S+)?", text.strip())
    if not match:
        return text
    return quantity_words(Decimal(match.group(1).replace("_", "")), match.group(2))


# ---- dates ------------------------------------------------------------------------------------

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def date_words(day: date, short: bool = False) -> str:
    """`1 April 2014` (`1 Apr 2014` when short); Japanese `2014年4月1日`."""
    if current() == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    month = _MONTHS[day.month - 1]
    return f"{day.day} {month[:3] if short else month} {day.year}"


def vocab_words(vocabulary: Vocabulary, value: str | None) -> str:
    """A vocabulary value's words (compiler/enums.py), in the language being written."""
    words = vocabulary.words(value)
    return _(words) if words else ""


#: A fiscal year as ETSL writes it: `FY2010`.
_FISCAL_YEAR = re.compile(r"FY(\d{4})")


def year_words(year: str) -> str:
    """A period bound as readers write it: `FY2010` in English, `2010年度` in Japanese."""
    found = _FISCAL_YEAR.fullmatch(year)
    return _("FY{year}").format(year=found.group(1)) if found else year


def year_alone(year: str) -> str:
    """A period bound standing alone in a sentence: `2013` (`2013年` in Japanese), `FY2010`."""
    if current() == "ja" and year.isdigit():
        return f"{year}年"
    return year_words(year)


def span_words(start: str, end: str) -> str:
    """`FY2010–FY2014` (`2010年度–2014年度`), or `2021` for a one-year span."""
    return year_words(start) if start == end else f"{year_words(start)}–{year_words(end)}"
