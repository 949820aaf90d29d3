"""Links between simulated markets as the schemes declare them, and where units move.

    channels = channels_of({"quebec": links, "california": links}, credit_units, 2021)
    channels[0]            # Channel(source="california", target="quebec", credits_only=False)

A **channel** is one direction of a link: the entities of `target` may use units of
`source`. A `two_way` link is two channels; `inbound` (the declaring scheme accepts the
partner's units) and `outbound` (the declaring scheme's units are accepted by the partner)
one each. A link whose `for` list names only credit or offset unit types is credit-only: only
credits move, at most the credits the source issues in a year (the scenario names the system
input that gives them, `market.credits`).

What this means for prices (docs/simulate.md, "Linked markets"), for a channel from A to B:
units move from A to B only while A's price is not above B's, so B's price is never above
A's unless a limit on the units binds. Three outcomes:

- **joined**: the market pooled (one price, one bank) keeps every unit moving the way the
  link allows (A's own bank never negative) and within its limit: one price;
- **apart**: pooling would need units from B to A, which the link forbids: each market
  clears alone (B's price is at most A's) and nothing moves;
- **at the limit**: pooling would move more credits than the limit: the limit moves every
  year, each market clears alone with it (B's price is at least A's).

Flows within a joined market assume units move only to cover a deficit: a scheme whose own
bank (its supply less its emissions, carried) is negative has imported that many units,
drawn from the schemes with a surplus in proportion to their surplus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from etsl.compiler import numbers
from etsl.compiler.model import LinkModel
from etsl.runtime.simulate.scenario import ScenarioLink

ZERO = Decimal(0)
OPERATING = (None, "operating", "agreed")
CREDIT_KINDS = ("credit", "offset")


@dataclass(frozen=True)
class Channel:
    """The entities of `target` may use units of `source` (`credits_only`: only credits)."""

    source: str
    target: str
    credits_only: bool = False
    declared: str = ""  # where it is declared, for messages: "quebec: link california inbound"
    assumed: bool = False  # the scenario assumes it (`[links.NAME]`); no scheme declares it


def channels_of(
    links: Mapping[str, Sequence[LinkModel]],
    credit_units: Iterable[str],
    year: int,
    assumed: Mapping[str, ScenarioLink] | None = None,
) -> list[Channel]:
    """The channels between the schemes named in `links` that operate in `year` (a channel
    declared by both sides, or both full and credit-only, counts once, full); `assumed`: the
    two-way links the scenario assumes (`[links.NAME]`)."""
    credits = set(credit_units)
    found: dict[tuple[str, str], Channel] = {}

    def add(channel: Channel) -> None:
        old = found.get((channel.source, channel.target))
        if old is None or (old.credits_only and not channel.credits_only):
            found[(channel.source, channel.target)] = channel

    for name, declared in links.items():
        for link in declared:
            if link.target not in links or not operating(link, year):
                continue
            only = bool(link.units) and set(link.units) <= credits
            where = f"{name}: link {link.target} {link.direction}"
            for source, target in _directions(name, link):
                add(Channel(source, target, only, where))
    for key, assumption in (assumed or {}).items():
        last = assumption.until if assumption.until is not None else year
        if not assumption.first <= year <= last:
            continue
        where = f"the scenario's links.{key}, an assumption"
        named = [n for n in assumption.schemes if n in links]
        for a in named:
            for b in named:
                if a != b:
                    add(Channel(a, b, False, where, assumed=True))
    return sorted(found.values(), key=lambda c: (c.source, c.target))


def operating(link: LinkModel, year: int) -> bool:
    """A declared link operates in a year from the year of its `since` date to the year
    before its `until` date (the whole of that year when it is 31 December)."""
    if link.status not in OPERATING and not (link.status == "ended" and link.until):
        return False
    if link.since is not None and int(link.since[:4]) > year:
        return False
    if link.until is None:
        return True
    last = int(link.until[:4]) - (0 if link.until[5:] == "12-31" else 1)
    return year <= last


#: The channels of each year in which they change: the first year's, then each change.
Timeline = tuple[tuple[int, tuple[Channel, ...]], ...]


def timeline(
    links: Mapping[str, Sequence[LinkModel]],
    credit_units: Iterable[str],
    years: range,
    assumed: Mapping[str, ScenarioLink] | None = None,
) -> Timeline:
    """The channels operating in the first year, and again in every year they change."""
    credits = list(credit_units)
    out: list[tuple[int, tuple[Channel, ...]]] = []
    for year in years:
        channels = tuple(channels_of(links, credits, year, assumed))
        if not out or _pairs(out[-1][1]) != _pairs(channels):
            out.append((year, channels))
    return tuple(out)


def _pairs(channels: Sequence[Channel]) -> set[tuple[str, str, bool]]:
    return {(c.source, c.target, c.credits_only) for c in channels}


def groups(channels: Sequence[Channel], names: Sequence[str]) -> list[list[str]]:
    """The markets that share a price: joined by channels, in the order of `names`."""
    group = {name: {name} for name in names}
    for c in channels:
        merged = group[c.source] | group[c.target]
        for name in merged:
            group[name] = merged
    out: list[list[str]] = []
    for name in names:
        members = [n for n in names if n in group[name]]
        if members not in out:
            out.append(members)
    return out


def _directions(name: str, link: LinkModel) -> list[tuple[str, str]]:
    if link.direction == "two_way":
        return [(name, link.target), (link.target, name)]
    if link.direction == "inbound":
        return [(link.target, name)]
    return [(name, link.target)]


def joined_everywhere(channels: Sequence[Channel], names: Sequence[str]) -> bool:
    """Every pair of the markets has full channels both ways (one price, one bank)."""
    full = {(c.source, c.target) for c in channels if not c.credits_only}
    return all(
        (a, b) in full and (b, a) in full for i, a in enumerate(names) for b in names[i + 1 :]
    )


def one_channel(channels: Sequence[Channel], names: Sequence[str]) -> Channel | None:
    """The single channel between two markets, when there is exactly one direction."""
    if len(names) != 2 or len(channels) != 1:
        return None
    return channels[0]


# ---- flows ------------------------------------------------------------------------------------


def net_imports(positions: Mapping[str, Mapping[int, Decimal]], scheme: str) -> dict[int, Decimal]:
    """Units a scheme took in (negative: gave out) in each year of a joined market (see the
    module docstring)."""
    years = sorted(positions[scheme])
    held = {year: held_abroad(positions, scheme, year) for year in years}
    return {
        year: numbers.subtract(held[year], held[years[i - 1]] if i else ZERO)
        for i, year in enumerate(years)
    }


def held_abroad(positions: Mapping[str, Mapping[int, Decimal]], scheme: str, year: int) -> Decimal:
    """Cumulative net imports of a scheme by the end of a year."""
    own = positions[scheme][year]
    if own < 0:
        return -own
    deficit = sum((-p[year] for p in positions.values() if p[year] < 0), ZERO)
    surplus = sum((p[year] for p in positions.values() if p[year] > 0), ZERO)
    if deficit == 0 or surplus == 0:
        return ZERO
    # in proportion to the surplus, to whole units (rounded half up)
    return -numbers.round_half_up(numbers.divide(numbers.multiply(deficit, own), surplus))


def cumulative(per_year: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """A running total by year."""
    total, out = ZERO, {}
    for year in sorted(per_year):
        total += per_year[year]
        out[year] = total
    return out
