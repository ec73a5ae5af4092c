"""The UN bodies whose recommendations the live sources carry: the UPR, the treaty bodies (either name)
and the special procedures. The UHRI reader and the mechanism search both name a body through here.
"""

from __future__ import annotations

from uprwatch.records.states import normalise_name

TREATY_BODIES = {
    "CAT": ("committee against torture",),
    "CCPR": ("human rights committee",),
    "CERD": ("committee on the elimination of racial discrimination",),
    "CESCR": ("committee on economic social and cultural rights",),
    "CEDAW": ("committee on the elimination of discrimination against women",),
    "CRC": ("committee on the rights of the child",),
    "CMW": ("committee on migrant workers",
            "committee on the protection of the rights of all migrant workers and members of their families"),
    "CRPD": ("committee on the rights of persons with disabilities",),
    "CED": ("committee on enforced disappearances",),
    "SPT": ("subcommittee on prevention of torture",
            "subcommittee on prevention of torture and other cruel inhuman or degrading treatment or punishment"),
}
_BODY_NAMES = {normalise_name(code): code for code in TREATY_BODIES} | {
    normalise_name(name): code for code, names in TREATY_BODIES.items() for name in names
}
SPECIAL_PROCEDURE_PREFIXES = ("SR ", "IE ", "WG ", "Special Rapporteur", "Independent Expert", "Working Group")


def canonical_body(value: str) -> tuple[str, str]:
    """(body, kind): ``UPR``/``upr``, ``CRC``/``treaty_body`` (either name), ``SR …``/``special_procedure``."""
    if value.strip().upper() == "UPR" or normalise_name(value) == "universal periodic review":
        return "UPR", "upr"
    code = _BODY_NAMES.get(normalise_name(value))
    if code:
        return code, "treaty_body"
    if value.startswith(SPECIAL_PROCEDURE_PREFIXES):
        return value, "special_procedure"
    return value, "other"
