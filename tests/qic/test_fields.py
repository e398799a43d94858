"""`dsfr_field` draws every kind of form field as a DSFR field group: text, and the checkboxes and radio
buttons that django-dsfr's own templates could not draw here (they load a library the platform lacks)."""

from django import forms
from django.template import Context, Template


class Consent(forms.Form):
    accepted = forms.BooleanField(label="J’accepte les conditions", help_text="Lisez-les d’abord.")
    themes = forms.MultipleChoiceField(
        label="Thèmes",
        choices=[("eau", "Eau"), ("air", "Air")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    seat = forms.ChoiceField(
        label="Siège", choices=[("elu", "Élu"), ("habitant", "Habitant")], widget=forms.RadioSelect
    )
    name = forms.CharField(label="Nom", max_length=50)


def field(form, name):
    return Template("{% load qic %}{{ form." + name + "|dsfr_field }}").render(Context({"form": form}))


def test_a_checkbox_is_a_dsfr_checkbox_with_its_label_hint_and_error():
    blank = field(Consent(), "accepted")
    assert '<div class="fr-checkbox-group fr-mb-2w">' in blank
    assert (
        '<input type="checkbox" name="accepted" required aria-describedby="id_accepted_helptext"'
        ' id="id_accepted">' in blank
    )
    assert '<label class="fr-label" for="id_accepted">J’accepte les conditions' in blank
    assert '<span class="fr-hint-text" id="id_accepted_helptext">Lisez-les d’abord.</span>' in blank
    assert "dsfr=" not in blank

    refused = Consent(data={"seat": "elu", "name": "Inès"})
    assert not refused.is_valid()
    page = field(refused, "accepted")
    assert "fr-checkbox-group--error" in page
    assert 'aria-invalid="true" aria-describedby="id_accepted_helptext id_accepted-desc-error"' in page
    assert (
        '<div class="fr-messages-group" id="id_accepted-desc-error"' in page
        and "Ce champ est obligatoire." in page
    )


def test_checkboxes_and_radio_buttons_are_a_fieldset_of_dsfr_choices():
    form = Consent(data={"themes": ["air"], "name": "Inès"})
    form.is_valid()
    themes, seat = field(form, "themes"), field(form, "seat")
    assert (
        '<legend class="fr-fieldset__legend fr-fieldset__legend--regular" id="id_themes-legend">Thèmes'
        in themes
    )
    assert (
        '<div class="fr-checkbox-group">'
        '<input type="checkbox" id="id_themes_1" name="themes" value="air" checked>'
        '<label class="fr-label" for="id_themes_1">Air</label></div>'
    ) in themes
    assert (
        '<div class="fr-radio-group"><input type="radio" id="id_seat_0" name="seat" value="elu" required>'
        in seat
    )
    assert 'aria-labelledby="id_seat-legend id_seat-desc-error"' in seat and "fr-fieldset--error" in seat
    assert "dsfr=" not in themes + seat


def test_text_fields_keep_the_dsfr_input_group():
    page = field(Consent(), "name")
    assert (
        'class="fr-input-group"' in page
        and 'class="fr-input"' in page
        and "50\u00a0caractères au maximum" in page
    )
