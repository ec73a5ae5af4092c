"""The tracking pages' forms: what a person types, checked field by field before the services run.

The services keep every rule (roles, versions, limits); a form only turns the request into typed values and
puts each error beside its field. An error a service raises is attached to the field it is about when the
view knows which one (an uploaded file), else shown above the form; the typed values stay in the form.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from uprwatch.records.states import UnknownStateError, resolve_state
from uprwatch.tracking import selection
from uprwatch.tracking.errors import Invalid
from uprwatch.tracking.models import Confidence, ImplementationStatus, Organisation, Visibility

VISIBILITY_CHOICES = [(Visibility.PRIVATE, "Private to the organisation (a draft)"),
                      (Visibility.PUBLISHED, "Published (anyone can read it)")]
EVIDENCE_TYPES = ".pdf,.png,.jpg,.jpeg,.txt,.csv,.docx"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


def clean_state_names(text: str) -> list[str]:
    """One state per line (or comma): every name must be known; the error names the unknown ones."""
    names = _lines(text)
    unknown = []
    for name in names:
        try:
            resolve_state(name)
        except UnknownStateError as exc:
            unknown.append(str(exc))
    if unknown:
        raise ValidationError("; ".join(unknown))
    return names


def clean_ids(text: str) -> list[int]:
    ids = []
    for part in _lines(text):
        value = part.lstrip("#")
        if not value.isdecimal():
            raise ValidationError(f"“{part}” is not a recommendation number (the # shown on search results)")
        ids.append(int(value))
    return ids


class LengthLimit:
    """Too long: said as the services say it ("name is 10,000 characters long; the limit is 200")."""

    def __init__(self, name: str, limit: int):
        self.name, self.limit = name, limit

    def __call__(self, value) -> None:
        if value is not None and len(value) > self.limit:
            raise ValidationError(f"{self.name} is {len(value):,} characters long; the limit is {self.limit:,}")


class SiteForm(forms.Form):
    """Every form of the site: rendered by ``uprwatch/_form_fields.html`` (label above, help and error beside).

    Messages are the services' own wording, so the web, the API and the CLI say the same thing.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.error_messages["null_characters_not_allowed"] = f"{name} contains a NUL character"
            if isinstance(field, forms.CharField) and field.max_length:
                field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
                field.validators.append(LengthLimit(name, field.max_length))
                field.widget.attrs.pop("maxlength", None)  # let a paste through: the message says what is too long

    def add_service_error(self, exc: Exception, field: str | None = None) -> None:
        self.add_error(field, str(exc))

    def add_conflict(self, exc) -> None:
        """A stale save: keep what the person typed, and offer the current version so that saving again
        is a deliberate overwrite (``exc`` is a ``Conflict``)."""
        self.add_service_error(exc)
        self.data = self.data.copy()
        self.data["version"] = exc.current_version


class OrganisationField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": "choose an organisation", "required": "choose an organisation"}

    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class CampaignForm(SiteForm):
    organisation = OrganisationField(queryset=Organisation.objects.none(), empty_label=None,
                                     help_text="The campaign belongs to this organisation; its members see it.")
    name = forms.CharField(max_length=200, label="Name")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  label="What the campaign is about")
    query = forms.CharField(
        required=False, max_length=1000, label="Saved search",
        help_text="Filled in when you save a search from the search page; recommendations that match it "
                  "join the campaign, including new ones after each review.",
    )
    states = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Watched states",
                             help_text="One per line. Their review deadlines raise alerts.")
    pinned = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                       label="Pinned recommendations", help_text="Untick one to unpin it.")
    visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES, required=False, label="Visibility")
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, orgs=(), editing: bool = False, can_publish: bool = False, pinned_choices=(),
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in orgs])
        if editing:
            del self.fields["organisation"]
        if not can_publish:
            del self.fields["visibility"]
        if pinned_choices:
            self.fields["pinned"].choices = pinned_choices
        elif editing:
            del self.fields["pinned"]
        else:  # a new campaign may start with recommendations pinned elsewhere (their numbers, hidden)
            self.fields["pinned"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("a campaign needs a name")
        return name

    def clean_query(self) -> str:
        try:
            return selection.validate(self.cleaned_data["query"])
        except Invalid as exc:
            raise ValidationError(str(exc)) from None

    def clean_states(self) -> list[str]:
        return clean_state_names(self.cleaned_data["states"])

    def clean_pinned(self) -> list[int]:
        value = self.cleaned_data["pinned"]
        return clean_ids(value) if isinstance(value, str) else [int(i) for i in value]


class AssessmentForm(SiteForm):
    organisation = OrganisationField(queryset=Organisation.objects.none(), empty_label=None)
    status = forms.ChoiceField(choices=ImplementationStatus.choices, label="Status",
                               help_text="How far the state has implemented the recommendation, in your assessment.")
    assessed_on = forms.DateField(required=False, label="Date of the assessment",
                                  widget=forms.DateInput(attrs={"type": "date"}), help_text="Today if left empty.")
    rationale = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Rationale",
                                help_text="Why: what happened, what is missing. Add evidence on the next page.")
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in orgs])
        if len(orgs) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()


