"""Reproduce published figures from the reference data in ../shared/data with the analysis package.

For each published figure: what was published, what we compute, PASS or FAIL. Lines marked INFO are our own
computations for which ../shared/data holds no published value to compare with. Exit status is 1 if any
reproduction fails, 0 otherwise, and 0 (with a message) when the reference data folder is absent.

    python benchmarks/reproduce_published.py            # uses ../shared/data beside the repository
    ORGANWATCH_REFERENCE_DATA=/path/to/data python benchmarks/reproduce_published.py
"""

from __future__ import annotations

import csv
import math
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
try:
    import organwatch.analysis  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO / "src"))

import pandas as pd  # noqa: E402

from organwatch import settings  # noqa: E402
from organwatch.analysis import (  # noqa: E402
    account_sources,
    check_consistency,
    compare_ratios,
    compare_with_reference,
    load_godt,
    load_official,
    series_from_official,
)

results: list[tuple[str, str, str, str]] = []


def record(name: str, published: object, ours: object, ok: bool | None) -> None:
    status = "INFO" if ok is None else ("PASS" if ok else "FAIL")
    results.append((status, name, str(published), str(ours)))
    print(f"{status:4}  {name}\n      published: {published}\n      ours:      {ours}")


def guarded(name: str, check: Callable[[], None]) -> None:
    try:
        check()
    except Exception as exc:  # a crash is a failed reproduction, reported, not a traceback
        record(name, "(see check)", f"error: {type(exc).__name__}: {exc}", False)


def data_dir() -> Path:
    override = settings.get("ORGANWATCH_REFERENCE_DATA")
    return Path(override) if override else REPO.parent / "shared" / "data"


