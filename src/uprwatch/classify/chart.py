"""UPR Info's issue-tagging rules as data (Database_Issues_explanation.pdf, UPR Info, October 2014).

``CHART`` is the PDF's "chart of commonly used tagged" terminology: a phrase in a recommendation and
the issues UPR Info tags for it. ``KEYWORDS`` are plain keywords per issue for the keyword baseline
that the learned model is measured against. Issue names are those of the database (the PDF's list
says "Detention conditions" and "Technical assistance"; the data says "Detention" and "Technical
assistance and cooperation").
"""

from __future__ import annotations

import re

CHILD, WOMEN, TORTURE = "Rights of the Child", "Women's rights", "Torture and other CID treatment"
INSTRUMENTS = "International instruments"

# (regular expression, issues) — from the PDF's chart; only phrases whose tags are unconditional.
CHART: list[tuple[str, tuple[str, ...]]] = [
    (r"female genital mutilation|\bFGM\b", (WOMEN, CHILD, TORTURE)),
    (r"corporal punishment", (TORTURE,)),
    (r"birth registration", (CHILD,)),
    (r"child labou?r", (CHILD, "Labour")),
    (r"child soldiers?", (CHILD, "International humanitarian law")),
    (r"domestic violence", (WOMEN, CHILD)),
    (r"early marriages?|child marriages?", (CHILD,)),
    (r"forced marriages?", (WOMEN, CHILD)),
    (r"honou?r (?:crimes?|killings?)", (WOMEN, CHILD)),
    (r"migrant workers?", ("Migrants", "Labour")),
    (r"juvenile justice", (CHILD, "Justice")),
    (r"optional protocol to the convention against torture|\bOP-?CAT\b", (INSTRUMENTS, TORTURE, "Detention")),
    (r"rome statute", (INSTRUMENTS, "Justice")),
    (r"trafficking (?:in|of) women and children", ("Trafficking", WOMEN, CHILD)),
    (r"maternal mortality", ("Right to health", WOMEN)),
    (r"national human rights (?:action )?plan|plan of action", ("National plan of action",)),
    (r"ombudsman", ("NHRI",)),
    (r"public executions?", ("Death penalty",)),
    (r"sexual violence", (WOMEN, CHILD)),
    (r"declaration on (?:the rights of )?indigenous peoples", (INSTRUMENTS, "Indigenous peoples")),
    (r"declaration on human rights defenders", (INSTRUMENTS, "Human rights defenders")),
    (r"religious minorit", ("Minorities", "Freedom of religion and belief")),
    (r"convention against torture", (INSTRUMENTS, TORTURE)),
    (r"enforced disappearances?", ("Enforced disappearances",)),
    (r"extrajudicial (?:executions?|killings?)", ("Extrajudicial executions",)),
    (r"\btorture\b", (TORTURE,)),
    (r"special procedures?|special rapporteurs?|standing invitation", ("Special procedures",)),
    (r"civil society|non-governmental organi[sz]ations?|\bNGOs?\b", ("Civil society",)),
]
_CHART = [(re.compile(pattern, re.IGNORECASE), issues) for pattern, issues in CHART]


def chart_issues(text: str) -> dict[str, str]:
    """Issues the PDF's rules tag for this text → the phrase that triggered each."""
    found: dict[str, str] = {}
    for pattern, issues in _CHART:
        match = pattern.search(text)
        if match:
            for issue in issues:
                found.setdefault(issue, match.group())
    return found


KEYWORDS: dict[str, tuple[str, ...]] = {
    "Asylum-seekers - refugees": ("asylum", "refugee"),
    "CP rights - general": ("civil and political rights",),
    "Civil society": ("civil society", "ngo"),
    "Corruption": ("corruption",),
    "Counter-terrorism": ("terrorism", "terrorist"),
    "Death penalty": ("death penalty", "capital punishment", "moratorium"),
    "Detention": ("detention", "prison", "detainee"),
    "Development": ("development", "millennium"),
    "Disabilities": ("disabilit", "disabled"),
    "ESC rights - general": ("economic, social and cultural",),
    "Elections": ("election", "electoral"),
    "Enforced disappearances": ("disappearance",),
    "Environment": ("environment", "climate"),
    "Extrajudicial executions": ("extrajudicial",),
    "Freedom of association and peaceful assembly": ("association", "assembly"),
    "Freedom of movement": ("freedom of movement", "travel"),
    "Freedom of opinion and expression": ("expression", "opinion"),
    "Freedom of religion and belief": ("religio", "belief"),
    "Freedom of the press": ("press", "journalist", "media"),
    "General": ("human rights",),
    "HIV - Aids": ("hiv", "aids"),
    "Human rights defenders": ("defender",),
    "Human rights education and training": ("training", "education on human rights", "awareness"),
    "Human rights violations by state agents": ("police", "security forces", "law enforcement"),
    "Impunity": ("impunity",),
    "Indigenous peoples": ("indigenous",),
    "Internally displaced persons": ("displaced",),
    "International humanitarian law": ("humanitarian law", "civilian"),
    "International instruments": ("ratify", "convention", "covenant", "protocol", "accede"),
    "Justice": ("justice", "judicia", "court"),
    "Labour": ("labour", "labor", "worker", "employment"),
    "Migrants": ("migrant",),
    "Minorities": ("minorit", "roma"),
    "NHRI": ("national human rights institution", "paris principles", "ombudsman"),
    "National plan of action": ("plan of action", "action plan"),
    "Other": (),
    "Poverty": ("poverty", "poor"),
    "Public security": ("security", "crime"),
    "Racial discrimination": ("racial", "racism", "xenophobia"),
    "Right to education": ("education", "school"),
    "Right to food": ("food",),
    "Right to health": ("health",),
    "Right to housing": ("housing",),
    "Right to land": ("land",),
    "Right to water": ("water", "sanitation"),
    "Rights of the Child": ("child",),
    "Sexual Orientation and Gender Identity": ("sexual orientation", "gender identity", "lgbt"),
    "Special procedures": ("special procedure", "special rapporteur", "standing invitation"),
    "Technical assistance and cooperation": ("technical assistance", "cooperation"),
    "Torture and other CID treatment": ("torture", "ill-treatment", "degrading"),
    "Trafficking": ("trafficking",),
    "Treaty bodies": ("committee", "treaty bod"),
    "UPR process": ("upr", "universal periodic review"),
    "Women's rights": ("women", "gender", "girl"),
}


def keyword_issues(text: str) -> list[str]:
    """The keyword baseline: every issue one of whose keywords occurs in the text."""
    lowered = text.lower()
    return [issue for issue, words in KEYWORDS.items() if any(w in lowered for w in words)]