class EvidenceForm(SiteForm):
    citation = forms.CharField(max_length=500, label="Citation",
                               help_text="Who said it, where and when, e.g. “Human Rights Watch, 13 October 2023”.")
    url = forms.URLField(required=False, max_length=1000, label="URL", assume_scheme="https")
    date = forms.DateField(required=False, label="Date of the source", widget=forms.DateInput(attrs={"type": "date"}))
    quote = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Quote")
    file = forms.FileField(required=False, label="File",
                           help_text="PDF, PNG, JPEG, TXT, CSV or DOCX.",
                           widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_TYPES}))

    def __init__(self, *args, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if optional:  # the first evidence of a new event may be left out
            self.fields["citation"].required = False

    def has_evidence(self) -> bool:
        return bool(self.cleaned_data.get("citation") or self.cleaned_data.get("file"))

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"citation": data.get("citation", ""), "url": data.get("url", ""), "date": data.get("date"),
                "quote": data.get("quote", ""), "upload": data.get("file")}


class EventForm(SiteForm):
    organisation = OrganisationField(queryset=Organisation.objects.none(), empty_label=None)
    title = forms.CharField(max_length=300, label="Title")
    occurred_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    occurred_until = forms.DateField(required=False, label="Until (optional)",
                                     widget=forms.DateInput(attrs={"type": "date"}))
    people_count = forms.IntegerField(required=False, min_value=0, max_value=2_000_000_000, label="Number of people")
    count_note = forms.CharField(required=False, max_length=200, label="Count qualifier",
                                 help_text="about, at least, up to …")
    places = forms.CharField(required=False, max_length=300, label="Places")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Description")
    sources = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Sources")
    confidence = forms.ChoiceField(choices=Confidence.choices, initial=Confidence.MEDIUM, label="Confidence",
                                   help_text="How sure your organisation is of the facts.")
    states = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="States concerned",
                             help_text="One per line.")
    recommendations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      label="Recommendations it bears on",
                                      help_text="Their numbers (# on search results and campaign pages), one per line.")
    visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES, required=False, label="Visibility")
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, orgs=(), editing: bool = False, can_publish: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in orgs])
        if editing:
            del self.fields["organisation"]
        if editing or not can_publish:
            del self.fields["visibility"]

    def clean_states(self) -> list[str]:
        return clean_state_names(self.cleaned_data["states"])

    def clean_recommendations(self) -> list[int]:
        return clean_ids(self.cleaned_data["recommendations"])

    def clean(self):
        data = super().clean()
        start, end = data.get("occurred_on"), data.get("occurred_until")
        if start and end and end < start:
            self.add_error("occurred_until", "the end date is before the start date")
        return data

    def event_fields(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "description": data["description"], "occurred_on": data["occurred_on"],
                "occurred_until": data["occurred_until"], "people_count": data["people_count"],
                "count_note": data["count_note"], "places": data["places"], "sources": data["sources"],
                "confidence": data["confidence"]}


class SaveSearchForm(SiteForm):
    """"Save this search as a campaign", on the search page: a name, an organisation, the search itself."""

    organisation = OrganisationField(queryset=Organisation.objects.none(), empty_label=None)
    name = forms.CharField(max_length=200, label="Campaign name")
    query = forms.CharField(max_length=1000, widget=forms.HiddenInput)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in orgs])
        if len(orgs) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