def main() -> int:
    data = data_dir()
    if not data.is_dir():
        shown = data if settings.get("ORGANWATCH_REFERENCE_DATA") else "../shared/data"
        print(f"reference data folder {shown} not found: skipping")
        return 0
    official_path = data / "china_official" / "official_counts.csv"
    godt_path = data / "godt" / "global-organ-donation_2018.csv"
    godt = load_godt(godt_path)
    _, official = load_official(official_path)

    def godt_shape() -> None:
        countries = godt.frame["country"].nunique()
        record("GODT extract: rows and countries (godt/README.md)", "3,165 rows, 194 countries",
               f"{len(godt.frame):,} rows, {countries} countries", len(godt.frame) == 3165 and countries == 194)

    def table7() -> None:
        rows = {r["column"]: float(r["value"]) for r in csv.DictReader(
            (data / "china_official" / "bmc2019_table7.csv").open(encoding="utf-8"))}
        frame = pd.DataFrame({
            "year": [2016] * 4, "source": ["BMC 2019 Table 7"] * 4,
            "metric": ["organs_transplanted", "deceased_donor_kidney_and_liver_transplants", "lung_transplants",
                       "heart_transplants"],
            "value": [rows["All organs"], rows["Kidney and liver"], rows["Lung"], rows["Heart"]],
        })
        result = check_consistency(frame)
        (parts,) = [c for c in result.checks if c.quantity == "organs_transplanted 2016"]
        remainder = parts.value_b_high - parts.value_a
        record("BMC Med Ethics 2019;20:79 Table 7: 'Remainder' = all organs − kidney+liver − lung − heart",
               f"{rows['Remainder']:,.0f}", f"{remainder:,.0f}", remainder == rows["Remainder"])
        donors = next(f.value for f in official if f.metric == "deceased_donors" and f.year == 2016)
        ratios = {c.ratio: c for c in compare_ratios(official, godt, year=2016, country="China")
                  if c.derivation.startswith("official")}
        for name, numerator in (("organs transplanted per deceased donor", rows["All organs"]),
                                ("deceased-donor kidney + liver transplants per donor", rows["Kidney and liver"])):
            ours = ratios[name]
            expected = numerator / donors
            record(f"BMC 2019 Table 7 ratio 2016, {name} (Table 7 value / {donors:,.0f} donors)",
                   f"{numerator:,.0f} / {donors:,.0f} = {expected:.3f} (ratio itself not in ../shared/data)",
                   f"{ours.value:.3f}; reference median {ours.reference_median:.3f}, "
                   f"{ours.share_of_reference_at_or_below:.0%} of {ours.reference_n} GODT countries at or below",
                   math.isclose(ours.value, expected, rel_tol=1e-12))

    def cross_source() -> None:
        result = check_consistency(official, reference=godt, country="China")
        gaps = {c.quantity: c for c in result.checks if c.kind == "cross-source"}
        kl = gaps["deceased_donor_kidney_and_liver_transplants 2016"]
        record("2016 kidney + liver: COTRS (Table 7) vs GODT 7,224 + 3,264 (china_official/README.md)",
               "10,481 vs 10,488", f"{kl.value_a:,.0f} vs {kl.value_b_low:,.0f} (gap {kl.gap:+,.0f})",
               (kl.value_a, kl.value_b_low, kl.contradiction) == (10481, 10488, True))
        heart = gaps["heart_transplants 2016"]
        record("2016 heart: Table 7 vs GODT (china_official/README.md)", "380 vs 368",
               f"{heart.value_a:,.0f} vs {heart.value_b_low:,.0f} (gap {heart.gap:+,.0f})",
               (heart.value_a, heart.value_b_low) == (380, 368))

    def cumulative() -> None:
        result = check_consistency(official)
        by_quantity = {c.quantity: c for c in result.checks}
        end2015 = by_quantity["cumulative_donors at end-2015"]
        record("Implied cumulative donors at end-2015: 8,866 (30 Sep 2016) − 2,950 (Jan–Sep 2016)",
               "about 5,916", f"{end2015.value_a:,.0f}", end2015.value_a == 5916)
        end2018 = by_quantity["cumulative_donors at end-2018"]
        record("Implied cumulative donors at end-2018 vs the NHC's '1.8万余' (18,000+)",
               "about 21,444 implied vs 18,000 stated",
               f"{end2018.value_b_low:,.0f}–{end2018.value_b_high:,.0f} implied vs {end2018.value_a:,.0f} stated; "
               f"gap {end2018.gap:+,.0f} ({end2018.gap_pct:.1f}%), contradiction={end2018.contradiction}",
               end2018.value_b_low == 21444 and end2018.value_a == 18000 and end2018.contradiction)
        parts = by_quantity["transplants_total_incl_living 2022"]
        record("2022: four organ counts vs stated total (china_official/README.md)", "20,274 vs 20,229",
               f"{parts.value_a:,.0f} vs {parts.value_b_high:,.0f}, contradiction={parts.contradiction}",
               (parts.value_a, parts.value_b_high, parts.contradiction) == (20274, 20229, True))

    def quadratic_fits() -> None:
        # A placeholder series: only its years (2010–2016, all seven) select the reference countries.
        placeholder = {y: float(y - 2009) ** 1.5 for y in range(2010, 2017)}
        complete = compare_with_reference(placeholder, godt, model="quadratic")
        countries = complete.countries
        top = ", ".join(f"{r.country} {r.one_minus_r2:.2g}" for r in countries.head(5).itertuples())
        record("Quadratic fits to 2010–2016 deceased donors, every GODT country with complete data",
               "(no published distribution in ../shared/data)",
               f"{len(countries)} countries fitted ({len(complete.excluded.get('constant', []))} constant left "
               f"out); median R² {countries['r2'].median():.4f}, median 1−R² {countries['one_minus_r2'].median():.3g}; "
               f"closest fits: {top}", None)
        series = series_from_official(official, "deceased_donors", (2010, 2016))
        china = compare_with_reference(series, godt, model="quadratic", exclude=["China"])
        record("China official deceased donors 2010–2016 (no 2012 value) among GODT countries, same years",
               "(published R² not in ../shared/data)", china.sentence(), None)
        scaled = compare_with_reference(series, godt, model="quadratic", exclude=["China"], min_mean=100)
        record("Same, reference restricted to countries averaging >= 100 donors a year",
               "(published figure not in ../shared/data)", scaled.sentence(), None)

    def rogers() -> None:
        rows = list(csv.DictReader((data / "china_official" / "bmjopen2019_table3.csv").open(encoding="utf-8")))
        total = next(int(r["n"]) for r in rows if r["variable"] == "Included papers")
        for r in rows:
            if not r["percent"] or r["variable"] == "Included papers":
                continue
            exact = 100 * int(r["n"]) / total
            record(f"Rogers et al. BMJ Open 2019 Table 3: {r['variable']} ({r['n']}/{total})",
                   f"{r['percent']}%", f"{exact:.2f}% → {round(exact)}%", round(exact) == int(r["percent"]))
        stated = next(int(r["n"]) for r in rows if r["variable"].startswith("Explicit statement that no prisoner"))
        others = total - stated
        exact = 100 * others / total
        truncated, rounded = math.floor(exact * 10) / 10, round(exact, 1)
        record("Rogers et al. 2019 abstract: papers without a statement that no prisoner organs were used",
               "412 (92.5%)", f"{others} ({exact:.2f}%: truncated {truncated}%, rounded {rounded}%)",
               others == 412 and 92.5 in (truncated, rounded))

    def kilgour_matas() -> None:
        result = account_sources(REPO / "sample" / "analysis" / "accounting_kilgour_matas_2000_2005.csv")
        record("Kilgour–Matas 2007: 2000–2005 transplants unexplained (60,000 − 18,500)", "41,500",
               f"{result.central:,.0f} (MC median {result.mc['median']:,.0f})", result.central == 41500)

    for name, check in (("GODT shape", godt_shape), ("Table 7", table7), ("cross-source", cross_source),
                        ("cumulative", cumulative), ("quadratic fits", quadratic_fits), ("Rogers", rogers),
                        ("Kilgour–Matas", kilgour_matas)):
        guarded(name, check)
    failed = [r for r in results if r[0] == "FAIL"]
    passed = [r for r in results if r[0] == "PASS"]
    print(f"\n{len(passed)} reproduced, {len(failed)} failed, {len(results) - len(passed) - len(failed)} info")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
