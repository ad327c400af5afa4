"""The fonts each report language uses, and the check that they are installed.

WeasyPrint finds fonts through fontconfig and silently substitutes another font
(or empty boxes) for a missing one, so ``flask report build`` asks fontconfig
first and names the Debian package to install. Each language names its own
script's font first, then the others, for country names and free text written
in another script.
"""
import shutil
import subprocess

from reporting.reports.services import ReportError

LATIN = "Noto Sans"  # Latin and Cyrillic
ARABIC = "Noto Naskh Arabic"
CJK = "Noto Sans CJK SC"
PACKAGES = {LATIN: "fonts-noto-core", ARABIC: "fonts-noto-core", CJK: "fonts-noto-cjk"}
STACKS = {"ar": (ARABIC, LATIN, CJK), "zh": (CJK, LATIN, ARABIC)}
DEFAULT_STACK = (LATIN, ARABIC, CJK)


def font_stack(language: str) -> tuple[str, ...]:
    return STACKS.get(language, DEFAULT_STACK)


def css_families(families: tuple[str, ...]) -> str:
    return ", ".join(f'"{family}"' for family in families)


def installed_families() -> set[str]:
    if shutil.which("fc-list") is None:
        raise ReportError("fontconfig is not installed (fc-list not found); install it with: apt-get install fontconfig")
    listing = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    return {name.strip() for line in listing.splitlines() for name in line.split(",")}


def check_fonts(languages: list[str]) -> None:
    """Raise ReportError naming the missing families and their Debian packages."""
    needed = {family for language in languages for family in font_stack(language)}
    missing = sorted(needed - installed_families())
    if missing:
        packages = " ".join(sorted({PACKAGES[family] for family in missing}))
        raise ReportError(f"fonts not installed: {', '.join(missing)}; install them with: apt-get install {packages}")


def harfbuzz_subsetting() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (libharfbuzz-subset0), about 10× faster than fontTools."""
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None
